// The text of every page and its full-text search (issue 4; docs/decisions/0006-cjk-search.md).
//
// SQLite: FTS5 `page_fts` (contentless, detail=none, rowid = pages.id) over CJK bigram tokens. FTS5's bm25()
// needs position lists (detail=full): a 4-character phrase over 200k pages then costs ~30 ms before any
// ranking, and bm25's IDF pass walks every match of every query term however narrow the user's scope. So
// the index stores no positions and carries its own ranking signal instead: for each token of a page, its
// BM25 term-frequency component (k1 = 1.2, b = 0.75, length-normalised) quantised into LEVELS impact levels,
// written as one extra marker token "\uE000<level><token>" when the level is ≥ 2. A page's score is
// Σ over query words of idf(word) × LEVEL_SCORE[level]; the top pages are found by walking the combinations
// of levels from the best down, newest first within one (ties go to recency), each a cheap FTS query with a
// LIMIT: impact-ordered retrieval, exact for the quantised score. Scope markers (institution, document, file
// kind: all fixed for a page) narrow the FTS query to the user's institutions; the final scope, trash,
// current-version and filter checks always run in SQL through visibleInstitutionIds.
// Phrase adjacency (签到表格 = 签到 到表 表格 next to each other) is checked with instr() on the page text.
//
// Postgres: pages.tokens tsvector built from the same tokens (with positions), GIN index, phrase tsquery
// (<->), ts_rank_cd, one SQL query.
import { type Kysely, PostgresAdapter, sql, type Transaction } from 'kysely';
import { visibleInstitutionIds } from '../auth/scope.ts';
import type { Db } from '../db/database.ts';
import type { Database, User } from '../db/schema.ts';
import { countTextChars, normaliseText } from '../documents/normalise-text.ts';
import { nowIso } from '../ids.ts';
import { CJK_CLASS, ftsLiteral, groupSurface, positionedTokens, queryTokens, tsQueryLiteral, tsVectorLiteral } from './cjk-tokens.ts';

export type PageSource = 'text' | 'ocr' | 'none';

export interface PageInput {
  pageNo: number;
  text: string;
  /** Mean OCR confidence 0–100; null for a text layer. */
  confidence: number | null;
  source: PageSource;
}

export interface SearchQuery {
  q: string;
  dossierId?: string | null;
  itemCode?: string | null;
  /** document_versions.kind (FileKind: pdf, docx, jpeg, …). */
  kind?: string | null;
  /** documents.document_date range, YYYY-MM-DD, inclusive. */
  from?: string | null;
  to?: string | null;
  limit?: number;
  offset?: number;
}

export interface SearchHit {
  documentId: string;
  title: string;
  versionId: string;
  pageNo: number;
  /** HTML-safe: the page text around a match, escaped, the query's words wrapped in <mark>…</mark>. */
  snippet: string;
  /** Higher is better. SQLite: Σ idf × quantised BM25 tf; Postgres: ts_rank_cd. */
  rank: number;
  institutionName: string;
  kind: string;
  documentDate: string | null;
}

export interface SearchResult {
  total: number;
  /** False when `total` is the index's count of matching pages in the user's institutions (large result sets on
   *  SQLite): it may include trashed documents, old versions, pages outside date/dossier filters and, for words of
   *  3+ characters, pages where the bigrams are not adjacent. */
  totalExact: boolean;
  hits: SearchHit[];
}

type Executor = Kysely<Database> | Transaction<Database>;

const isPostgres = (db: Executor) => db.getExecutor().adapter instanceof PostgresAdapter;

// ---------------------------------------------------------------------------------------------------------
// Writing

/** The pipeline's normaliser (NFKC, no control characters, no whitespace between CJK characters); applied again
 *  here (it is idempotent) so that every stored page is searchable the same way, whoever calls replacePages. */
function cleanText(text: string): string {
  return normaliseText(text);
}

