// Page text store and full-text search (issue 4), on SQLite and (postgres project) on Postgres.
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { Migrator, sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrations } from '../../migrations/index.ts';
import { openDatabase, type Db } from '../../src/db/database.ts';
import type { User } from '../../src/db/schema.ts';
import { insertDocument, insertVersion, linkEvidence, upsertBlob, type NewVersionInput } from '../../src/documents/document-repository.ts';
import { normaliseText } from '../../src/documents/normalise-text.ts';
import { ftsMatchExpression, queryTokens, tokensForIndex, tsVectorLiteral } from '../../src/search/cjk-tokens.ts';
import { buildSnippet, deletePagesOf, pgTermsLiteral, replacePages, sampleMarkers, searchPages, type SearchQuery } from '../../src/search/page-index.ts';
import { createUser } from '../../src/users/user-repository.ts';
import { approxCount, SearchResults } from '../../views/search-page.tsx';
import { createTestDb, testDialect, type TestDb } from '../helpers/test-db.ts';

let t: TestDb;
let db: Db;
const users: Record<string, User> = {};
const inst: Record<string, string> = {};
const docs: Record<string, { documentId: string; versionId: string }> = {};
let dossierId: string;

function versionInput(kind: string, sha: string, pageCount: number): NewVersionInput {
  return {
    blob_sha256: sha,
    file_name: `f.${kind}`,
    kind,
    mime: kind === 'pdf' ? 'application/pdf' : 'image/jpeg',
    size: 1000,
    page_count: pageCount,
    printable: 1,
    conversion_state: 'not_needed',
    conversion_note: '',
    uploaded_by: null,
  };
}

async function newBlob(): Promise<string> {
  const sha = randomBytes(32).toString('hex');
  await upsertBlob(db, { sha256: sha, size: 1000, storeKey: `k/${sha}` });
  return sha;
}

async function addDoc(key: string, institution: string, title: string, pages: string[], opts: { kind?: string; date?: string } = {}) {
  const { document, version } = await insertDocument(db, {
    institutionId: inst[institution]!,
    title,
    actorId: users['demo-staff']!.id,
    version: versionInput(opts.kind ?? 'pdf', await newBlob(), pages.length),
  });
  if (opts.date) await db.updateTable('documents').set({ document_date: opts.date }).where('id', '=', document.id).execute();
  await replacePages(db, version.id, pages.map((text, i) => ({ pageNo: i + 1, text, confidence: 91.5, source: 'ocr' as const })));
  docs[key] = { documentId: document.id, versionId: version.id };
}

const search = (user: string, q: string, more: Omit<SearchQuery, 'q'> = {}) => searchPages(db, users[user]!, { q, ...more });
const titles = async (user: string, q: string, more: Omit<SearchQuery, 'q'> = {}) => (await search(user, q, more)).hits.map((h) => h.title);

