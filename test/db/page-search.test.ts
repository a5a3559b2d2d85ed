// Page text store and full-text search (issue 4), on SQLite and (postgres project) on Postgres.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/database.ts';
import type { User } from '../../src/db/schema.ts';
import { insertDocument, insertVersion, linkEvidence, upsertBlob, type NewVersionInput } from '../../src/documents/document-repository.ts';
import { ftsMatchExpression, queryTokens, tokensForIndex } from '../../src/search/cjk-tokens.ts';
import { buildSnippet, deletePagesOf, replacePages, searchPages, type SearchQuery } from '../../src/search/page-index.ts';
import { createUser } from '../../src/users/user-repository.ts';
import { createTestDb, type TestDb } from '../helpers/test-db.ts';

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
