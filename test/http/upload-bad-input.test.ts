// The bad-input corpus of evidence upload, sent over HTTP in one multipart batch and run against both object
// stores: the filesystem store and the S3 store talking to a real S3-protocol server (s3rver) on loopback.
// Every bad file must get its own Chinese reason, every good file must be stored, and afterwards the database,
// the object store and the temp directories must hold exactly the good files — nothing half-received, no
// orphaned objects, no temp files. Then: re-upload (duplicate), a connection cut mid-stream, strangers and a
// missing CSRF token; and, in its own suite, S3 unreachable. Every fixture is generated here.
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Hono } from 'hono';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import S3rver from 's3rver';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createObjectStore } from '../../src/adapters/object-store/create-object-store.ts';
import { contentKey, type ObjectStore } from '../../src/adapters/object-store/object-store.ts';
import type { S3Store } from '../../src/adapters/object-store/s3-store.ts';
import { createApp } from '../../src/app.tsx';
import { DEMO_PASSWORD } from '../../src/demo/seed-demo.ts';
import { imageTooLargeReason, REJECT } from '../../src/documents/inspect-file.ts';
import { createUser } from '../../src/users/user-repository.ts';
import { csrfFrom } from '../helpers/test-app.ts';
import { createTestDb, type TestDb } from '../helpers/test-db.ts';
import { closedPort, pngClaiming, zip } from '../helpers/fixture-files.ts';

const run = promisify(execFile);
const MB = 1024 * 1024;
/** Small on purpose, so a 3 MB file is over it. */
const LIMIT_BYTES = 2 * MB;
const LIMIT_REASON = '文件超过 2 MB 的上限，未保存';
const STORE_DOWN_REASON = '文件存储服务不可用，请稍后重试';
const INSTITUTION = '修武县郇封镇卫生院';
const OTHER_INSTITUTION = '修武县周庄镇卫生院';
const CONTROL_OR_BIDI = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

// ------------------------------------------------------------------------------------------------ fixtures

async function makePdf(label: string, pages = 1): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  for (let i = 0; i < pages; i++) {
    const page = doc.addPage([595.28, 841.89]);
    page.drawText(`${label} - page ${i + 1}`, { x: 50, y: 760, size: 20, font });
  }
  return Buffer.from(await doc.save());
}

async function makeJpeg(r: number, g: number, b: number): Promise<Buffer> {
  return sharp({ create: { width: 640, height: 480, channels: 3, background: { r, g, b } } }).jpeg().toBuffer();
}



/** A DOS/PE-looking executable: "MZ", a PE offset, "PE\0\0", then noise. */
function exeLike(): Buffer {
  const b = Buffer.concat([Buffer.alloc(256), randomBytes(4096)]);
  b.write('MZ', 0, 'latin1');
  b.writeUInt32LE(0x80, 0x3c);
  b.write('PE\0\0', 0x80, 'latin1');
  return b;
}

async function requireQpdf(): Promise<void> {
  try {
    await run('qpdf', ['--version']);
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'not installed' : (err as Error).message;
    throw new Error(`qpdf is required to make the encrypted-PDF fixture (${why}); install it with: apt-get install qpdf (CI installs it)`);
  }
}