/** Marker prefix of the SQLite index's synthetic tokens: a private-use character, which natural tokens never
 *  contain (cjk-tokens treats it as a separator) but FTS5's unicode61 tokenizer keeps inside a token. */
const MARK = '\uE000';
const LEVELS = 8;
const K1 = 1.2;
const B = 0.75;
/** Reference page length in positions (CJK characters + words) for length normalisation (≈ an 800-character
 *  page; fixed so that levels written years apart stay comparable). */
const REF_LENGTH = 600;
/** impact ≥ cut → next level. On a 750-character page: tf 1 → 1, 2 → 2, 3 → 4, 4–5 → 5, 6–8 → 6, 9–14 → 7, ≥ 15 → 8;
 *  a 10-character page with the word once → 5. */
const LEVEL_CUTS = [1.1, 1.3, 1.45, 1.6, 1.75, 1.9, 2.0];
/** Score of each level: the middle of its impact range (the impact is at most k1 + 1 = 2.2). */
const LEVEL_SCORE = [0.9, 1.2, 1.375, 1.525, 1.675, 1.825, 1.95, 2.1];

function impactLevel(tf: number, pageLength: number): number {
  const impact = (tf * (K1 + 1)) / (tf + K1 * (1 - B + (B * pageLength) / REF_LENGTH));
  let level = 1;
  for (const cut of LEVEL_CUTS) if (impact >= cut) level++;
  return level;
}

const scopeToken = (cls: 'i' | 'd' | 'k', id: string) => `${MARK}${cls}${Buffer.from(id, 'utf8').toString('hex')}`;
const levelToken = (level: number, token: string) => (level === 1 ? token : `${MARK}${level}${token}`);

/** The FTS5 row of a page (SQLite): its distinct tokens, the impact level of each (a marker token when ≥ 2), scope markers. */
export function sqliteIndexTokens(text: string, meta: { institutionId: string; documentId: string; kind: string }): string {
  const tokens = positionedTokens(text);
  const length = tokens.at(-1)?.[1] ?? 0;
  const tf = new Map<string, number>();
  for (const [t] of tokens) tf.set(t, (tf.get(t) ?? 0) + 1);
  const out: string[] = [];
  for (const [t, n] of tf) {
    out.push(t);
    const level = impactLevel(n, length);
    if (level > 1) out.push(levelToken(level, t));
  }
  out.push(scopeToken('i', meta.institutionId), scopeToken('d', meta.documentId), scopeToken('k', meta.kind));
  return out.join(' ');
}

async function inTransaction<T>(db: Executor, fn: (trx: Executor) => Promise<T>): Promise<T> {
  return db.isTransaction ? fn(db) : (db as Kysely<Database>).transaction().execute(fn);
}

async function removePages(db: Executor, versionId: string): Promise<number> {
  if (!isPostgres(db)) {
    const old = await db.selectFrom('pages').select('id').where('version_id', '=', versionId).execute();
    for (const { id } of old) await sql`delete from page_fts where rowid = ${id}`.execute(db);
  }
  const res = await db.deleteFrom('pages').where('version_id', '=', versionId).executeTakeFirst();
  return Number(res.numDeletedRows);
}

/**
 * Replaces the stored text of a version's pages and their index rows, in one transaction: running it again
 * (a re-run job) leaves the same state. Throws when the version does not exist.
 */