beforeAll(async () => {
  t = await createTestDb();
  db = t.db;
  for (const u of await db.selectFrom('users').selectAll().execute()) users[u.username] = u;
  for (const i of await db.selectFrom('institutions').select(['id', 'name']).execute()) inst[i.name] = i.id;
  users['other-staff'] = await createUser(db, {
    username: 'other-staff',
    displayName: '周庄镇卫生院职员',
    password: 'password123',
    role: 'staff',
    institutionId: inst['修武县周庄镇卫生院']!,
  });
  users['boai-county'] = await createUser(db, { username: 'boai-county', displayName: '博爱县审核员', password: 'password123', role: 'county_reviewer', regionCode: '410822' });

  const X = '修武县郇封镇卫生院';
  await addDoc('signin', X, '2025年第二季度院感培训签到表', [
    '院感培训签到表\n培训主题：手卫生规范\n培训时间：2025年6月12日\n姓名 科室 签名',
    '附：签到表格填写说明。培训签到后领取资料。',
  ], { kind: 'jpeg', date: '2025-06-12' });
  await addDoc('rules', X, '院感管理制度汇编', [
    '第一章 总则。为加强医院感染管理，制定本制度。本制度适用于全院。各科室应执行制度，违反制度者按考核办法处理。制度由院感科负责解释。',
  ], { date: '2024-03-01' });
  await addDoc('mention', X, '2025年工作总结', [
    '今年共开展业务学习十二次，完善了一项制度，门诊量同比增长百分之八，患者满意度持续提高，全年无医疗事故发生。',
  ], { date: '2025-12-30' });
  await addDoc('xss', X, '<b>危险标题</b>', ['注意 <script>alert("x")</script> & 消毒隔离 "引号" 结束']);
  await addDoc('scattered', X, '零散文字', ['签到 在前面。中间是别的内容，后面是表格 和报到表。']);
  await addDoc('trashed', X, '已删除的文件', ['回收站里的独有词汇：蓝莓制度']);
  await db.updateTable('documents').set({ trashed_at: new Date().toISOString(), trashed_by: users['demo-staff']!.id }).where('id', '=', docs['trashed']!.documentId).execute();
  await addDoc('versioned', X, '有两个版本的文件', ['旧版独有的词：山楂制度']);
  const v2 = await insertVersion(db, docs['versioned']!.documentId, versionInput('pdf', await newBlob(), 1));
  await replacePages(db, v2.id, [{ pageNo: 1, text: '新版的词：樱桃制度', confidence: null, source: 'text' }]);
  docs['versioned-v2'] = { documentId: docs['versioned']!.documentId, versionId: v2.id };

  await addDoc('zhouzhuang', '修武县周庄镇卫生院', '周庄镇卫生院制度', ['周庄镇卫生院消毒制度，每日消毒。']);
  await addDoc('qinghua', '博爱县清化镇街道社区卫生服务中心', '清化镇社区制度', ['清化镇社区卫生服务中心培训制度。']);

  dossierId = (await db.selectFrom('dossiers').select('id').where('institution_id', '=', inst[X]!).executeTakeFirstOrThrow()).id;
  await linkEvidence(db, { dossierId, itemCode: '3.3.2', documentId: docs['signin']!.documentId, actorId: users['demo-staff']!.id });
  await linkEvidence(db, { dossierId, itemCode: '1.1.1', documentId: docs['rules']!.documentId, actorId: users['demo-staff']!.id });
}, 120_000);

afterAll(async () => {
  await t?.close();
});

describe('tokens', () => {
  it('turns CJK runs into bigrams and Latin words into lowercase words', () => {
    expect(tokensForIndex('培训签到表，OK 2022年')).toBe('培训 培 训签 训 签到 签 到表 到 表 ok 2022 年');
    expect(queryTokens('培训签到 制度')).toEqual([['培训', '训签', '签到'], ['制度']]);
  });

  it('never lets FTS syntax through', () => {
    for (const q of ['"', '*', 'NEAR', '-', '培训"', '*制度', 'NEAR(培训 制度)', 'a OR b', 'x:y', '^a', '(', '']) {
      const expr = ftsMatchExpression(queryTokens(q));
      if (!expr) continue;
      // Quoted literals joined by AND, nothing else.
      expect(expr).toMatch(/^"[^"]*"(?: AND "[^"]*")*$/);
    }
  });
});