async function encryptPdf(plain: Buffer): Promise<Buffer> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'dossier-qpdf-'));
  try {
    await writeFile(path.join(dir, 'in.pdf'), plain);
    await run('qpdf', ['--encrypt', 'user-pw', 'owner-pw', '256', '--', path.join(dir, 'in.pdf'), path.join(dir, 'out.pdf')]);
    return await readFile(path.join(dir, 'out.pdf'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

// --------------------------------------------------------------------------------------------- multipart

interface Part {
  filename: string;
  content: Uint8Array;
  type?: string;
  /** Send the name as RFC 5987 `filename*=UTF-8''…` (percent-encoded bytes), with `filenameFallback` as `filename`. */
  filenameStar?: boolean;
  filenameFallback?: string;
}

const BOUNDARY = `----DossierTestBoundary${randomBytes(8).toString('hex')}`;
const MULTIPART_TYPE = `multipart/form-data; boundary=${BOUNDARY}`;

/** What a browser puts in the quoted filename: UTF-8 with only LF, CR and `"` percent-encoded (HTML spec). */
function browserQuoted(name: string): string {
  return name.replace(/\n/g, '%0A').replace(/\r/g, '%0D').replace(/"/g, '%22');
}

function partHead(p: Part): Buffer {
  const disposition = p.filenameStar
    ? `form-data; name="file"; filename="${browserQuoted(p.filenameFallback ?? 'file')}"; filename*=UTF-8''${encodeURIComponent(p.filename)}`
    : `form-data; name="file"; filename="${browserQuoted(p.filename)}"`;
  return Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: ${disposition}\r\nContent-Type: ${p.type ?? 'application/octet-stream'}\r\n\r\n`, 'utf8');
}

function multipart(parts: Part[]): Uint8Array<ArrayBuffer> {
  const chunks: Buffer[] = [];
  for (const p of parts) chunks.push(partHead(p), Buffer.from(p.content), Buffer.from('\r\n'));
  chunks.push(Buffer.from(`--${BOUNDARY}--\r\n`));
  return new Uint8Array(Buffer.concat(chunks));
}

// ----------------------------------------------------------------------------------------------- the app

interface Session {
  cookie: string;
  csrf: string;
}

interface Harness {
  name: string;
  db: TestDb;
  app: Hono;
  store: ObjectStore;
  institutionId: string;
  /** Keys of every stored object (not temp), sorted. */
  listObjects(): Promise<string[]>;
  /** Temp files of the upload receiver and of the store (files under tmp dirs, `tmp/` objects). */
  listTemp(): Promise<string[]>;
  close(): Promise<void>;
}

const cookiesOf = (res: Response) => res.headers.getSetCookie().map((c) => c.split(';')[0]!);

async function login(app: Hono, username: string, password = DEMO_PASSWORD): Promise<Session> {
  const page = await app.request('/login');
  const pre = cookiesOf(page).join('; ');
  const csrf = csrfFrom(await page.text());
  const res = await app.request('/login', {
    method: 'POST',
    body: new URLSearchParams({ username, password, _csrf: csrf }),
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: pre },
  });
  if (res.status !== 303) throw new Error(`login as ${username} failed: HTTP ${res.status}`);
  const cookie = cookiesOf(res).filter((c) => c.startsWith('dossier_session=')).join('; ');
  const home = await app.request('/dossiers', { headers: { cookie } });
  return { cookie, csrf: csrfFrom(await home.text()) };
}

type Outcome = { ok: true; fileName: string; documentId: string; duplicate: boolean; message: string } | { ok: false; fileName: string; reason: string };

async function upload(h: Harness, s: Session | null, body: Uint8Array<ArrayBuffer>, opts: { csrf?: boolean } = {}) {
  const headers: Record<string, string> = { 'content-type': MULTIPART_TYPE, accept: 'application/json' };
  if (s) headers['cookie'] = s.cookie;
  if (s && opts.csrf !== false) headers['x-csrf-token'] = s.csrf;
  const res = await h.app.request(`/institutions/${h.institutionId}/documents`, { method: 'POST', body, headers });
  const text = await res.text();
  let json: { results?: Outcome[]; error?: string } = {};
  try {
    json = JSON.parse(text) as typeof json;
  } catch {
    // An HTML error page (403/404): keep json empty.
  }
  return { status: res.status, results: json.results ?? [], error: json.error, text };
}

async function filesUnder(dir: string): Promise<string[]> {
  if (!existsSync(dir)) return [];
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join('/'));
}

async function institutionIds(db: TestDb): Promise<{ own: string; other: string }> {
  const rows = await db.db.selectFrom('institutions').select(['id', 'name']).where('name', 'in', [INSTITUTION, OTHER_INSTITUTION]).execute();
  const own = rows.find((r) => r.name === INSTITUTION)?.id;
  const other = rows.find((r) => r.name === OTHER_INSTITUTION)?.id;
  if (!own || !other) throw new Error('demo institutions missing');
  return { own, other };
}

async function count(db: TestDb, table: 'documents' | 'document_versions' | 'blobs' | 'document_events'): Promise<number> {
  const row = await db.db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

async function counts(db: TestDb) {
  return {
    documents: await count(db, 'documents'),
    versions: await count(db, 'document_versions'),
    blobs: await count(db, 'blobs'),
    events: await count(db, 'document_events'),
  };
}

async function harness(name: string, makeStore: (db: TestDb) => Promise<ObjectStore>): Promise<Harness> {
  const db = await createTestDb();
  db.config.maxUploadBytes = LIMIT_BYTES;
  const store = await makeStore(db);
  const app = createApp({ config: db.config, database: db, store });
  const { own } = await institutionIds(db);
  const dataDir = db.config.dataDir;
  const uploadTemp = async () => (await filesUnder(path.join(dataDir, 'tmp'))).map((f) => `upload-tmp/${f}`);
  const fsObjects = async () => (await filesUnder(path.join(dataDir, 'objects'))).filter((k) => !k.startsWith('tmp/')).sort();
  const fsTemp = async () => (await filesUnder(path.join(dataDir, 'objects', 'tmp'))).map((f) => `objects/tmp/${f}`);
  if (store.kind === 's3') {
    const s3 = store as S3Store;
    return {
      name,
      db,
      app,
      store,
      institutionId: own,
      // The filesystem store beside it must stay empty: an S3 app writes nothing under objects/.
      listObjects: async () => [...(await s3.listKeys('')).filter((k) => !k.startsWith('tmp/')), ...(await fsObjects()).map((k) => `fs:${k}`)].sort(),
      listTemp: async () => [...(await uploadTemp()), ...(await fsTemp()), ...(await s3.listKeys('tmp/'))],
      close: async () => {
        await store.close();
        await db.close();
      },
    };
  }
  return {
    name,
    db,
    app,
    store,
    institutionId: own,
    listObjects: fsObjects,
    listTemp: async () => [...(await uploadTemp()), ...(await fsTemp())],
    close: () => db.close(),
  };
}

// ------------------------------------------------------------------------------------------------ s3rver

const S3_KEY = 'S3RVER'; // s3rver's built-in key pair
let s3rver: S3rver | undefined;
let s3Dir = '';
let s3Port = 0;

async function startS3rver(): Promise<number> {
  if (!s3rver) {
    s3Dir = await mkdtemp(path.join(os.tmpdir(), 'dossier-s3rver-'));
    s3rver = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: s3Dir });
    s3Port = (await s3rver.run()).port;
  }
  return s3Port;
}


afterAll(async () => {
  if (s3rver) await s3rver.close();
  if (s3Dir) await rm(s3Dir, { recursive: true, force: true });
});

// --------------------------------------------------------------------------------------------- the corpus

type Expect = { ok: true; fileName: string | ((name: string) => void) } | { ok: false; reason: string };

interface Case extends Part {
  label: string;
  expect: Expect;
}

const LONG_NAME = `${'基层行自评佐证材料'.repeat(33)}.pdf`; // 301 code points
let corpus: Case[];
let goodPdf: Buffer;

beforeAll(async () => {
  await requireQpdf();
  goodPdf = await makePdf('Good evidence', 2);
  const plain = await makePdf('Secret evidence');
  const forTruncation = await makePdf('Cut short', 3);
  // A JPEG header followed by noise: "a 3 MB photo". Over the limit, so never looked at beyond the size.
  const oversize = Buffer.concat([(await makeJpeg(1, 2, 3)).subarray(0, 2), randomBytes(3 * MB)]);
  corpus = [
    { label: 'good PDF', filename: '卫生院自评报告.pdf', content: goodPdf, type: 'application/pdf', expect: { ok: true, fileName: '卫生院自评报告.pdf' } },
    { label: 'good JPEG', filename: '院内环境.jpg', content: await makeJpeg(200, 120, 40), type: 'image/jpeg', expect: { ok: true, fileName: '院内环境.jpg' } },
    { label: 'zero bytes', filename: '空文件.pdf', content: Buffer.alloc(0), type: 'application/pdf', expect: { ok: false, reason: REJECT.empty } },
    { label: 'truncated PDF', filename: 'truncated.pdf', content: forTruncation.subarray(0, Math.floor(forTruncation.length / 2)), expect: { ok: false, reason: REJECT.pdfCorrupt } },
    { label: 'encrypted PDF', filename: '加密.pdf', content: await encryptPdf(plain), expect: { ok: false, reason: REJECT.pdfEncrypted } },
    { label: 'PNG header bomb', filename: 'bomb.png', content: pngClaiming(100_000, 100_000), type: 'image/png', expect: { ok: false, reason: imageTooLargeReason(100_000, 100_000) } },
    { label: 'text named .pdf', filename: '说明.pdf', content: Buffer.from('这只是一个文本文件，不是 PDF。\nJust text.\n'), expect: { ok: false, reason: REJECT.unsupported } },
    { label: 'JPEG named .docx', filename: '照片.docx', content: await makeJpeg(30, 160, 90), expect: { ok: true, fileName: '照片.docx' } },
    { label: 'path traversal name', filename: '../../etc/passwd.pdf', content: await makePdf('Traversal'), expect: { ok: true, fileName: 'passwd.pdf' } },
    { label: 'Windows path name', filename: 'C:\\Users\\王芳\\..\\..\\制度汇编.pdf', content: await makePdf('Windows path'), expect: { ok: true, fileName: '制度汇编.pdf' } },
    {
      // The control character reaches the app through RFC 5987 encoding; see the separate test for a raw one.
      label: 'control character in name (filename*)',
      filename: 'a\u0001b\u202e.pdf',
      filenameStar: true,
      filenameFallback: 'fallback.pdf',
      content: await makePdf('Control char'),
      expect: { ok: true, fileName: 'ab.pdf' },
    },
    {
      label: '300-character name',
      filename: LONG_NAME,
      content: await makePdf('Long name'),
      expect: {
        ok: true,
        fileName: (n) => {
          expect(Array.from(n).length).toBe(120);
          expect(n.endsWith('.pdf')).toBe(true);
          expect(LONG_NAME.startsWith(n.slice(0, -4))).toBe(true);
        },
      },
    },
    { label: 'ZIP (not Office)', filename: 'archive.zip', content: await zip({ 'readme.txt': 'not an office document' }), type: 'application/zip', expect: { ok: false, reason: REJECT.unsupported } },
    { label: 'executable', filename: 'setup.exe', content: exeLike(), type: 'application/x-msdownload', expect: { ok: false, reason: REJECT.unsupported } },
    { label: 'over the size limit', filename: '超大照片.jpg', content: oversize, type: 'image/jpeg', expect: { ok: false, reason: LIMIT_REASON } },
  ];
}, 60_000);

function checkDisplayName(name: string): void {
  expect(name).not.toMatch(/[/\\]/);
  expect(name).not.toMatch(CONTROL_OR_BIDI);
  expect(Array.from(name).length).toBeLessThanOrEqual(120);
  expect(name.length).toBeGreaterThan(0);
}

// -------------------------------------------------------------------------------------------- per store

const STORES: [string, (db: TestDb) => Promise<ObjectStore>][] = [
  ['filesystem', async (db) => db.store],
  [
    's3 (s3rver)',
    async (db) =>
      createObjectStore(
        { S3_ENDPOINT: `http://127.0.0.1:${await startS3rver()}`, S3_BUCKET: 'dossier-upload-test', S3_ACCESS_KEY: S3_KEY, S3_SECRET_KEY: S3_KEY, S3_USE_SSL: '0' },
        db.config.dataDir,
      ),
  ],
];

describe.each(STORES)('upload bad-input corpus: %s store', (name, makeStore) => {
  let h: Harness;
  let staff: Session;
  let results: Outcome[] = [];
  const good = () => corpus.filter((c) => c.expect.ok);

  beforeAll(async () => {
    h = await harness(name, makeStore);
    staff = await login(h.app, 'demo-staff');
  });
  afterAll(async () => {
    await h?.close();
  });

  async function expectOnlyGoodFilesRecorded() {
    const goods = good();
    const shas = [...new Set(goods.map((c) => sha256(c.content)))];
    expect(await counts(h.db)).toMatchObject({ documents: goods.length, versions: goods.length, blobs: shas.length });
    const blobRows = await h.db.db.selectFrom('blobs').select(['sha256', 'store_key', 'size']).execute();
    expect(blobRows.map((b) => b.sha256).sort()).toEqual([...shas].sort());
    for (const b of blobRows) expect(b.store_key).toBe(contentKey(b.sha256, 'originals/'));
    expect(await h.listObjects()).toEqual(shas.map((s) => contentKey(s, 'originals/')).sort());
    for (const b of blobRows) expect(await h.store.stat(b.store_key)).toEqual({ size: Number(b.size) });
    expect(await h.listTemp()).toEqual([]);
  }

  it('answers every file of one batch in order: good files stored, bad files rejected with their own Chinese reason', async () => {
    const res = await upload(h, staff, multipart(corpus));
    expect(res.status, res.text.slice(0, 500)).toBe(200);
    results = res.results;
    expect(results).toHaveLength(corpus.length);
    corpus.forEach((c, i) => {
      const r = results[i]!;
      const where = `${c.label} (#${i} ${JSON.stringify(c.filename)}): ${JSON.stringify(r)}`;
      expect(r.ok, where).toBe(c.expect.ok);
      checkDisplayName(r.fileName);
      if (c.expect.ok && r.ok) {
        if (typeof c.expect.fileName === 'string') expect(r.fileName, where).toBe(c.expect.fileName);
        else c.expect.fileName(r.fileName);
        expect(r.duplicate, where).toBe(false);
        expect(r.documentId, where).toMatch(/\S/);
        expect(r.message, where).toMatch(/^上传成功/);
      } else if (!c.expect.ok && !r.ok) {
        expect(r.reason, where).toBe(c.expect.reason);
        expect(r.reason, where).toMatch(/[\u4e00-\u9fff]/);
      }
    });
    // Every good file is its own document.
    const ids = results.filter((r): r is Extract<Outcome, { ok: true }> => r.ok).map((r) => r.documentId);
    expect(new Set(ids).size).toBe(good().length);
  });

  it('records exactly the good files: documents, versions, blobs, stored objects; no temp files left', async () => {
    await expectOnlyGoodFilesRecorded();
    const versions = await h.db.db
      .selectFrom('document_versions')
      .innerJoin('documents', 'documents.id', 'document_versions.document_id')
      .select(['document_versions.file_name', 'document_versions.kind', 'document_versions.mime', 'document_versions.blob_sha256', 'documents.institution_id', 'documents.title'])
      .execute();
    for (const v of versions) {
      checkDisplayName(v.file_name);
      expect(v.title).not.toMatch(/[/\\]/);
      expect(v.title).not.toMatch(CONTROL_OR_BIDI);
      expect(v.institution_id).toBe(h.institutionId);
    }
    const byName = new Map(versions.map((v) => [v.file_name, v]));
    // Detected by content, not by name: the .docx is a JPEG.
    expect(byName.get('照片.docx')).toMatchObject({ kind: 'jpeg', mime: 'image/jpeg' });
    expect(byName.get('卫生院自评报告.pdf')).toMatchObject({ kind: 'pdf', blob_sha256: sha256(goodPdf) });
    expect(byName.get('passwd.pdf')?.kind).toBe('pdf');
    expect(byName.get('ab.pdf')?.kind).toBe('pdf');
    expect(versions.map((v) => v.file_name).sort()).toEqual(results.filter((r) => r.ok).map((r) => r.fileName).sort());
  });

  it('the same content again is a duplicate of the existing document, stored once', async () => {
    const before = await counts(h.db);
    const first = results[0];
    if (!first?.ok) throw new Error('the good PDF was not stored');
    const res = await upload(h, staff, multipart([{ filename: '自评报告（副本）.pdf', content: goodPdf }]));
    expect(res.status).toBe(200);
    expect(res.results).toHaveLength(1);
    expect(res.results[0]).toMatchObject({ ok: true, duplicate: true, documentId: first.documentId, fileName: '自评报告（副本）.pdf' });
    const after = await counts(h.db);
    expect({ ...after, events: 0 }).toEqual({ ...before, events: 0 });
    await expectOnlyGoodFilesRecorded();
  });

  it('an upload cut off mid-stream records nothing and leaves no temp files', async () => {
    const before = await counts(h.db);
    // A complete first file, then the second file breaks off half-way: even the complete one must not be kept.
    const complete = await makePdf('Complete but the request broke');
    const second = await makePdf('Never finished', 3);
    const sent = Buffer.concat([
      partHead({ filename: 'complete.pdf', content: complete }),
      complete,
      Buffer.from('\r\n'),
      partHead({ filename: 'cut.pdf', content: second }),
      second.subarray(0, Math.floor(second.length / 2)),
    ]);
    let pulls = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulls++;
        if (pulls === 1) controller.enqueue(sent.subarray(0, 4096));
        else if (pulls === 2) controller.enqueue(sent.subarray(4096));
        else controller.error(new Error('connection reset by peer'));
      },
    });
    const req = new Request(`http://localhost/institutions/${h.institutionId}/documents`, {
      method: 'POST',
      body,
      duplex: 'half',
      headers: { 'content-type': MULTIPART_TYPE, accept: 'application/json', cookie: staff.cookie, 'x-csrf-token': staff.csrf },
    } as RequestInit & { duplex: 'half' });
    const res = await h.app.request(req);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toBe('上传中断，文件未保存，请重新上传。');
    expect(pulls).toBeGreaterThanOrEqual(3);
    expect(await counts(h.db)).toEqual(before);
    await expectOnlyGoodFilesRecorded();
  });

  it("refuses staff of another institution and a county reviewer (404), and a missing CSRF token (403), storing nothing", async () => {
    const before = await counts(h.db);
    const { other } = await institutionIds(h.db);
    await createUser(h.db.db, { username: 'other-staff', displayName: '周庄镇卫生院职员', password: DEMO_PASSWORD, role: 'staff', institutionId: other });
    const stranger = await login(h.app, 'other-staff');
    const reviewer = await login(h.app, 'demo-county');
    const body = () => multipart([{ filename: 'intruder.pdf', content: goodPdf }, { filename: 'photo.jpg', content: corpus[1]!.content }]);
    expect((await upload(h, stranger, body())).status).toBe(404);
    expect((await upload(h, reviewer, body())).status).toBe(404);
    const noCsrf = await upload(h, staff, body(), { csrf: false });
    expect(noCsrf.status).toBe(403);
    expect(noCsrf.text).toContain('CSRF');
    const anonymous = await upload(h, null, body());
    expect([401, 403]).toContain(anonymous.status);
    expect(await counts(h.db)).toEqual(before);
    await expectOnlyGoodFilesRecorded();
  });

  it('still answers GET /healthz (200) after all of that', async () => {
    const res = await h.app.request('/healthz');
    const body = (await res.json()) as { status: string; objectStore: { ok: boolean; kind: string } };
    expect(res.status).toBe(200);
    expect(body).toMatchObject({ status: 'ok', objectStore: { ok: true, kind: h.store.kind } });
  });

  // A browser sends a control character in a file name raw inside the quoted `filename="…"` (the HTML spec
  // escapes only CR, LF and `"`); busboy would reject that part header and lose the whole batch, so
  // multipart-header-filter.ts drops such bytes from part headers first.
  it('a raw control character in a file name (as browsers send it) only costs that name its control character', async () => {
    const content = await makePdf(`Raw control char ${name}`);
    const res = await upload(h, staff, multipart([{ filename: 'raw\u0001name.pdf', content }, { filename: 'neighbour.jpg', content: await makeJpeg(9, 99, 199) }]));
    expect(res.status, res.text).toBe(200);
    expect(res.results.map((r) => [r.ok, r.fileName])).toEqual([
      [true, 'rawname.pdf'],
      [true, 'neighbour.jpg'],
    ]);
  });
});

