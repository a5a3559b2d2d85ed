// The 整改 tab: records, validation, overdue marking, status, evidence within the institution, who may do what,
// the 自评整改档案表 export, double submission and CSRF.
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertDocument, upsertBlob } from '../../src/documents/document-repository.ts';
import { newId, nowIso } from '../../src/ids.ts';
import { countOpenRectifications, listRectificationsForItem } from '../../src/rectifications/rectification-repository.ts';
import { createUser } from '../../src/users/user-repository.ts';
import { createTestApp, demoDossier, openCountyStage, type Session, type TestApp } from '../helpers/test-app.ts';

let t: TestApp;
let staff: Session;
let dossierId: string;
let institutionId: string;
let itemCode: string;
let itemTitle: string;
let secondItem: string;
let ownDoc: string;
let trashedDoc: string;
let otherDoc: string;
let staffId: string;

const base = () => `/dossiers/${dossierId}/rectifications`;

async function formToken(s: Session, path = base()): Promise<string> {
  const html = await (await t.get(path, s)).text();
  const m = /name="form_token" value="([^"]+)"/.exec(html);
  if (!m) throw new Error('no form_token in page');
  return m[1]!;
}

async function makeDocument(institution: string, title: string, actorId: string): Promise<string> {
  const sha = Buffer.from(newId('blob')).toString('hex').padEnd(64, '0').slice(0, 64);
  await upsertBlob(t.db.db, { sha256: sha, size: 10, storeKey: `originals/sha256/${sha.slice(0, 2)}/${sha}` });
  const { document } = await insertDocument(t.db.db, {
    institutionId: institution,
    title,
    actorId,
    version: {
      blob_sha256: sha,
      file_name: `${title}.pdf`,
      kind: 'pdf',
      mime: 'application/pdf',
      size: 10,
      page_count: 1,
      printable: 1,
      conversion_state: 'not_needed',
      conversion_note: '',
      uploaded_by: actorId,
    },
  });
  return document.id;
}

async function create(s: Session, form: Record<string, string>) {
  return t.post(base(), { form_token: await formToken(s), ...form }, s);
}

async function rowsOf(problem: string) {
  return t.db.db.selectFrom('rectifications').selectAll().where('dossier_id', '=', dossierId).where('problem', '=', problem).execute();
}

beforeAll(async () => {
  t = await createTestApp();
  staff = await t.login('demo-staff');
  ({ dossierId, institutionId } = await demoDossier(t));
  const items = await t.db.db
    .selectFrom('dossier_items')
    .innerJoin('dossiers', 'dossiers.id', 'dossier_items.dossier_id')
    .innerJoin('standard_nodes', (j) => j.onRef('standard_nodes.standard_id', '=', 'dossiers.standard_id').onRef('standard_nodes.code', '=', 'dossier_items.item_code'))
    .select(['dossier_items.item_code', 'standard_nodes.title'])
    .where('dossier_items.dossier_id', '=', dossierId)
    .orderBy('standard_nodes.position')
    .limit(2)
    .execute();
  itemCode = items[0]!.item_code;
  itemTitle = items[0]!.title;
  secondItem = items[1]!.item_code;
  staffId = (await t.db.db.selectFrom('users').select('id').where('username', '=', 'demo-staff').executeTakeFirstOrThrow()).id;
  ownDoc = await makeDocument(institutionId, '院感防控整改培训签到表', staffId);
  trashedDoc = await makeDocument(institutionId, '旧版消毒制度', staffId);
  await t.db.db.updateTable('documents').set({ trashed_at: nowIso(), trashed_by: staffId }).where('id', '=', trashedDoc).execute();
  const other = await t.db.db.selectFrom('institutions').select('id').where('name', '=', '获嘉县亢村镇卫生院').executeTakeFirstOrThrow();
  otherDoc = await makeDocument(other.id, '亢村镇卫生院培训记录', staffId);
});
afterAll(() => t.close());

