// One contract suite for the object store, run against the filesystem store (temp dir) and against the S3 store
// talking to a real S3-protocol server (s3rver) started here on loopback.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, stat as fsStat, utimes, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { inspect } from 'node:util';
import * as Minio from 'minio';
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createObjectStore,
  parseEndpoint,
  parseS3Env,
} from '../../src/adapters/object-store/create-object-store.ts';
import { createFilesystemStore, type FilesystemStore } from '../../src/adapters/object-store/filesystem-store.ts';
import {
  InvalidObjectKeyError,
  ObjectNotFoundError,
  ObjectRangeNotSatisfiableError,
  ObjectStoreUnavailableError,
  ObjectTooLargeError,
  type ObjectStore,
} from '../../src/adapters/object-store/object-store.ts';
import { createS3Store, type S3Store } from '../../src/adapters/object-store/s3-store.ts';
import { closedPort } from '../helpers/fixture-files.ts';

const MB = 1024 * 1024;

interface Harness {
  store: ObjectStore;
  /** Temp files (fs) or `tmp/` objects (S3) currently present. */
  listTemp(): Promise<string[]>;
  /** Every stored object key (excluding temp). */
  listObjects(): Promise<string[]>;
  /** Removes every object so each case starts empty. */
  reset(): Promise<void>;
}

// ---- stream helpers ------------------------------------------------------------------------------------------

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

async function hashStream(stream: Readable): Promise<{ sha256: string; size: number }> {
  const h = createHash('sha256');
  let size = 0;
  for await (const c of stream) {
    h.update(c as Buffer);
    size += (c as Buffer).length;
  }
  return { sha256: h.digest('hex'), size };
}

/** `total` bytes made of a repeated 1 MiB random block, pushed as 64 KiB views (allocates nothing per chunk).
 * `failAfter`: destroy the stream with an error once that many bytes have been pushed. */
function generated(total: number, opts: { failAfter?: number; seed?: Buffer } = {}) {
  const block = opts.seed ?? randomBytes(MB);
  const chunk = 64 * 1024;
  let sent = 0;
  const error = new Error('client aborted the upload');
  const stream = new Readable({
    highWaterMark: chunk,
    read() {
      if (opts.failAfter !== undefined && sent >= opts.failAfter) {
        this.destroy(error);
        return;
      }
      if (sent >= total) {
        this.push(null);
        return;
      }
      const off = sent % block.length;
      const n = Math.min(chunk, total - sent, block.length - off);
      sent += n;
      this.push(block.subarray(off, off + n));
    },
  });
  const expected = () => {
    const h = createHash('sha256');
    for (let done = 0; done < total; ) {
      const off = done % block.length;
      const n = Math.min(total - done, block.length - off);
      h.update(block.subarray(off, off + n));
      done += n;
    }
    return h.digest('hex');
  };
  return { stream, error, expected };
}


// ---- the contract ----------------------------------------------------------------------------------------------