describe('searchPages', () => {
  it('matches 2-character words', async () => {
    expect(await titles('demo-staff', '制度')).toEqual(expect.arrayContaining(['院感管理制度汇编', '2025年工作总结']));
    expect(await titles('demo-staff', '培训')).toContain('2025年第二季度院感培训签到表');
  });

  it('matches 4-character words, only where their characters are adjacent', async () => {
    const r = await search('demo-staff', '签到表格');
    expect(r.hits.map((h) => [h.title, h.pageNo])).toEqual([['2025年第二季度院感培训签到表', 2]]);
    expect(r.total).toBe(1);
    // 零散文字 has 签到, 到表 (报到表) and 表格 — but not 签到表格.
    expect(await titles('demo-staff', '培训签到')).toEqual(['2025年第二季度院感培训签到表', '2025年第二季度院感培训签到表']);
  });

  it('ANDs the words of a query, however many', async () => {
    expect(await titles('demo-staff', '院感 手卫生')).toEqual(['2025年第二季度院感培训签到表']);
    expect(await titles('demo-staff', '制度 院感')).toEqual(['院感管理制度汇编']);
    expect(await titles('demo-staff', '培训 签到 姓名')).toEqual(['2025年第二季度院感培训签到表']);
    expect(await titles('demo-staff', '培训 签到 姓名 科室 签名 手卫生')).toEqual(['2025年第二季度院感培训签到表']);
    expect(await titles('demo-staff', '培训 签到 姓名 周庄镇')).toEqual([]);
    const [hit] = (await search('demo-staff', '培训 规范')).hits;
    expect(hit!.snippet).toMatch(/^院感<mark>培训<\/mark>签到表<mark>培训<\/mark>主题:手卫生<mark>规范<\/mark>/);
  });

  it('ranks the page with more occurrences first', async () => {
    const r = await search('demo-staff', '制度');
    expect(r.hits[0]!.title).toBe('院感管理制度汇编');
    expect(r.hits[0]!.rank).toBeGreaterThan(r.hits.at(-1)!.rank);
  });

  it('returns what a hit needs', async () => {
    const [hit] = (await search('demo-staff', '签到表格')).hits;
    expect(hit).toMatchObject({
      documentId: docs['signin']!.documentId,
      versionId: docs['signin']!.versionId,
      pageNo: 2,
      institutionName: '修武县郇封镇卫生院',
      kind: 'jpeg',
      documentDate: '2025-06-12',
    });
    expect(hit!.snippet).toContain('<mark>签到表格</mark>');
  });

  it('highlights terms and escapes HTML in snippets', async () => {
    const [hit] = (await search('demo-staff', '消毒隔离')).hits;
    expect(hit!.snippet).toContain('<mark>消毒隔离</mark>');
    expect(hit!.snippet).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp;');
    expect(hit!.snippet).not.toContain('<script');
    expect(hit!.title).toBe('<b>危险标题</b>'); // raw data: the view escapes it
    const long = buildSnippet(`${'前'.repeat(200)}培训制度${'后'.repeat(200)}`, queryTokens('制度'));
    expect(long).toMatch(/^…前+培训<mark>制度<\/mark>后+…$/);
    expect(long.length).toBeLessThan(200);
    expect(buildSnippet('培训\n签到 <x>', queryTokens('培训签到'))).toBe('<mark>培训 签到</mark> &lt;x&gt;');
  });

  it('never throws on FTS syntax characters', async () => {
    for (const q of ['"', '*', 'NEAR', '-', '培训"', '*制度', 'NEAR(培训 制度)', 'a OR b', '', '   ', '制度 -培训', '"制度" AND', '^', ':', '(', ')', '{tokens}:制度', '\\', "'", '%_']) {
      const r = await search('demo-staff', q);
      expect(r.total).toBeGreaterThanOrEqual(0);
    }
    expect((await search('demo-staff', '"*-()')).hits).toEqual([]);
    expect((await search('demo-staff', '   ')).total).toBe(0);
    expect(await titles('demo-staff', '*制度')).toContain('院感管理制度汇编');
    expect(await titles('demo-staff', 'NEAR(培训 制度)')).toEqual([]); // "near" is just a word here
  });

  it('is scoped to the institutions the user may see', async () => {
    expect(await titles('other-staff', '签到表格')).toEqual([]);
    expect(await titles('other-staff', '制度')).toEqual(['周庄镇卫生院制度']);
    expect(await titles('boai-county', '制度')).toEqual(['清化镇社区制度']);
    expect((await titles('demo-county', '制度')).sort()).toEqual(['2025年工作总结', '周庄镇卫生院制度', '有两个版本的文件', '院感管理制度汇编'].sort());
    expect(await titles('demo-county', '清化镇')).toEqual([]);
    expect(await titles('demo-city', '清化镇')).toEqual(['清化镇社区制度']);
    expect(await titles('demo-province', '清化镇')).toEqual(['清化镇社区制度']);
    expect(await titles('demo-admin', '周庄镇')).toEqual(['周庄镇卫生院制度']);
  });

  it('leaves out trashed documents and old versions', async () => {
    expect(await titles('demo-staff', '蓝莓')).toEqual([]);
    expect(await titles('demo-staff', '山楂')).toEqual([]);
    const r = await search('demo-staff', '樱桃');
    expect(r.hits.map((h) => [h.title, h.versionId])).toEqual([['有两个版本的文件', docs['versioned-v2']!.versionId]]);
  });

  it('filters by dossier, item, kind and date', async () => {
    expect((await titles('demo-staff', '制度', { dossierId })).sort()).toEqual(['院感管理制度汇编']);
    expect(await titles('demo-staff', '培训', { dossierId, itemCode: '3.3.2' })).toEqual(['2025年第二季度院感培训签到表', '2025年第二季度院感培训签到表']);
    expect(await titles('demo-staff', '制度', { itemCode: '3.3.2' })).toEqual([]);
    expect(await titles('demo-staff', '培训', { kind: 'pdf' })).toEqual([]);
    expect((await titles('demo-staff', '培训', { kind: 'jpeg' })).length).toBe(2);
    expect(await titles('demo-staff', '制度', { from: '2025-01-01', to: '2025-12-31' })).toEqual(['2025年工作总结']);
    expect(await titles('demo-staff', '制度', { to: '2024-12-31' })).toEqual(['院感管理制度汇编']);
    expect(await titles('other-staff', '制度', { dossierId })).toEqual([]); // another institution's dossier
    expect(await titles('demo-staff', '制度', { dossierId: 'nope' })).toEqual([]);
  });

  it('pages through results with limit and offset', async () => {
    const all = await search('demo-county', '制度');
    expect(all.total).toBe(4);
    expect(all.totalExact).toBe(true);
    const pages = [];
    for (let offset = 0; offset < 4; offset += 1) pages.push(...(await search('demo-county', '制度', { limit: 1, offset })).hits);
    expect(pages.map((h) => h.documentId)).toEqual(all.hits.map((h) => h.documentId));
  });

  it('matches single characters and Latin words', async () => {
    expect(await titles('demo-staff', '樱')).toEqual(['有两个版本的文件']);
    expect(await titles('demo-staff', '桃')).toEqual(['有两个版本的文件']);
    expect(await titles('demo-staff', 'SCRIPT')).toEqual(['<b>危险标题</b>']);
    expect(await titles('demo-staff', 'scr')).toEqual([]);
  });
});