export async function replacePages(db: Executor, versionId: string, pages: PageInput[]): Promise<void> {
  const seen = new Set<number>();
  const rows = pages.map((p) => {
    if (!Number.isInteger(p.pageNo) || p.pageNo < 1) throw new Error(`invalid page number ${p.pageNo}`);
    if (seen.has(p.pageNo)) throw new Error(`page ${p.pageNo} given twice`);
    seen.add(p.pageNo);
    if (!['text', 'ocr', 'none'].includes(p.source)) throw new Error(`invalid page source ${String(p.source)}`);
    const text = cleanText(p.text ?? '');
    const confidence = p.confidence === null || !Number.isFinite(p.confidence) ? null : Math.min(100, Math.max(0, p.confidence));
    return { page_no: p.pageNo, text, confidence, source: p.source, chars: countTextChars(text) };
  });
  await inTransaction(db, async (trx) => {
    const meta = await trx
      .selectFrom('document_versions')
      .innerJoin('documents', 'documents.id', 'document_versions.document_id')
      .select(['document_versions.kind', 'documents.id as documentId', 'documents.institution_id as institutionId'])
      .where('document_versions.id', '=', versionId)
      .executeTakeFirst();
    if (!meta) throw new Error(`document version ${versionId} not found`);
    await removePages(trx, versionId);
    const pg = isPostgres(trx);
    const createdAt = nowIso();
    for (let i = 0; i < rows.length; i += 100) {
      const chunk = rows.slice(i, i + 100);
      const values = chunk.map((r) => ({
        ...r,
        version_id: versionId,
        created_at: createdAt,
        ...(pg ? { tokens: sql`${tsVectorLiteral(r.text)}::tsvector` } : {}),
      }));
      const inserted = await trx.insertInto('pages').values(values as never).returning(['id', 'page_no']).execute();
      if (pg) continue;
      const textOf = new Map(chunk.map((r) => [r.page_no, r.text]));
      const ftsRows = inserted.map((r) => sql`(${r.id}, ${sqliteIndexTokens(textOf.get(r.page_no)!, meta)})`);
      await sql`insert into page_fts(rowid, tokens) values ${sql.join(ftsRows)}`.execute(trx);
    }
  });
}

/** Removes a version's pages and index rows (e.g. before the version is purged). Returns the number of pages. */
export async function deletePagesOf(db: Executor, versionId: string): Promise<number> {
  return inTransaction(db, (trx) => removePages(trx, versionId));
}

/** Merges the SQLite index into one b-tree (after a bulk load; also fine to run nightly). No-op on Postgres. */
export async function optimizeIndex(db: Db): Promise<void> {
  if (!isPostgres(db)) await sql`insert into page_fts(page_fts) values ('optimize')`.execute(db);
}

// ---------------------------------------------------------------------------------------------------------
// Snippets

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
const NOT_WORD_BEFORE = `(?<!(?![${CJK_CLASS}])[\\p{L}\\p{N}\\p{M}])`;
const NOT_WORD_AFTER = `(?!(?![${CJK_CLASS}])[\\p{L}\\p{N}\\p{M}])`;

/** A regex source matching a group in page text: CJK characters may be separated by whitespace (OCR line
 *  breaks), Latin words stand alone. */
function groupPattern(group: string[]): string {
  const surface = groupSurface(group);
  const chars = Array.from(surface);
  if (new RegExp(`^[${CJK_CLASS}]`, 'u').test(surface)) return chars.map(escapeRe).join('\\s*');
  return `${NOT_WORD_BEFORE}${escapeRe(surface)}${NOT_WORD_AFTER}`;
}

function termsRegex(groups: string[][]): RegExp | null {
  if (!groups.length) return null;
  const sources = groups.map(groupPattern).sort((a, b) => b.length - a.length);
  return new RegExp(sources.join('|'), 'giu');
}

/** Where a snippet centres: the first match of the query word that occurs least often on the page (the most
 *  telling one: 李建国 rather than 年 in "李建国 2023年"). */
function anchorOf(text: string, groups: string[][]): { index: number; length: number } | null {
  let best: { index: number; length: number; count: number } | null = null;
  for (const g of groups) {
    let count = 0;
    let first: RegExpMatchArray | null = null;
    for (const m of text.matchAll(new RegExp(groupPattern(g), 'giu'))) {
      if (!m[0].length) continue;
      first ??= m;
      count++;
    }
    if (first && (!best || count < best.count || (count === best.count && first.index! < best.index))) {
      best = { index: first.index!, length: first[0].length, count };
    }
  }
  return best;
}

