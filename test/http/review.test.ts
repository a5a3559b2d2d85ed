// The review round over HTTP: pre-check, submission, grades, return, resubmission, county and city passes,
// concurrent decisions, out-of-scope reviewers, failure with the six-month lock, and a seal for every step.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId, nowIso } from '../../src/ids.ts';
import { createTestApp, demoDossier, linkToCoreItems, type Session, type TestApp } from '../helpers/test-app.ts';

let t: TestApp;
let dossierId: string;
let institutionId: string;
let head: Session;
let staff: Session;
let county: Session;
let city: Session;

async function dossier() {
  return t.db.db.selectFrom('dossiers').selectAll().where('id', '=', dossierId).executeTakeFirstOrThrow();
}

async function activeStage() {
  return t.db.db.selectFrom('review_stages').selectAll().where('dossier_id', '=', dossierId).where('state', '=', 'active').executeTakeFirstOrThrow();
}

async function seals() {
  return t.db.db.selectFrom('seals').select(['sequence', 'event', 'previous_sha256', 'manifest_sha256']).where('dossier_id', '=', dossierId).orderBy('sequence').execute();
}

async function decideAs(s: Session, outcome: string, reasons = '', items = '') {
  const d = await dossier();
  const stage = await activeStage();
  return t.post(`/dossiers/${dossierId}/review/decision`, { stage_id: stage.id, review_version: String(d.review_version), outcome, reasons, items }, s);
}

/** Makes the demo dossier submittable: every item graded to pass, and one document linked to every core item. */
async function completeDossier(): Promise<void> {
  const db = t.db.db;
  await db.updateTable('dossier_items').set({ self_grade: 'A', narrative: '已落实。', updated_at: nowIso() }).where('dossier_id', '=', dossierId).execute();
  const sha = 'a'.repeat(64);
  await db.insertInto('blobs').values({ sha256: sha, size: 10, store_key: `sha256/aa/${sha}`, created_at: nowIso() }).execute();
  const docId = newId('doc');
  const versionId = newId('v');
  await db.insertInto('documents').values({ id: docId, institution_id: institutionId, title: '制度汇编', document_date: null, issuing_department: '', current_version_id: null, created_by: null, created_at: nowIso(), updated_at: nowIso(), trashed_at: null, trashed_by: null }).execute();
  await db
    .insertInto('document_versions')
    .values({ id: versionId, document_id: docId, version_no: 1, blob_sha256: sha, file_name: 'a.pdf', kind: 'pdf', mime: 'application/pdf', size: 10, page_count: 1, printable: 1, conversion_state: 'not_needed', conversion_note: '', rendition_sha256: null, thumbnail_sha256: null, uploaded_by: null, created_at: nowIso() })
    .execute();
  await db.updateTable('documents').set({ current_version_id: versionId }).where('id', '=', docId).execute();
  await linkToCoreItems(db, dossierId, docId);
}

beforeAll(async () => {
  t = await createTestApp();
  ({ dossierId, institutionId } = await demoDossier(t));
  [head, staff, county, city] = await Promise.all([t.login('demo-head'), t.login('demo-staff'), t.login('demo-county'), t.login('demo-city')]);
});
afterAll(() => t.close());

