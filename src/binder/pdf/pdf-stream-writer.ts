// A PDF written front to back to a file (or to memory) without holding the document: objects get their numbers
// from allocate() and may be written in any order (a page tree, contents or stamps that need totals known only at
// the end are simply written later); finish() appends the classic xref table and a trailer whose /ID is derived
// from the bytes written, so the same inputs give byte-identical files. Small writes and file contents (JPEGs)
// go through staging buffers that are recycled once written, large byte arrays already in memory (streams copied
// from a source PDF) are queued by reference; drain() hands the queue to the sink in one writev. Recycling keeps
// the memory flat however many pages pass through (no per-image buffers left for the garbage collector).
import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';

interface ByteSink {
  /** Writes `chunks` at file offset `position` (writes may overlap in time; each has its own range). */
  write(chunks: Uint8Array[], position: number): Promise<void>;
  close(): Promise<void>;
}

class FileSink implements ByteSink {
  constructor(private readonly fh: FileHandle) {}
  async write(chunks: Uint8Array[], position: number): Promise<void> {
    for (let i = 0; i < chunks.length; i += 512) {
      let batch = chunks.slice(i, i + 512);
      while (batch.length > 0) {
        const { bytesWritten } = await this.fh.writev(batch, position);
        position += bytesWritten;
        batch = dropWritten(batch, bytesWritten);
      }
    }
  }
  async close(): Promise<void> {
    await this.fh.close();
  }
}

/** The chunks still to write after a (possibly partial) writev of `written` bytes. */
function dropWritten(chunks: Uint8Array[], written: number): Uint8Array[] {
  let i = 0;
  while (i < chunks.length && written >= chunks[i]!.length) written -= chunks[i++]!.length;
  const rest = chunks.slice(i);
  if (rest.length > 0 && written > 0) rest[0] = rest[0]!.subarray(written);
  return rest;
}

class MemorySink implements ByteSink {
  readonly chunks: Uint8Array[] = [];
  async write(chunks: Uint8Array[], _position: number): Promise<void> {
    // In call order (the copy happens before any await). Copies: the writer recycles its staging buffers.
    for (const c of chunks) this.chunks.push(Buffer.from(c));
  }
  async close(): Promise<void> {}
}

const STAGING_BYTES = 1024 * 1024;

// Staging buffers shared by all writers of the process (a build keeps all its volumes open until the end).
const POOL_MAX = 12;
const pool: Buffer[] = [];
const takeBuffer = (): Buffer => pool.pop() ?? Buffer.allocUnsafeSlow(STAGING_BYTES);
const giveBuffer = (b: Buffer): void => {
  if (pool.length < POOL_MAX) pool.push(b);
};
/** Byte arrays at least this long are queued as they are instead of being copied into the staging buffer. */
const BY_REFERENCE_BYTES = 16 * 1024;
const DRAIN_BYTES = 4 * 1024 * 1024;
const MAX_IN_FLIGHT = 2;

export interface FinishedPdf {
  size: number;
  sha256: string;
}

export class PdfStreamWriter {
  private readonly offsets: number[] = [0];
  private position = 0;
  private nextNumber = 1;
  /** The buffer being filled; taken from the pool on demand, none while the writer is idle. */
  private staging: Buffer | null = null;
  private stagingLength = 0;
  private queue: Uint8Array[] = [];
  /** Staging buffers in the queue, back to the pool when their write is done. */
  private queuedStaging: Buffer[] = [];
  private queuedBytes = 0;
  private readonly hash = createHash('sha256');
  private openObject = 0;
  private finished = false;
  /** Writes under way (at most MAX_IN_FLIGHT), each to its own range of the file. */
  private inFlight: Promise<void>[] = [];
  /** File offset of the first byte in the queue. */
  private queueStart = 0;

  private constructor(private readonly sink: ByteSink) {
    // Header, then a comment of bytes > 127 so transfer tools treat the file as binary.
    this.put('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n');
  }

