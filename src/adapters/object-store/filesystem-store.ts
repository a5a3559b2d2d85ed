// Object store on the local filesystem: content-addressed files under `rootDir`, written to `rootDir/tmp/`,
// fsync'd, renamed into place, and the directory fsync'd — a crash never leaves a partial object at a key.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, stat, unlink, writeFile, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import {
  ObjectNotFoundError,
  ObjectRangeNotSatisfiableError,
  ObjectTooLargeError,
  DEFAULT_TEMP_MAX_AGE_MS,
  TEMP_SEGMENT,
  assertValidKey,
  assertValidPrefix,
  assertValidRange,
  contentKey,
  markSourceError,
  runCheck,
  toReadable,
  type ByteRange,
  type ObjectStore,
  type PutFileOptions,
  type PutStreamOptions,
  type StoredObject,
} from './object-store.ts';

export interface FilesystemStore extends ObjectStore {
  readonly kind: 'filesystem';
  readonly rootDir: string;
  readonly tmpDir: string;
  /** Absolute path of the file holding `key` (validated). */
  pathFor(key: string): string;
}

export interface FilesystemStoreOptions {
  /** Sweep temp files older than 1 hour on creation (default true). */
  sweepOnStart?: boolean;
}

export async function createFilesystemStore(rootDir: string, opts: FilesystemStoreOptions = {}): Promise<FilesystemStore> {
  const root = path.resolve(rootDir);
  const tmpDir = path.join(root, TEMP_SEGMENT);
  await mkdir(tmpDir, { recursive: true });

  function pathFor(key: string): string {
    assertValidKey(key);
    const p = path.join(root, ...key.split('/'));
    // Belt and braces: the key check already excludes '..' and absolute paths.
    if (!p.startsWith(root + path.sep)) throw new Error(`key escapes the store: ${key}`);
    return p;
  }

  function tempPath(suffix: string): string {
    return path.join(tmpDir, `${Date.now()}-${randomBytes(8).toString('hex')}.${suffix}`);
  }

  async function putStream(source: NodeJS.ReadableStream | Readable, opts: PutStreamOptions = {}): Promise<StoredObject> {
    const prefix = opts.prefix ?? '';
    assertValidPrefix(prefix);
    const maxBytes = opts.maxBytes;
    if (maxBytes !== undefined && !(Number.isSafeInteger(maxBytes) && maxBytes >= 0)) {
      throw new RangeError(`maxBytes must be a non-negative integer, got ${maxBytes}`);
    }
    const src = toReadable(source);
    const tmp = tempPath('part');
    let fh: FileHandle | undefined;
    try {
      await mkdir(tmpDir, { recursive: true });
      fh = await open(tmp, 'wx');
      const hash = createHash('sha256');
      let size = 0;
      let inBody = false;
      try {
        for await (const raw of src) {
          inBody = true;
          const chunk: Buffer = Buffer.isBuffer(raw) ? raw : Buffer.from(raw as string | Uint8Array);
          size += chunk.length;
          if (maxBytes !== undefined && size > maxBytes) throw new ObjectTooLargeError(maxBytes);
          hash.update(chunk);
          await writeFully(fh, chunk);
          inBody = false;
        }
      } catch (err) {
        // An error thrown while waiting for the next chunk came from the source (client aborted, read error).
        if (!inBody) markSourceError(err);
        src.destroy();
        throw err;
      }
      await fh.sync();
      await fh.close();
      fh = undefined;

      const sha256 = hash.digest('hex');
      const key = contentKey(sha256, prefix);
      const finalPath = pathFor(key);
      if (await isFile(finalPath)) {
        await unlink(tmp);
        return { key, size, sha256 };
      }
      const finalDir = path.dirname(finalPath);
      const created = await mkdir(finalDir, { recursive: true });
      await rename(tmp, finalPath);
      await fsyncDir(finalDir);
      if (created !== undefined) {
        // New directories must reach the disk too: fsync each parent up to the one that already existed.
        const stop = path.dirname(created);
        for (let d = path.dirname(finalDir); d.length >= stop.length; d = path.dirname(d)) {
          await fsyncDir(d);
          if (d === stop) break;
        }
      }
      return { key, size, sha256 };
    } catch (err) {
      if (fh) await fh.close().catch(() => {});
      await unlink(tmp).catch(() => {});
      throw err;
    }
  }

  async function putFile(filePath: string, opts: PutFileOptions = {}): Promise<StoredObject> {
    if (opts.adopt && /^[0-9a-f]{64}$/.test(opts.adopt.sha256)) {
      const adopted = await adoptFile(filePath, opts.adopt.sha256, opts.prefix ?? '');
      if (adopted) return adopted;
    }
    // One read and one write, like a copy; the caller's file is left where it is.
    const putOpts: PutStreamOptions = {};
    if (opts.prefix !== undefined) putOpts.prefix = opts.prefix;
    return putStream(createReadStream(filePath), putOpts);
  }

  /** Moves an already-hashed temp file into place (fsync'd); null when it is on another filesystem. */
  async function adoptFile(filePath: string, sha256: string, prefix: string): Promise<StoredObject | null> {
    if (prefix) assertValidPrefix(prefix);
    const key = contentKey(sha256, prefix);
    const finalPath = pathFor(key);
    const { size } = await stat(filePath);
    if (await isFile(finalPath)) {
      await unlink(filePath).catch(() => {});
      return { key, size, sha256 };
    }
    const fh = await open(filePath, 'r+');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
    const finalDir = path.dirname(finalPath);
    await mkdir(finalDir, { recursive: true });
    try {
      await rename(filePath, finalPath);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EXDEV') return null;
      throw err;
    }
    await fsyncDir(finalDir);
    await fsyncDir(path.dirname(finalDir));
    return { key, size, sha256 };
  }

  async function getStream(key: string, range?: ByteRange): Promise<Readable> {
    const p = pathFor(key);
    if (range) assertValidRange(key, range);
    let fh: FileHandle;
    try {
      fh = await open(p, 'r');
    } catch (err) {
      if (isNotFound(err)) throw new ObjectNotFoundError(key);
      throw err;
    }
    try {
      const st = await fh.stat();
      if (!st.isFile()) throw new ObjectNotFoundError(key);
      if (!range) return fh.createReadStream();
      if (range.start >= st.size) throw new ObjectRangeNotSatisfiableError(key, range, st.size);
      return fh.createReadStream({ start: range.start, end: Math.min(range.end, st.size - 1) });
    } catch (err) {
      await fh.close().catch(() => {});
      throw err;
    }
  }

  async function statKey(key: string): Promise<{ size: number } | null> {
    const p = pathFor(key);
    try {
      const st = await stat(p);
      return st.isFile() ? { size: st.size } : null;
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  }

  async function deleteKey(key: string): Promise<void> {
    const p = pathFor(key);
    try {
      await unlink(p);
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
    await fsyncDir(path.dirname(p));
  }

  async function check(): Promise<{ ok: boolean; error?: string }> {
    return runCheck(async () => {
      const probe = tempPath('probe');
      const content = randomBytes(32);
      try {
        await writeFile(probe, content, { flag: 'wx' });
        const back = await readFile(probe);
        if (!back.equals(content)) throw new Error('read back different content');
      } finally {
        await unlink(probe).catch(() => {});
      }
    });
  }

  async function sweepTemp(maxAgeMs: number = DEFAULT_TEMP_MAX_AGE_MS): Promise<number> {
    let entries;
    try {
      entries = await readdir(tmpDir, { withFileTypes: true });
    } catch (err) {
      if (isNotFound(err)) return 0;
      throw err;
    }
    const cutoff = Date.now() - maxAgeMs;
    let removed = 0;
    for (const e of entries) {
      if (!e.isFile()) continue;
      const p = path.join(tmpDir, e.name);
      try {
        const st = await stat(p);
        if (st.mtimeMs < cutoff) {
          await unlink(p);
          removed++;
        }
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
    return removed;
  }

  const store: FilesystemStore = {
    kind: 'filesystem',
    rootDir: root,
    tmpDir,
    pathFor,
    putStream,
    putFile,
    getStream,
    stat: statKey,
    delete: deleteKey,
    check,
    sweepTemp,
    // Tools (pdftoppm, LibreOffice) read the stored file in place instead of a copy.
    localPath: async (key: string) => ((await statKey(key)) ? pathFor(key) : null),
    close: async () => {},
  };
  if (opts.sweepOnStart !== false) await sweepTemp();
  return store;
}

async function writeFully(fh: FileHandle, buf: Buffer): Promise<void> {
  let off = 0;
  while (off < buf.length) {
    const { bytesWritten } = await fh.write(buf, off, buf.length - off);
    off += bytesWritten;
  }
}

async function fsyncDir(dir: string): Promise<void> {
  let fh: FileHandle | undefined;
  try {
    fh = await open(dir, 'r');
    await fh.sync();
  } catch (err) {
    // Some platforms/filesystems (Windows, some network mounts) cannot fsync a directory.
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EISDIR' && code !== 'EPERM' && code !== 'EINVAL' && code !== 'EBADF') throw err;
  } finally {
    await fh?.close().catch(() => {});
  }
}

async function isFile(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isFile();
  } catch (err) {
    if (isNotFound(err)) return false;
    throw err;
  }
}

function isNotFound(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}
