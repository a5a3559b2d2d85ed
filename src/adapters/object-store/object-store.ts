// The object store for evidence files: one interface, two implementations (local filesystem, S3/MinIO).
// See docs/decisions/0004-object-store.md.
import { Readable } from 'node:stream';

export interface StoredObject {
  key: string;
  size: number;
  /** Lower-case hex SHA-256 of the content. */
  sha256: string;
}

export interface PutStreamOptions {
  /** Key prefix such as 'originals/' or 'derived/' (must end with '/'). */
  prefix?: string;
  /** Abort with ObjectTooLargeError once more than this many bytes have arrived. */
  maxBytes?: number;
  /** Stored as Content-Type by the S3 store; ignored by the filesystem store. */
  contentType?: string;
}

export interface PutFileOptions {
  prefix?: string;
  contentType?: string;
  /**
   * The caller hands over a temp file whose SHA-256 it already computed while receiving it. A store on the same
   * filesystem may then move it into place instead of reading, hashing and copying it again; the file is gone
   * afterwards either way only if it was moved. Never pass this for a file the caller wants to keep.
   */
  adopt?: { sha256: string };
}

/** Inclusive byte range, as in an HTTP `Range: bytes=start-end` header. `end` past the last byte is clamped. */
export interface ByteRange {
  start: number;
  end: number;
}