describe('replacePages', () => {
  it('is idempotent and replaces the index rows', async () => {
    const { versionId } = docs['mention']!;
    const pages = [
      { pageNo: 1, text: '第一页：荔枝制度', confidence: 80, source: 'ocr' as const },
      { pageNo: 2, text: '', confidence: null, source: 'none' as const },
    ];
    await replacePages(db, versionId, pages);
    await replacePages(db, versionId, pages);
    const rows = await db.selectFrom('pages').selectAll().where('version_id', '=', versionId).orderBy('page_no').execute();
    expect(rows.map((r) => [r.page_no, r.text, r.source, r.chars, r.confidence])).toEqual([
      [1, '第一页:荔枝制度', 'ocr', 8, 80],
      [2, '', 'none', 0, null],
    ]);
    const r = await search('demo-staff', '荔枝');
    expect(r.hits.map((h) => h.pageNo)).toEqual([1]);
    expect(await titles('demo-staff', '门诊量')).toEqual([]); // the old text is gone from the index
    expect(await deletePagesOf(db, versionId)).toBe(2);
    expect(await titles('demo-staff', '荔枝')).toEqual([]);
  });

  it('stores awkward text: NUL and control characters, punctuation only, a huge page', async () => {
    const { versionId } = docs['zhouzhuang']!;
    let seed = 1;
    const randomHan = () => String.fromCharCode(0x4e00 + ((seed = (seed * 48271) % 2147483647) % 20000));
    const huge = `开头词汇甜橙${Array.from({ length: 300_000 }, randomHan).join('')}`;
    await replacePages(db, versionId, [
      { pageNo: 1, text: '周庄\u0000镇\u0007卫生院消毒制度', confidence: 50, source: 'ocr' },
      { pageNo: 2, text: '，。！？……——', confidence: 10, source: 'ocr' },
      { pageNo: 3, text: huge, confidence: null, source: 'text' },
    ]);
    expect((await search('other-staff', '周庄镇卫生院')).hits.map((h) => h.pageNo)).toEqual([1]);
    expect((await search('other-staff', '甜橙')).hits.map((h) => h.pageNo)).toEqual([3]);
    const [row] = await db.selectFrom('pages').select(['text', 'chars']).where('version_id', '=', versionId).where('page_no', '=', 1).execute();
    expect(row).toEqual({ text: '周庄镇卫生院消毒制度', chars: 10 });
  }, 60_000);

  it('refuses an unknown version and bad pages', async () => {
    await expect(replacePages(db, 'v_missing', [])).rejects.toThrow(/not found/);
    await expect(replacePages(db, docs['rules']!.versionId, [{ pageNo: 0, text: 'x', confidence: null, source: 'text' }])).rejects.toThrow();
  });
});

