// UI consistency: times in Beijing time everywhere, readable audit details, region code checks,
// the 文件库 nav highlight, the library past its last page, search file kinds and the favicon.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordAudit } from '../../src/audit/audit-log.ts';
import { DEFAULT_BINDER_OPTIONS } from '../../src/binder/binder-types.ts';
import { insertDocument, upsertBlob } from '../../src/documents/document-repository.ts';
import { FILE_KIND_LABELS, FILTER_FILE_KINDS } from '../../src/documents/file-kind.ts';
import { newId } from '../../src/ids.ts';
import { createTestApp, demoDossier, type Session, type TestApp } from '../helpers/test-app.ts';

let t: TestApp;
let admin: Session;
let staff: Session;
let county: Session;
let staffId: string;

// 05:47 UTC is 13:47 in Beijing; a UTC rendering would show 05:47.
const AT = '2026-11-24T05:47:00.000Z';

beforeAll(async () => {
  t = await createTestApp();
  admin = await t.login('demo-admin');
  staff = await t.login('demo-staff');
  county = await t.login('demo-county');
  staffId = (await t.db.db.selectFrom('users').select('id').where('username', '=', 'demo-staff').executeTakeFirstOrThrow()).id;
});
afterAll(() => t.close());

async function makeDocument(institutionId: string, title: string): Promise<string> {
  const sha = Buffer.from(newId('blob')).toString('hex').padEnd(64, '0').slice(0, 64);
  await upsertBlob(t.db.db, { sha256: sha, size: 10, storeKey: `originals/sha256/${sha.slice(0, 2)}/${sha}` });
  const { document } = await insertDocument(t.db.db, {
    institutionId,
    title,
    actorId: staffId,
    version: { blob_sha256: sha, file_name: `${title}.pdf`, kind: 'pdf', mime: 'application/pdf', size: 10, page_count: 1, printable: 1, conversion_state: 'not_needed', conversion_note: '', uploaded_by: staffId },
  });
  return document.id;
}

describe('times are shown in Beijing time', () => {
  it('the binder tab lists a build at its Beijing time', async () => {
    const { dossierId } = await demoDossier(t);
    await t.db.db
      .insertInto('binder_builds')
      .values({ id: newId('bb'), dossier_id: dossierId, options_json: JSON.stringify(DEFAULT_BINDER_OPTIONS), state: 'failed', job_id: null, requested_by: null, created_at: AT, finished_at: AT, input_sha256: null, page_count: null, volume_count: null, labels_sha256: null, report_json: '{}', error: '测试' })
      .execute();
    const html = await (await t.get(`/dossiers/${dossierId}/binder`, staff)).text();
    expect(html).toContain('2026-11-24 13:47');
    expect(html).not.toContain('2026-11-24 05:47');
  });

  it('the inbox (我最近的决定) and the review page show decisions in Beijing time', async () => {
    const countyId = (await t.db.db.selectFrom('users').select('id').where('username', '=', 'demo-county').executeTakeFirstOrThrow()).id;
    const decision = await t.db.db.selectFrom('decisions').select(['id', 'dossier_id']).where('decided_by', '=', countyId).executeTakeFirstOrThrow();
    await t.db.db.updateTable('decisions').set({ decided_at: AT }).where('id', '=', decision.id).execute();
    const inbox = await (await t.get('/review', county)).text();
    expect(inbox).toContain('2026-11-24 13:47');
    expect(inbox).not.toContain('05:47');
    const review = await (await t.get(`/dossiers/${decision.dossier_id}/review`, county)).text();
    expect(review).toContain('2026-11-24 13:47');
    expect(review).not.toContain('2026-11-24 05:47');
  });
});

