import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { describe, expect, it } from 'vitest';
import { multipartBoundary, multipartHeaderFilter } from '../../src/documents/multipart-header-filter.ts';

async function filtered(body: Buffer, boundary: string, chunk: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  for (let i = 0; i < body.length; i += chunk) parts.push(body.subarray(i, i + chunk));
  return buffer(Readable.from(parts).pipe(multipartHeaderFilter(boundary)));
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

  it('reads the boundary from a content type', () => {
    expect(multipartBoundary('multipart/form-data; boundary=----abc')).toBe('----abc');
    expect(multipartBoundary('multipart/form-data; boundary="q u"')).toBe('q u');
    expect(multipartBoundary('text/plain')).toBeNull();
  });
});