  static async toFile(path: string): Promise<PdfStreamWriter> {
    return new PdfStreamWriter(new FileSink(await open(path, 'w')));
  }

  static inMemory(): { writer: PdfStreamWriter; bytes: () => Uint8Array } {
    const sink = new MemorySink();
    return { writer: new PdfStreamWriter(sink), bytes: () => Buffer.concat(sink.chunks) };
  }

  /** Bytes written so far (the offset the next write lands at). */
  get size(): number {
    return this.position;
  }

  allocate(): number {
    this.offsets.push(-1);
    return this.nextNumber++;
  }

  /** Appends a latin1 string (every char ≤ 0xFF: PDF syntax, names and hex are) or bytes to the current object. */
  put(data: string | Uint8Array): void {
    if (typeof data === 'string') {
      if (data.length > STAGING_BYTES - this.stagingLength) {
        this.flushStaging();
        if (data.length > STAGING_BYTES) return this.enqueue(Buffer.from(data, 'latin1'));
      }
      this.stagingLength += this.stage.write(data, this.stagingLength, 'latin1');
      this.position += data.length;
      return;
    }
    if (data.length >= BY_REFERENCE_BYTES) {
      this.flushStaging();
      return this.enqueue(data);
    }
    if (data.length > STAGING_BYTES - this.stagingLength) this.flushStaging();
    this.stage.set(data, this.stagingLength);
    this.stagingLength += data.length;
    this.position += data.length;
  }

  /** Appends `length` bytes of a file (from its start), read straight into the staging buffers. */
  putFile(path: string, length: number): void {
    const fd = openSync(path, 'r');
    try {
      let at = 0;
      while (at < length) {
        if (this.stagingLength === STAGING_BYTES) this.flushStaging();
        const want = Math.min(length - at, STAGING_BYTES - this.stagingLength);
        let n = readSync(fd, this.stage, this.stagingLength, want, at);
        if (n === 0) {
          // The file shrank since it was measured: pad, so that offsets and /Length stay right.
          this.stage.fill(0, this.stagingLength, this.stagingLength + want);
          n = want;
        }
        this.stagingLength += n;
        this.position += n;
        at += n;
      }
    } finally {
      closeSync(fd);
    }
  }

  beginObject(num: number): void {
    if (this.openObject !== 0) throw new Error(`object ${this.openObject} is still open`);
    if (this.offsets[num] !== -1) throw new Error(`object ${num} was not allocated or is already written`);
    this.offsets[num] = this.position;
    this.openObject = num;
    this.put(`${num} 0 obj\n`);
  }

  endObject(): void {
    this.put('\nendobj\n');
    this.openObject = 0;
  }

  writeObject(num: number, body: string): void {
    this.beginObject(num);
    this.put(body);
    this.endObject();
  }