describe('a basic-standard review round', () => {
  it('lists what blocks the submission and refuses to submit while anything does', async () => {
    const page = await (await t.get(`/dossiers/${dossierId}/review`, head)).text();
    expect(page).toContain('以下问题需要先处理');
    expect(page).toMatch(/★[\d.]+ .*：缺少佐证材料/);
    const d = await dossier();
    const res = await t.post(`/dossiers/${dossierId}/submit`, { review_version: String(d.review_version) }, head);
    expect(res.status).toBe(400);
    expect((await dossier()).state).toBe('draft');
  });

  it('lets only the head submit; the submission pins evidence, opens the county stage and seals', async () => {
    await completeDossier();
    const d = await dossier();
    const byStaff = await t.post(`/dossiers/${dossierId}/submit`, { review_version: String(d.review_version) }, staff);
    expect(byStaff.status).toBe(404);
    const res = await t.post(`/dossiers/${dossierId}/submit`, { review_version: String(d.review_version) }, head);
    expect(res.status).toBe(303);
    const after = await dossier();
    expect(after.state).toBe('in_review');
    expect((await activeStage()).region_code).toBe('410821');
    const pinned = await t.db.db.selectFrom('item_evidence').select('version_id').where('dossier_id', '=', dossierId).execute();
    expect(pinned.every((p) => p.version_id)).toBe(true);
    expect((await seals()).map((s) => s.event)).toEqual(['submit']);
  });

  it('answers a double submit with a clear message and changes nothing', async () => {
    const res = await t.post(`/dossiers/${dossierId}/submit`, { review_version: '0' }, head);
    expect(res.status).toBe(409);
    expect(await res.text()).toContain('无需重复提交');
    expect(await seals()).toHaveLength(1);
  });

  it('shows the dossier in the county inbox, not in the city inbox', async () => {
    expect(await (await t.get('/review', county)).text()).toContain('修武县郇封镇卫生院');
    expect(await (await t.get('/review', city)).text()).not.toContain('修武县郇封镇卫生院');
  });

  it('does not let a reviewer of another region see or decide (404)', async () => {
    const other = await t.db.db.selectFrom('users').select('id').where('username', '=', 'demo-county').executeTakeFirstOrThrow();
    await t.db.db.insertInto('users').values({ id: newId('u'), username: 'boai-county', display_name: '博爱县审核员', password_hash: (await t.db.db.selectFrom('users').select('password_hash').where('id', '=', other.id).executeTakeFirstOrThrow()).password_hash, role: 'county_reviewer', institution_id: null, region_code: '410822', active: 1, created_at: nowIso() }).execute();
    const boai = await t.login('boai-county');
    expect((await t.get(`/dossiers/${dossierId}/review`, boai)).status).toBe(404);
    expect((await decideAs(boai, 'pass')).status).toBe(404);
    expect((await dossier()).state).toBe('in_review');
  });

  it('records a county grade beside the self grade and highlights the disagreement', async () => {
    const res = await t.post(`/dossiers/${dossierId}/review/items/1.1.1`, { grade: 'C', note: '制度未更新', onsite_finding: '' }, county, { 'hx-request': 'true' });
    expect(res.status).toBe(200);
    const row = await res.text();
    expect(row).toContain('class="disagree"');
    expect(row).toContain('已保存');
    const bad = await t.post(`/dossiers/${dossierId}/review/items/1.1.1`, { grade: 'Z' }, county, { 'hx-request': 'true' });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('评审等级只能是');
  });

  it('saves nothing for an untouched row, but lets a grade be cleared', async () => {
    const count = async () => (await t.db.db.selectFrom('review_grades').select('item_code').where('dossier_id', '=', dossierId).execute()).length;
    const before = await count();
    const empty = await t.post(`/dossiers/${dossierId}/review/items/1.1.2`, { grade: '', note: ' ', onsite_finding: '' }, county, { 'hx-request': 'true' });
    expect(empty.status).toBe(400);
    const html = await empty.text();
    expect(html).toContain('请先选择评审等级或填写意见');
    expect(html).not.toContain('已保存');
    expect(await count()).toBe(before);
    // 1.1.1 was graded above: emptying it is a change, and is saved.
    const cleared = await t.post(`/dossiers/${dossierId}/review/items/1.1.1`, { grade: '', note: '', onsite_finding: '' }, county, { 'hx-request': 'true' });
    expect(cleared.status).toBe(200);
    expect(await cleared.text()).toContain('已保存');
    await t.post(`/dossiers/${dossierId}/review/items/1.1.1`, { grade: 'C', note: '制度未更新', onsite_finding: '' }, county, { 'hx-request': 'true' });
  });

  it('requires reasons to return, then returns the dossier to the institution with the items to fix', async () => {
    const noReason = await decideAs(county, 'return', '  ', '1.1.1 9.9');
    expect(noReason.status).toBe(400);
    const refused = await noReason.text();
    expect(refused).toContain('必须填写意见与理由');
    // The form comes back as entered: the chosen outcome and the items typed.
    expect(refused).toMatch(/value="return" checked/);
    expect(refused).not.toMatch(/value="pass"[^>]*checked/);
    expect(refused).toContain('name="items" value="1.1.1 9.9"');
    const res = await decideAs(county, 'return', '1.1.1 制度需更新', '1.1.1');
    expect(res.status).toBe(303);
    const d = await dossier();
    expect(d.state).toBe('returned');
    const page = await (await t.get(`/dossiers/${dossierId}/review`, staff)).text();
    expect(page).toContain('退回修改');
    expect(page).toContain('1.1.1 制度需更新');
    expect((await seals()).map((s) => s.event)).toEqual(['submit', 'return']);
  });

  it('resubmits in a new round; county and city pass; the dossier is passed', async () => {
    const d = await dossier();
    expect((await t.post(`/dossiers/${dossierId}/submit`, { review_version: String(d.review_version) }, head)).status).toBe(303);
    expect((await dossier()).round).toBe(2);
    expect((await decideAs(county, 'pass', '')).status).toBe(303);
    const atCity = await activeStage();
    expect(atCity.region_level).toBe('city');
    expect(atCity.region_code).toBe('410800');
    expect((await decideAs(city, 'pass', '现场复核通过')).status).toBe(303);
    const final = await dossier();
    expect(final.state).toBe('passed');
    const chain = await seals();
    expect(chain.map((s) => s.event)).toEqual(['submit', 'return', 'submit', 'pass', 'pass']);
    for (let i = 1; i < chain.length; i++) expect(chain[i]!.previous_sha256).toBe(chain[i - 1]!.manifest_sha256);
  });

  it('shows every step on the history tab', async () => {
    const html = await (await t.get(`/dossiers/${dossierId}/history`, staff)).text();
    for (const label of ['提交评审', '退回修改', '评审通过', '记录评审等级']) expect(html).toContain(label);
  });
});