// ---------------------------------------------------------------------------------------------------------
// Ranking by impact level, large totals, and the Postgres index (page_terms, migration 0006) kept in step.

const filler = (n: number) => '院内环境整洁有序'.repeat(Math.ceil(n / 8)).slice(0, n);
const pgOnly = testDialect() === 'postgres' ? it : it.skip;

describe('ranking and totals', () => {
  it('ranks by impact level, then newest first, on both databases', async () => {
    const X = '修武县郇封镇卫生院';
    // Same page length (~600 positions): once → level 1, six times → level 6.
    await addDoc('lv-once-old', X, '枇杷一次（早）', [`枇杷${filler(598)}`]);
    await addDoc('lv-many', X, '枇杷多次', [`${'枇杷'.repeat(6)}${filler(588)}`]);
    await addDoc('lv-once-new', X, '枇杷一次（晚）', [`枇杷${filler(598)}`]);
    const r = await search('demo-staff', '枇杷');
    expect(r.hits.map((h) => h.title)).toEqual(['枇杷多次', '枇杷一次（晚）', '枇杷一次（早）']);
    expect(r.hits[0]!.rank).toBeGreaterThan(r.hits[1]!.rank);
    expect(r.hits[1]!.rank).toBe(r.hits[2]!.rank);
    expect(r).toMatchObject({ total: 3, totalExact: true });
    // The same order for the province, and page by page.
    expect((await search('demo-province', '枇杷')).hits.map((h) => h.title)).toEqual(['枇杷多次', '枇杷一次（晚）', '枇杷一次（早）']);
    const second = await search('demo-province', '枇杷', { limit: 1, offset: 1 });
    expect(second.hits.map((h) => h.title)).toEqual(['枇杷一次（晚）']);
  });

  it('keeps trashed documents and old versions out when they change (and their pages back in)', async () => {
    const X = '修武县郇封镇卫生院';
    await addDoc('mango', X, '芒果文件', ['芒果制度第一页', '芒果制度第二页']);
    const { documentId, versionId } = docs['mango']!;
    expect((await search('demo-county', '芒果')).total).toBe(2);
    await db.updateTable('documents').set({ trashed_at: new Date().toISOString() }).where('id', '=', documentId).execute();
    expect(await search('demo-county', '芒果')).toMatchObject({ total: 0, hits: [] });
    await db.updateTable('documents').set({ trashed_at: null }).where('id', '=', documentId).execute();
    expect((await search('demo-county', '芒果')).total).toBe(2);
    // A new version: its pages replace the old ones in search, before and after its text is read.
    const v2 = await insertVersion(db, documentId, versionInput('pdf', await newBlob(), 1));
    expect(await search('demo-county', '芒果')).toMatchObject({ total: 0, hits: [] });
    await replacePages(db, v2.id, [{ pageNo: 1, text: '新版芒果', confidence: null, source: 'text' }]);
    const r = await search('demo-county', '芒果');
    expect(r).toMatchObject({ total: 1, totalExact: true });
    expect(r.hits.map((h) => h.versionId)).toEqual([v2.id]);
    if (testDialect() === 'postgres') {
      const live = await sql<{ version_id: string; live: boolean }>`select p.version_id, t.live from page_terms t join pages p on p.id = t.page_id
        where p.version_id in (${versionId}, ${v2.id}) order by p.id`.execute(db);
      expect(live.rows).toEqual([
        { version_id: versionId, live: false },
        { version_id: versionId, live: false },
        { version_id: v2.id, live: true },
      ]);
    }
  });

  it('follows an institution that moves to another county', async () => {
    const zz = inst['修武县周庄镇卫生院']!;
    const [boai] = (await db.selectFrom('regions').select('code').where('name', '=', '博爱县').execute()).map((r) => r.code);
    const [xiuwu] = (await db.selectFrom('institutions').select('county_code').where('id', '=', zz).execute()).map((r) => r.county_code);
    await addDoc('lychee', '修武县周庄镇卫生院', '荔枝台账', ['荔枝台账']);
    expect(await titles('demo-county', '荔枝台账')).toEqual(['荔枝台账']);
    expect(await titles('boai-county', '荔枝台账')).toEqual([]);
    await db.updateTable('institutions').set({ county_code: boai! }).where('id', '=', zz).execute();
    try {
      expect(await titles('demo-county', '荔枝台账')).toEqual([]);
      expect(await titles('boai-county', '荔枝台账')).toEqual(['荔枝台账']);
      expect(await titles('demo-city', '荔枝台账')).toEqual(['荔枝台账']);
    } finally {
      await db.updateTable('institutions').set({ county_code: xiuwu! }).where('id', '=', zz).execute();
    }
    expect(await titles('demo-county', '荔枝台账')).toEqual(['荔枝台账']);
    expect(await titles('boai-county', '荔枝台账')).toEqual([]);
  });

  it('counts large result sets: exactly where it can, else a labelled estimate', async () => {
    const X = '修武县郇封镇卫生院';
    const pages = (n: number, text: string) => Array.from({ length: n }, (_, i) => `${text}第${i + 1}页`);
    await addDoc('pomegranate-1', X, '石榴（一）', pages(700, '石榴果汁'));
    await addDoc('pomegranate-2', X, '石榴（二）', pages(600, '石榴果汁'), { date: '2024-05-01' });
    await addDoc('pomegranate-trashed', X, '石榴（已删除）', pages(300, '石榴果汁'));
    await db.updateTable('documents').set({ trashed_at: new Date().toISOString() }).where('id', '=', docs['pomegranate-trashed']!.documentId).execute();

    const two = await search('demo-staff', '石榴');
    expect(two.hits).toHaveLength(20);
    expect(two.hits.every((h) => h.title !== '石榴（已删除）')).toBe(true);
    const four = await search('demo-staff', '石榴果汁');
    const dated = await search('demo-staff', '石榴', { from: '2024-01-01', to: '2024-12-31' });
    expect(dated.hits.every((h) => h.title === '石榴（二）')).toBe(true);
    if (testDialect() === 'postgres') {
      // Live pages only, one scope marker, a 2-character word: the index count is the total.
      expect(two).toMatchObject({ total: 1300, totalExact: true });
      // page_terms has the document date too: still exact.
      expect(dated).toMatchObject({ total: 600, totalExact: true });
      // Adjacency is not in the index: the count times the share of a random sample of matches that passes.
      expect(four.totalExact).toBe(false);
      expect(Math.abs(four.total - 1300)).toBeLessThan(130);
      // A reviewer's region is one marker; ≤ 1,000 matches are checked for adjacency one by one.
      expect(await search('demo-city', '石榴果汁', { from: '2024-01-01', to: '2024-12-31' })).toMatchObject({ total: 600, totalExact: true });
      // Another date: the index follows.
      await db.updateTable('documents').set({ document_date: '2023-05-01' }).where('id', '=', docs['pomegranate-2']!.documentId).execute();
      expect(await search('demo-staff', '石榴', { from: '2024-01-01', to: '2024-12-31' })).toMatchObject({ total: 0, hits: [] });
      await db.updateTable('documents').set({ document_date: '2024-05-01' }).where('id', '=', docs['pomegranate-2']!.documentId).execute();
    } else {
      // SQLite: the index's count in the narrowed scope (trashed pages included), flagged as not exact.
      expect(two).toMatchObject({ total: 1600, totalExact: false });
      expect(four).toMatchObject({ total: 1600, totalExact: false });
    }
    // Past the end: no hits.
    const far = await search('demo-staff', '石榴果汁', { offset: 10_000 });
    expect(far.hits).toEqual([]);
  }, 120_000);

  pgOnly('estimates very large counts from the page sample (Postgres)', async () => {
    // ≥ 8192 pages: the 1/16 sample holds enough matches to estimate from.
    await addDoc('many-pages', '修武县郇封镇卫生院', '大量页面', Array.from({ length: 9000 }, (_, i) => `樱桃石榴第${i}页`));
    const r = await search('demo-staff', '樱桃石榴');
    expect(r.totalExact).toBe(false);
    expect(Math.abs(r.total - 9000) / 9000).toBeLessThan(0.15);
    const sampled = await sql<{ n: number }>`select count(*)::int as n from page_terms where terms @@ ${`'${'\uE000'}s1'`}::tsquery`.execute(db);
    const all = await sql<{ n: number }>`select count(*)::int as n from page_terms`.execute(db);
    expect(Math.abs(sampled.rows[0]!.n / all.rows[0]!.n - 1 / 16)).toBeLessThan(0.01);
  }, 120_000);
});

