import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { coreItems, createTestApp, demoDossier, type Session, type TestApp } from '../helpers/test-app.ts';

let t: TestApp;
let staff: Session;
let dossierId: string;
let coreItem: string;

beforeAll(async () => {
  t = await createTestApp();
  staff = await t.login('demo-staff');
  ({ dossierId } = await demoDossier(t));
  // A core item the demo left ungraded or below C: it must appear as a blocker.
  const blocked = (await coreItems(t.db.db, dossierId)).find((c) => c.self_grade === null || c.self_grade === '未达标');
  if (!blocked) throw new Error('the demo dossier has no blocking core item');
  coreItem = blocked.item_code;
});
afterAll(() => t.close());

describe('dossier page', () => {
  it('shows the item tree, progress per chapter and the projected result with blockers', async () => {
    const res = await t.get(`/dossiers/${dossierId}`, staff);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('修武县郇封镇卫生院');
    expect(html).toContain('功能任务与资源配置');
    expect(html).toContain('chapter-progress-1');
    expect(html).toContain('演示内容');
    expect(html).toContain('未达到基本标准');
    expect(html).toContain(`★${coreItem} 未达C`);
  });

  it('opens an item as a fragment for htmx and as a full page without JavaScript', async () => {
    const frag = await t.get(`/dossiers/${dossierId}/items/${coreItem}`, staff, { 'hx-request': 'true' });
    const fragHtml = await frag.text();
    expect(fragHtml).toContain('id="item-panel"');
    expect(fragHtml).not.toContain('<html');
    const page = await t.get(`/dossiers/${dossierId}/items/${coreItem}`, staff);
    const pageHtml = await page.text();
    expect(pageHtml).toContain('<html');
    expect(pageHtml).toContain('name="grade"');
  });

  it('saves a grade inline and updates the projection out of band', async () => {
    const res = await t.post(`/dossiers/${dossierId}/items/${coreItem}`, { grade: 'B', narrative: '制度已落实。' }, staff, { 'hx-request': 'true' });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('已保存');
    expect(html).toContain('id="projection"');
    expect(html).toContain('hx-swap-oob');
    expect(html).not.toContain(`★${coreItem} 未达C`);
    const row = await t.db.db.selectFrom('dossier_items').selectAll().where('dossier_id', '=', dossierId).where('item_code', '=', coreItem).executeTakeFirstOrThrow();
    expect(row.self_grade).toBe('B');
    expect(row.narrative).toBe('制度已落实。');
  });

  it('saves without JavaScript and redirects back to the item', async () => {
    const res = await t.post(`/dossiers/${dossierId}/items/${coreItem}`, { grade: 'A', narrative: '' }, staff);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`/dossiers/${dossierId}/items/${coreItem}`);
  });

  it('rejects an unknown grade and an oversized narrative with Chinese messages, changing nothing', async () => {
    const bad = await t.post(`/dossiers/${dossierId}/items/${coreItem}`, { grade: 'D', narrative: '改了' }, staff, { 'hx-request': 'true' });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('自评等级只能是');
    const long = await t.post(`/dossiers/${dossierId}/items/${coreItem}`, { grade: 'C', narrative: '字'.repeat(5001) }, staff, { 'hx-request': 'true' });
    expect(long.status).toBe(400);
    expect(await long.text()).toContain('不能超过 5000 字');
    const row = await t.db.db.selectFrom('dossier_items').selectAll().where('dossier_id', '=', dossierId).where('item_code', '=', coreItem).executeTakeFirstOrThrow();
    expect(row.self_grade).toBe('A');
  });

  it('gives 404 for unknown dossiers and items', async () => {
    expect((await t.get('/dossiers/d_doesnotexist', staff)).status).toBe(404);
    expect((await t.get(`/dossiers/${dossierId}/items/9.9.9`, staff)).status).toBe(404);
    expect((await t.post(`/dossiers/${dossierId}/items/9.9.9`, { grade: 'A' }, staff)).status).toBe(404);
  });

  it('refuses changes once the dossier is submitted', async () => {
    await t.db.db.updateTable('dossiers').set({ state: 'submitted' }).where('id', '=', dossierId).execute();
    const res = await t.post(`/dossiers/${dossierId}/items/${coreItem}`, { grade: 'C', narrative: '' }, staff, { 'hx-request': 'true' });
    expect(res.status).toBe(409);
    expect(await res.text()).toContain('已提交评审');
    await t.db.db.updateTable('dossiers').set({ state: 'draft' }).where('id', '=', dossierId).execute();
  });

  it('reviewers can read the dossier in their region but not grade it', async () => {
    const county = await t.login('demo-county');
    const page = await t.get(`/dossiers/${dossierId}/items/${coreItem}`, county);
    expect(page.status).toBe(200);
    expect(await page.text()).not.toContain('name="grade"');
    const res = await t.post(`/dossiers/${dossierId}/items/${coreItem}`, { grade: 'C' }, county);
    expect(res.status).toBe(404);
  });
});

describe('creating dossiers', () => {
  it('creates one per institution × year × level, and refuses a duplicate', async () => {
    const head = await t.login('demo-head');
    const inst = await t.db.db.selectFrom('users').select('institution_id').where('username', '=', 'demo-head').executeTakeFirstOrThrow();
    const form = { institution_id: inst.institution_id!, year: '2027', target_level: 'recommended' };
    const res = await t.post('/dossiers', form, head);
    expect(res.status).toBe(303);
    const again = await t.post('/dossiers', form, head);
    expect(again.status).toBe(409);
    expect(await again.text()).toContain('已存在');
  });

  it('validates the form', async () => {
    const head = await t.login('demo-head');
    const res = await t.post('/dossiers', { institution_id: '', year: 'abc', target_level: 'gold' }, head);
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain('年度');
  });

  it('cannot create a dossier for an institution out of scope', async () => {
    const head = await t.login('demo-head');
    const other = await t.db.db.selectFrom('institutions').select('id').where('name', '=', '获嘉县亢村镇卫生院').executeTakeFirstOrThrow();
    const res = await t.post('/dossiers', { institution_id: other.id, year: '2027', target_level: 'basic' }, head);
    expect(res.status).toBe(404);
  });
});
