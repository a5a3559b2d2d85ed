// Browsers send a file name raw inside `filename="…"` (only CR, LF and `"` are escaped), so a name with a
// control character reaches the server as a raw byte in a part header — which busboy, rightly by RFC, rejects,
// taking every other file of the request down with it. This filter drops such bytes from part headers only;
// file content (between the headers and the next boundary) passes through untouched.
//
// Hot path for large uploads: file bytes are passed on as subarrays of the incoming chunks, never copied. Only
// the junction between two chunks (fewer than delimiter-length bytes on each side) and part headers are copied.
import { Transform, type TransformCallback } from 'node:stream';

const HEADER_END = Buffer.from('\r\n\r\n');
/** Part headers are small; a "header" larger than this is passed on for busboy to reject. */
const MAX_HEADER_BYTES = 64 * 1024;
const EMPTY = Buffer.alloc(0);

function isDroppedControl(b: number): boolean {
  return (b < 0x20 && b !== 0x0d && b !== 0x0a && b !== 0x09) || b === 0x7f;
}

/**
 * Index of the first `needle` in the virtual concatenation carry ++ data, or -1. `carry` never holds a whole
 * needle (it is what an earlier search left over), so only a match starting in its last needle.length − 1 bytes
 * can straddle the junction: that window is the only thing copied.
 */
export function findAcross(carry: Buffer, data: Buffer, needle: Buffer): number {
  if (carry.length > 0) {
    const tailStart = Math.max(0, carry.length - (needle.length - 1));
    const junction = Buffer.concat([carry.subarray(tailStart), data.subarray(0, needle.length - 1)]);
    const j = junction.indexOf(needle);
    if (j >= 0) return tailStart + j;
  }
  const i = data.indexOf(needle);
  return i < 0 ? -1 : carry.length + i;
}

export function multipartHeaderFilter(boundary: string): Transform {
  const first = Buffer.from(`--${boundary}`);
  const next = Buffer.from(`\r\n--${boundary}`);
  let inHeader = false;
  let delimiter = first;
  // Bytes not yet passed on: in a body, a tail that could start a delimiter (< delimiter.length bytes, a
  // subarray of the last chunk); in a header, the header so far (copied, ≤ MAX_HEADER_BYTES).
  let carry: Buffer = EMPTY;

  const clean = (header: Buffer) => Buffer.from(header.filter((b) => !isDroppedControl(b)));

  function consume(data: Buffer, push: (b: Buffer) => void): void {
    for (;;) {
      if (inHeader) {
        const at = findAcross(carry, data, HEADER_END);
        if (at < 0) {
          carry = carry.length ? Buffer.concat([carry, data]) : Buffer.from(data);
          if (carry.length > MAX_HEADER_BYTES) {
            push(clean(carry));
            carry = EMPTY;
          }
          return;
        }
        const endInData = at + HEADER_END.length - carry.length; // > 0: carry holds no whole HEADER_END
        push(clean(carry.length ? Buffer.concat([carry, data.subarray(0, endInData)]) : data.subarray(0, endInData)));
        data = data.subarray(endInData);
        carry = EMPTY;
        inHeader = false;
        delimiter = next;
      } else {
        const at = findAcross(carry, data, delimiter);
        if (at < 0) {
          // Keep a tail that could be the start of a delimiter split across chunks.
          const total = carry.length + data.length;
          const keep = Math.min(total, delimiter.length - 1);
          if (keep <= data.length) {
            if (carry.length) push(carry);
            if (data.length > keep) push(data.subarray(0, data.length - keep));
            carry = data.subarray(data.length - keep);
          } else {
            // A chunk shorter than the delimiter: small enough to join.
            const joined = Buffer.concat([carry, data]);
            if (total > keep) push(joined.subarray(0, total - keep));
            carry = joined.subarray(total - keep);
          }
          return;
        }
        const endInData = at + delimiter.length - carry.length; // > 0: carry is shorter than a delimiter
        if (carry.length) push(carry);
        push(data.subarray(0, endInData));
        data = data.subarray(endInData);
        carry = EMPTY;
        inHeader = true;
      }
    }
  }

  return new Transform({
    transform(chunk: Buffer, _enc, done: TransformCallback) {
      consume(chunk, (b) => this.push(b));
      done();
    },
    flush(done: TransformCallback) {
      if (carry.length) this.push(inHeader ? clean(carry) : carry);
      carry = EMPTY;
      done();
    },
  });
}

/** The boundary parameter of a multipart/form-data content type, or null. */
export function multipartBoundary(contentType: string): string | null {
  const m = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  return m ? (m[1] ?? m[2] ?? null) : null;
}
