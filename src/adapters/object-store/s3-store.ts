// Object store on S3 / MinIO through the `minio` client.
//
// The key depends on the content's SHA-256, which is only known once the whole stream has gone by, so putStream
// uploads to a temporary key `tmp/<random>` while hashing, then copies server-side to the content key and removes
// the temporary object (or only removes it when the content key already exists). S3 makes an object visible only
// once its upload completes, so a partial object is never visible at a content key.
//
// Streaming: the minio client's own putObject() for a stream of unknown size picks a part size from the 5 TiB
// maximum object size (≈ 550 MB parts, each buffered in memory), does not propagate errors from the source stream,
// and lists in-progress multipart uploads first (which s3rver does not implement). So uploads here drive the
// multipart API directly with one reusable part buffer (8 MiB by default): memory per upload is bounded by the part
// size, and reading the source pauses while a part uploads (backpressure). Objects smaller than one part go up in a
// single PUT.
//
// Timeouts: the minio client has none of its own. A thin transport wrapper gives every request a connect timeout
// (3 s) and a socket idle timeout (30 s); an unreachable endpoint therefore fails within a few seconds with
// ObjectStoreUnavailableError.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import type { Readable } from 'node:stream';
import * as Minio from 'minio';
import {
  InvalidObjectKeyError,
  ObjectNotFoundError,
  ObjectRangeNotSatisfiableError,
  ObjectStoreUnavailableError,
  ObjectTooLargeError,
  DEFAULT_TEMP_MAX_AGE_MS,
  TEMP_SEGMENT,
  assertValidKey,
  assertValidPrefix,
  assertValidRange,
  contentKey,
  isSourceError,
  markSourceError,
  runCheck,
  toReadable,
  type ByteRange,
  type ObjectStore,
  type PutFileOptions,
  type PutStreamOptions,
  type StoredObject,
} from './object-store.ts';

export interface S3StoreOptions {
  endPoint: string;
  port?: number;
  useSSL: boolean;
  accessKey: string;
  secretKey: string;
  bucket: string;
  /** Default 'us-east-1' (what MinIO uses unless configured otherwise). */
  region?: string;
  /** TCP connect timeout per request, default 3000 ms. */
  connectTimeoutMs?: number;
  /** Socket idle timeout per request, default 30000 ms. */
  idleTimeoutMs?: number;
  /** Multipart part size (≥ 5 MiB), default 8 MiB; also the memory one upload holds. */
  partSize?: number;
}

export interface S3Store extends ObjectStore {
  readonly kind: 's3';
  readonly bucket: string;
  /** Creates the bucket if it does not exist. Throws ObjectStoreUnavailableError when S3 cannot be reached. */
  ensureBucket(): Promise<void>;
  /** Keys under `prefix` (for tests and maintenance; not paginated lazily — use on small prefixes). */
  listKeys(prefix: string): Promise<string[]>;
}

const MIN_PART_SIZE = 5 * 1024 * 1024;
const DEFAULT_PART_SIZE = 8 * 1024 * 1024;