function contract(name: string, makeHarness: () => Promise<Harness>) {
  describe(`object store contract: ${name}`, () => {
    let h: Harness;
    let store: ObjectStore;

    beforeAll(async () => {
      h = await makeHarness();
      store = h.store;
    });

    async function expectNothingStored() {
      expect(await h.listTemp()).toEqual([]);
      expect(await h.listObjects()).toEqual([]);
    }

    it('put/get round trip with correct sha256 and size', async () => {
      await h.reset();
      const content = Buffer.from('基层行证据 — evidence file\n'.repeat(100));
      const put = await store.putStream(Readable.from([content]));
      expect(put.sha256).toBe(sha256(content));
      expect(put.size).toBe(content.length);
      expect(put.key).toBe(`sha256/${put.sha256.slice(0, 2)}/${put.sha256}`);
      expect((await readAll(await store.getStream(put.key))).equals(content)).toBe(true);
      expect(await store.stat(put.key)).toEqual({ size: content.length });
      expect(await h.listTemp()).toEqual([]);
    });

    it('stores under a prefix and handles empty content', async () => {
      await h.reset();
      const put = await store.putStream(Readable.from([Buffer.from('derived')]), { prefix: 'derived/', contentType: 'text/plain' });
      expect(put.key).toMatch(/^derived\/sha256\/[0-9a-f]{2}\/[0-9a-f]{64}$/);
      const empty = await store.putStream(Readable.from([]), { prefix: 'originals/' });
      expect(empty.size).toBe(0);
      expect(empty.sha256).toBe(sha256(Buffer.alloc(0)));
      expect(await store.stat(empty.key)).toEqual({ size: 0 });
      expect((await readAll(await store.getStream(empty.key))).length).toBe(0);
      await expect(store.putStream(Readable.from([Buffer.from('x')]), { prefix: '../' })).rejects.toBeInstanceOf(InvalidObjectKeyError);
      await expect(store.putStream(Readable.from([Buffer.from('x')]), { prefix: 'originals' })).rejects.toBeInstanceOf(InvalidObjectKeyError);
    });

    it('same content twice → same key, one object (also when concurrent)', async () => {
      await h.reset();
      const content = randomBytes(100_000);
      const a = await store.putStream(Readable.from([content]));
      const b = await store.putStream(Readable.from([content.subarray(0, 50_000), content.subarray(50_000)]));
      expect(b).toEqual(a);
      const [c, d] = await Promise.all([
        store.putStream(Readable.from([content])),
        store.putStream(Readable.from([content])),
      ]);
      expect(c).toEqual(a);
      expect(d).toEqual(a);
      expect(await h.listObjects()).toEqual([a.key]);
      expect(await h.listTemp()).toEqual([]);
    });

    it('putFile stores a local file under the same key and leaves the file alone', async () => {
      await h.reset();
      const dir = await mkdtemp(path.join(os.tmpdir(), 'dossier-putfile-'));
      try {
        const content = randomBytes(300_000);
        const file = path.join(dir, 'upload.bin');
        await writeFile(file, content);
        const put = await store.putFile(file, { prefix: 'originals/', contentType: 'application/octet-stream' });
        expect(put).toEqual({ key: `originals/sha256/${sha256(content).slice(0, 2)}/${sha256(content)}`, size: content.length, sha256: sha256(content) });
        expect(existsSync(file)).toBe(true);
        expect((await readAll(await store.getStream(put.key))).equals(content)).toBe(true);
        const again = await store.putStream(Readable.from([content]), { prefix: 'originals/' });
        expect(again).toEqual(put);
        expect(await h.listObjects()).toEqual([put.key]);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });

    it('range reads (inclusive end, clamped at the last byte)', async () => {
      await h.reset();
      const content = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
      const { key } = await store.putStream(Readable.from([content]));
      const range = async (start: number, end: number) => readAll(await store.getStream(key, { start, end }));
      expect((await range(10, 19)).equals(content.subarray(10, 20))).toBe(true);
      expect((await range(0, 4)).equals(content.subarray(0, 5))).toBe(true);
      expect((await range(255, 255)).equals(content.subarray(255))).toBe(true);
      expect((await range(250, 10_000)).equals(content.subarray(250))).toBe(true);
      // (0–0 is left out: s3rver treats an `end` of 0 as "to the end", unlike S3 and MinIO.)
      await expect(store.getStream(key, { start: 256, end: 300 })).rejects.toBeInstanceOf(ObjectRangeNotSatisfiableError);
      await expect(store.getStream(key, { start: 20, end: 10 })).rejects.toBeInstanceOf(ObjectRangeNotSatisfiableError);
    });

    it('missing objects: stat → null, get → ObjectNotFoundError', async () => {
      const key = `sha256/ab/${'ab'.repeat(32)}`;
      expect(await store.stat(key)).toBeNull();
      await expect(store.getStream(key)).rejects.toBeInstanceOf(ObjectNotFoundError);
      await expect(store.getStream(key, { start: 0, end: 10 })).rejects.toBeInstanceOf(ObjectNotFoundError);
    });

    it('maxBytes exceeded → ObjectTooLargeError and nothing stored', async () => {
      await h.reset();
      await expect(store.putStream(Readable.from([Buffer.from('0123456789'), Buffer.from('a')]), { maxBytes: 10 })).rejects.toBeInstanceOf(
        ObjectTooLargeError,
      );
      // Exactly at the limit is fine.
      const ok = await store.putStream(Readable.from([Buffer.from('0123456789')]), { maxBytes: 10 });
      expect(ok.size).toBe(10);
      await store.delete(ok.key);
      // Big enough that the S3 store has started a multipart upload before the limit trips.
      const big = generated(12 * MB);
      await expect(store.putStream(big.stream, { maxBytes: 10 * MB })).rejects.toBeInstanceOf(ObjectTooLargeError);
      expect(big.stream.destroyed).toBe(true);
      await expectNothingStored();
    });

    it('a source stream that errors midway → rejects with that error and nothing stored', async () => {
      await h.reset();
      const small = generated(5 * MB, { failAfter: 1 * MB });
      await expect(store.putStream(small.stream)).rejects.toBe(small.error);
      const big = generated(20 * MB, { failAfter: 9 * MB });
      await expect(store.putStream(big.stream)).rejects.toBe(big.error);
      await expectNothingStored();
    });

    it('delete is idempotent', async () => {
      await h.reset();
      const { key } = await store.putStream(Readable.from([Buffer.from('to be deleted')]));
      await store.delete(key);
      await store.delete(key);
      expect(await store.stat(key)).toBeNull();
      await expect(store.getStream(key)).rejects.toBeInstanceOf(ObjectNotFoundError);
      await store.delete(`sha256/00/${'0'.repeat(64)}`);
    });

    it('rejects traversal and malformed keys', async () => {
      const bad = ['../etc/passwd', '/etc/passwd', 'sha256/../../x', 'a//b', 'a/b/', 'A/b', 'a\\b', '', '.', 'a/./b', 'tmp/x', 'tmp', 'a b', '%2e%2e/x', 'sha256/ab/..'];
      for (const key of bad) {
        await expect(store.getStream(key), key).rejects.toBeInstanceOf(InvalidObjectKeyError);
        await expect(store.stat(key), key).rejects.toBeInstanceOf(InvalidObjectKeyError);
        await expect(store.delete(key), key).rejects.toBeInstanceOf(InvalidObjectKeyError);
      }
    });

    it('streams a 50 MB upload without buffering it (RSS growth < 64 MB)', async () => {
      await h.reset();
      const total = 50 * MB;
      const gen = generated(total);
      const base = process.memoryUsage().rss;
      let peak = base;
      const sampler = setInterval(() => {
        peak = Math.max(peak, process.memoryUsage().rss);
      }, 20);
      let put;
      try {
        put = await store.putStream(gen.stream, { maxBytes: 100 * MB });
      } finally {
        clearInterval(sampler);
      }
      peak = Math.max(peak, process.memoryUsage().rss);
      expect(put.size).toBe(total);
      expect(put.sha256).toBe(gen.expected());
      expect((peak - base) / MB).toBeLessThan(64);
      expect(await store.stat(put.key)).toEqual({ size: total });
      expect(await hashStream(await store.getStream(put.key))).toEqual({ sha256: put.sha256, size: total });
      expect(await h.listTemp()).toEqual([]);
      await store.delete(put.key);
    });

    it('check() reports ok and leaves nothing behind', async () => {
      await h.reset();
      expect(await store.check()).toEqual({ ok: true });
      await expectNothingStored();
    });
  });
}

// ---- filesystem ------------------------------------------------------------------------------------------------

let fsRoot = '';
let fsStore: FilesystemStore;

async function listFilesRecursive(dir: string, rel = ''): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(path.join(dir, rel), { withFileTypes: true }).catch(() => [])) {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...(await listFilesRecursive(dir, r)));
    else out.push(r);
  }
  return out;
}