  /** A stream object: `dictEntries` are the dictionary's entries without << >> and without /Length. */
  writeStream(num: number, dictEntries: string, data: Uint8Array | string): void {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'latin1') : data;
    this.beginObject(num);
    this.put(`<<${dictEntries}/Length ${bytes.length}>>\nstream\n`);
    this.put(bytes);
    this.put('\nendstream');
    this.endObject();
  }

  /**
   * Hands the queued bytes to the sink once enough have piled up (or always, with force, which also waits for
   * every write). Writes go on while the caller produces the next bytes; with MAX_IN_FLIGHT under way, a drain
   * first waits for the oldest.
   */
  async drain(force = false): Promise<void> {
    if (!force && this.queuedBytes + this.stagingLength < DRAIN_BYTES) return;
    while (this.inFlight.length >= MAX_IN_FLIGHT) await this.inFlight.shift();
    this.flushStaging();
    if (this.queue.length > 0) {
      const chunks = this.queue;
      const recycle = this.queuedStaging;
      const at = this.queueStart;
      this.queue = [];
      this.queuedStaging = [];
      this.queueStart += this.queuedBytes;
      this.queuedBytes = 0;
      const write = this.sink.write(chunks, at).then(() => {
        for (const b of recycle) giveBuffer(b);
      });
      // Keep a rejection from being unhandled while nobody awaits it yet; it is rethrown when awaited.
      write.catch(() => undefined);
      this.inFlight.push(write);
    }
    if (force) while (this.inFlight.length > 0) await this.inFlight.shift();
  }

  /** Writes the xref table and trailer and closes the sink. Every allocated object must have been written. */
  async finish(trailer: { root: number; info?: number }): Promise<FinishedPdf> {
    if (this.finished) throw new Error('already finished');
    if (this.openObject !== 0) throw new Error(`object ${this.openObject} is still open`);
    const missing = this.offsets.findIndex((o, i) => i > 0 && o < 0);
    if (missing > 0) throw new Error(`object ${missing} was allocated but never written`);
    // The /ID is the digest of everything before the xref: derived from the inputs, identical for identical builds.
    const id = this.hash.copy().update(this.stage.subarray(0, this.stagingLength)).digest('hex').slice(0, 32);
    const xrefAt = this.position;
    const count = this.offsets.length;
    const table = Buffer.allocUnsafe(20 * count);
    table.write('0000000000 65535 f\r\n', 0, 'latin1');
    for (let n = 1; n < count; n++) table.write(`${String(this.offsets[n]).padStart(10, '0')} 00000 n\r\n`, 20 * n, 'latin1');
    this.put(`xref\n0 ${count}\n`);
    this.put(table);
    const info = trailer.info ? ` /Info ${trailer.info} 0 R` : '';
    this.put(`trailer\n<< /Size ${count} /Root ${trailer.root} 0 R${info} /ID [<${id}> <${id}>] >>\nstartxref\n${xrefAt}\n%%EOF\n`);
    await this.drain(true);
    await this.sink.close();
    this.finished = true;
    return { size: this.position, sha256: this.hash.digest('hex') };
  }

  /** Closes the sink without finishing (after an error); the partial file is the caller's to remove. */
  async abort(): Promise<void> {
    if (this.finished) return;
    this.finished = true;
    await Promise.allSettled(this.inFlight);
    await this.sink.close().catch(() => undefined);
  }

  private enqueue(bytes: Uint8Array): void {
    this.hash.update(bytes);
    this.queue.push(bytes);
    this.queuedBytes += bytes.length;
    this.position += bytes.length;
  }

  private get stage(): Buffer {
    return (this.staging ??= takeBuffer());
  }

  private flushStaging(): void {
    const staging = this.staging;
    if (!staging) return;
    this.staging = null;
    if (this.stagingLength === 0) return giveBuffer(staging);
    const chunk = staging.subarray(0, this.stagingLength);
    this.hash.update(chunk);
    this.queue.push(chunk);
    this.queuedStaging.push(staging);
    this.queuedBytes += chunk.length;
    this.stagingLength = 0;
  }
}

/** A PDF hex string of UTF-16BE with BOM: any Unicode text as a PDF text string (titles, bookmarks). */
export function pdfTextString(text: string): string {
  let hex = '<FEFF';
  for (let i = 0; i < text.length; i++) hex += text.charCodeAt(i).toString(16).padStart(4, '0').toUpperCase();
  return `${hex}>`;
}

/** A number as PDF syntax: at most 3 decimals, no exponent, no trailing zeros. */
export function num(n: number): string {
  if (!Number.isFinite(n)) return '0';
  const r = Math.round(n * 1000) / 1000;
  return Object.is(r, -0) ? '0' : String(r);
}

/** An ISO date (2026-11-20T08:00:00Z, or with offset) as a PDF date string D:YYYYMMDDHHmmSSZ. */
export function pdfDate(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const p = (v: number, w = 2) => String(v).padStart(w, '0');
  return `D:${p(d.getUTCFullYear(), 4)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}Z`;
}