describe('the view of a total', () => {
  it('says an estimate as an estimate', () => {
    expect(approxCount(46_129)).toBe('4.6 万');
    expect(approxCount(123_456)).toBe('12 万');
    expect(approxCount(2_345_678)).toBe('235 万');
    expect(approxCount(2_345)).toBe('2,300');
    const html = String(SearchResults({ form: { q: '记录', page: 1 }, total: 46_129, totalExact: false, hits: [], pageSize: 20 }));
    expect(html).toContain('约 4.6 万个页面');
    expect(String(SearchResults({ form: { q: '记录', page: 1 }, total: 3, totalExact: true, hits: [], pageSize: 20 }))).toContain('找到 3 个页面');
  });
});

describe('migration 0006 (Postgres)', () => {
  pgOnly('turns the positions of 0004 into the same terms, levels and markers the app writes', async () => {
    const adminUrl = process.env['DOSSIER_TEST_PG_URL']!;
    const name = `dossier_test_m6_${randomBytes(5).toString('hex')}`;
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`create database ${name}`);
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    const handle = openDatabase({ databaseUrl: url.toString(), dataDir: os.tmpdir() });
    try {
      const m = handle.db;
      const migrator = new Migrator({ db: m, provider: { getMigrations: async () => migrations } });
      const before = await migrator.migrateTo('0005_binders_reviews_seals');
      expect(before.error).toBeUndefined();
      const now = new Date().toISOString();
      await m.insertInto('regions').values([
        { code: '410000', name: '河南省', level: 'province', parent_code: null, province_code: '410000', city_code: null },
        { code: '410800', name: '焦作市', level: 'city', parent_code: '410000', province_code: '410000', city_code: '410800' },
        { code: '410821', name: '修武县', level: 'county', parent_code: '410800', province_code: '410000', city_code: '410800' },
      ]).execute();
      await sql`insert into institutions (id, name, kind, county_code, created_at, updated_at) values ('i_1', '甲卫生院', 'township', '410821', ${now}, ${now})`.execute(m);
      await sql`insert into blobs (sha256, size, store_key, created_at) values ('b1', 1, 'k', ${now})`.execute(m);
      const texts = [
        '制度制度制度，培训签到表。OK 2022年',
        `${'签到'.repeat(20)}${filler(300)}`,
        filler(2000) + '末尾词汇',
        '',
        '周庄\u0000镇卫生院 Latin İstanbul',
      ];
      const rows: { id: number; text: string; doc: string; kind: string; live: boolean }[] = [];
      for (const [i, text] of texts.entries()) {
        const doc = `d_${i}`;
        const kind = i % 2 ? 'jpeg' : 'pdf';
        await sql`insert into documents (id, institution_id, title, document_date, created_at, updated_at, trashed_at)
          values (${doc}, 'i_1', 't', ${`2024-01-0${i + 1}`}, ${now}, ${now}, ${i === 3 ? now : null})`.execute(m);
        await sql`insert into document_versions (id, document_id, version_no, blob_sha256, file_name, kind, mime, size, conversion_state, created_at)
          values (${`v_${i}`}, ${doc}, 1, 'b1', 'f', ${kind}, 'x', 1, 'not_needed', ${now})`.execute(m);
        await sql`update documents set current_version_id = ${`v_${i}`} where id = ${doc}`.execute(m);
        const clean = normaliseText(text);
        const r = await sql<{ id: number }>`insert into pages (version_id, page_no, text, source, chars, created_at, tokens)
          values (${`v_${i}`}, 1, ${clean}, 'text', 0, ${now}, ${tsVectorLiteral(clean)}::tsvector) returning id`.execute(m);
        rows.push({ id: r.rows[0]!.id, text: clean, doc, kind, live: i !== 3 });
      }
      const after = await migrator.migrateToLatest();
      expect(after.error).toBeUndefined();
      const levelled = await sql<{ n: number }>`select count(*)::int as n from page_terms, unnest(terms) u where u.lexeme like ${'8%'}`.execute(m);
      expect(levelled.rows[0]!.n).toBeGreaterThan(0); // 签到 ×20: level 8
      for (const r of rows) {
        const got = await sql<{ lexemes: string[]; live: boolean; document_date: string }>`select array(select lexeme from unnest(terms) order by 1) as lexemes, live, document_date
          from page_terms where page_id = ${r.id}`.execute(m);
        expect(got.rows[0]!.document_date).toBe(`2024-01-0${rows.indexOf(r) + 1}`);
        const expected = await sql<{ lexemes: string[] }>`select array(select lexeme from unnest(${pgTermsLiteral(r.text, { institutionId: 'i_1', documentId: r.doc, kind: r.kind, regions: ['410821', '410800', '410000'] }, r.id)}::tsvector) order by 1) as lexemes`.execute(m);
        expect(got.rows[0]!.lexemes).toEqual(expected.rows[0]!.lexemes);
        expect(got.rows[0]!.live).toBe(r.live);
      }
      expect(await sql`select 1 from information_schema.columns where table_name = 'pages' and column_name = 'tokens'`.execute(m).then((x) => x.rows)).toEqual([]);
      const down = await migrator.migrateTo('0005_binders_reviews_seals');
      expect(down.error).toBeUndefined();
      const back = await sql<{ n: number }>`select count(*)::int as n from pages where tokens @@ '''签到'''::tsquery`.execute(m);
      expect(back.rows[0]!.n).toBe(2);
    } finally {
      await handle.close();
      await admin.query(`drop database if exists ${name} with (force)`);
      await admin.end();
    }
  }, 60_000);

  it('marks 1/16, 1/256 and 1/4096 of the page ids, nested', () => {
    const counts = [0, 0, 0];
    for (let id = 1; id <= 1 << 16; id++) {
      const m = sampleMarkers(id);
      counts[0]! += m.includes('\uE000s1') ? 1 : 0;
      counts[1]! += m.includes('\uE000s2') ? 1 : 0;
      counts[2]! += m.includes('\uE000s3') ? 1 : 0;
      if (m.includes('\uE000s3')) expect(m).toContain('\uE000s2');
      if (m.includes('\uE000s2')) expect(m).toContain('\uE000s1');
    }
    // Fibonacci hashing spreads consecutive ids evenly (not exactly).
    expect(Math.abs(counts[0]! - 4096)).toBeLessThan(40);
    expect(Math.abs(counts[1]! - 256)).toBeLessThan(10);
    expect(Math.abs(counts[2]! - 16)).toBeLessThan(4);
  });
});