contract('filesystem', async () => {
  fsRoot = await mkdtemp(path.join(os.tmpdir(), 'dossier-objects-'));
  fsStore = await createFilesystemStore(fsRoot);
  return {
    store: fsStore,
    listTemp: async () => readdir(fsStore.tmpDir),
    listObjects: async () => (await listFilesRecursive(fsRoot)).filter((k) => !k.startsWith('tmp/')).sort(),
    reset: async () => {
      for (const e of await readdir(fsRoot)) if (e !== 'tmp') await rm(path.join(fsRoot, e), { recursive: true, force: true });
    },
  };
});

describe('filesystem store specifics', () => {
  afterAll(async () => {
    if (fsRoot) await rm(fsRoot, { recursive: true, force: true });
  });

  it('sweeps temp files older than an hour left by a crash (on creation and on demand)', async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), 'dossier-sweep-'));
    try {
      const first = await createFilesystemStore(root);
      const old = path.join(first.tmpDir, 'crashed.part');
      const fresh = path.join(first.tmpDir, 'in-flight.part');
      await writeFile(old, 'partial');
      await writeFile(fresh, 'partial');
      const twoHoursAgo = new Date(Date.now() - 2 * 3600_000);
      await utimes(old, twoHoursAgo, twoHoursAgo);
      await createFilesystemStore(root);
      expect(existsSync(old)).toBe(false);
      expect(existsSync(fresh)).toBe(true);
      await utimes(fresh, twoHoursAgo, twoHoursAgo);
      expect(await first.sweepTemp()).toBe(1);
      expect(await readdir(first.tmpDir)).toEqual([]);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it('keeps objects inside the root and writes them read-back intact', async () => {
    const { key } = await fsStore.putStream(Readable.from([Buffer.from('inside')]));
    const p = fsStore.pathFor(key);
    expect(p.startsWith(fsRoot + path.sep)).toBe(true);
    expect((await fsStat(p)).size).toBe(6);
    expect(() => fsStore.pathFor('../outside')).toThrow(InvalidObjectKeyError);
  });

  it('check() reports a broken store instead of throwing', async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), 'dossier-broken-'));
    const store = await createFilesystemStore(root);
    await rm(root, { recursive: true, force: true });
    await writeFile(root, 'not a directory');
    try {
      const res = await store.check();
      expect(res.ok).toBe(false);
      expect(res.error).toBeTruthy();
    } finally {
      await rm(root, { force: true });
    }
  });
});