describe('the 整改 tab', () => {
  it('shows the tab, the status filter, the export links and the add form to staff', async () => {
    const res = await t.get(base(), staff);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('修武县郇封镇卫生院');
    expect(html).toMatch(/<a href="[^"]+\/rectifications" class="active" aria-current="page">整改<\/a>/);
    expect(html).toContain('暂无整改记录');
    expect(html).toContain('name="form_token"');
    expect(html).toContain(`${base()}/export.xlsx`);
    expect(html).toContain('已逾期');
    expect(html).not.toMatch(/<script>/); // CSP: no inline scripts
  });

  it('staff create a record (source 自查), recorded in the audit log', async () => {
    const res = await create(staff, { item_code: itemCode, problem: '院感培训签到不全', measures: '补齐签到，每月抽查', responsible: '王芳', deadline: '2099-06-30' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toMatch(/\/rectifications\?saved=created#rect-r_/);
    const [row] = await rowsOf('院感培训签到不全');
    expect(row).toMatchObject({ item_code: itemCode, measures: '补齐签到，每月抽查', responsible: '王芳', deadline: '2099-06-30', status: 'open', source: 'institution' });
    const audit = await t.db.db.selectFrom('audit_log').selectAll().where('action', '=', 'rectification.create').where('subject_id', '=', row!.id).execute();
    expect(audit).toHaveLength(1);
    const page = await (await t.get(`${base()}?saved=created`, staff)).text();
    expect(page).toContain('已添加整改记录');
    expect(page).toContain('院感培训签到不全');
    expect(page).toContain(itemTitle);
    expect(page).toContain('自查');
  });

  it('a double submit of the same form creates one record', async () => {
    const token = await formToken(staff);
    const form = { form_token: token, item_code: itemCode, problem: '重复提交测试', measures: '', responsible: '', deadline: '' };
    const [a, b] = await Promise.all([t.post(base(), form, staff), t.post(base(), form, staff)]);
    const again = await t.post(base(), form, staff);
    expect([a.status, b.status, again.status]).toEqual([303, 303, 303]);
    expect(again.headers.get('location')).toContain('saved=duplicate');
    expect(await rowsOf('重复提交测试')).toHaveLength(1);
    // A new rendering of the form is a new record, even with the same content.
    await create(staff, { item_code: itemCode, problem: '重复提交测试' });
    expect(await rowsOf('重复提交测试')).toHaveLength(2);
  });

  it('validates with Chinese messages and keeps what was typed', async () => {
    const res = await create(staff, { item_code: '9.9.9', problem: '   ', measures: '已经写好的整改措施', responsible: '李四', deadline: '2026-02-30' });
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain('请填写存在问题');
    expect(html).toContain('整改时限应为有效日期');
    expect(html).toContain('已经写好的整改措施');
    expect(html).toContain('value="李四"');
    expect(html).toContain('value="2026-02-30"');

    const wrongItem = await create(staff, { item_code: '9.9.9', problem: '条款不对' });
    expect(wrongItem.status).toBe(400);
    expect(await wrongItem.text()).toContain('请选择本档案中的条款');

    const long = await create(staff, { item_code: itemCode, problem: '问'.repeat(2001), measures: '保留我' });
    expect(long.status).toBe(400);
    const longHtml = await long.text();
    expect(longHtml).toContain('存在问题不能超过 2000 字');
    expect(longHtml).toContain('保留我');
    expect(longHtml).toContain('问'.repeat(2001));
    expect(await rowsOf('条款不对')).toHaveLength(0);
  });

  it('highlights overdue records (deadline before today, not done) with a label and a filter', async () => {
    // A new record may not be given a past deadline, so these age in the database, as real ones would.
    await create(staff, { item_code: secondItem, problem: '逾期未整改的问题', deadline: '2099-01-01' });
    await create(staff, { item_code: secondItem, problem: '逾期但已完成', deadline: '2099-01-01' });
    await t.db.db.updateTable('rectifications').set({ deadline: '2020-01-01' }).where('dossier_id', '=', dossierId).where('problem', 'in', ['逾期未整改的问题', '逾期但已完成']).execute();
    const [done] = await rowsOf('逾期但已完成');
    await t.post(`${base()}/${done!.id}/status`, { status: 'done' }, staff);
    const [late] = await rowsOf('逾期未整改的问题');
    const html = await (await t.get(base(), staff)).text();
    expect(html).toMatch(new RegExp(`<tr id="rect-${late!.id}" class="overdue"`));
    expect(html).toMatch(new RegExp(`<tr id="rect-${late!.id}"[\\s\\S]*?已逾期 \\d+ 天`));
    expect(html).not.toMatch(new RegExp(`<tr id="rect-${done!.id}" class="overdue"`));
    const filtered = await (await t.get(`${base()}?status=overdue`, staff)).text();
    expect(filtered).toContain('逾期未整改的问题');
    expect(filtered).not.toContain('逾期但已完成');
    expect(filtered).not.toContain('院感培训签到不全');
  });

  it('refuses a deadline before today on create, but an old record keeps its unchanged deadline on edit', async () => {
    const past = await create(staff, { item_code: secondItem, problem: '时限已过的新记录', deadline: '2020-01-01' });
    expect(past.status).toBe(400);
    const html = await past.text();
    expect(html).toContain('整改时限不能早于今天');
    expect(html).toContain('时限已过的新记录'); // the input is kept
    expect(await rowsOf('时限已过的新记录')).toHaveLength(0);

    const [late] = await rowsOf('逾期未整改的问题');
    const kept = await t.post(`${base()}/${late!.id}`, { item_code: secondItem, problem: '逾期未整改的问题', measures: '补充措施', responsible: '', deadline: '2020-01-01' }, staff);
    expect(kept.status).toBe(303);
    expect((await rowsOf('逾期未整改的问题'))[0]).toMatchObject({ measures: '补充措施', deadline: '2020-01-01' });
    const moved = await t.post(`${base()}/${late!.id}`, { item_code: secondItem, problem: '逾期未整改的问题', measures: '补充措施', responsible: '', deadline: '2021-01-01' }, staff);
    expect(moved.status).toBe(400);
    expect(await moved.text()).toContain('整改时限不能早于今天');
  });

  it('shows 整改 in the breadcrumb', async () => {
    const html = await (await t.get(base(), staff)).text();
    expect(html).toMatch(/<p class="crumbs">[\s\S]*?\/ 整改\s*<\/p>/);
    const form = await (await t.get(`${base()}/new`, staff)).text();
    expect(form).toContain(`<a href="${base()}">整改</a> / 新增整改记录`);
  });

  it('changes the status (plain form and htmx), stamping completion and updating the counts', async () => {
    const [row] = await rowsOf('院感培训签到不全');
    const plain = await t.post(`${base()}/${row!.id}/status`, { status: 'in_progress' }, staff);
    expect(plain.status).toBe(303);
    expect((await rowsOf('院感培训签到不全'))[0]!.status).toBe('in_progress');
    const frag = await t.post(`${base()}/${row!.id}/status`, { status: 'done' }, staff, { 'hx-request': 'true' });
    expect(frag.status).toBe(200);
    const html = await frag.text();
    expect(html).toMatch(/^<tr id="rect-/);
    expect(html).toContain('rs-done');
    expect(html).toContain('id="rect-summary"');
    expect(html).toContain('hx-swap-oob="true"');
    const after = (await rowsOf('院感培训签到不全'))[0]!;
    expect(after.status).toBe('done');
    expect(after.completed_at).not.toBeNull();
    const bad = await t.post(`${base()}/${row!.id}/status`, { status: 'finished' }, staff);
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('整改状态无效');
    const audit = await t.db.db.selectFrom('audit_log').select('detail').where('action', '=', 'rectification.status').where('subject_id', '=', row!.id).execute();
    expect(audit.map((a) => JSON.parse(a.detail).to)).toEqual(['in_progress', 'done']);
    // Reopening clears the completion date.
    await t.post(`${base()}/${row!.id}/status`, { status: 'in_progress' }, staff);
    expect((await rowsOf('院感培训签到不全'))[0]!.completed_at).toBeNull();
  });

  it('edits a row inline with htmx, and without JavaScript', async () => {
    const [row] = await rowsOf('院感培训签到不全');
    const edit = await t.get(`${base()}/${row!.id}/edit`, staff, { 'hx-request': 'true' });
    expect(edit.status).toBe(200);
    const editHtml = await edit.text();
    expect(editHtml).toMatch(/^<tr id="rect-[^"]+" class="editing">/);
    expect(editHtml).toContain('name="measures"');
    expect(editHtml).toContain('院感防控整改培训签到表'); // the evidence picker lists the institution's documents
    expect(editHtml).not.toContain('亢村镇卫生院培训记录');
    expect(editHtml).not.toContain('旧版消毒制度');

    const saved = await t.post(`${base()}/${row!.id}`, { item_code: itemCode, problem: '院感培训签到不全', measures: '每周核对签到', responsible: '王芳', deadline: '2099-07-01' }, staff, { 'hx-request': 'true' });
    expect(saved.status).toBe(200);
    expect(await saved.text()).toContain('每周核对签到');
    expect((await rowsOf('院感培训签到不全'))[0]).toMatchObject({ measures: '每周核对签到', deadline: '2099-07-01' });

    const invalid = await t.post(`${base()}/${row!.id}`, { item_code: itemCode, problem: '', measures: '不要丢', responsible: '', deadline: '' }, staff, { 'hx-request': 'true' });
    expect(invalid.status).toBe(200); // htmx swaps only 2xx: the edit row comes back with its messages
    const invalidHtml = await invalid.text();
    expect(invalidHtml).toContain('请填写存在问题');
    expect(invalidHtml).toContain('不要丢');
    const plainInvalid = await t.post(`${base()}/${row!.id}`, { item_code: itemCode, problem: 'x', deadline: '明天' }, staff);
    expect(plainInvalid.status).toBe(400);
    expect(await plainInvalid.text()).toContain('整改时限应为有效日期');
    expect((await rowsOf('院感培训签到不全'))[0]!.measures).toBe('每周核对签到');

    const noJs = await t.get(`${base()}/${row!.id}/edit`, staff);
    expect(noJs.status).toBe(303);
    const page = await (await t.get(noJs.headers.get('location')!.split('#')[0]!, staff)).text();
    expect(page).toContain('class="editing"');
    const audit = await t.db.db.selectFrom('audit_log').select('detail').where('action', '=', 'rectification.update').where('subject_id', '=', row!.id).execute();
    expect(audit).toHaveLength(1);
  });

  it('links evidence only from the institution’s own documents, not trashed ones', async () => {
    const [row] = await rowsOf('院感培训签到不全');
    const url = `${base()}/${row!.id}/evidence`;
    const ok = await t.post(url, { document_id: ownDoc }, staff);
    expect(ok.status).toBe(303);
    const foreign = await t.post(url, { document_id: otherDoc }, staff);
    expect(foreign.status).toBe(400);
    expect(await foreign.text()).toContain('不属于本机构');
    expect((await t.post(url, { document_id: trashedDoc }, staff)).status).toBe(400);
    expect((await t.post(url, { document_id: 'doc_doesnotexist' }, staff)).status).toBe(400);
    expect((await t.post(url, { document_id: ownDoc }, staff)).status).toBe(409);
    const links = await t.db.db.selectFrom('rectification_evidence').select('document_id').where('rectification_id', '=', row!.id).execute();
    expect(links.map((l) => l.document_id)).toEqual([ownDoc]);
    const page = await (await t.get(base(), staff)).text();
    expect(page).toContain(`/documents/${ownDoc}`);

    const candidates = await t.get(`${url}/candidates?dq=培训`, staff, { 'hx-request': 'true' });
    const candHtml = await candidates.text();
    expect(candHtml).toContain(`id="pick-${row!.id}"`);
    expect(candHtml).not.toContain(ownDoc); // already linked
    expect(candHtml).not.toContain(otherDoc);

    const unlink = await t.post(`${url}/${ownDoc}/unlink`, {}, staff, { 'hx-request': 'true' });
    expect(unlink.status).toBe(200);
    expect(await t.db.db.selectFrom('rectification_evidence').select('document_id').where('rectification_id', '=', row!.id).execute()).toHaveLength(0);
    expect((await t.post(`${url}/${ownDoc}/unlink`, {}, staff)).status).toBe(404);
    const actions = await t.db.db.selectFrom('audit_log').select('action').where('subject_id', '=', row!.id).where('action', 'in', ['rectification.link', 'rectification.unlink']).execute();
    expect(actions.map((a) => a.action).sort()).toEqual(['rectification.link', 'rectification.unlink']);
    await t.post(url, { document_id: ownDoc }, staff); // for the export below
  });

  it('requires the CSRF token', async () => {
    const token = await formToken(staff);
    const res = await t.post(base(), { _csrf: '', form_token: token, item_code: itemCode, problem: '没有令牌' }, staff);
    expect(res.status).toBe(403);
    const wrong = await t.post(base(), { _csrf: 'x'.repeat(43), form_token: token, item_code: itemCode, problem: '没有令牌' }, staff);
    expect(wrong.status).toBe(403);
    expect(await rowsOf('没有令牌')).toHaveLength(0);
  });
});

describe('who may do what', () => {
  it('reviewers outside the region get 404 for the page, the export and every change', async () => {
    await createUser(t.db.db, { username: 'boai-county', displayName: '博爱县审核员', password: 'demo12345', role: 'county_reviewer', regionCode: '410822' });
    const outsider = await t.login('boai-county');
    const [row] = await rowsOf('院感培训签到不全');
    expect((await t.get(base(), outsider)).status).toBe(404);
    expect((await t.get(`${base()}/export.xlsx`, outsider)).status).toBe(404);
    expect((await t.get(`${base()}/print`, outsider)).status).toBe(404);
    expect((await t.post(base(), { form_token: 'a'.repeat(22), item_code: itemCode, problem: '越权' }, outsider)).status).toBe(404);
    expect((await t.post(`${base()}/${row!.id}/status`, { status: 'open' }, outsider)).status).toBe(404);
    const otherStaff = await t.db.db.selectFrom('dossiers').select('id').where('institution_id', '<>', institutionId).executeTakeFirstOrThrow();
    expect((await t.get(`/dossiers/${otherStaff.id}/rectifications`, staff)).status).toBe(404);
  });

  it('reviewers in the region without the dossier at their stage, and the admin, only read and export', async () => {
    const [row] = await rowsOf('院感培训签到不全');
    for (const who of ['demo-county', 'demo-admin']) {
      const s = await t.login(who);
      const page = await t.get(base(), s);
      expect(page.status).toBe(200);
      const html = await page.text();
      expect(html).toContain('院感培训签到不全');
      expect(html).not.toContain('name="form_token"');
      expect(html).not.toContain('/status"');
      expect((await t.get(`${base()}/export.xlsx`, s)).status).toBe(200);
      expect((await t.post(base(), { form_token: 'b'.repeat(22), item_code: itemCode, problem: '只读' }, s)).status).toBe(404);
      expect((await t.post(`${base()}/${row!.id}/status`, { status: 'open' }, s)).status).toBe(404);
      expect((await t.post(`${base()}/${row!.id}`, { problem: '改写' }, s)).status).toBe(404);
      expect((await t.post(`${base()}/${row!.id}/evidence`, { document_id: ownDoc }, s)).status).toBe(404);
    }
  });

  it('the reviewer at the active stage turns an annotation into a record; the institution fills in the plan', async () => {
    const db = t.db.db;
    const county = await t.login('demo-county');
    const countyId = (await db.selectFrom('users').select('id').where('username', '=', 'demo-county').executeTakeFirstOrThrow()).id;
    const version = (await db.selectFrom('documents').select('current_version_id').where('id', '=', ownDoc).executeTakeFirstOrThrow()).current_version_id!;
    const stageId = await openCountyStage(db, dossierId);
    const annotationId = newId('an');
    await db
      .insertInto('annotations')
      .values({ id: annotationId, dossier_id: dossierId, round: 1, position: 0, item_code: secondItem, document_id: ownDoc, version_id: version, page_no: 1, x: 0.1, y: 0.1, w: 0.2, h: 0.1, body: '签到表缺少培训日期', author_id: countyId, created_at: nowIso(), resolved_at: null, resolved_by: null })
      .execute();
    try {
      const list = await (await t.get(base(), county)).text();
      expect(list).toContain('签到表缺少培训日期'); // pending reviewer notes
      expect(list).toContain(`/new?annotation=${annotationId}`);
      const form = await t.get(`${base()}/new?annotation=${annotationId}`, county);
      expect(form.status).toBe(200);
      const formHtml = await form.text();
      expect(formHtml).toContain('签到表缺少培训日期');
      expect(formHtml).toContain(`value="${secondItem}" selected=""`);
      expect(formHtml).not.toContain('name="measures"');
      const token = /name="form_token" value="([^"]+)"/.exec(formHtml)![1]!;
      const res = await t.post(base(), { form_token: token, annotation_id: annotationId, item_code: secondItem, problem: '签到表缺少培训日期', deadline: '2099-03-31', measures: '不应保存' }, county);
      expect(res.status).toBe(303);
      const [row] = await rowsOf('签到表缺少培训日期');
      expect(row).toMatchObject({ source: 'reviewer', annotation_id: annotationId, measures: '', created_by: countyId });

      // The institution fills in the plan but cannot rewrite the reviewer's finding.
      await t.post(`${base()}/${row!.id}`, { problem: '改掉审核意见', measures: '补记培训日期', responsible: '张三', deadline: '2099-04-30' }, staff);
      expect((await rowsOf('签到表缺少培训日期'))[0]).toMatchObject({ measures: '补记培训日期', responsible: '张三', deadline: '2099-04-30' });
      expect(await rowsOf('改掉审核意见')).toHaveLength(0);
      // The reviewer may sharpen the problem text, but not change the status or the evidence.
      expect((await t.post(`${base()}/${row!.id}`, { problem: '签到表缺少培训日期和地点' }, county)).status).toBe(303);
      expect(await rowsOf('签到表缺少培训日期和地点')).toHaveLength(1);
      expect((await t.post(`${base()}/${row!.id}/status`, { status: 'done' }, county)).status).toBe(404);
      // …and cannot edit the institution's own records.
      const [own] = await rowsOf('院感培训签到不全');
      expect((await t.post(`${base()}/${own!.id}`, { problem: '改写' }, county)).status).toBe(404);

      // Item review notes are the reviewers' working notes while the dossier is at their stage.
      await db
        .insertInto('review_grades')
        .values({ dossier_id: dossierId, round: 1, position: 0, item_code: itemCode, grade: 'C', note: '制度未按年度修订', onsite_finding: '', reviewer_id: countyId, updated_at: nowIso() })
        .execute();
      expect(await (await t.get(base(), county)).text()).toContain('制度未按年度修订');
      expect(await (await t.get(base(), staff)).text()).not.toContain('制度未按年度修订');
    } finally {
      await db.updateTable('review_stages').set({ state: 'passed', closed_at: nowIso() }).where('id', '=', stageId).execute();
      await db.updateTable('dossiers').set({ state: 'draft', stage: null }).where('id', '=', dossierId).execute();
    }
  });

  it('turns an item review note into a record (source 审核意见) once the dossier is back with the institution', async () => {
    const list = await (await t.get(base(), staff)).text();
    expect(list).toContain('制度未按年度修订');
    const href = /href="([^"]*review_note=1[^"]*)"/.exec(list)![1]!.replace(/&amp;/g, '&');
    const form = await t.get(href, staff);
    expect(form.status).toBe(200);
    const html = await form.text();
    expect(html).toContain('制度未按年度修订');
    expect(html).toContain(`value="${itemCode}" selected=""`);
    expect(html).toContain('name="review_note" value="1"');
    const token = /name="form_token" value="([^"]+)"/.exec(html)![1]!;
    expect((await t.post(base(), { form_token: token, review_note: '1', item_code: itemCode, problem: '制度未按年度修订', measures: '年底前修订' }, staff)).status).toBe(303);
    expect((await rowsOf('制度未按年度修订'))[0]).toMatchObject({ source: 'reviewer', measures: '年底前修订' });
    expect(await (await t.get(base(), staff)).text()).not.toContain('review_note=1');
    // Text that is not a reviewer's note stays the institution's own finding.
    await create(staff, { review_note: '1', item_code: itemCode, problem: '自己发现的问题' });
    expect((await rowsOf('自己发现的问题'))[0]!.source).toBe('institution');
    expect((await t.get(`${base()}/new?annotation=an_doesnotexist`, staff)).status).toBe(404);
  });
});