describe('concurrent decisions and failure', () => {
  let recId: string;
  let province: Session;
  beforeAll(async () => {
    // The demo's 推荐标准 dossier waits at the province (seeded through the real workflow).
    const rec = await t.db.db.selectFrom('dossiers').select('id').where('target_level', '=', 'recommended').where('state', '=', 'in_review').executeTakeFirstOrThrow();
    recId = rec.id;
    province = await t.login('demo-province');
  });

  it('seeds a recommended dossier waiting at the province, with its seals', async () => {
    const stage = await t.db.db.selectFrom('review_stages').selectAll().where('dossier_id', '=', recId).where('state', '=', 'active').executeTakeFirstOrThrow();
    expect(stage.region_level).toBe('province');
    const n = await t.db.db.selectFrom('seals').select('sequence').where('dossier_id', '=', recId).execute();
    expect(n).toHaveLength(3);
    expect(await (await t.get('/review', province)).text()).toContain('修武县周庄镇卫生院');
  });

  it('lets exactly one of two simultaneous decisions stand and tells the other why', async () => {
    const d = await t.db.db.selectFrom('dossiers').selectAll().where('id', '=', recId).executeTakeFirstOrThrow();
    const stage = await t.db.db.selectFrom('review_stages').selectAll().where('dossier_id', '=', recId).where('state', '=', 'active').executeTakeFirstOrThrow();
    const other = await t.login('demo-province');
    const form = (outcome: string) => ({ stage_id: stage.id, review_version: String(d.review_version), outcome, reasons: '理由', items: '' });
    const [a, b] = await Promise.all([t.post(`/dossiers/${recId}/review/decision`, form('fail'), province), t.post(`/dossiers/${recId}/review/decision`, form('pass'), other)]);
    const statuses = [a.status, b.status].sort();
    expect(statuses).toEqual([303, 409]);
    const loser = a.status === 409 ? a : b;
    expect(await loser.text()).toMatch(/刚刚已由.*作出决定/);
    const decisions = await t.db.db.selectFrom('decisions').select('id').where('stage_id', '=', stage.id).execute();
    expect(decisions).toHaveLength(1);
    expect(await t.db.db.selectFrom('seals').select('sequence').where('dossier_id', '=', recId).execute()).toHaveLength(4);
  });

  it('after a failure, locks a new application for six months', async () => {
    const d = await t.db.db.selectFrom('dossiers').selectAll().where('id', '=', recId).executeTakeFirstOrThrow();
    if (d.state !== 'failed') {
      // The pass won the race above: fail is not possible any more; make the lock from a fail decision directly.
      await t.db.db.updateTable('decisions').set({ outcome: 'fail' }).where('dossier_id', '=', recId).where('position', '=', 2).execute();
    }
    await t.db.db.updateTable('dossiers').set({ state: 'returned', updated_at: nowIso() }).where('id', '=', recId).execute();
    const zzHead = await t.login('demo-zz-head');
    const page = await (await t.get(`/dossiers/${recId}/review`, zzHead)).text();
    expect(page).toContain('之前不能再次申请');
  });
});

describe('experts', () => {
  it('an assigned expert sees the dossier in the inbox, may grade, but may not decide', async () => {
    // The passed dossier above gets an active city stage again (its own round's is closed).
    const d = await t.db.db.selectFrom('dossiers').selectAll().where('id', '=', dossierId).executeTakeFirstOrThrow();
    await t.db.db
      .insertInto('review_stages')
      .values({ id: newId('st'), dossier_id: dossierId, round: d.round, position: 1, region_level: 'city', region_code: '410800', label: '复核', state: 'active', opened_at: nowIso(), deadline: nowIso(), closed_at: null })
      .execute();
    await t.db.db.updateTable('dossiers').set({ state: 'in_review', stage: 1, updated_at: nowIso() }).where('id', '=', dossierId).execute();
    const expertId = (await t.db.db.selectFrom('users').select('id').where('username', '=', 'demo-expert').executeTakeFirstOrThrow()).id;
    const assign = await t.post(`/dossiers/${dossierId}/review/experts`, { user_id: expertId }, city);
    expect(assign.status).toBe(303);
    const expert = await t.login('demo-expert');
    expect(await (await t.get('/review', expert)).text()).toContain('修武县郇封镇卫生院');
    const grade = await t.post(`/dossiers/${dossierId}/review/items/1.1.2`, { grade: 'B', note: '专家意见' }, expert, { 'hx-request': 'true' });
    expect(grade.status).toBe(200);
    const page = await (await t.get(`/dossiers/${dossierId}/review`, expert)).text();
    expect(page).toContain('决定由本级审核人员作出');
    expect((await decideAs(expert, 'pass')).status).toBe(404);
  });
});