export function createS3Store(opts: S3StoreOptions): S3Store {
  const bucket = opts.bucket;
  const region = opts.region || 'us-east-1';
  const partSize = opts.partSize ?? DEFAULT_PART_SIZE;
  if (!Number.isSafeInteger(partSize) || partSize < MIN_PART_SIZE) throw new RangeError(`partSize must be ≥ ${MIN_PART_SIZE}`);
  const connectTimeoutMs = opts.connectTimeoutMs ?? 3_000;
  const idleTimeoutMs = opts.idleTimeoutMs ?? 30_000;
  const secrets = [opts.secretKey].filter((s) => s.length >= 4);

  const base = opts.useSSL ? https : http;
  const agent = new base.Agent({ keepAlive: true, maxSockets: 32 });
  const transport = {
    request(options: http.RequestOptions, callback?: (res: http.IncomingMessage) => void): http.ClientRequest {
      const req = base.request(options, callback);
      req.setTimeout(idleTimeoutMs, () => req.destroy(timeoutError(`S3 request idle for ${idleTimeoutMs} ms`)));
      req.on('socket', (socket: Socket) => {
        if (!socket.connecting) return;
        const timer = setTimeout(
          () => req.destroy(timeoutError(`S3 connect timed out after ${connectTimeoutMs} ms`)),
          connectTimeoutMs,
        );
        const clear = () => clearTimeout(timer);
        socket.once('connect', clear);
        req.once('close', clear);
      });
      return req;
    },
  } as unknown as NonNullable<Minio.ClientOptions['transport']>;

  const client = new Minio.Client({
    endPoint: opts.endPoint,
    ...(opts.port !== undefined ? { port: opts.port } : {}),
    useSSL: opts.useSSL,
    accessKey: opts.accessKey,
    secretKey: opts.secretKey,
    region,
    pathStyle: true,
    transport,
    transportAgent: agent,
    partSize,
  });

  // ---- errors ------------------------------------------------------------------------------------------------

  function redact(s: string): string {
    let out = s;
    for (const secret of secrets) out = out.split(secret).join('***');
    return out;
  }

  /** A copy of the error chain with any secret removed from the messages. */
  function sanitize(err: unknown, depth = 0): Error {
    if (!(err instanceof Error)) return new Error(redact(String(err)));
    const copy = new Error(redact(err.message));
    copy.name = err.name;
    const e = err as Error & { code?: unknown; errno?: unknown; syscall?: unknown; address?: unknown; port?: unknown };
    for (const k of ['code', 'errno', 'syscall', 'address', 'port'] as const) {
      if (e[k] !== undefined) (copy as unknown as Record<string, unknown>)[k] = e[k];
    }
    if (err.cause !== undefined && depth < 3) copy.cause = sanitize(err.cause, depth + 1);
    return copy;
  }

  function isOwnError(err: unknown): boolean {
    return (
      isSourceError(err) ||
      err instanceof ObjectTooLargeError ||
      err instanceof ObjectNotFoundError ||
      err instanceof ObjectRangeNotSatisfiableError ||
      err instanceof InvalidObjectKeyError ||
      err instanceof ObjectStoreUnavailableError
    );
  }

  function unavailable(err: unknown): Error {
    return isOwnError(err) ? (err as Error) : new ObjectStoreUnavailableError(sanitize(err));
  }

  // ---- bucket ------------------------------------------------------------------------------------------------

  async function ensureBucket(): Promise<void> {
    try {
      if (await client.bucketExists(bucket)) return;
      try {
        await client.makeBucket(bucket, region);
      } catch (err) {
        const code = s3Code(err);
        if (code !== 'BucketAlreadyOwnedByYou' && code !== 'BucketAlreadyExists') throw err;
      }
    } catch (err) {
      throw unavailable(err);
    }
  }

  // ---- upload ------------------------------------------------------------------------------------------------

  /** Streams `src` to `objectKey`, hashing as it goes. On any failure nothing is left at `objectKey`. */
  async function upload(
    src: Readable,
    objectKey: string,
    maxBytes: number | undefined,
    contentType: string | undefined,
  ): Promise<{ size: number; sha256: string }> {
    const hash = createHash('sha256');
    const headers: Record<string, string> = contentType ? { 'Content-Type': contentType } : {};
    const part = Buffer.allocUnsafe(partSize);
    let filled = 0;
    let size = 0;
    let uploadId: string | undefined;
    const etags: { part: number; etag: string }[] = [];

    const flushPart = async () => {
      uploadId ??= await client.initiateNewMultipartUpload(bucket, objectKey, { ...headers });
      const partNumber = etags.length + 1;
      const res = await client.uploadPart(
        { bucketName: bucket, objectName: objectKey, uploadID: uploadId, partNumber, headers: {} },
        part.subarray(0, filled),
      );
      etags.push({ part: partNumber, etag: res.etag });
      filled = 0;
    };

    try {
      let inBody = false;
      try {
        for await (const raw of src) {
          inBody = true;
          let chunk: Buffer = Buffer.isBuffer(raw) ? raw : Buffer.from(raw as string | Uint8Array);
          size += chunk.length;
          if (maxBytes !== undefined && size > maxBytes) throw new ObjectTooLargeError(maxBytes);
          hash.update(chunk);
          while (chunk.length > 0) {
            const n = Math.min(chunk.length, partSize - filled);
            chunk.copy(part, filled, 0, n);
            filled += n;
            chunk = chunk.subarray(n);
            if (filled === partSize) await flushPart();
          }
          inBody = false;
        }
      } catch (err) {
        if (!inBody) markSourceError(err);
        src.destroy();
        throw err;
      }
      if (uploadId === undefined) {
        await client.putObject(bucket, objectKey, part.subarray(0, filled), filled, headers);
      } else {
        if (filled > 0) await flushPart();
        await client.completeMultipartUpload(bucket, objectKey, uploadId, etags);
      }
      return { size, sha256: hash.digest('hex') };
    } catch (err) {
      if (uploadId !== undefined) {
        const id = uploadId;
        // Best effort (s3rver does not implement abort; MinIO/S3 also expire stale uploads by lifecycle).
        await client.abortMultipartUpload(bucket, objectKey, id).catch(() => {});
      }
      throw unavailable(err);
    }
  }

  async function removeQuietly(key: string): Promise<void> {
    await client.removeObject(bucket, key).catch(() => {});
  }

  async function statRaw(key: string): Promise<{ size: number } | null> {
    try {
      const st = await client.statObject(bucket, key);
      return { size: st.size };
    } catch (err) {
      if (isNotFoundCode(err)) return null;
      throw unavailable(err);
    }
  }

  async function putStream(source: NodeJS.ReadableStream | Readable, opts: PutStreamOptions = {}): Promise<StoredObject> {
    const prefix = opts.prefix ?? '';
    assertValidPrefix(prefix);
    const maxBytes = opts.maxBytes;
    if (maxBytes !== undefined && !(Number.isSafeInteger(maxBytes) && maxBytes >= 0)) {
      throw new RangeError(`maxBytes must be a non-negative integer, got ${maxBytes}`);
    }
    const tmpKey = `${TEMP_SEGMENT}/${Date.now()}-${randomBytes(12).toString('hex')}`;
    const { size, sha256 } = await upload(toReadable(source), tmpKey, maxBytes, opts.contentType);
    try {
      const key = contentKey(sha256, prefix);
      if ((await statRaw(key)) === null) {
        // Server-side copy keeps the Content-Type (metadata directive COPY).
        await client.copyObject(bucket, key, `/${bucket}/${tmpKey}`);
      }
      await client.removeObject(bucket, tmpKey);
      return { key, size, sha256 };
    } catch (err) {
      await removeQuietly(tmpKey);
      throw unavailable(err);
    }
  }

  async function putFile(filePath: string, opts: PutFileOptions = {}): Promise<StoredObject> {
    const prefix = opts.prefix ?? '';
    assertValidPrefix(prefix);
    // The hash is known before uploading, so the file goes straight to its content key (no temp + copy).
    const sha256 = await hashFile(filePath);
    const key = contentKey(sha256, prefix);
    const existing = await statRaw(key);
    if (existing) return { key, size: existing.size, sha256 };
    const uploaded = await upload(createReadStream(filePath), key, undefined, opts.contentType);
    if (uploaded.sha256 !== sha256) {
      // The file changed while we read it: do not leave content under the wrong key.
      await removeQuietly(key);
      throw new Error(`文件在上传过程中被修改: ${filePath}`);
    }
    return { key, size: uploaded.size, sha256 };
  }

  async function getStream(key: string, range?: ByteRange): Promise<Readable> {
    assertValidKey(key);
    try {
      if (!range) return await client.getObject(bucket, key);
      assertValidRange(key, range);
      // minio sends `bytes=<offset>-<offset+length-1>`; S3 ranges are inclusive and the server clamps `end`.
      return await client.getPartialObject(bucket, key, range.start, range.end - range.start + 1);
    } catch (err) {
      if (isNotFoundCode(err)) throw new ObjectNotFoundError(key);
      if (s3Code(err) === 'InvalidRange' && range) throw new ObjectRangeNotSatisfiableError(key, range);
      throw unavailable(err);
    }
  }

  async function statKey(key: string): Promise<{ size: number } | null> {
    assertValidKey(key);
    return statRaw(key);
  }

  async function deleteKey(key: string): Promise<void> {
    assertValidKey(key);
    try {
      await client.removeObject(bucket, key);
    } catch (err) {
      if (isNotFoundCode(err)) return;
      throw unavailable(err);
    }
  }

  async function listKeys(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    try {
      for await (const item of client.listObjectsV2(bucket, prefix, true)) {
        const it = item as { name?: string };
        if (it.name) keys.push(it.name);
      }
    } catch (err) {
      throw unavailable(err);
    }
    return keys;
  }

  async function check(): Promise<{ ok: boolean; error?: string }> {
    return runCheck(async () => {
      const probeKey = `${TEMP_SEGMENT}/health-${Date.now()}-${randomBytes(8).toString('hex')}`;
      const content = randomBytes(32);
      try {
        await client.putObject(bucket, probeKey, content, content.length);
        const back = await readAll(await client.getObject(bucket, probeKey));
        if (!back.equals(content)) throw new Error('read back different content');
      } catch (err) {
        throw sanitize(err);
      } finally {
        await removeQuietly(probeKey);
      }
    });
  }

  async function sweepTemp(maxAgeMs: number = DEFAULT_TEMP_MAX_AGE_MS): Promise<number> {
    const cutoff = Date.now() - maxAgeMs;
    const old: string[] = [];
    try {
      for await (const item of client.listObjectsV2(bucket, `${TEMP_SEGMENT}/`, true)) {
        const it = item as { name?: string; lastModified?: Date };
        if (it.name && it.lastModified && it.lastModified.getTime() < cutoff) old.push(it.name);
      }
      for (const key of old) await client.removeObject(bucket, key);
    } catch (err) {
      throw unavailable(err);
    }
    return old.length;
  }

  return {
    kind: 's3',
    bucket,
    ensureBucket,
    listKeys,
    putStream,
    putFile,
    getStream,
    stat: statKey,
    delete: deleteKey,
    check,
    sweepTemp,
    close: async () => {
      agent.destroy();
    },
  };
}

function timeoutError(message: string): Error {
  return Object.assign(new Error(message), { code: 'ETIMEDOUT' });
}

function s3Code(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

function isNotFoundCode(err: unknown): boolean {
  const code = s3Code(err);
  return code === 'NoSuchKey' || code === 'NotFound' || code === 'NoSuchObject';
}

async function hashFile(filePath: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(filePath)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(c as string));
  return Buffer.concat(chunks);
}