// ---- S3 against s3rver -----------------------------------------------------------------------------------------

const S3_ACCESS = 'S3RVER';
const S3_SECRET = 'S3RVER'; // s3rver's built-in key pair
let s3rver: S3rver | undefined;
let s3Dir = '';
let s3Port = 0;
let s3Store: S3Store;

async function startS3rver() {
  if (s3rver) return;
  s3Dir = await mkdtemp(path.join(os.tmpdir(), 'dossier-s3rver-'));
  s3rver = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: s3Dir });
  const addr = await s3rver.run();
  s3Port = addr.port;
}

contract('s3 (s3rver)', async () => {
  await startS3rver();
  // Through the factory, so the bucket-creation path is exercised too.
  const store = await createObjectStore(
    { S3_ENDPOINT: `http://127.0.0.1:${s3Port}`, S3_BUCKET: 'dossier-test', S3_ACCESS_KEY: S3_ACCESS, S3_SECRET_KEY: S3_SECRET, S3_USE_SSL: '0' },
    '/nonexistent-data-dir',
  );
  expect(store.kind).toBe('s3');
  s3Store = store as S3Store;
  return {
    store,
    listTemp: () => s3Store.listKeys('tmp/'),
    listObjects: async () => (await s3Store.listKeys('')).filter((k) => !k.startsWith('tmp/')).sort(),
    reset: async () => {
      for (const k of await s3Store.listKeys('')) await s3Store.delete(k).catch(() => {});
    },
  };
});

describe('s3 store specifics', () => {
  afterAll(async () => {
    await s3Store?.close();
    if (s3rver) await s3rver.close();
    if (s3Dir) await rm(s3Dir, { recursive: true, force: true });
  });

  function storeAt(port: number, extra: Partial<Parameters<typeof createS3Store>[0]> = {}) {
    return createS3Store({
      endPoint: '127.0.0.1',
      port,
      useSSL: false,
      accessKey: 'dossier-access',
      secretKey: 'super-secret-key-never-shown',
      bucket: 'dossier',
      ...extra,
    });
  }

  it('unreachable endpoint → ObjectStoreUnavailableError quickly; check() ok:false; no secret in the error', async () => {
    const store = storeAt(await closedPort());
    try {
      const t0 = Date.now();
      const err = await store.putStream(Readable.from([Buffer.from('evidence')])).catch((e: unknown) => e);
      expect(Date.now() - t0).toBeLessThan(5_000);
      expect(err).toBeInstanceOf(ObjectStoreUnavailableError);
      expect((err as Error).message).toBe('文件存储服务不可用，请稍后重试');
      expect((err as Error).cause).toBeTruthy();
      expect(inspect(err, { depth: 10 })).not.toContain('super-secret-key-never-shown');
      await expect(store.ensureBucket()).rejects.toBeInstanceOf(ObjectStoreUnavailableError);
      await expect(store.getStream(`sha256/ab/${'ab'.repeat(32)}`)).rejects.toBeInstanceOf(ObjectStoreUnavailableError);
      await expect(store.stat(`sha256/ab/${'ab'.repeat(32)}`)).rejects.toBeInstanceOf(ObjectStoreUnavailableError);
      const t1 = Date.now();
      const res = await store.check();
      expect(Date.now() - t1).toBeLessThan(3_500);
      expect(res.ok).toBe(false);
      expect(res.error).toMatch(/ECONNREFUSED/);
      expect(res.error).not.toContain('super-secret-key-never-shown');
    } finally {
      await store.close();
    }
  });

  it('a server that accepts connections but never answers → fails on the idle timeout; check() gives up after 3 s', async () => {
    const sockets = new Set<net.Socket>();
    const silent = net.createServer((s) => {
      sockets.add(s);
      s.on('error', () => {});
      s.on('close', () => sockets.delete(s));
    });
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const port = (silent.address() as net.AddressInfo).port;
    const store = storeAt(port, { idleTimeoutMs: 500 });
    try {
      const t0 = Date.now();
      await expect(store.putStream(Readable.from([Buffer.from('evidence')]))).rejects.toBeInstanceOf(ObjectStoreUnavailableError);
      expect(Date.now() - t0).toBeLessThan(5_000);
      const slow = storeAt(port);
      const t1 = Date.now();
      const res = await slow.check();
      expect(Date.now() - t1).toBeLessThan(3_500);
      expect(res).toMatchObject({ ok: false });
      await slow.close();
    } finally {
      await store.close();
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => silent.close(() => r()));
    }
  });

  it('sweepTemp removes leftover tmp/ objects (a crash between upload and copy)', async () => {
    const raw = new Minio.Client({ endPoint: '127.0.0.1', port: s3Port, useSSL: false, accessKey: S3_ACCESS, secretKey: S3_SECRET, region: 'us-east-1', pathStyle: true });
    await raw.putObject('dossier-test', 'tmp/123-crashed', Buffer.from('partial'), 7);
    expect(await s3Store.listKeys('tmp/')).toEqual(['tmp/123-crashed']);
    // Young: kept by the default one-hour cutoff; a cutoff in the future takes it.
    expect(await s3Store.sweepTemp()).toBe(0);
    expect(await s3Store.sweepTemp(-60_000)).toBe(1);
    expect(await s3Store.listKeys('tmp/')).toEqual([]);
  });
});

