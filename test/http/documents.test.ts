// Documents and their mapping to items, through HTTP as the browser does it.
import { PDFDocument } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deriveDocument } from '../../src/documents/derive-document.ts';
import { createTestApp, demoDossier, type Session, type TestApp } from '../helpers/test-app.ts';

let t: TestApp;
let staff: Session;
let dossierId: string;
let institutionId: string;
let items: string[];
let pdfB: Uint8Array;

async function pdf(pages: number, label: string): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  for (let i = 0; i < pages; i++) doc.addPage([595, 842]).drawText(`${label} page ${i + 1}`, { x: 50, y: 780, size: 18 });
  return doc.save();
}

async function upload(path: string, files: { name: string; bytes: Uint8Array }[], s: Session = staff) {
  const form = new FormData();
  for (const f of files) form.append('file', new File([f.bytes as BlobPart], f.name));
  return t.app.request(path, { method: 'POST', body: form, headers: { cookie: s.cookie, 'x-csrf-token': s.csrf, accept: 'application/json' } });
}

type Results = { results: { ok: boolean; documentId: string; reason?: string; duplicate?: boolean }[] };

beforeAll(async () => {
  t = await createTestApp();
  staff = await t.login('demo-staff');
  ({ dossierId, institutionId } = await demoDossier(t));
  items = (await t.db.db.selectFrom('dossier_items').select('item_code').where('dossier_id', '=', dossierId).orderBy('item_code').limit(2).execute()).map((r) => r.item_code);
});
afterAll(() => t.close());

