// Uploads through a real @hono/node-server, as in production. There receiveUpload reads the Node request
// directly (not hono's web ReadableStream over it); these tests pin that path down: every byte hashed and
// stored, the web body never touched, the web path still used when something has read the body already,
// a connection cut mid-stream leaving nothing behind, and a malformed body still answered with a 400.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import path from 'node:path';
import { serve, type ServerType } from '@hono/node-server';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, demoDossier, type Session, type TestApp } from '../helpers/test-app.ts';

const MB = 1024 * 1024;
const BOUNDARY = `----DossierNodeTest${randomBytes(8).toString('hex')}`;
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** A valid PDF carrying `noise` random bytes in an unreferenced stream: many socket reads long, incompressible. */
async function makePdf(label: string, noise = 0): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  doc.addPage([595.28, 841.89]).drawText(label, { x: 50, y: 760, size: 20, font });
  if (noise) doc.context.register(doc.context.stream(randomBytes(noise)));
  return Buffer.from(await doc.save({ useObjectStreams: false }));
}

function partHead(filename: string, type = 'application/pdf'): Buffer {
  return Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: ${type}\r\n\r\n`, 'utf8');
}

function multipart(files: { filename: string; content: Buffer }[]): Buffer {
  const chunks: Buffer[] = [];
  for (const f of files) chunks.push(partHead(f.filename), f.content, Buffer.from('\r\n'));
  chunks.push(Buffer.from(`--${BOUNDARY}--\r\n`));
  return Buffer.concat(chunks);
}

async function filesUnder(dir: string): Promise<string[]> {
  if (!existsSync(dir)) return [];
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

async function waitFor(what: string, check: () => Promise<boolean>, ms = 10_000): Promise<void> {
  for (const deadline = Date.now() + ms; Date.now() < deadline; await new Promise((r) => setTimeout(r, 20))) {
    if (await check()) return;
  }
  throw new Error(`timed out waiting for ${what}`);
}

type Outcome = { ok: boolean; fileName: string; documentId?: string; reason?: string };

describe('upload through @hono/node-server (the Node request read directly)', () => {
  let t: TestApp;
  let staff: Session;
  let institutionId: string;
  let server: ServerType;
  let port: number;
  /** Requests as the app saw them, and whether the next one should have its web body touched first. */
  const seen: Request[] = [];
  let touchBodyFirst = false;

  beforeAll(async () => {
    t = await createTestApp({ demo: true });
    staff = await t.login('demo-staff');
    institutionId = (await demoDossier(t)).institutionId;
    await new Promise<void>((resolve) => {
      server = serve(
        {
          fetch: (req, env) => {
            seen.push(req);
            // Something (a middleware, say) that reads req.body: the Node stream is then no longer ours.
            if (touchBodyFirst) void req.body;
            return t.app.fetch(req, env);
          },
          port: 0,
          hostname: '127.0.0.1',
        },
        (info) => {
          port = info.port;
          resolve();
        },
      );
    });
  }, 60_000);
  afterAll(async () => {
    await new Promise((r) => server?.close(r));
    await t?.close();
  });
  beforeEach(() => {
    seen.length = 0;
    touchBodyFirst = false;
  });

  const uploadPath = () => `/institutions/${institutionId}/documents`;
  const headers = () => ({ 'content-type': `multipart/form-data; boundary=${BOUNDARY}`, accept: 'application/json', cookie: staff.cookie, 'x-csrf-token': staff.csrf });
  const tempFiles = () => filesUnder(path.join(t.db.config.dataDir, 'tmp'));
  const countDocuments = async () => Number((await t.db.db.selectFrom('documents').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

  /** POSTs `body` with node:http, written in pieces of `piece` bytes (many socket reads on the server). */
  function post(body: Buffer, piece = 64 * 1024): Promise<{ status: number; json: { results?: Outcome[]; error?: string } }> {
    return new Promise((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, path: uploadPath(), method: 'POST', headers: { ...headers(), 'content-length': String(body.length) } }, (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (d: string) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) as { results?: Outcome[]; error?: string } }));
      });
      req.on('error', reject);
      for (let i = 0; i < body.length; i += piece) req.write(body.subarray(i, i + piece));
      req.end();
    });
  }

  async function storedSha(documentId: string): Promise<string> {
    const row = await t.db.db
      .selectFrom('document_versions')
      .select('blob_sha256')
      .where('document_id', '=', documentId)
      .executeTakeFirstOrThrow();
    return row.blob_sha256;
  }

  it('stores every file of a batch byte for byte, hashed on receipt, without touching the web body', async () => {
    const big = await makePdf('Big scanned evidence', 3 * MB + 12345);
    const small = await makePdf('Small evidence');
    const res = await post(multipart([{ filename: '大文件.pdf', content: big }, { filename: 'small.pdf', content: small }]), 7777);
    expect(res.status).toBe(200);
    expect(res.json.results?.map((r) => [r.ok, r.fileName])).toEqual([
      [true, '大文件.pdf'],
      [true, 'small.pdf'],
    ]);
    expect(await storedSha(res.json.results![0]!.documentId!)).toBe(sha256(big));
    expect(await storedSha(res.json.results![1]!.documentId!)).toBe(sha256(small));
    // The lightweight Request of @hono/node-server only reads the Node stream if its body is asked for.
    expect(seen.at(-1)?.bodyUsed).toBe(false);
    expect(await tempFiles()).toEqual([]);
  });

  it('a file larger than the background-flush step (filesystem store) arrives intact and leaves no fd open', async () => {
    const openFds = () => readdir('/proc/self/fd').then((l) => l.length);
    const fdsBefore = await openFds();
    const content = await makePdf('Flushed while received', 70 * MB);
    const res = await post(multipart([{ filename: 'flushed.pdf', content }]), 256 * 1024);
    expect(res.status).toBe(200);
    expect(res.json.results?.[0]?.ok).toBe(true);
    expect(await storedSha(res.json.results![0]!.documentId!)).toBe(sha256(content));
    expect(await tempFiles()).toEqual([]);
    expect(await openFds()).toBeLessThanOrEqual(fdsBefore);
  }, 60_000);

  it('falls back to the web body when something has already started reading the request', async () => {
    touchBodyFirst = true;
    const content = await makePdf('Read through the web body', MB);
    const res = await post(multipart([{ filename: 'web.pdf', content }]));
    expect(res.status).toBe(200);
    expect(res.json.results?.[0]?.ok).toBe(true);
    expect(await storedSha(res.json.results![0]!.documentId!)).toBe(sha256(content));
    expect(seen.at(-1)?.bodyUsed).toBe(true);
    expect(await tempFiles()).toEqual([]);
  });

  it('drops a raw control character from a part header only (file content untouched)', async () => {
    const content = Buffer.concat([await makePdf('Raw control char'), Buffer.from('\r\n%\u0001\u007f\r\n')]);
    const res = await post(multipart([{ filename: 'raw\u0001name.pdf', content }]), 5);
    expect(res.status).toBe(200);
    expect(res.json.results?.map((r) => [r.ok, r.fileName])).toEqual([[true, 'rawname.pdf']]);
    expect(await storedSha(res.json.results![0]!.documentId!)).toBe(sha256(content));
  });

  it('answers a malformed body with a 400 in Chinese (the connection is not torn down), storing nothing', async () => {
    const before = await countDocuments();
    const content = await makePdf('No closing boundary', MB);
    // A complete file, then the body simply ends: no closing delimiter.
    const res = await post(Buffer.concat([partHead('unfinished.pdf'), content]));
    expect(res.status).toBe(400);
    expect(res.json.error).toBe('上传中断，文件未保存，请重新上传。');
    expect(await countDocuments()).toBe(before);
    expect(await tempFiles()).toEqual([]);
  });

  it('answers a body that is malformed early (megabytes still unread) with a 400, not a torn-down connection', async () => {
    const before = await countDocuments();
    // busboy rejects a part header whose name has a space ("Malformed part header") while the rest is unread.
    const bad = Buffer.from(`--${BOUNDARY}\r\nBad Header: x\r\n\r\n`);
    const body = Buffer.concat([bad, randomBytes(3 * MB), Buffer.from(`\r\n--${BOUNDARY}--\r\n`)]);
    const res = await post(body);
    expect(res.status).toBe(400);
    expect(res.json.error).toBe('上传中断，文件未保存，请重新上传。');
    expect(await countDocuments()).toBe(before);
    expect(await tempFiles()).toEqual([]);
    // The kept-alive connection is still usable: the rest of the body was drained, not the socket destroyed.
    const next = await post(multipart([{ filename: 'next.pdf', content: await makePdf('Next on the same connection') }]));
    expect(next.status).toBe(200);
  });

  it('an upload cut off mid-stream (socket closed) records nothing and leaves no temp files', async () => {
    const before = await countDocuments();
    const complete = await makePdf('Complete but the request broke');
    const second = await makePdf('Never finished', 4 * MB);
    const body = multipart([
      { filename: 'complete.pdf', content: complete },
      { filename: 'cut.pdf', content: second },
    ]);
    const socket = net.connect(port, '127.0.0.1');
    await new Promise((r) => socket.once('connect', r));
    const head = Object.entries({ ...headers(), host: `127.0.0.1:${port}`, 'content-length': String(body.length) })
      .map(([k, v]) => `${k}: ${v}\r\n`)
      .join('');
    socket.write(`POST ${uploadPath()} HTTP/1.1\r\n${head}\r\n`);
    socket.write(body.subarray(0, Math.floor(body.length / 2)));
    // The second file is being received (its temp file exists) when the connection goes.
    await waitFor('the second temp file', async () => (await tempFiles()).length >= 2);
    socket.destroy();
    await waitFor('the temp files to be removed', async () => (await tempFiles()).length === 0);
    expect(await countDocuments()).toBe(before);
    // The server is fine afterwards.
    const ok = await post(multipart([{ filename: 'after.pdf', content: await makePdf('After the cut') }]));
    expect(ok.status).toBe(200);
    expect(ok.json.results?.[0]?.ok).toBe(true);
    expect(((server.address() as AddressInfo | null)?.port)).toBe(port);
  });
});