describe('audit details read as Chinese', () => {
  it('labels known keys, lists arrays, names subjects and hides internal ids', async () => {
    const { dossierId } = await demoDossier(t);
    const countyId = (await t.db.db.selectFrom('users').select('id').where('username', '=', 'demo-county').executeTakeFirstOrThrow()).id;
    await recordAudit(t.db.db, { actorId: countyId, ip: '127.0.0.1', action: 'dossier.decide.return', subjectType: 'dossier', subjectId: dossierId, detail: { stage: '审核/初评', round: 1, items: ['1.1.1', '3.1.1'], next: null } });
    await recordAudit(t.db.db, { actorId: null, ip: '127.0.0.1', action: 'review_route.save', subjectType: 'region', subjectId: '410000', detail: { target_level: 'basic', stages: [{ position: 0, region_level: 'county', label: '初评', deadline_days: 10 }] } });
    await recordAudit(t.db.db, { actorId: null, ip: '127.0.0.1', action: 'user.create', subjectType: 'user', subjectId: countyId, detail: { username: 'demo-county', role: 'county_reviewer' } });

    const history = await (await t.get(`/dossiers/${dossierId}/history`, staff)).text();
    expect(history).toContain('阶段：审核/初评；轮次：第 1 轮；条款：1.1.1、3.1.1');
    expect(history).not.toMatch(/round: |stage: |items: \[/);

    const audit = await (await t.get('/admin/audit', admin)).text();
    expect(audit).toContain('评价等级：基本标准');
    expect(audit).toContain('角色：县级审核人员');
    expect(audit).toContain('河南省（410000）');
    expect(audit).not.toContain(`user ${countyId}`);
    expect(audit).not.toMatch(/target_level: |source: |dossierId/);
  });

  it('filters by a select of Chinese action labels; the action parameter still works', async () => {
    const page = await (await t.get('/admin/audit', admin)).text();
    expect(page).toMatch(/<select name="action">[\s\S]*<option value="dossier.decide.return">退回修改<\/option>/);
    expect(page).not.toContain('如 dossier.');
    const filtered = await (await t.get('/admin/audit?action=review_route.', admin)).text();
    expect(filtered).toContain('修改审核流程');
    expect(filtered).not.toMatch(/<td class="action-cell">退回修改<\/td>/);
    expect(filtered).toMatch(/<option value="review_route." selected="">/);
  });
});

describe('admin regions check the code against its level', () => {
  const create = (form: Record<string, string>) => t.post('/admin/regions', form, admin);
  const exists = async (code: string) => !!(await t.db.db.selectFrom('regions').select('code').where('code', '=', code).executeTakeFirst());

  it('refuses a province code that does not end in 0000, keeping the input', async () => {
    const res = await create({ code: '410823', name: '武陟县', parent_code: '' });
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain('省级行政区划代码应以 0000 结尾');
    expect(html).toContain('value="410823"');
    expect(html).toContain('value="武陟县"');
    expect(await exists('410823')).toBe(false);
  });

  it('refuses city and county codes that do not fit their parent', async () => {
    const cityBad = await create({ code: '420900', name: '错省市', parent_code: '410000' });
    expect(cityBad.status).toBe(400);
    expect(await cityBad.text()).toContain('前 2 位 41');
    const cityLevel = await create({ code: '410899', name: '不是市', parent_code: '410000' });
    expect(cityLevel.status).toBe(400);
    expect(await cityLevel.text()).toContain('应以 00 结尾');
    const countyBad = await create({ code: '410723', name: '错市县', parent_code: '410800' });
    expect(countyBad.status).toBe(400);
    const countyHtml = await countyBad.text();
    expect(countyHtml).toContain('前 4 位 4108');
    expect(countyHtml).toMatch(/<option value="410800" selected="">/);
    const county00 = await create({ code: '410800', name: '重复', parent_code: '410800' });
    expect(county00.status).toBe(400);
    for (const c of ['420900', '410899', '410723']) expect(await exists(c)).toBe(false);
  });

  it('accepts well-formed codes at each level', async () => {
    expect((await create({ code: '420000', name: '湖北省', parent_code: '' })).status).toBe(200);
    expect((await create({ code: '420100', name: '武汉市', parent_code: '420000' })).status).toBe(200);
    expect((await create({ code: '420102', name: '江岸区', parent_code: '420100' })).status).toBe(200);
    const levels = await t.db.db.selectFrom('regions').select(['code', 'level']).where('code', 'in', ['420000', '420100', '420102']).orderBy('code').execute();
    expect(levels.map((r) => r.level)).toEqual(['province', 'city', 'county']);
  });
});

describe('navigation, library paging, search kinds, favicon', () => {
  it('highlights 文件库 on the library and on document pages', async () => {
    const { institutionId } = await demoDossier(t);
    const lib = `/institutions/${institutionId}/documents`;
    const active = (html: string) => /<a href="([^"]+)" class="active">/.exec(html)?.[1];
    expect(active(await (await t.get(lib, staff)).text())).toBe(lib);
    const docPage = await t.get(`/documents/${await makeDocument(institutionId, '导航测试文件')}`, staff);
    expect(docPage.status).toBe(200);
    expect(active(await docPage.text())).toBe(lib);
    expect(active(await (await t.get('/dossiers', staff)).text())).toBe('/dossiers');
  });

  it('a page past the last shows the last page instead of an empty table', async () => {
    const { institutionId } = await demoDossier(t);
    const have = Number((await t.db.db.selectFrom('documents').select((eb) => eb.fn.countAll().as('n')).where('institution_id', '=', institutionId).executeTakeFirstOrThrow()).n);
    // 50 a page: make it two pages with a few on the second.
    for (let i = have; i < 53; i++) await makeDocument(institutionId, `分页测试文件${String(i).padStart(2, '0')}`);
    const html = await (await t.get(`/institutions/${institutionId}/documents?page=999`, staff)).text();
    expect(html).toContain('共 53 个文件');
    expect(html).toContain('第 2 / 2 页');
    expect(html).toContain('上一页');
    expect((html.match(/<a href="\/documents\/doc_/g) ?? []).length).toBeGreaterThan(0);
  });

  it('search offers the same file kinds as the library, OFD included', async () => {
    const { institutionId } = await demoDossier(t);
    const kinds = (html: string) => [...(/<select name="kind">([\s\S]*?)<\/select>/.exec(html)?.[1] ?? '').matchAll(/<option value="([^"]*)"/g)].map((m) => m[1]).filter(Boolean);
    const search = kinds(await (await t.get('/search', staff)).text());
    const library = kinds(await (await t.get(`/institutions/${institutionId}/documents`, staff)).text());
    expect(search).toEqual([...FILTER_FILE_KINDS]);
    expect(library).toEqual(search);
    expect(search).toContain('ofd');
    expect(FILE_KIND_LABELS.ofd).toBe('OFD 版式文件');
    expect((await t.get('/search?kind=ofd&q=制度', staff)).status).toBe(200);
  });

  it('a long search query is searched by its beginning, and the user is told', async () => {
    const q = `制度${'管理'.repeat(200)}`;
    const html = await (await t.get(`/search?q=${encodeURIComponent(q)}`, staff)).text();
    expect(html).toContain('检索词过长，只按前 100 个字检索');
    expect(html).toContain(`value="${q.slice(0, 100)}"`);
    expect(html).not.toContain('输入要查找的文字');
  });

  it('serves a favicon and links an inline one from every page', async () => {
    const res = await t.get('/favicon.ico');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('image/svg+xml');
    expect(await (await t.get('/login')).text()).toContain('<link rel="icon" href="data:image/svg+xml,');
  });
});