describe('upload into an item and map documents', () => {
  let docA: string;
  let docB: string;

  it('uploads a batch straight into an item; each file gets its own result', async () => {
    const res = await upload(`/dossiers/${dossierId}/items/${items[0]}/evidence/upload`, [
      { name: '院感培训签到表.pdf', bytes: await pdf(3, 'A') },
      { name: '制度汇编.pdf', bytes: (pdfB = await pdf(1, 'B')) },
      { name: '损坏.pdf', bytes: new TextEncoder().encode('%PDF-1.4\nnot really') },
    ]);
    expect(res.status).toBe(200);
    const body = (await res.json()) as Results;
    expect(body.results.map((r) => r.ok)).toEqual([true, true, false]);
    docA = body.results[0]!.documentId;
    docB = body.results[1]!.documentId;
    const panel = await (await t.get(`/dossiers/${dossierId}/items/${items[0]}/evidence`, staff)).text();
    expect(panel.indexOf('院感培训签到表')).toBeLessThan(panel.indexOf('制度汇编'));
  });

  it('the same content again links the existing document', async () => {
    const res = await upload(`/institutions/${institutionId}/documents`, [{ name: '再传一次.pdf', bytes: pdfB }]);
    const body = (await res.json()) as Results;
    expect(body.results[0]!.duplicate).toBe(true);
    expect(body.results[0]!.documentId).toBe(docB);
  });

  it('links an existing document to a second item with a page range, and validates the range', async () => {
    const bad = await t.post(`/dossiers/${dossierId}/items/${items[1]}/evidence`, { document_id: docA, page_from: '2', page_to: '9' }, staff, { 'hx-request': 'true' });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('该文件只有 3 页');
    const ok = await t.post(`/dossiers/${dossierId}/items/${items[1]}/evidence`, { document_id: docA, page_from: '2', page_to: '3' }, staff, { 'hx-request': 'true' });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('仅第 2–3 页');
    const page = await (await t.get(`/documents/${docA}`, staff)).text();
    expect(page).toContain(items[0]!);
    expect(page).toContain(items[1]!);
  });

  it('reorders and unlinks, recording history', async () => {
    const rows = await t.db.db.selectFrom('item_evidence').select(['id', 'document_id']).where('dossier_id', '=', dossierId).where('item_code', '=', items[0]!).orderBy('position').execute();
    await t.post(`/dossiers/${dossierId}/items/${items[0]}/evidence/${rows[1]!.id}/move`, { dir: 'up' }, staff);
    const after = await t.db.db.selectFrom('item_evidence').select('document_id').where('dossier_id', '=', dossierId).where('item_code', '=', items[0]!).orderBy('position').execute();
    expect(after.map((r) => r.document_id)).toEqual([docB, docA]);
    await t.post(`/dossiers/${dossierId}/items/${items[0]}/evidence/${rows[0]!.id}/unlink`, {}, staff);
    const left = await t.db.db.selectFrom('item_evidence').select('document_id').where('dossier_id', '=', dossierId).where('item_code', '=', items[0]!).execute();
    expect(left.map((r) => r.document_id)).toEqual([docB]);
    const events = await t.db.db.selectFrom('document_events').select('action').where('document_id', 'in', [docA, docB]).execute();
    expect(events.map((e) => e.action)).toEqual(expect.arrayContaining(['upload', 'link', 'reorder', 'unlink']));
  });

  it('edits metadata, replaces with a new version, downloads both versions intact', async () => {
    // A refused edit keeps what was typed.
    const refused = await t.post(`/documents/${docB}`, { title: 'x'.repeat(201), document_date: '2025-06-01', issuing_department: '新的发文部门' }, staff);
    expect(refused.status).toBe(400);
    const refusedHtml = await refused.text();
    expect(refusedHtml).toContain('标题不能超过200字');
    expect(refusedHtml).toContain('value="新的发文部门"');
    expect(refusedHtml).toContain(`value="${'x'.repeat(201)}"`);
    const edit = await t.post(`/documents/${docB}`, { title: '医疗质量管理制度汇编', document_date: '2025-06-01', issuing_department: '医务科' }, staff);
    expect(edit.status).toBe(303);
    const v2 = await pdf(2, 'B2');
    const res = await upload(`/documents/${docB}/versions`, [{ name: '制度汇编（修订）.pdf', bytes: v2 }]);
    expect(res.status).toBe(200);
    const versions = await t.db.db.selectFrom('document_versions').selectAll().where('document_id', '=', docB).orderBy('version_no').execute();
    expect(versions.map((v) => v.version_no)).toEqual([1, 2]);
    const current = await t.get(`/documents/${docB}/original`, staff);
    expect(current.headers.get('content-disposition')).toContain(encodeURIComponent('医疗质量管理制度汇编'));
    expect(new Uint8Array(await current.arrayBuffer())).toEqual(v2);
    const old = await t.get(`/documents/${docB}/versions/${versions[0]!.id}/original`, staff);
    expect(old.status).toBe(200);
    expect((await old.arrayBuffer()).byteLength).toBe(Number(versions[0]!.size));
  });

  it('renders a preview page and a thumbnail once derived files are made', async () => {
    const v = await t.db.db.selectFrom('documents').select('current_version_id').where('id', '=', docA).executeTakeFirstOrThrow();
    await deriveDocument({ db: t.db.db, store: t.db.store, tmpDir: t.db.config.dataDir }, v.current_version_id!);
    const thumb = await t.get(`/documents/${docA}/thumbnail`, staff);
    expect(thumb.headers.get('content-type')).toBe('image/png');
    const page = await t.get(`/documents/${docA}/versions/${v.current_version_id}/pages/2.png`, staff);
    expect(page.status).toBe(200);
    expect(Buffer.from(await page.arrayBuffer()).subarray(1, 4).toString()).toBe('PNG');
    expect((await t.get(`/documents/${docA}/versions/${v.current_version_id}/pages/9.png`, staff)).status).toBe(404);
  });

  it('trash and restore; a document used by a submitted dossier cannot be trashed or edited', async () => {
    expect((await t.post(`/documents/${docA}/trash`, {}, staff)).status).toBe(303);
    const lib = await (await t.get(`/institutions/${institutionId}/documents?trash=1`, staff)).text();
    expect(lib).toContain('院感培训签到表');
    expect((await t.post(`/documents/${docA}/restore`, {}, staff)).status).toBe(303);
    await t.db.db.updateTable('dossiers').set({ state: 'submitted' }).where('id', '=', dossierId).execute();
    const trash = await t.post(`/documents/${docB}/trash`, {}, staff);
    expect(trash.status).toBe(409);
    expect(await trash.text()).toContain('不能删除');
    expect((await t.post(`/documents/${docB}`, { title: '改名' }, staff)).status).toBe(409);
    const linkWhileSubmitted = await t.post(`/dossiers/${dossierId}/items/${items[1]}/evidence`, { document_id: docB }, staff);
    expect(linkWhileSubmitted.status).toBe(409);
    expect(await linkWhileSubmitted.text()).toContain('已提交评审');
    await t.db.db.updateTable('dossiers').set({ state: 'draft' }).where('id', '=', dossierId).execute();
  });

  it('suggests documents for an item and items for a document, with one-click linking forms', async () => {
    // Pages with text, as the extract_text job would store them.
    const v = await t.db.db.selectFrom('documents').select('current_version_id').where('id', '=', docA).executeTakeFirstOrThrow();
    const { replacePages } = await import('../../src/search/page-index.ts');
    await replacePages(t.db.db, v.current_version_id!, [{ pageNo: 1, text: '院感培训签到表：全院职工参加医院感染防控知识培训，手卫生与消毒隔离。', confidence: null, source: 'text' }]);
    const item = await t.db.db
      .selectFrom('standard_nodes')
      .innerJoin('dossiers', 'dossiers.standard_id', 'standard_nodes.standard_id')
      .innerJoin('dossier_items', (j) => j.onRef('dossier_items.dossier_id', '=', 'dossiers.id').onRef('dossier_items.item_code', '=', 'standard_nodes.code'))
      .select('standard_nodes.code')
      .where('dossiers.id', '=', dossierId)
      .where('standard_nodes.title', 'like', '%院感%')
      .executeTakeFirstOrThrow();
    const res = await t.get(`/dossiers/${dossierId}/items/${item.code}/evidence/suggestions`, staff, { 'hx-request': 'true' });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('可能相关的文件');
    expect(html).toContain(`value="${docA}"`);
    const page = await (await t.get(`/documents/${docA}`, staff)).text();
    expect(page).toContain('可能对应的条款');
    const county = await t.login('demo-county');
    expect(await (await t.get(`/dossiers/${dossierId}/items/${item.code}/evidence/suggestions`, county)).text()).not.toContain(`value="${docA}"`);
  });

  it('reviewers see documents in scope but cannot change them; out of scope is 404', async () => {
    const county = await t.login('demo-county');
    expect((await t.get(`/documents/${docA}`, county)).status).toBe(200);
    expect((await upload(`/institutions/${institutionId}/documents`, [{ name: 'x.pdf', bytes: await pdf(1, 'X') }], county)).status).toBe(404);
    expect((await t.post(`/documents/${docA}/trash`, {}, county)).status).toBe(404);
    const outside = await t.db.db.selectFrom('institutions').select('id').where('name', '=', '获嘉县亢村镇卫生院').executeTakeFirstOrThrow();
    expect((await t.get(`/institutions/${outside.id}/documents`, county)).status).toBe(404);
  });
});