// ---- configuration ---------------------------------------------------------------------------------------------

describe('createObjectStore configuration', () => {
  it('uses the filesystem store under <dataDir>/objects without S3_ENDPOINT', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'dossier-cfg-'));
    try {
      const store = await createObjectStore({ S3_ENDPOINT: '' }, dir);
      expect(store.kind).toBe('filesystem');
      expect((store as FilesystemStore).rootDir).toBe(path.join(dir, 'objects'));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('parses endpoints', () => {
    expect(parseEndpoint('minio:9000')).toEqual({ host: 'minio', port: 9000 });
    expect(parseEndpoint('http://minio:9000')).toEqual({ host: 'minio', port: 9000, scheme: 'http' });
    expect(parseEndpoint('https://s3.example.com')).toEqual({ host: 's3.example.com', scheme: 'https' });
    expect(parseEndpoint('[::1]:9000')).toEqual({ host: '::1', port: 9000 });
    expect(() => parseEndpoint('http://minio:9000/bucket')).toThrow(/S3_ENDPOINT/);
    expect(() => parseEndpoint('ftp://minio')).toThrow(/S3_ENDPOINT/);
    const base = { S3_BUCKET: 'dossier', S3_ACCESS_KEY: 'ak', S3_SECRET_KEY: 'sk-secret' };
    expect(parseS3Env({ ...base, S3_ENDPOINT: 'http://minio:9000', S3_USE_SSL: '0' })).toEqual({
      endPoint: 'minio',
      port: 9000,
      useSSL: false,
      accessKey: 'ak',
      secretKey: 'sk-secret',
      bucket: 'dossier',
    });
    expect(parseS3Env({ ...base, S3_ENDPOINT: 'minio.internal', S3_USE_SSL: 'true', S3_REGION: 'cn-north-1' })).toMatchObject({
      endPoint: 'minio.internal',
      port: 443,
      useSSL: true,
      region: 'cn-north-1',
    });
    expect(parseS3Env({})).toBeNull();
  });

  it('rejects incomplete or contradictory S3 settings with a clear message, never echoing the secret', () => {
    expect(() => parseS3Env({ S3_ENDPOINT: 'minio:9000' })).toThrow(/缺少 S3_BUCKET、S3_ACCESS_KEY、S3_SECRET_KEY/);
    expect(() => parseS3Env({ S3_ENDPOINT: 'minio:9000', S3_BUCKET: 'b', S3_ACCESS_KEY: 'a', S3_SECRET_KEY: 's' })).toThrow(/S3_BUCKET/);
    expect(() =>
      parseS3Env({ S3_ENDPOINT: 'https://minio:9000', S3_BUCKET: 'dossier', S3_ACCESS_KEY: 'a', S3_SECRET_KEY: 's', S3_USE_SSL: '0' }),
    ).toThrow(/矛盾/);
    let message = '';
    try {
      parseS3Env({ S3_ENDPOINT: 'minio:9000', S3_BUCKET: 'dossier', S3_ACCESS_KEY: 'a', S3_SECRET_KEY: 'hunter2-secret', S3_USE_SSL: 'maybe' });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/S3_USE_SSL/);
    expect(message).not.toContain('hunter2-secret');
  });
});
