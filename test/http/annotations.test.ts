// Annotations on evidence pages (issue 6): who may create, reply, resolve; validation; the viewer's file and
// JSON routes; CSRF. Runs on SQLite and, in the postgres project, on Postgres.
import { PDFDocument } from 'pdf-lib';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../../src/users/user-repository.ts';
import { createTestApp, demoDossier, openCountyStage, type Session, type TestApp } from '../helpers/test-app.ts';

let t: TestApp;
let dossierId: string;
let staff: Session;
let county: Session;
let city: Session;
let outsider: Session;
let itemCode: string;
let pdfDoc: string;
let pdfVersion: string;
let pngDoc: string;
let tiffDoc: string;
let pdfBytes: Uint8Array;
let unlinkedVersion: string;

const htmx = { 'hx-request': 'true' };

async function upload(path: string, files: { name: string; bytes: Uint8Array }[], s: Session) {
  const form = new FormData();
  for (const f of files) form.append('file', new File([f.bytes as BlobPart], f.name));
  const res = await t.app.request(path, { method: 'POST', body: form, headers: { cookie: s.cookie, 'x-csrf-token': s.csrf, accept: 'application/json' } });
  expect(res.status).toBe(200);
  return ((await res.json()) as { results: { ok: boolean; documentId: string }[] }).results;
}

function rect(extra: Record<string, string> = {}): Record<string, string> {
  return { version_id: pdfVersion, item_code: itemCode, page_no: '2', x: '0.1', y: '0.2', w: '0.3', h: '0.15', body: '签到表缺少培训日期，请补充。', ...extra };
}

async function currentVersion(documentId: string): Promise<string> {
  const row = await t.db.db.selectFrom('documents').select('current_version_id').where('id', '=', documentId).executeTakeFirstOrThrow();
  return row.current_version_id!;
}

beforeAll(async () => {
  t = await createTestApp();
  let institutionId: string;
  ({ dossierId, institutionId } = await demoDossier(t));
  await createUser(t.db.db, { username: 'boai-county', displayName: '博爱县审核员', password: 'boai-password-1', role: 'county_reviewer', regionCode: '410822' });
  [staff, county, city, outsider] = await Promise.all([t.login('demo-staff'), t.login('demo-county'), t.login('demo-city'), t.login('boai-county', 'boai-password-1')]);
  itemCode = (await t.db.db.selectFrom('dossier_items').select('item_code').where('dossier_id', '=', dossierId).orderBy('item_code').executeTakeFirstOrThrow()).item_code;

  const pdf = await PDFDocument.create();
  for (let i = 0; i < 3; i++) pdf.addPage([595, 842]).drawText(`Sign-in sheet page ${i + 1}`, { x: 50, y: 780, size: 18 });
  pdfBytes = await pdf.save();
  const png = await sharp({ create: { width: 300, height: 400, channels: 3, background: '#dde3ea' } }).png().toBuffer();
  const results = await upload(`/dossiers/${dossierId}/items/${itemCode}/evidence/upload`, [
    { name: '培训签到表.pdf', bytes: pdfBytes },
    { name: '现场照片.png', bytes: new Uint8Array(png) },
    { name: '扫描件.tif', bytes: new Uint8Array(await sharp({ create: { width: 200, height: 280, channels: 3, background: '#ffffff' } }).tiff().toBuffer()) },
  ], staff);
  expect(results.map((r) => r.ok)).toEqual([true, true, true]);
  pdfDoc = results[0]!.documentId;
  pngDoc = results[1]!.documentId;
  tiffDoc = results[2]!.documentId;
  pdfVersion = await currentVersion(pdfDoc);
  // A document of the institution that is not linked to the dossier.
  const other = await PDFDocument.create();
  other.addPage([595, 842]).drawText('Not linked', { x: 50, y: 780, size: 18 });
  const [loose] = await upload(`/institutions/${institutionId}/documents`, [{ name: '未关联.pdf', bytes: await other.save() }], staff);
  unlinkedVersion = await currentVersion(loose!.documentId);

  // The dossier is with the county stage (as the review workflow would leave it after submission).
  await openCountyStage(t.db.db, dossierId);
});
afterAll(() => t?.close());

