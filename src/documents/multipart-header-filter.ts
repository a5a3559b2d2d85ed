// Browsers send a file name raw inside `filename="…"` (only CR, LF and `"` are escaped), so a name with a
// control character reaches the server as a raw byte in a part header — which busboy, rightly by RFC, rejects,
// taking every other file of the request down with it. This filter drops such bytes from part headers only;
// file content (between the headers and the next boundary) passes through untouched.
import { Transform, type TransformCallback } from 'node:stream';

const HEADER_END = Buffer.from('\r\n\r\n');
/** Part headers are small; a "header" larger than this is passed on for busboy to reject. */
const MAX_HEADER_BYTES = 64 * 1024;

function isDroppedControl(b: number): boolean {
  return (b < 0x20 && b !== 0x0d && b !== 0x0a && b !== 0x09) || b === 0x7f;
}

export function multipartHeaderFilter(boundary: string): Transform {
  const first = Buffer.from(`--${boundary}`);
  const next = Buffer.from(`\r\n--${boundary}`);
  let inHeader = false;
  let delimiter = first;
  let carry: Buffer = Buffer.alloc(0);

  const clean = (header: Buffer) => Buffer.from(header.filter((b) => !isDroppedControl(b)));

  function drain(push: (b: Buffer) => void, final: boolean): void {
    for (;;) {
      if (inHeader) {
        const end = carry.indexOf(HEADER_END);
        if (end < 0) {
          if (final || carry.length > MAX_HEADER_BYTES) {
            push(clean(carry));
            carry = Buffer.alloc(0);
          }
          return;
        }
        push(clean(carry.subarray(0, end + HEADER_END.length)));
        carry = carry.subarray(end + HEADER_END.length);
        inHeader = false;
        delimiter = next;
      } else {
        const at = carry.indexOf(delimiter);
        if (at < 0) {
          // Keep a tail that could be the start of a delimiter split across chunks.
          const keep = final ? 0 : Math.min(carry.length, delimiter.length - 1);
          if (carry.length > keep) push(carry.subarray(0, carry.length - keep));
          carry = carry.subarray(carry.length - keep);
          return;
        }
        push(carry.subarray(0, at + delimiter.length));
        carry = carry.subarray(at + delimiter.length);
        inHeader = true;
      }
    }
  }

  return new Transform({
    transform(chunk: Buffer, _enc, done: TransformCallback) {
      carry = carry.length ? Buffer.concat([carry, chunk]) : chunk;
      drain((b) => this.push(b), false);
      done();
    },
    flush(done: TransformCallback) {
      drain((b) => this.push(b), true);
      done();
    },
  });
}

/** The boundary parameter of a multipart/form-data content type, or null. */
export function multipartBoundary(contentType: string): string | null {
  const m = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  return m ? (m[1] ?? m[2] ?? null) : null;
}