export interface ObjectStore {
  readonly kind: 'filesystem' | 's3';
  /**
   * Streams `source` into the store under its SHA-256 (content addressing): key = `sha256/<first 2 hex>/<hex>`,
   * or `prefix` + that. Computes size and sha256 while streaming. Never leaves a partial object visible: the
   * filesystem store writes a temp file under `<root>/tmp/`, fsyncs, renames, fsyncs the directory; the S3 store
   * uploads to `tmp/<random>` and copies server-side. If the content already exists the new upload is discarded and
   * the existing object kept. `maxBytes` exceeded → ObjectTooLargeError and nothing remains (the source is
   * destroyed). If `source` errors (client aborted mid-upload), nothing remains and that error propagates as is.
   * Store failures → ObjectStoreUnavailableError (S3) or the filesystem error.
   */
  putStream(source: NodeJS.ReadableStream | Readable, opts?: PutStreamOptions): Promise<StoredObject>;
  /** Put a file already on local disk (the file itself is left alone). Same content addressing. */
  putFile(path: string, opts?: PutFileOptions): Promise<StoredObject>;
  /** Throws ObjectNotFoundError, or ObjectRangeNotSatisfiableError when `range.start` is past the end. */
  getStream(key: string, range?: ByteRange): Promise<Readable>;
  stat(key: string): Promise<{ size: number } | null>;
  /** Idempotent: deleting a missing key succeeds. */
  delete(key: string): Promise<void>;
  /** Health check: can we write, read back and delete? Never throws; gives up after 3 s. */
  check(): Promise<{ ok: boolean; error?: string }>;
  /** Removes temp files/objects older than `maxAgeMs` (default 1 hour) left by a crash. Returns how many. */
  sweepTemp(maxAgeMs?: number): Promise<number>;
  /** The object's path on local disk when the store keeps it there (filesystem store); else null. */
  localPath?(key: string): Promise<string | null>;
  /** Releases pooled connections (S3); a no-op for the filesystem store. */
  close(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------------------------
// Errors

export class ObjectNotFoundError extends Error {
  override readonly name = 'ObjectNotFoundError';
  constructor(readonly key: string) {
    super(`文件不存在: ${key}`);
  }
}

export class ObjectTooLargeError extends Error {
  override readonly name = 'ObjectTooLargeError';
  constructor(readonly maxBytes: number) {
    super(`文件过大，超过上限 ${formatBytes(maxBytes)}`);
  }
}

export class ObjectRangeNotSatisfiableError extends Error {
  override readonly name = 'ObjectRangeNotSatisfiableError';
  constructor(
    readonly key: string,
    readonly range: ByteRange,
    readonly size?: number,
  ) {
    super(`请求的范围无效: ${range.start}-${range.end}${size === undefined ? '' : ` (文件大小 ${size})`}`);
  }
}

/** S3 unreachable, timed out, or answering with an error. `cause` never carries credentials. */
export class ObjectStoreUnavailableError extends Error {
  override readonly name = 'ObjectStoreUnavailableError';
  constructor(cause?: unknown) {
    super('文件存储服务不可用，请稍后重试', cause === undefined ? undefined : { cause });
  }
}

export class InvalidObjectKeyError extends Error {
  override readonly name = 'InvalidObjectKeyError';
  constructor(readonly key: string) {
    super(`无效的文件键: ${JSON.stringify(key).slice(0, 200)}`);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Keys

/** The first path segment reserved for the stores' own temp files/objects. */
export const TEMP_SEGMENT = 'tmp';

const KEY_RE = /^[a-z0-9_.-]+(\/[a-z0-9_.-]+)*$/;

/** Throws InvalidObjectKeyError unless `key` is a safe relative key: [a-z0-9/_.-], no `..`, no leading or
 * trailing or doubled `/`, not under the reserved `tmp/`. */
export function assertValidKey(key: string): void {
  if (
    typeof key !== 'string' ||
    key.length === 0 ||
    key.length > 512 ||
    !KEY_RE.test(key) ||
    key.includes('..') ||
    key.split('/').some((s) => s === '.') ||
    key === TEMP_SEGMENT ||
    key.startsWith(`${TEMP_SEGMENT}/`)
  ) {
    throw new InvalidObjectKeyError(key);
  }
}

/** Validates a prefix: '' or segments each followed by '/', e.g. 'originals/' or 'derived/thumbs/'. */
export function assertValidPrefix(prefix: string): void {
  if (prefix === '') return;
  if (!prefix.endsWith('/')) throw new InvalidObjectKeyError(prefix);
  assertValidKey(prefix.slice(0, -1));
}

export function contentKey(sha256Hex: string, prefix = ''): string {
  assertValidPrefix(prefix);
  if (!/^[0-9a-f]{64}$/.test(sha256Hex)) throw new InvalidObjectKeyError(sha256Hex);
  return `${prefix}sha256/${sha256Hex.slice(0, 2)}/${sha256Hex}`;
}

export function assertValidRange(key: string, range: ByteRange): void {
  if (
    !Number.isSafeInteger(range.start) ||
    !Number.isSafeInteger(range.end) ||
    range.start < 0 ||
    range.end < range.start
  ) {
    throw new ObjectRangeNotSatisfiableError(key, range);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Helpers shared by the implementations

export function toReadable(source: NodeJS.ReadableStream | Readable): Readable {
  return source instanceof Readable ? source : new Readable().wrap(source);
}

/** Marks an error as having come from the caller's source stream (so it propagates unchanged). */
const sourceErrors = new WeakSet<object>();
export function markSourceError(err: unknown): unknown {
  if (err !== null && typeof err === 'object') sourceErrors.add(err);
  return err;
}
export function isSourceError(err: unknown): boolean {
  return err !== null && typeof err === 'object' && sourceErrors.has(err);
}

export const CHECK_TIMEOUT_MS = 3_000;
export const DEFAULT_TEMP_MAX_AGE_MS = 60 * 60 * 1000;

/** Runs `probe` with a deadline; never throws. */
export async function runCheck(probe: () => Promise<void>, timeoutMs = CHECK_TIMEOUT_MS): Promise<{ ok: boolean; error?: string }> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      probe(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
        timer.unref?.();
      }),
    ]);
    return { ok: true };
  } catch (err) {
    return { ok: false, error: describeError(err) };
  } finally {
    if (timer) clearTimeout(timer);
  }
}

/** A one-line description of an error and its causes (for health output and logs). */
export function describeError(err: unknown): string {
  const parts: string[] = [];
  let cur: unknown = err;
  for (let i = 0; i < 4 && cur !== undefined && cur !== null; i++) {
    if (cur instanceof Error) {
      const code = (cur as { code?: unknown }).code;
      parts.push(`${cur.message}${typeof code === 'string' && !cur.message.includes(code) ? ` (${code})` : ''}`);
      cur = cur.cause;
    } else {
      parts.push(String(cur));
      break;
    }
  }
  return parts.join(': ');
}

function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${Math.round((n / (1024 * 1024)) * 10) / 10} MB`;
  if (n >= 1024) return `${Math.round((n / 1024) * 10) / 10} KB`;
  return `${n} B`;
}