// ------------------------------------------------------------------------------------------- S3 unreachable

describe('upload with the S3 store unreachable', () => {
  let h: Harness;
  let staff: Session;

  beforeAll(async () => {
    const port = await closedPort();
    h = await harness('s3 down', (db) =>
      createObjectStore(
        { S3_ENDPOINT: `http://127.0.0.1:${port}`, S3_BUCKET: 'dossier-down', S3_ACCESS_KEY: S3_KEY, S3_SECRET_KEY: S3_KEY, S3_USE_SSL: '0' },
        db.config.dataDir,
        { ensureBucket: false },
      ),
    );
    staff = await login(h.app, 'demo-staff');
  });
  afterAll(async () => {
    await h?.close();
  });

  it('fails every file with "文件存储服务不可用", records nothing and leaves no temp files', async () => {
    const before = await counts(h.db);
    const files: Part[] = [
      { filename: '自评报告.pdf', content: await makePdf('S3 down') },
      { filename: '照片.jpg', content: await makeJpeg(250, 250, 10) },
    ];
    const res = await upload(h, staff, multipart(files));
    expect(res.status).toBe(400);
    expect(res.results).toEqual([
      { ok: false, fileName: '自评报告.pdf', reason: STORE_DOWN_REASON },
      { ok: false, fileName: '照片.jpg', reason: STORE_DOWN_REASON },
    ]);
    expect(await counts(h.db)).toEqual(before);
    expect(before).toMatchObject({ documents: 0, versions: 0, blobs: 0 });
    expect(await filesUnder(path.join(h.db.config.dataDir, 'tmp'))).toEqual([]);
    expect(await filesUnder(path.join(h.db.config.dataDir, 'objects'))).toEqual([]);
  });

  it('bad files still get their own reasons (checked before the store is touched)', async () => {
    const res = await upload(h, staff, multipart([{ filename: 'empty.pdf', content: Buffer.alloc(0) }, { filename: 'notes.pdf', content: Buffer.from('plain text') }]));
    expect(res.status).toBe(400);
    expect(res.results.map((r) => (r.ok ? 'ok' : r.reason))).toEqual([REJECT.empty, REJECT.unsupported]);
  });

  it('GET /healthz still answers, with 503 and the object store marked down', async () => {
    const res = await h.app.request('/healthz');
    expect(res.status).toBe(503);
    const body = (await res.json()) as { status: string; database: { ok: boolean }; objectStore: { ok: boolean; kind: string; error?: string } };
    expect(body).toMatchObject({ status: 'error', database: { ok: true }, objectStore: { ok: false, kind: 's3' } });
    expect(JSON.stringify(body)).not.toContain(S3_KEY);
  });
});