/**
 * HTML for a search hit: the page text around a match (`before`/`after` characters of context; see anchorOf),
 * everything escaped, every match of a query word in the window wrapped in <mark>.
 */
export function buildSnippet(text: string, groups: string[][], before = 40, after = 100): string {
  const re = termsRegex(groups);
  const first = anchorOf(text, groups);
  const collapse = (s: string) => escapeHtml(s).replace(/\s+/gu, ' ');
  if (!re || !first) {
    const end = safeEnd(text, Math.min(text.length, before + after));
    return collapse(text.slice(0, end)) + (end < text.length ? '…' : '');
  }
  let start = Math.max(0, first.index - before);
  if (start > 0 && isLowSurrogate(text.charCodeAt(start))) start--;
  let end = safeEnd(text, Math.min(text.length, first.index + first.length + after));
  let out = start > 0 ? '…' : '';
  let pos = start;
  re.lastIndex = start;
  for (let m = re.exec(text); m && m.index < end; m = re.exec(text)) {
    if (m[0].length === 0) {
      re.lastIndex++;
      continue;
    }
    out += collapse(text.slice(pos, m.index)) + `<mark>${collapse(m[0])}</mark>`;
    pos = m.index + m[0].length;
    end = Math.max(end, pos);
  }
  out += collapse(text.slice(pos, end));
  return out + (end < text.length ? '…' : '');
}

const isLowSurrogate = (c: number) => c >= 0xdc00 && c <= 0xdfff;
const safeEnd = (text: string, end: number) => (end > 0 && end < text.length && isLowSurrogate(text.charCodeAt(end)) ? end + 1 : end);

// ---------------------------------------------------------------------------------------------------------
// Searching

const MAX_LIMIT = 100;
const MAX_OFFSET = 10_000;
/** Up to this many matches in scope, SQLite counts (and checks) them exactly. */
const EXACT_TOTAL_MAX = 1000;
/** Narrow the FTS query to the user's institutions when they see at most this many (else: filter afterwards). */
const NARROW_INSTITUTIONS_MAX = 32;
const NARROW_DOCUMENTS_MAX = 256;
/** Queries with more level combinations than this rank the newest CANDIDATE_MAX matches instead of walking them. */
const TUPLES_MAX = 256;
const CANDIDATE_MAX = 2000;