describe('export and helpers', () => {
  it('exports the 自评整改档案表 as XLSX: title with institution and year, Chinese headers, A4 landscape', async () => {
    const res = await t.get(`${base()}/export.xlsx`, staff);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('spreadsheetml');
    expect(res.headers.get('content-disposition')).toContain("filename*=UTF-8''");
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await res.arrayBuffer()) as unknown as Parameters<typeof wb.xlsx.load>[0]);
    const ws = wb.worksheets[0]!;
    const title = String(ws.getCell(1, 1).value);
    expect(title).toContain('修武县郇封镇卫生院');
    expect(title).toContain('2026');
    expect(title).toContain('自评整改档案表');
    const headers = (ws.getRow(3).values as unknown[]).slice(1);
    expect(headers).toEqual(['序号', '条款编号', '条款名称', '存在问题', '整改措施', '责任人', '整改时限', '整改状态', '完成时间', '佐证材料', '问题来源', '备注']);
    const rows: string[][] = [];
    ws.eachRow((r, n) => {
      if (n > 3) rows.push((r.values as unknown[]).slice(1).map((v) => String(v ?? '')));
    });
    const mine = rows.find((r) => r[3] === '院感培训签到不全')!;
    expect(mine).toBeDefined();
    expect(mine[1]).toContain(itemCode);
    expect(mine[2]).toBe(itemTitle);
    expect(mine[4]).toBe('每周核对签到');
    expect(mine[5]).toBe('王芳');
    expect(mine[6]).toBe('2099-07-01');
    expect(mine[7]).toBe('整改中');
    expect(mine[9]).toContain('院感防控整改培训签到表');
    expect(mine[10]).toBe('自查');
    const late = rows.find((r) => r[3] === '逾期未整改的问题')!;
    expect(late[11]).toMatch(/^已逾期 \d+ 天$/);
    expect(ws.pageSetup.orientation).toBe('landscape');
    expect(ws.pageSetup.paperSize).toBe(9);
    expect(ws.pageSetup.fitToWidth).toBe(1);
  });

  it('prints the same table as HTML', async () => {
    const res = await t.get(`${base()}/print`, staff);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('修武县郇封镇卫生院2026年度服务能力达标、升级自评整改档案表');
    expect(html).toContain('A4 landscape');
    expect(html).toContain('院感培训签到不全');
  });

  it('counts open records and lists the records of an item for the review workspace', async () => {
    const all = await t.db.db.selectFrom('rectifications').select(['status']).where('dossier_id', '=', dossierId).execute();
    expect(await countOpenRectifications(t.db.db, dossierId)).toBe(all.filter((r) => r.status !== 'done').length);
    const forItem = await listRectificationsForItem(t.db.db, dossierId, itemCode);
    expect(forItem.length).toBeGreaterThan(0);
    expect(forItem.every((r) => r.item_code === itemCode)).toBe(true);
    expect(forItem.find((r) => r.problem === '院感培训签到不全')!.evidence.map((e) => e.document_id)).toEqual([ownDoc]);
    expect(await countOpenRectifications(t.db.db, 'd_none')).toBe(0);
  });
});