describe('feedback around linking, trashing and uploading', () => {
  let docC: string;
  let docD: string;
  let bytesD: Uint8Array;
  const item = () => items[1]!;
  const base = () => `/dossiers/${dossierId}/items/${item()}/evidence`;

  it('a reversed page range and a repeated link answer with a readable HTML message', async () => {
    const res = await upload(`${base()}/upload`, [
      { name: '反馈测试甲.pdf', bytes: await pdf(6, 'C') },
      { name: '反馈测试乙.pdf', bytes: (bytesD = await pdf(1, 'D')) },
    ]);
    const body = (await res.json()) as Results;
    [docC, docD] = body.results.map((r) => r.documentId) as [string, string];
    const reversed = await t.post(`/dossiers/${dossierId}/items/${items[0]}/evidence`, { document_id: docC, page_from: '5', page_to: '2' }, staff, { 'hx-request': 'true' });
    expect(reversed.status).toBe(400);
    expect(reversed.headers.get('content-type')).toContain('text/html');
    expect(await reversed.text()).toMatch(/class="flash error"[^>]*>[\s\S]*起始页不能大于结束页/);
    const again = await t.post(base(), { document_id: docC }, staff, { 'hx-request': 'true' });
    expect(again.status).toBe(409);
    expect(await again.text()).toContain('该文件已关联到本条款');
  });

  it('the link-existing list marks documents already linked to the item instead of offering them', async () => {
    const html = await (await t.get(`${base()}/candidates?q=${encodeURIComponent('反馈测试')}`, staff, { 'hx-request': 'true' })).text();
    expect(html).toContain('已关联');
    expect(html).not.toContain(`name="document_id" value="${docC}"`);
    expect(html).toMatch(/<button type="button" disabled/);
    const other = await (await t.get(`/dossiers/${dossierId}/items/${items[0]}/evidence/candidates?q=${encodeURIComponent('反馈测试')}`, staff)).text();
    expect(other).toContain(`name="document_id" value="${docC}"`);
    expect(other).not.toContain('已关联');
  });

  it('unlinking and trashing ask first; trashing names the linked items and confirms afterwards', async () => {
    const panel = await (await t.get(base(), staff)).text();
    expect(panel).toMatch(/data-confirm="确定取消“反馈测试甲”与本条款的关联吗/);
    const page = await (await t.get(`/documents/${docC}`, staff)).text();
    expect(page).toContain('data-confirm="该文件已关联到 1 个档案条款');
    const trashed = await t.post(`/documents/${docC}/trash`, {}, staff);
    expect(trashed.status).toBe(303);
    const after = await (await t.get(trashed.headers.get('location')!, staff)).text();
    expect(after).toMatch(/class="flash ok"[^>]*>已移入回收站/);
    const restored = await t.post(`/documents/${docC}/restore`, {}, staff);
    expect(await (await t.get(restored.headers.get('location')!, staff)).text()).toMatch(/class="flash ok"[^>]*>已从回收站恢复/);
  });

  it('the item heading counts what its list shows; trashed documents are listed apart', async () => {
    await t.post(`/documents/${docD}/trash`, {}, staff);
    const html = await (await t.get(`${base()}?part=list`, staff)).text();
    const count = Number(/佐证材料（(\d+)）/.exec(html)![1]);
    const listed = /<ol class="evidence-list">([\s\S]*?)<\/ol>/.exec(html)![1]!.match(/<li>/g)!.length;
    expect(listed).toBe(count);
    expect(html).not.toMatch(/<ol class="evidence-list">[\s\S]*反馈测试乙[\s\S]*<\/ol>/);
    expect(html).toMatch(/已移入回收站（1）[\s\S]*反馈测试乙/);
    await t.post(`/documents/${docD}/restore`, {}, staff);
  });

  it('a new version takes exactly one file: several are refused with nothing stored', async () => {
    const before = await t.db.db.selectFrom('document_versions').select('id').where('document_id', '=', docD).execute();
    const res = await upload(`/documents/${docD}/versions`, [
      { name: '新版一.pdf', bytes: await pdf(1, 'E1') },
      { name: '新版二.pdf', bytes: await pdf(1, 'E2') },
    ]);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toContain('一次只能上传一个文件');
    const form = new FormData();
    for (const [n, label] of [['新版一.pdf', 'E3'], ['新版二.pdf', 'E4']] as const) form.append('file', new File([(await pdf(1, label)) as BlobPart], n));
    const plain = await t.app.request(`/documents/${docD}/versions`, { method: 'POST', body: form, headers: { cookie: staff.cookie, 'x-csrf-token': staff.csrf } });
    expect(plain.status).toBe(400);
    expect(await plain.text()).toContain('一次只能上传一个文件');
    expect(await t.db.db.selectFrom('document_versions').select('id').where('document_id', '=', docD).execute()).toHaveLength(before.length);
  });

  it('the no-JS results page shows a linked duplicate as success and a failed file as an error', async () => {
    const form = new FormData();
    form.append('file', new File([bytesD as BlobPart], '再传乙.pdf'));
    form.append('file', new File([new TextEncoder().encode('%PDF-1.4\nbroken') as BlobPart], '坏.pdf'));
    const res = await t.app.request(`/dossiers/${dossierId}/items/${items[0]}/evidence/upload`, { method: 'POST', body: form, headers: { cookie: staff.cookie, 'x-csrf-token': staff.csrf } });
    const html = await res.text();
    expect(html).toMatch(/<li class="ok duplicate">[\s\S]*?再传乙\.pdf[\s\S]*?已关联到本条款/);
    expect(html).toMatch(/<li class="error">[\s\S]*?坏\.pdf[\s\S]*?未保存/);
    expect(html).toContain('其中 1 个为已有文件');
  });
});