interface Filters {
  dossierId: string | null;
  itemCode: string | null;
  kind: string | null;
  from: string | null;
  to: string | null;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const str = (v: unknown, max = 64) => (typeof v === 'string' && v.trim() && v.length <= max ? v.trim() : null);

function filtersOf(o: SearchQuery): Filters {
  const from = str(o.from, 10);
  const to = str(o.to, 10);
  return {
    dossierId: str(o.dossierId),
    itemCode: str(o.itemCode),
    kind: str(o.kind, 32),
    from: from && DATE.test(from) ? from : null,
    to: to && DATE.test(to) ? to : null,
  };
}

interface HitRow {
  page_id: number;
  page_no: number;
  text: string;
  version_id: string;
  kind: string;
  document_id: string;
  title: string;
  document_date: string | null;
  institution_name: string;
}

/** Pages whose document is current, not trashed, visible to the user and inside the filters — the one scope
 *  check every search result passes, on both databases. */
function livePages(db: Executor, user: User, f: Filters) {
  // SQLite checks a list of candidate page ids: the unary + keeps its planner from starting at the documents of
  // every visible institution (all documents, for a province) instead of at those pages.
  const institution = isPostgres(db) ? sql.ref('d.institution_id') : sql`+d.institution_id`;
  let q = db
    .selectFrom('pages')
    .innerJoin('document_versions as v', 'v.id', 'pages.version_id')
    .innerJoin('documents as d', 'd.id', 'v.document_id')
    .whereRef('d.current_version_id', '=', 'v.id')
    .where('d.trashed_at', 'is', null)
    .where(institution, 'in', visibleInstitutionIds(db as Db, user));
  if (f.kind) q = q.where('v.kind', '=', f.kind);
  if (f.from) q = q.where('d.document_date', '>=', f.from);
  if (f.to) q = q.where('d.document_date', '<=', f.to);
  if (f.dossierId || f.itemCode) {
    q = q.where((eb) =>
      eb.exists(
        eb
          .selectFrom('item_evidence as e')
          .select('e.id')
          .whereRef('e.document_id', '=', 'd.id')
          .$if(!!f.dossierId, (s) => s.where('e.dossier_id', '=', f.dossierId!))
          .$if(!!f.itemCode, (s) => s.where('e.item_code', '=', f.itemCode!)),
      ),
    );
  }
  return q;
}

export async function searchPages(db: Db, user: User, query: SearchQuery): Promise<SearchResult> {
  const groups = queryTokens(typeof query.q === 'string' ? query.q : '');
  if (!groups.length || !user.active) return { total: 0, totalExact: true, hits: [] };
  const limit = Math.min(MAX_LIMIT, Math.max(1, Math.floor(Number(query.limit ?? 20)) || 20));
  const offset = Math.min(MAX_OFFSET, Math.max(0, Math.floor(Number(query.offset ?? 0)) || 0));
  const filters = filtersOf(query);
  return isPostgres(db) ? searchPostgres(db, user, groups, filters, limit, offset) : searchSqlite(db, user, groups, filters, limit, offset);
}

/** What a hit shows, from pages p, document_versions v, documents d and institutions i. */
const HIT_COLUMNS = [
  'pages.id as page_id',
  'pages.page_no',
  'pages.text',
  'v.id as version_id',
  'v.kind',
  'd.id as document_id',
  'd.title',
  'd.document_date',
  'i.name as institution_name',
] as const;

// --- Postgres -------------------------------------------------------------------------------------------

async function searchPostgres(db: Db, user: User, groups: string[][], f: Filters, limit: number, offset: number): Promise<SearchResult> {
  const tsq = tsQueryLiteral(groups)!;
  const base = livePages(db, user, f).where(sql<boolean>`pages.tokens @@ ${tsq}::tsquery`);
  const rows = await base
    .innerJoin('institutions as i', 'i.id', 'd.institution_id')
    .select([
      ...HIT_COLUMNS,
      sql<number>`ts_rank_cd(pages.tokens, ${tsq}::tsquery, 1)`.as('rank'),
      sql<number>`count(*) over ()`.as('total'),
    ])
    .orderBy('rank', 'desc')
    .orderBy('pages.id', 'desc')
    .limit(limit)
    .offset(offset)
    .execute();
  let total = rows.length ? Number(rows[0]!.total) : 0;
  if (!rows.length && offset > 0) {
    const c = await base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    total = Number(c.n);
  }
  return { total, totalExact: true, hits: rows.map((r) => toHit(r, groups, Number(r.rank))) };
}

function toHit(r: HitRow, groups: string[][], rank: number): SearchHit {
  return {
    documentId: r.document_id,
    title: r.title,
    versionId: r.version_id,
    pageNo: r.page_no,
    snippet: buildSnippet(r.text, groups),
    rank,
    institutionName: r.institution_name,
    kind: r.kind,
    documentDate: r.document_date,
  };
}

// --- SQLite ---------------------------------------------------------------------------------------------

interface Candidate {
  id: number;
  score: number;
}

/**
 * How one query word is searched. Its level on a page is the level of its rarest token (for 签到表格: 到表,
 * whose frequency follows the word's); the other tokens need only be present.
 */
interface WordPlan {
  key: string;
  others: string[];
  idf: number;
  /** The levels to walk, best first; [0] (any level, scored as level 1) for a word on most pages, whose level
   *  barely moves the score (idf < ln 2) but would multiply the combinations to walk. */
  levels: number[];
}

/** Document frequencies from the FTS vocabulary cost O(df) (FTS5 counts a token's doclist), so they are cached
 *  per database for a while: they only weight words against each other and pick a word's rarest bigram. */
const DF_TTL_MS = 10 * 60_000;
const DF_CACHE_MAX = 20_000;
const dfCaches = new WeakMap<object, Map<string, { df: number; at: number }>>();

/** Levels, best first. Empty ones are not looked up (that costs as much as a document frequency): an FTS query for
 *  an absent token ends at once. */
const ALL_LEVELS = Array.from({ length: LEVELS }, (_, i) => LEVELS - i);
const HIGHER_LEVELS = (key: string) => ALL_LEVELS.filter((l) => l > 1).map((l) => ftsLiteral(levelToken(l, key)));

async function documentFrequency(db: Db, term: string): Promise<number> {
  let cache = dfCaches.get(db);
  if (!cache) dfCaches.set(db, (cache = new Map()));
  const hit = cache.get(term);
  if (hit && Date.now() - hit.at < DF_TTL_MS) return hit.df;
  const r = await sql<{ df: number | null }>`select doc as df from page_fts_vocab where term = ${term}`.execute(db);
  const df = Number(r.rows[0]?.df ?? 0);
  cache.delete(term);
  cache.set(term, { df, at: Date.now() });
  if (cache.size > DF_CACHE_MAX) cache.delete(cache.keys().next().value!);
  return df;
}

async function planWords(db: Db, groups: string[][]): Promise<WordPlan[]> {
  const maxRow = await sql<{ n: number | null }>`select max(id) as n from pages`.execute(db);
  const n = Math.max(1, Number(maxRow.rows[0]?.n ?? 1));
  const idf = (df: number) => Math.log(1 + (n - Math.min(n, df) + 0.5) / (Math.min(n, df) + 0.5));
  // One word alone: its weight does not matter, nor (for a single token) its frequency.
  const weigh = groups.length > 1;
  const plans: WordPlan[] = [];
  for (const group of groups) {
    const unique = [...new Set(group)];
    const df = new Map<string, number>();
    if (weigh || unique.length > 1) for (const t of unique) df.set(t, await documentFrequency(db, t));
    const key = unique.reduce((best, t) => ((df.get(t) ?? 0) < (df.get(best) ?? 0) ? t : best));
    const common = weigh && df.get(key)! > n / 2;
    plans.push({ key, others: unique.filter((t) => t !== key), idf: weigh ? idf(df.get(key)!) : 1, levels: common ? [0] : ALL_LEVELS });
  }
  return plans;
}

/** FTS expression: the word on a page at this exact level. */
function wordAtLevel(p: WordPlan, level: number): string {
  if (level === 0) return wordPresent(p);
  const others = p.others.map((t) => ` AND ${ftsLiteral(t)}`).join('');
  if (level > 1) return `(${ftsLiteral(levelToken(level, p.key))}${others})`;
  return `((${ftsLiteral(p.key)}${others}) NOT (${HIGHER_LEVELS(p.key).join(' OR ')}))`;
}

/** FTS expression: the word on a page at any level. */
function wordPresent(p: WordPlan): string {
  return `(${[p.key, ...p.others].map(ftsLiteral).join(' AND ')})`;
}

async function ftsRowids(db: Db, expr: string, opts: { before?: number; atLeastId?: number; limit?: number } = {}): Promise<number[]> {
  const rows = await sql<{ id: number }>`select rowid as id from page_fts where page_fts match ${expr}
    ${opts.before !== undefined ? sql`and rowid < ${opts.before}` : sql``}
    ${opts.atLeastId !== undefined ? sql`and rowid >= ${opts.atLeastId}` : sql``}
    order by rowid desc ${opts.limit !== undefined ? sql`limit ${opts.limit}` : sql``}`.execute(db);
  return rows.rows.map((r) => Number(r.id));
}

const scoreOf = (plans: WordPlan[], levels: number[]) => levels.reduce((s, l, g) => s + plans[g]!.idf * LEVEL_SCORE[Math.max(0, l - 1)]!, 0);

/** Level tuples (one non-empty level per word) from the best score down. */
function levelTuples(plans: WordPlan[]): { levels: number[]; score: number }[] {
  let tuples: number[][] = [[]];
  for (const p of plans) tuples = tuples.flatMap((t) => p.levels.map((l) => [...t, l]));
  return tuples
    .map((levels) => ({ levels, score: scoreOf(plans, levels) }))
    .sort((a, b) => b.score - a.score || b.levels.join().localeCompare(a.levels.join()));
}

/** Candidates in rank order (score, then newest first), in batches; `walk.complete` once every match was seen. */
async function* rankedCandidates(db: Db, plans: WordPlan[], narrow: string[], walk: { complete: boolean }): AsyncGenerator<Candidate[]> {
  const tuples = levelTuples(plans);
  if (tuples.length <= TUPLES_MAX) {
    for (const { levels, score } of tuples) {
      const expr = [...plans.map((p, i) => wordAtLevel(p, levels[i]!)), ...narrow].join(' AND ');
      let before: number | undefined;
      for (let chunk = 64; ; chunk = Math.min(chunk * 4, 4096)) {
        const ids = await ftsRowids(db, expr, { before, limit: chunk });
        if (ids.length) yield ids.map((id) => ({ id, score }));
        if (ids.length < chunk) break;
        before = ids[ids.length - 1];
      }
    }
    walk.complete = true;
    return;
  }
  // Many words: their conjunction is usually small; rank its newest CANDIDATE_MAX pages by their levels, read from
  // the (short) level-token lists within that rowid window.
  const all = [...plans.map(wordPresent), ...narrow].join(' AND ');
  const ids = await ftsRowids(db, all, { limit: CANDIDATE_MAX });
  walk.complete = ids.length < CANDIDATE_MAX;
  if (!ids.length) return;
  const atLeastId = ids[ids.length - 1]!;
  const level = new Map<number, number[]>(ids.map((id) => [id, plans.map(() => 1)]));
  const restrict = narrow.map((n) => ` AND ${n}`).join('');
  for (const [g, p] of plans.entries()) {
    for (const l of p.levels) {
      if (l <= 1) continue;
      for (const id of await ftsRowids(db, `${ftsLiteral(levelToken(l, p.key))}${restrict}`, { atLeastId })) {
        const ls = level.get(id);
        if (ls) ls[g] = l;
      }
    }
  }
  const scored = ids.map((id) => ({ id, score: scoreOf(plans, level.get(id)!) }));
  scored.sort((a, b) => b.score - a.score || b.id - a.id);
  for (let i = 0; i < scored.length; i += 512) yield scored.slice(i, i + 512);
}

/** FTS narrowing to the scope markers: the user's (or the dossier's) institutions, the item's documents, the kind. */
async function narrowing(db: Db, user: User, f: Filters): Promise<string[] | null> {
  const out: string[] = [];
  let institutions: string[] | null = null;
  if (user.role !== 'admin') {
    institutions = (await visibleInstitutionIds(db, user).execute()).map((r) => r.id);
  }
  if (f.dossierId) {
    const d = await db.selectFrom('dossiers').select('institution_id').where('id', '=', f.dossierId).executeTakeFirst();
    if (!d) return null;
    institutions = institutions ? institutions.filter((id) => id === d.institution_id) : [d.institution_id];
  }
  if (institutions) {
    if (!institutions.length) return null;
    if (institutions.length <= NARROW_INSTITUTIONS_MAX) out.push(`(${institutions.map((id) => ftsLiteral(scopeToken('i', id))).join(' OR ')})`);
  }
  if (f.itemCode) {
    let q = db.selectFrom('item_evidence').select('document_id').distinct().where('item_code', '=', f.itemCode);
    if (f.dossierId) q = q.where('dossier_id', '=', f.dossierId);
    const docs = (await q.limit(NARROW_DOCUMENTS_MAX + 1).execute()).map((r) => r.document_id);
    if (!docs.length) return null;
    if (docs.length <= NARROW_DOCUMENTS_MAX) out.push(`(${docs.map((id) => ftsLiteral(scopeToken('d', id))).join(' OR ')})`);
  }
  if (f.kind) out.push(ftsLiteral(scopeToken('k', f.kind)));
  return out;
}

/**
 * The ids among `ids` that pass scope and filters and, for words of 3+ characters (several bigrams), contain the
 * word itself (the index only knows that all its bigrams occur). Stored text has no whitespace between CJK
 * characters (cleanText), so a plain instr() inside SQLite decides; no page text travels to JS.
 */
async function liveIds(db: Db, user: User, f: Filters, ids: number[], groups: string[][]): Promise<Set<number>> {
  const live = new Set<number>();
  const phrases = groups.filter((g) => g.length >= 2).map(groupSurface);
  for (let i = 0; i < ids.length; i += 4096) {
    let q = livePages(db, user, f).select('pages.id').where('pages.id', 'in', ids.slice(i, i + 4096));
    for (const phrase of phrases) q = q.where(sql<boolean>`instr(pages.text, ${phrase}) > 0`);
    const rows = await q.execute();
    for (const r of rows) live.add(Number(r.id));
  }
  return live;
}

async function hitRows(db: Db, ids: number[]): Promise<Map<number, HitRow>> {
  if (!ids.length) return new Map();
  const rows = await db
    .selectFrom('pages')
    .innerJoin('document_versions as v', 'v.id', 'pages.version_id')
    .innerJoin('documents as d', 'd.id', 'v.document_id')
    .innerJoin('institutions as i', 'i.id', 'd.institution_id')
    .select(HIT_COLUMNS)
    .where('pages.id', 'in', ids)
    .execute();
  return new Map(rows.map((r) => [Number(r.page_id), r]));
}

async function searchSqlite(db: Db, user: User, groups: string[][], f: Filters, limit: number, offset: number): Promise<SearchResult> {
  const narrow = await narrowing(db, user, f);
  if (!narrow) return { total: 0, totalExact: true, hits: [] };
  const plans = await planWords(db, groups);
  const matchAll = [...plans.map(wordPresent), ...narrow].join(' AND ');

  // Total: exact (scope, filters, adjacency) while small, else the index's count in the narrowed scope.
  const count = await sql<{ n: number }>`select count(*) as n from page_fts where page_fts match ${matchAll}`.execute(db);
  let total = Number(count.rows[0]?.n ?? 0);
  let totalExact = false;
  let allLive: Set<number> | null = null;
  if (total === 0) return { total: 0, totalExact: true, hits: [] };
  if (total <= EXACT_TOTAL_MAX) {
    allLive = await liveIds(db, user, f, await ftsRowids(db, matchAll), groups);
    total = allLive.size;
    totalExact = true;
    if (total === 0) return { total, totalExact, hits: [] };
  }

  // Hits: candidates in rank order, kept when live, until offset + limit.
  const need = offset + limit;
  const kept: Candidate[] = [];
  const seen = new Set<number>();
  const walk = { complete: false };
  for await (const batch of rankedCandidates(db, plans, narrow, walk)) {
    const fresh = batch.filter((c) => !seen.has(c.id));
    for (const c of fresh) seen.add(c.id);
    const live = allLive ?? (await liveIds(db, user, f, fresh.map((c) => c.id), groups));
    for (const c of fresh) if (live.has(c.id)) kept.push(c);
    if (kept.length >= need) break;
  }
  const page = kept.slice(offset, need);
  const rows = await hitRows(db, page.map((c) => c.id));
  const hits = page.map((c) => toHit(rows.get(c.id)!, groups, Math.round(c.score * 1000) / 1000));
  if (!totalExact && kept.length < need && walk.complete) {
    // The walk saw every match: the count is exact after all.
    total = kept.length;
    totalExact = true;
  }
  return { total, totalExact, hits };
}
