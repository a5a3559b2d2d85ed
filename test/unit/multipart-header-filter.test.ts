import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { describe, expect, it } from 'vitest';
import { findAcross, multipartBoundary, multipartHeaderFilter } from '../../src/documents/multipart-header-filter.ts';

async function filtered(body: Buffer, boundary: string, chunk: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  for (let i = 0; i < body.length; i += chunk) parts.push(body.subarray(i, i + chunk));
  return filteredParts(parts, boundary);
}

function filteredParts(parts: Buffer[], boundary: string): Promise<Buffer> {
  return buffer(Readable.from(parts).pipe(multipartHeaderFilter(boundary)));
}

/** Cuts `body` at the given offsets (sorted, may repeat: empty chunks). */
function cutAt(body: Buffer, offsets: number[]): Buffer[] {
  const parts: Buffer[] = [];
  let from = 0;
  for (const at of offsets) {
    parts.push(body.subarray(from, at));
    from = at;
  }
  parts.push(body.subarray(from));
  return parts;
}

/** A small deterministic PRNG, so a failing cut can be reproduced. */
function prng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

describe('multipart header filter', () => {
  const boundary = 'XyZ123';
  const content = Buffer.from([0x00, 0x01, 0x7f, 0x0d, 0x0a, 0x2d, 0x2d, 0x41, 0x01, 0x02]); // control bytes in file data
  const body = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a\u0001b\u007f.pdf"\r\n\r\n`),
    content,
    Buffer.from(`\r\n--${boundary}\r\nContent-Disposition: form-data; name="x"\r\n\r\nv\u0002\r\n--${boundary}--\r\n`),
  ]);

  for (const chunk of [1, 3, 7, 64, 100_000]) {
    it(`drops control bytes from part headers only (chunks of ${chunk} bytes)`, async () => {
      const out = (await filtered(body, boundary, chunk)).toString('latin1');
      expect(out).toContain('filename="ab.pdf"');
      expect(out).toContain(content.toString('latin1')); // file content untouched
      expect(out).toContain('v\u0002'); // field values are content too
      expect(out.length).toBe(body.length - 2);
    });
  }

  // Content that looks like the start of a delimiter or a header end, control bytes in names and in content:
  // whatever the chunking, the output must equal the one built directly (headers cleaned, content verbatim).
  describe('delimiters and header ends split across chunks', () => {
    const b = '----WebKitFormBoundaryAb12';
    const tricky = Buffer.concat([
      Buffer.from(`\r\n--${b.slice(0, 10)}`), // a delimiter prefix that is not one
      Buffer.from('\r\n\r\n\u0001\u0000\u007f'),
      Buffer.from(`--${b}`), // the boundary without the CRLF before it: content
      Buffer.from(`\r\n-${b}\r`),
    ]);
    const parts: { header: string; content: Buffer }[] = [
      { header: 'Content-Disposition: form-data; name="file"; filename="a\u0001b\u001fc\u007f.pdf"\r\nContent-Type: application/pdf', content: tricky },
      { header: 'Content-Disposition: form-data; name="x"', content: Buffer.from('v\u0002\u0003') },
      { header: 'Content-Disposition: form-data; name="empty"; filename="\u0008e.bin"', content: Buffer.alloc(0) },
      { header: 'Content-Disposition: form-data; name="file"; filename="报告\u0007.pdf"', content: Buffer.concat([tricky, tricky]) },
    ];
    const build = (clean: boolean) =>
      Buffer.concat([
        ...parts.flatMap((p) => [
          Buffer.from(`--${b}\r\n${clean ? p.header.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '') : p.header}\r\n\r\n`),
          p.content,
          Buffer.from('\r\n'),
        ]),
        Buffer.from(`--${b}--\r\n`),
      ]);
    const body = build(false);
    const expected = build(true);

    it('in one chunk', async () => {
      expect((await filteredParts([body], b)).equals(expected)).toBe(true);
    });

    it('cut once at every offset', async () => {
      for (let at = 0; at <= body.length; at++) {
        const out = await filteredParts(cutAt(body, [at]), b);
        expect(out.equals(expected), `cut at ${at}`).toBe(true);
      }
    });

    it('cut twice at every pair of offsets up to a delimiter apart', async () => {
      const span = b.length + 6;
      for (let at = 0; at <= body.length; at++) {
        for (let gap = 0; gap <= span && at + gap <= body.length; gap++) {
          const out = await filteredParts(cutAt(body, [at, at + gap]), b);
          expect(out.equals(expected), `cut at ${at} and ${at + gap}`).toBe(true);
        }
      }
    }, 60_000);

    it('cut at random offsets (seeded)', async () => {
      const rand = prng(20261124);
      for (let round = 0; round < 300; round++) {
        const n = 1 + Math.floor(rand() * 12);
        const offsets = Array.from({ length: n }, () => Math.floor(rand() * (body.length + 1))).sort((x, y) => x - y);
        const out = await filteredParts(cutAt(body, offsets), b);
        expect(out.equals(expected), `cut at ${offsets.join(',')}`).toBe(true);
      }
    });

    it('passes file content on as the very chunks it came in (no copy), apart from the junctions', async () => {
      const big = Buffer.alloc(256 * 1024, 0x41);
      const chunks = [Buffer.from(`--${b}\r\nContent-Disposition: form-data; name="f"; filename="a"\r\n\r\n`), big, big, Buffer.from(`\r\n--${b}--\r\n`)];
      const filter = multipartHeaderFilter(b);
      const out: Buffer[] = [];
      filter.on('data', (d: Buffer) => out.push(d));
      const done = new Promise((r) => filter.on('end', r));
      for (const c of chunks) filter.write(c);
      filter.end();
      await done;
      expect(Buffer.concat(out).equals(Buffer.concat(chunks))).toBe(true);
      // Large outputs share memory with the input chunks.
      const large = out.filter((o) => o.length > 1024);
      expect(large.length).toBeGreaterThanOrEqual(2);
      for (const o of large) expect(o.buffer).toBe(big.buffer);
    });
  });

  it('finds a needle across carry and chunk at every split', () => {
    const needle = Buffer.from('\r\n--boundary');
    const hay = Buffer.from('xx\r\n--boundar\r\n--boundary yy');
    const want = hay.indexOf(needle);
    for (let at = 0; at <= hay.length; at++) {
      // The carry never holds a whole needle: that is the function's contract.
      if (hay.subarray(0, at).includes(needle)) continue;
      expect(findAcross(hay.subarray(0, at), hay.subarray(at), needle), `split at ${at}`).toBe(want);
    }
    expect(findAcross(Buffer.from('abc'), Buffer.from('def'), needle)).toBe(-1);
  });

  it('reads the boundary from a content type', () => {
    expect(multipartBoundary('multipart/form-data; boundary=----abc')).toBe('----abc');
    expect(multipartBoundary('multipart/form-data; boundary="q u"')).toBe('q u');
    expect(multipartBoundary('text/plain')).toBeNull();
  });
});
