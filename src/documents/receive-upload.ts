// Streams a multipart upload to temp files: never a whole file in memory. Each file is hashed (SHA-256) and
// counted while it is written, and cut off at the size limit. If the request breaks off mid-stream, every temp
// file is removed and UploadAbortedError is thrown: nothing half-received is ever processed.
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import busboy from 'busboy';
import { multipartBoundary, multipartHeaderFilter } from './multipart-header-filter.ts';

export interface ReceivedFile {
  fieldName: string;
  /** As the browser sent it; untrusted — sanitise before showing or storing. */
  originalName: string;
  tempPath: string;
  size: number;
  sha256: string;
  /** True when the file exceeded the size limit; the temp file then holds only the first part. */
  truncated: boolean;
  /** A temp file of this upload: the store may move it in instead of copying it. */
  temporary?: boolean;
}

export interface ReceivedUpload {
  fields: Record<string, string>;
  files: ReceivedFile[];
  /** Removes the temp files; call in `finally`. */
  cleanup(): Promise<void>;
}

export class UploadAbortedError extends Error {
  constructor(cause?: unknown) {
    super('上传中断，文件未保存，请重新上传。', { cause });
  }
}

export class UploadFormatError extends Error {}

export interface ReceiveOptions {
  tmpDir: string;
  maxFileBytes: number;
  maxFiles?: number;
}

export async function receiveUpload(req: Request, opts: ReceiveOptions): Promise<ReceivedUpload> {
  const type = req.headers.get('content-type') ?? '';
  if (!type.startsWith('multipart/form-data')) throw new UploadFormatError('请求格式错误：应为 multipart/form-data 文件上传。');
  if (!req.body) throw new UploadFormatError('没有收到任何文件。');
  await fs.mkdir(opts.tmpDir, { recursive: true });

  const files: ReceivedFile[] = [];
  const fields: Record<string, string> = {};
  const tempPaths: string[] = [];
  const writes: Promise<void>[] = [];
  const cleanup = async () => {
    await Promise.all(tempPaths.map((p) => fs.rm(p, { force: true })));
  };

  const parser = busboy({
    headers: { 'content-type': type },
    defParamCharset: 'utf8', // Chinese file names arrive as UTF-8
    limits: { fileSize: opts.maxFileBytes, files: opts.maxFiles ?? 100, fields: 50, fieldSize: 64 * 1024 },
  });
  parser.on('field', (name, value) => {
    fields[name] = value;
  });
  parser.on('file', (fieldName, stream, info) => {
    const tempPath = path.join(opts.tmpDir, `upload-${randomBytes(12).toString('hex')}`);
    tempPaths.push(tempPath);
    const hash = createHash('sha256');
    const file: ReceivedFile = { fieldName, originalName: info.filename ?? '', tempPath, size: 0, sha256: '', truncated: false, temporary: true };
    stream.on('data', (chunk: Buffer) => {
      hash.update(chunk);
      file.size += chunk.length;
    });
    stream.on('limit', () => {
      file.truncated = true;
    });
    writes.push(
      pipeline(stream, createWriteStream(tempPath, { flags: 'wx' })).then(() => {
        file.sha256 = hash.digest('hex');
        files.push(file);
      }),
    );
  });

  try {
    const boundary = multipartBoundary(type);
    const source = Readable.fromWeb(req.body as import('node:stream/web').ReadableStream);
    await (boundary ? pipeline(source, multipartHeaderFilter(boundary), parser) : pipeline(source, parser));
    await Promise.all(writes);
  } catch (err) {
    await Promise.allSettled(writes);
    await cleanup();
    // A cut connection, a malformed body and a client that went away all end the same way: nothing kept.
    throw new UploadAbortedError(err);
  }
  // Keep the order in which the browser sent the files.
  files.sort((a, b) => tempPaths.indexOf(a.tempPath) - tempPaths.indexOf(b.tempPath));
  return { fields, files, cleanup };
}