describe('annotations', () => {
  let annotationId: string;

  it('the reviewer holding the active stage creates an annotation (htmx gets the thread list)', async () => {
    const res = await t.post(`/dossiers/${dossierId}/annotations`, { ...rect(), list_document: pdfDoc }, county, htmx);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('签到表缺少培训日期，请补充。');
    expect(html).toContain('修武县卫健局审核员');
    expect(html).toContain('第 2 页');
    expect(res.headers.get('hx-trigger')).toContain('annotationsChanged');
    const row = await t.db.db.selectFrom('annotations').selectAll().where('dossier_id', '=', dossierId).executeTakeFirstOrThrow();
    annotationId = row.id;
    expect(row).toMatchObject({ document_id: pdfDoc, version_id: pdfVersion, page_no: 2, item_code: itemCode, position: 0, resolved_at: null });
    expect(Number(row.x)).toBeCloseTo(0.1, 5);
    expect(Number(row.h)).toBeCloseTo(0.15, 5);
    const audit = await t.db.db.selectFrom('audit_log').selectAll().where('action', '=', 'annotation.create').execute();
    expect(audit.map((a) => a.subject_id)).toEqual([annotationId]);
  });

  it('a plain form post is redirected to the viewer at the annotation', async () => {
    const res = await t.post(`/dossiers/${dossierId}/annotations`, rect({ page_no: '1', body: '第一页印章不清晰' }), county);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toMatch(new RegExp(`^/dossiers/${dossierId}/documents/${pdfDoc}/view\\?page=1&item=[^#]+#ann-an_`));
  });

  it('a reviewer outside the region gets 404, for the viewer and for creating', async () => {
    expect((await t.get(`/dossiers/${dossierId}/documents/${pdfDoc}/view`, outsider)).status).toBe(404);
    expect((await t.get(`/dossiers/${dossierId}/documents/${pdfDoc}/pdf`, outsider)).status).toBe(404);
    expect((await t.get(`/dossiers/${dossierId}/documents/${pdfDoc}/annotations`, outsider)).status).toBe(404);
    const res = await t.post(`/dossiers/${dossierId}/annotations`, rect(), outsider, htmx);
    expect(res.status).toBe(404);
  });

  it('the institution and reviewers of other stages cannot create (404), but see the annotations', async () => {
    expect((await t.post(`/dossiers/${dossierId}/annotations`, rect(), staff, htmx)).status).toBe(404);
    expect((await t.post(`/dossiers/${dossierId}/annotations`, rect(), city, htmx)).status).toBe(404);
    const viewer = await (await t.get(`/dossiers/${dossierId}/documents/${pdfDoc}/view?page=2`, city)).text();
    expect(viewer).toContain('签到表缺少培训日期，请补充。');
    expect(viewer).not.toContain('添加批注</button>');
    expect(viewer).not.toContain('/replies');
    const count = await t.db.db.selectFrom('annotations').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(2);
  });

  it('rejects bad rectangles and bodies with Chinese reasons (400)', async () => {
    const cases: [Record<string, string>, string][] = [
      [{ x: '0.9', w: '0.2' }, '超出页面范围'],
      [{ y: '-0.1' }, '超出页面范围'],
      [{ w: '0.001' }, '太小'],
      [{ h: 'abc' }, '无效'],
      [{ body: '   ' }, '请填写批注内容'],
      [{ body: '长'.repeat(2001) }, '不能超过 2000 字'],
      [{ page_no: '9' }, '只有 3 页'],
      [{ version_id: unlinkedVersion }, '不属于本档案'],
    ];
    for (const [extra, message] of cases) {
      const res = await t.post(`/dossiers/${dossierId}/annotations`, rect(extra), county, htmx);
      expect(res.status, JSON.stringify(extra).slice(0, 60)).toBe(400);
      expect(await res.text()).toContain(message);
    }
    const plain = await t.post(`/dossiers/${dossierId}/annotations`, rect({ w: '0.001' }), county);
    expect(plain.status).toBe(400);
    expect(await plain.text()).toContain('批注区域太小');
  });

  it('the institution replies; a reviewer of another stage may not', async () => {
    const res = await t.post(`/dossiers/${dossierId}/annotations/${annotationId}/replies`, { body: '已补充培训日期，见第2版。', list_document: pdfDoc }, staff, htmx);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('已补充培训日期，见第2版。');
    expect(html).toContain('王芳（郇封镇卫生院）');
    expect((await t.post(`/dossiers/${dossierId}/annotations/${annotationId}/replies`, { body: '我也说两句' }, city, htmx)).status).toBe(404);
    expect((await t.post(`/dossiers/${dossierId}/annotations/${annotationId}/replies`, { body: '' }, staff, htmx)).status).toBe(400);
    const county2 = await t.post(`/dossiers/${dossierId}/annotations/${annotationId}/replies`, { body: '收到，请上传新版本。' }, county);
    expect(county2.status).toBe(303);
    const audit = await t.db.db.selectFrom('audit_log').select('actor_id').where('action', '=', 'annotation.reply').execute();
    expect(audit.length).toBe(2);
  });

  it('only the stage reviewer resolves and reopens', async () => {
    expect((await t.post(`/dossiers/${dossierId}/annotations/${annotationId}/resolve`, {}, staff, htmx)).status).toBe(404);
    const res = await t.post(`/dossiers/${dossierId}/annotations/${annotationId}/resolve`, { list_document: pdfDoc }, county, htmx);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('标记为已解决');
    let row = await t.db.db.selectFrom('annotations').select(['resolved_at', 'resolved_by']).where('id', '=', annotationId).executeTakeFirstOrThrow();
    expect(row.resolved_at).not.toBeNull();
    // Resolving again changes nothing and records nothing.
    await t.post(`/dossiers/${dossierId}/annotations/${annotationId}/resolve`, {}, county, htmx);
    const reopen = await t.post(`/dossiers/${dossierId}/annotations/${annotationId}/reopen`, { list_document: pdfDoc }, county, htmx);
    expect(reopen.status).toBe(200);
    row = await t.db.db.selectFrom('annotations').select(['resolved_at', 'resolved_by']).where('id', '=', annotationId).executeTakeFirstOrThrow();
    expect(row).toEqual({ resolved_at: null, resolved_by: null });
    const actions = (await t.db.db.selectFrom('audit_log').select('action').where('subject_id', '=', annotationId).orderBy('id').execute()).map((a) => a.action);
    expect(actions).toEqual(['annotation.create', 'annotation.reply', 'annotation.reply', 'annotation.resolve', 'annotation.reopen']);
  });

  it('lists the annotations as JSON for the viewer', async () => {
    const res = await t.get(`/dossiers/${dossierId}/documents/${pdfDoc}/annotations`, staff);
    expect(res.status).toBe(200);
    const list = (await res.json()) as { id: string; number: number; page_no: number; x: number; w: number; body: string; author: string; resolved: boolean; replies: { body: string; author: string }[] }[];
    expect(list.map((a) => a.number)).toEqual([1, 2]);
    const first = list.find((a) => a.id === annotationId)!;
    expect(first).toMatchObject({ page_no: 2, body: '签到表缺少培训日期，请补充。', author: '修武县卫健局审核员', resolved: false });
    expect(first.x).toBeCloseTo(0.1, 5);
    expect(first.replies.map((r) => r.author)).toEqual(['王芳（郇封镇卫生院）', '修武县卫健局审核员']);
    // Another linked document has its own (empty) list; an unlinked one is not found.
    expect(await (await t.get(`/dossiers/${dossierId}/documents/${pngDoc}/annotations`, staff)).json()).toEqual([]);
    expect((await t.get(`/dossiers/${dossierId}/documents/doc_nope/annotations`, staff)).status).toBe(404);
  });

  it('serves the printable file with its type, and byte ranges for pdf.js', async () => {
    const res = await t.get(`/dossiers/${dossierId}/documents/${pdfDoc}/pdf?v=${pdfVersion}`, county);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    expect(res.headers.get('accept-ranges')).toBe('bytes');
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect(Buffer.from(bytes).equals(Buffer.from(pdfBytes))).toBe(true);
    const part = await t.get(`/dossiers/${dossierId}/documents/${pdfDoc}/pdf`, county, { range: 'bytes=0-4' });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 0-4/${pdfBytes.length}`);
    expect(await part.text()).toBe('%PDF-');
    const tail = await t.get(`/dossiers/${dossierId}/documents/${pdfDoc}/pdf`, county, { range: 'bytes=-6' });
    expect(tail.status).toBe(206);
    expect(await tail.text()).toBe(Buffer.from(pdfBytes.slice(-6)).toString());
    const past = await t.get(`/dossiers/${dossierId}/documents/${pdfDoc}/pdf`, county, { range: `bytes=${pdfBytes.length}-` });
    expect(past.status).toBe(416);
    const img = await t.get(`/dossiers/${dossierId}/documents/${pngDoc}/pdf`, staff);
    expect(img.status).toBe(200);
    expect(img.headers.get('content-type')).toBe('image/png');
  });

  it('a multi-page TIFF is shown page by page as server-rendered images', async () => {
    const version = await currentVersion(tiffDoc);
    const html = await (await t.get(`/dossiers/${dossierId}/documents/${tiffDoc}/view`, county)).text();
    expect(html).toContain('data-mode="image"');
    expect(html).toContain(`data-src="/documents/${tiffDoc}/versions/${version}/pages/{page}.png?w=1600"`);
    const png = await t.get(`/documents/${tiffDoc}/versions/${version}/pages/1.png?w=1600`, county);
    expect(png.status).toBe(200);
    expect(png.headers.get('content-type')).toBe('image/png');
  });

  it('the viewer page: canvas, add mode for the stage reviewer, reply forms for the institution', async () => {
    const res = await t.get(`/dossiers/${dossierId}/documents/${pdfDoc}/view?page=2&item=${itemCode}`, county);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('class="viewer-canvas"');
    expect(html).toContain('data-mode="pdf"');
    expect(html).toContain('添加批注');
    expect(html).toContain('id="annotation-form"');
    expect(html).toContain('<script type="module" src="/static/annotate.js">');
    const staffHtml = await (await t.get(`/dossiers/${dossierId}/documents/${pdfDoc}/view`, staff)).text();
    expect(staffHtml).not.toContain('id="annotation-form"');
    expect(staffHtml).toContain(`/annotations/${annotationId}/replies`);
    expect(staffHtml).not.toContain(`/annotations/${annotationId}/resolve`);
    const image = await (await t.get(`/dossiers/${dossierId}/documents/${pngDoc}/view`, county)).text();
    expect(image).toContain('data-mode="image"');
    expect(image).toContain('class="viewer-image"');
    const loose = await t.db.db.selectFrom('document_versions').select('document_id').where('id', '=', unlinkedVersion).executeTakeFirstOrThrow();
    expect((await t.get(`/dossiers/${dossierId}/documents/${loose.document_id}/view`, county)).status).toBe(404);
  });

  it('the item fragment lists open threads across documents', async () => {
    const res = await t.get(`/dossiers/${dossierId}/annotations?item=${itemCode}&open=1&list_id=threads-x`, county);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('id="threads-x"');
    expect(html).toContain('培训签到表');
    expect(html).toContain('name="list_item"');
  });

  it('state changes without the CSRF token are refused (403)', async () => {
    const noToken = { cookie: county.cookie, csrf: '' };
    const res = await t.app.request(`/dossiers/${dossierId}/annotations`, {
      method: 'POST',
      body: new URLSearchParams(rect()),
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: noToken.cookie },
    });
    expect(res.status).toBe(403);
    const reply = await t.app.request(`/dossiers/${dossierId}/annotations/${annotationId}/replies`, {
      method: 'POST',
      body: new URLSearchParams({ body: 'x' }),
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: staff.cookie, 'x-csrf-token': 'wrong' },
    });
    expect(reply.status).toBe(403);
  });

  it('annotations on a replaced version stay drawn there: its viewer is read-only and links to the current version', async () => {
    const made = await t.post(`/dossiers/${dossierId}/annotations`, { ...rect({ body: 'OLD-VERSION-NOTE' }), list_document: pdfDoc }, county, htmx);
    expect(made.status).toBe(200);
    const v2 = await PDFDocument.create();
    v2.addPage([595, 842]).drawText('Sign-in sheet, corrected', { x: 50, y: 780, size: 18 });
    const [replaced] = await upload(`/documents/${pdfDoc}/versions`, [{ name: '培训签到表（补充日期）.pdf', bytes: await v2.save() }], staff);
    expect(replaced!.ok).toBe(true);
    const current = await currentVersion(pdfDoc);
    expect(current).not.toBe(pdfVersion);

    // The current version's viewer lists the old note with a link to the version it was drawn on.
    const now = await (await t.get(`/dossiers/${dossierId}/documents/${pdfDoc}/view`, county)).text();
    expect(now).toContain(`data-version-id="${current}"`);
    expect(now).toContain('OLD-VERSION-NOTE');
    expect(now).toContain(`v=${pdfVersion}`);
    expect(now).toContain('id="annotation-form"');

    const old = await t.get(`/dossiers/${dossierId}/documents/${pdfDoc}/view?v=${pdfVersion}&page=2`, county);
    expect(old.status).toBe(200);
    const oldHtml = await old.text();
    expect(oldHtml).toContain(`data-version-id="${pdfVersion}"`);
    expect(oldHtml).toContain('已被取代的第1版');
    expect(oldHtml).not.toContain('id="annotation-form"');
    const file = await t.get(`/dossiers/${dossierId}/documents/${pdfDoc}/pdf?v=${pdfVersion}`, county);
    expect(file.status).toBe(200);
    expect(Buffer.from(await file.arrayBuffer()).equals(Buffer.from(pdfBytes))).toBe(true);
    // No new annotations on it, even by a hand-made request.
    const refused = await t.post(`/dossiers/${dossierId}/annotations`, rect({ body: 'LATE' }), county, htmx);
    expect(await refused.text()).toContain('不属于本档案');
    // A version of another document, or one without this dossier's annotations, still falls back to the linked one.
    const other = await (await t.get(`/dossiers/${dossierId}/documents/${pdfDoc}/view?v=${unlinkedVersion}`, county)).text();
    expect(other).toContain(`data-version-id="${current}"`);
  });

  it('serves pdf.js and its data files from /static', async () => {
    for (const name of ['pdf.min.mjs', 'pdf.worker.min.mjs', 'annotate.js']) {
      const res = await t.get(`/static/${name}`);
      expect(res.status, name).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    }
    expect((await t.get('/static/pdf.min.mjs')).headers.get('cache-control')).toContain('max-age=2592000');
    expect((await t.get('/static/pdfjs/cmaps/UniGB-UCS2-H.bcmap')).status).toBe(200);
    expect((await t.get('/static/pdfjs/cmaps/..%2Fpackage.json')).status).toBe(404);
    expect((await t.get('/static/pdfjs/build/pdf.mjs')).status).toBe(404);
  });
});
