// The text of every page and its full-text search (issue 4; docs/decisions/0006-cjk-search.md).
//
// Both databases index the same terms per page and search them with the same algorithm; only the index differs.
// FTS5's bm25() needs position lists (detail=full): a 4-character phrase over 200k pages then costs ~30 ms before
// any ranking, and bm25's IDF pass walks every match of every query term however narrow the user's scope; on
// Postgres, ts_rank_cd scores every match (seconds for a common word province-wide). So the index stores no
// positions and carries its own ranking signal instead: for each token of a page, its BM25 term-frequency
// component (k1 = 1.2, b = 0.75, length-normalised) quantised into LEVELS impact levels, written as one extra
// marker term "\uE000<level><token>" when the level is ≥ 2. A page's score is Σ over query words of
// idf(word) × LEVEL_SCORE[level]; the top pages are found by walking the combinations of levels from the best
// down, newest first within one (ties go to recency), each a cheap index query with a LIMIT: impact-ordered
// retrieval, exact for the quantised score. Scope markers (institution, document, file kind: all fixed for a
// page) narrow the index query to the user's institutions; the final scope, trash, current-version and filter
// checks always run in SQL through visibleInstitutionIds. Phrase adjacency (签到表格 = 签到 到表 表格 next to each
// other) is checked on the page text (instr / strpos).
//
// SQLite: FTS5 `page_fts` (contentless, detail=none, rowid = pages.id), the terms as its text.
// Postgres: `page_terms` (migration 0006): one narrow row per page, the terms as a tsvector without positions in
// a GIN index that holds live pages only (`live`: current version, not trashed; kept by triggers), queried with
// tsquery AND / OR / NOT; its counts are therefore exact for trash and versions.
import { type Kysely, PostgresAdapter, type RawBuilder, sql, type Transaction } from 'kysely';
import { visibleInstitutionIds } from '../auth/scope.ts';
import type { Db } from '../db/database.ts';
import type { Database, User } from '../db/schema.ts';
import { countTextChars, normaliseText } from '../documents/normalise-text.ts';
import { nowIso } from '../ids.ts';
import { CJK_CLASS, ftsLiteral, groupSurface, positionedTokens, queryTokens, tsLexeme } from './cjk-tokens.ts';

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
  /** Higher is better: Σ over query words of idf × the score of the word's quantised BM25 tf level (both databases). */
  rank: number;
  institutionName: string;
  kind: string;
  documentDate: string | null;
}

export interface SearchResult {
  total: number;
  /** False when `total` is an estimate (large result sets): the index's count of matching pages in the narrowed
   *  scope, scaled by the share of the candidates checked so far that passed the full check. The index count may
   *  include pages outside a date filter or, for a scope not narrowed by markers, outside the user's institutions,
   *  pages where the bigrams of a 3+ character word are not adjacent and (SQLite) trashed documents and old versions. */
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

/** Marker prefix of the index's synthetic terms: a private-use character, which natural tokens never contain
 *  (cjk-tokens treats it as a separator) but FTS5's unicode61 tokenizer keeps inside a token. Migration 0006
 *  writes the same markers on Postgres (chr(57344)). */
const MARK = '\uE000';
const LEVELS = 8;
const K1 = 1.2;
const B = 0.75;
/** Reference page length in positions (CJK characters + words) for length normalisation (≈ an 800-character
 *  page; fixed so that levels written years apart stay comparable). */
const REF_LENGTH = 600;
/** impact ≥ cut → next level. On a 750-character page: tf 1 → 1, 2 → 2, 3 → 4, 4–5 → 5, 6–8 → 6, 9–14 → 7, ≥ 15 → 8;
 *  a 10-character page with the word once → 5. Migration 0006 repeats this in SQL: change both or neither. */
const LEVEL_CUTS = [1.1, 1.3, 1.45, 1.6, 1.75, 1.9, 2.0];
/** Score of each level: the middle of its impact range (the impact is at most k1 + 1 = 2.2). */
const LEVEL_SCORE = [0.9, 1.2, 1.375, 1.525, 1.675, 1.825, 1.95, 2.1];

function impactLevel(tf: number, pageLength: number): number {
  const impact = (tf * (K1 + 1)) / (tf + K1 * (1 - B + (B * pageLength) / REF_LENGTH));
  let level = 1;
  for (const cut of LEVEL_CUTS) if (impact >= cut) level++;
  return level;
}

/** Scope markers: institution, document, file kind; and (Postgres only) region — the county, city and province codes
 *  of the institution's county, so that one marker stands for a reviewer's whole scope. */
const scopeToken = (cls: 'i' | 'd' | 'k' | 'r', id: string) => `${MARK}${cls}${Buffer.from(id, 'utf8').toString('hex')}`;
const levelToken = (level: number, token: string) => (level === 1 ? token : `${MARK}${level}${token}`);

interface PageMeta {
  institutionId: string;
  documentId: string;
  kind: string;
  /** The institution's county, its city and province (Postgres markers). */
  regions?: (string | null)[];
}

/** A page's index terms: its distinct tokens, each followed by its impact-level marker when the level is ≥ 2; and
 *  the scope markers of its institution, document and file kind. */
export function indexTerms(text: string, meta: PageMeta): { terms: string[]; scope: string[] } {
  const tokens = positionedTokens(text);
  const length = tokens.at(-1)?.[1] ?? 0;
  const tf = new Map<string, number>();
  for (const [t] of tokens) tf.set(t, (tf.get(t) ?? 0) + 1);
  const terms: string[] = [];
  for (const [t, n] of tf) {
    terms.push(t);
    const level = impactLevel(n, length);
    if (level > 1) terms.push(levelToken(level, t));
  }
  return { terms, scope: [scopeToken('i', meta.institutionId), scopeToken('d', meta.documentId), scopeToken('k', meta.kind)] };
}

/** The FTS5 row of a page (SQLite): its terms as text. */
export function sqliteIndexTokens(text: string, meta: PageMeta): string {
  const { terms, scope } = indexTerms(text, meta);
  return [...terms, ...scope].join(' ');
}

/** Lexemes of a tsvector take at most 1 MiB in all: a freakishly long page keeps its scope markers and first tokens. */
const TSVECTOR_LEXEME_BYTES = 900_000;

/** The page_terms.terms of a page (Postgres): its terms and sample markers (see SAMPLES) as a tsvector literal
 *  without positions. */
export function pgTermsLiteral(text: string, meta: PageMeta, pageId: number): string {
  const { terms, scope } = indexTerms(text, meta);
  const regions = (meta.regions ?? []).filter((r): r is string => !!r).map((r) => scopeToken('r', r));
  const parts: string[] = [];
  let bytes = 0;
  for (const t of [...scope, ...regions, ...sampleMarkers(pageId), ...terms]) {
    bytes += Buffer.byteLength(t);
    if (bytes > TSVECTOR_LEXEME_BYTES) break;
    parts.push(tsLexeme(t));
  }
  return parts.join(' ');
}

async function inTransaction<T>(db: Executor, fn: (trx: Executor) => Promise<T>): Promise<T> {
  return db.isTransaction ? fn(db) : (db as Kysely<Database>).transaction().execute(fn);
}

async function removePages(db: Executor, versionId: string): Promise<number> {
  if (isPostgres(db)) {
    await sql`delete from page_terms where page_id in (select id from pages where version_id = ${versionId})`.execute(db);
  } else {
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
    const row = await trx
      .selectFrom('document_versions')
      .innerJoin('documents', 'documents.id', 'document_versions.document_id')
      .innerJoin('institutions', 'institutions.id', 'documents.institution_id')
      .innerJoin('regions', 'regions.code', 'institutions.county_code')
      .select([
        'document_versions.kind',
        'documents.id as documentId',
        'documents.institution_id as institutionId',
        'regions.code as county',
        'regions.city_code as city',
        'regions.province_code as province',
      ])
      .where('document_versions.id', '=', versionId)
      .executeTakeFirst();
    if (!row) throw new Error(`document version ${versionId} not found`);
    const meta: PageMeta = { ...row, regions: [row.county, row.city, row.province] };
    await removePages(trx, versionId);
    const pg = isPostgres(trx);
    const createdAt = nowIso();
    for (let i = 0; i < rows.length; i += 100) {
      const chunk = rows.slice(i, i + 100);
      const values = chunk.map((r) => ({ ...r, version_id: versionId, created_at: createdAt }));
      const inserted = await trx.insertInto('pages').values(values).returning(['id', 'page_no']).execute();
      const textOf = new Map(chunk.map((r) => [r.page_no, r.text]));
      if (pg) {
        // page_terms.live is set by a trigger (current version, not trashed).
        const termRows = inserted.map((r) => sql`(${r.id}, ${pgTermsLiteral(textOf.get(r.page_no)!, meta, r.id)}::tsvector)`);
        await sql`insert into page_terms(page_id, terms) values ${sql.join(termRows)}`.execute(trx);
      } else {
        const ftsRows = inserted.map((r) => sql`(${r.id}, ${sqliteIndexTokens(textOf.get(r.page_no)!, meta)})`);
        await sql`insert into page_fts(rowid, tokens) values ${sql.join(ftsRows)}`.execute(trx);
      }
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
/** Up to this many index matches in scope, the total is counted exactly (each match checked). */
const EXACT_TOTAL_MAX = 1000;
/** Narrow the index query to the user's institutions when they see at most this many (else: filter afterwards). */
const NARROW_INSTITUTIONS_MAX = 32;
const NARROW_DOCUMENTS_MAX = 256;
/** Queries with more level combinations than this rank the newest CANDIDATE_MAX matches instead of walking them. */
const TUPLES_MAX = 256;
const CANDIDATE_MAX = 2000;
/** Matches checked to estimate the share of a large result set that passes the full check (Postgres). */
const ESTIMATE_SAMPLE = 128;

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

/** Which of the pages `ids` belong to a current, untrashed document visible to the user and inside the filters — the
 *  one scope check every search result passes, on both databases. */
function livePages(db: Executor, user: User, f: Filters, ids: number[]) {
  // Both planners must start at these pages, not at the documents of every visible institution (all documents, for
  // a province), which statistics on the small region tables can make look cheaper: SQLite's unary + and, on
  // Postgres, a fenced subquery (offset 0: planned on its own) and an institution test no index can serve.
  const pg = isPostgres(db);
  const candidates = pg
    ? sql<{ id: number; version_id: string; text: string }>`(select id, version_id, text from pages where id = any(${ids}::int[]) offset 0)`.as('pages')
    : sql<{ id: number; version_id: string; text: string }>`(select id, version_id, text from pages where id in (${sql.join(ids)}))`.as('pages');
  let q = db
    .selectFrom(candidates)
    .innerJoin('document_versions as v', 'v.id', 'pages.version_id')
    .innerJoin('documents as d', 'd.id', 'v.document_id')
    .whereRef('d.current_version_id', '=', 'v.id')
    .where('d.trashed_at', 'is', null)
    .where(pg ? sql`coalesce(d.institution_id, '')` : sql`+d.institution_id`, 'in', visibleInstitutionIds(db as Db, user));
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
  if (!isPostgres(db)) return searchIndex(db, sqliteEngine(db), user, groups, filters, limit, offset);
  // One read-only snapshot for counts and hits. The planner does not know that evaluating `terms @@ q` on a row means
  // de-TOASTing its tsvector (~4 µs), so for a common word a sequential scan of the narrow page_terms heap looks
  // cheaper than the GIN index — and costs 20× more: sequential scans are off for the search's own queries.
  const run = async (trx: Db) => {
    await sql`select set_config('enable_seqscan', 'off', true)`.execute(trx);
    return searchIndex(trx, postgresEngine(trx, db, filters), user, groups, filters, limit, offset);
  };
  if (!db.isTransaction) return db.transaction().setIsolationLevel('repeatable read').setAccessMode('read only').execute(run);
  // Inside the caller's transaction: restore its setting afterwards.
  const was = await sql<{ v: string }>`select current_setting('enable_seqscan') as v`.execute(db);
  try {
    return await run(db);
  } finally {
    await sql`select set_config('enable_seqscan', ${was.rows[0]!.v}, true)`.execute(db);
  }
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

// --- The two indexes ------------------------------------------------------------------------------------

interface IdsOptions {
  /** Only ids below this one. */
  before?: number;
  /** Only ids from this one up. */
  atLeastId?: number;
  limit?: number;
}

/** A count of index matches: exact, or estimated from a sample of the pages (Postgres, large counts). */
interface MatchCount {
  n: number;
  exact: boolean;
  /** When asked for (Postgres): up to EXACT_TOTAL_MAX of the matches counted in random order (by the page-id hash):
   *  all of them when the count is exact and small, else a random sample of them. */
  ids: number[];
}

/** An index of page terms and its query language: expressions are strings built only from quoted literals. */
interface Engine {
  pg: boolean;
  /** What in-process caches (document frequencies) are kept for: the database, not one transaction. */
  cacheKey: object;
  lit(term: string): string;
  and(parts: string[]): string;
  or(parts: string[]): string;
  /** a and not b. */
  andNot(a: string, b: string): string;
  /** Index matches (SQLite: every indexed page, exact; Postgres: live pages, estimated when large). `pages`: the
   *  highest page id, the size of the index. */
  count(expr: string, pages: number, withIds?: boolean): Promise<MatchCount>;
  /** Matching page ids, highest first. */
  ids(expr: string, opts?: IdsOptions): Promise<number[]>;
  /** Pages holding a term (SQLite: every indexed page, O(df); Postgres: live pages, estimated when many). */
  documentFrequency(term: string, pages: number): Promise<number>;
  /** SQL that is true when the page text contains a phrase (no whitespace between CJK characters: cleanText). */
  contains(phrase: string): RawBuilder<boolean>;
}

const group = (parts: string[], op: string) => (parts.length === 1 ? parts[0]! : `(${parts.join(op)})`);

function sqliteEngine(db: Db): Engine {
  return {
    pg: false,
    cacheKey: db,
    lit: ftsLiteral,
    and: (parts) => group(parts, ' AND '),
    or: (parts) => group(parts, ' OR '),
    andNot: (a, b) => `(${a} NOT ${b})`,
    async count(expr) {
      // FTS5 counts a doclist without reading any row: exact and cheap at any size.
      const r = await sql<{ n: number }>`select count(*) as n from page_fts where page_fts match ${expr}`.execute(db);
      return { n: Number(r.rows[0]?.n ?? 0), exact: true, ids: [] };
    },
    async ids(expr, o = {}) {
      const rows = await sql<{ id: number }>`select rowid as id from page_fts where page_fts match ${expr}
        ${o.before !== undefined ? sql`and rowid < ${o.before}` : sql``}
        ${o.atLeastId !== undefined ? sql`and rowid >= ${o.atLeastId}` : sql``}
        order by rowid desc ${o.limit !== undefined ? sql`limit ${o.limit}` : sql``}`.execute(db);
      return rows.rows.map((r) => Number(r.id));
    },
    async documentFrequency(term) {
      // fts5vocab counts the term's doclist.
      const r = await sql<{ df: number | null }>`select doc as df from page_fts_vocab where term = ${term}`.execute(db);
      return Number(r.rows[0]?.df ?? 0);
    },
    contains: (phrase) => sql<boolean>`instr(pages.text, ${phrase}) > 0`,
  };
}

/** Postgres counts walk the matching heap rows (~0.2 µs each): a common word on 150,000 pages would cost 30 ms. So
 *  large counts are estimated from a fixed pseudo-random sample of the pages, marked in the index (the sample
 *  markers: s1 ⊃ s2 ⊃ s3, 1/16, 1/256, 1/4096 of the pages by a hash of the page id): the finest sample with at
 *  least SAMPLE_MIN matches (relative error ~1/√512 ≈ 4 %), else an exact count (then ≲ 8,000 matches). */
const SAMPLES: [marker: string, factor: number][] = [
  [`${MARK}s3`, 4096],
  [`${MARK}s2`, 256],
  [`${MARK}s1`, 16],
];
const SAMPLE_MIN = 512;
/** The sample markers of a page: its id hashed (Fibonacci hashing, 32 bits); s1 when the hash < 2^28, s2 < 2^24,
 *  s3 < 2^20. Migration 0006 computes the same in SQL. */
export function sampleMarkers(pageId: number): string[] {
  const h = Math.imul(pageId, 0x9e3779b1) >>> 0;
  return SAMPLES.filter(([, factor]) => h < 2 ** 32 / factor).map(([m]) => m);
}
const HASH_SQL = sql.raw('(page_id::bigint * 2654435761) % 4294967296');

/**
 * Postgres: page_terms with a GIN index of live pages. A match is a bitmap index scan; no query here needs a recheck
 * (no phrases, no weights), so the tsvectors themselves (TOASTed) are never read, only the narrow heap rows. The
 * page_id conditions are written `page_id + 0` so that the planner cannot walk the primary key instead and test
 * each row's tsvector (it does not know what de-TOASTing costs).
 */
function postgresEngine(db: Db, cacheKey: object, f: Filters): Engine {
  // The document date is on page_terms too (kept by a trigger): date filters are index conditions (heap rows only).
  const dated = sql`${f.from ? sql`and document_date >= ${f.from}` : sql``} ${f.to ? sql`and document_date <= ${f.to}` : sql``}`;
  const countAll = async (expr: string, withIds: boolean, withDates: boolean) => {
    const where = sql`live and terms @@ ${expr}::tsquery ${withDates ? dated : sql``}`;
    const r = withIds
      ? await sql<{ n: number; ids: number[] | null }>`select count(*) as n, (array_agg(page_id order by ${HASH_SQL}))[1:${EXACT_TOTAL_MAX}] as ids
          from page_terms where ${where}`.execute(db)
      : await sql<{ n: number; ids: null }>`select count(*) as n, null as ids from page_terms where ${where}`.execute(db);
    return { n: Number(r.rows[0]?.n ?? 0), ids: r.rows[0]?.ids ?? [] };
  };
  const count = async (expr: string, pages: number, withIds: boolean, withDates: boolean): Promise<MatchCount> => {
    // Sparsest sample first; each next one holds 16× as many pages, so a small count says the next is small too.
    let expected = Infinity;
    let sampled: number[] = [];
    for (const [marker, factor] of SAMPLES) {
      if (pages / factor < SAMPLE_MIN || expected < SAMPLE_MIN / 2) {
        expected *= 16;
        continue;
      }
      const { n, ids } = await countAll(e.and([expr, e.lit(marker)]), withIds, withDates);
      if (n >= SAMPLE_MIN) return { n: n * factor, exact: false, ids };
      expected = (n + 1) * 16;
      sampled = ids;
    }
    // Exact. The ids of every match only when they may be few (sorting thousands costs more than counting them).
    const all = withIds && expected <= 2 * EXACT_TOTAL_MAX;
    const { n, ids } = await countAll(expr, all, withDates);
    return { n, exact: true, ids: all ? ids : sampled };
  };
  const e: Engine = {
    pg: true,
    cacheKey,
    lit: tsLexeme,
    and: (parts) => group(parts, ' & '),
    or: (parts) => group(parts, ' | '),
    andNot: (a, b) => `(${a} & !${b})`,
    count: (expr, pages, withIds = false) => count(expr, pages, withIds, true),
    async ids(expr, o = {}) {
      const rows = await sql<{ id: number }>`select page_id as id from page_terms where live and terms @@ ${expr}::tsquery ${dated}
        ${o.before !== undefined ? sql`and page_id + 0 < ${o.before}` : sql``}
        ${o.atLeastId !== undefined ? sql`and page_id + 0 >= ${o.atLeastId}` : sql``}
        order by page_id + 0 desc ${o.limit !== undefined ? sql`limit ${o.limit}` : sql``}`.execute(db);
      return rows.rows.map((r) => Number(r.id));
    },
    async documentFrequency(term, pages) {
      return (await count(e.lit(term), pages, false, false)).n;
    },
    contains: (phrase) => sql<boolean>`strpos(pages.text, ${phrase}) > 0`,
  };
  return e;
}

// --- Ranked retrieval -----------------------------------------------------------------------------------

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

/** Document frequencies cost O(df) (SQLite: FTS5 counts a token's doclist) or a few index counts (Postgres), so they
 *  are cached per database for a while: they only weight words against each other and pick a word's rarest bigram. */
const DF_TTL_MS = 10 * 60_000;
const DF_CACHE_MAX = 20_000;
const dfCaches = new WeakMap<object, Map<string, { df: number; at: number }>>();

/** Levels, best first. Empty ones are not looked up (that costs as much as a document frequency): an index query
 *  for an absent term ends at once. */
const ALL_LEVELS = Array.from({ length: LEVELS }, (_, i) => LEVELS - i);

async function documentFrequency(e: Engine, term: string, pages: number): Promise<number> {
  let cache = dfCaches.get(e.cacheKey);
  if (!cache) dfCaches.set(e.cacheKey, (cache = new Map()));
  const hit = cache.get(term);
  if (hit && Date.now() - hit.at < DF_TTL_MS) return hit.df;
  const df = await e.documentFrequency(term, pages);
  cache.delete(term);
  cache.set(term, { df, at: Date.now() });
  if (cache.size > DF_CACHE_MAX) cache.delete(cache.keys().next().value!);
  return df;
}

/** `n`: the highest page id (the number of pages ever stored, near enough). */
async function planWords(e: Engine, groups: string[][], n: number): Promise<WordPlan[]> {
  const idf = (df: number) => Math.log(1 + (n - Math.min(n, df) + 0.5) / (Math.min(n, df) + 0.5));
  // One word alone: its weight does not matter, nor (for a single token) its frequency.
  const weigh = groups.length > 1;
  const plans: WordPlan[] = [];
  for (const group of groups) {
    const unique = [...new Set(group)];
    const df = new Map<string, number>();
    if (weigh || unique.length > 1) for (const t of unique) df.set(t, await documentFrequency(e, t, n));
    const key = unique.reduce((best, t) => ((df.get(t) ?? 0) < (df.get(best) ?? 0) ? t : best));
    const common = weigh && df.get(key)! > n / 2;
    plans.push({ key, others: unique.filter((t) => t !== key), idf: weigh ? idf(df.get(key)!) : 1, levels: common ? [0] : ALL_LEVELS });
  }
  return plans;
}

/** Index expression: the word on a page at this exact level. */
function wordAtLevel(e: Engine, p: WordPlan, level: number): string {
  if (level === 0) return wordPresent(e, p);
  const others = p.others.map(e.lit);
  if (level > 1) return e.and([e.lit(levelToken(level, p.key)), ...others]);
  const higher = ALL_LEVELS.filter((l) => l > 1).map((l) => e.lit(levelToken(l, p.key)));
  return e.andNot(e.and([e.lit(p.key), ...others]), e.or(higher));
}

/** Index expression: the word on a page at any level. */
function wordPresent(e: Engine, p: WordPlan): string {
  return e.and([p.key, ...p.others].map(e.lit));
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
async function* rankedCandidates(e: Engine, plans: WordPlan[], narrow: string[], walk: { complete: boolean }): AsyncGenerator<Candidate[]> {
  const tuples = levelTuples(plans);
  if (tuples.length <= TUPLES_MAX) {
    for (const { levels, score } of tuples) {
      const expr = e.and([...plans.map((p, i) => wordAtLevel(e, p, levels[i]!)), ...narrow]);
      let before: number | undefined;
      for (let chunk = 64; ; chunk = Math.min(chunk * 4, 4096)) {
        const ids = await e.ids(expr, { before, limit: chunk });
        if (ids.length) yield ids.map((id) => ({ id, score }));
        if (ids.length < chunk) break;
        before = ids[ids.length - 1];
      }
    }
    walk.complete = true;
    return;
  }
  // Many words: their conjunction is usually small; rank its newest CANDIDATE_MAX pages by their levels, read from
  // the (short) level-marker lists within that id window.
  const ids = await e.ids(e.and([...plans.map((p) => wordPresent(e, p)), ...narrow]), { limit: CANDIDATE_MAX });
  walk.complete = ids.length < CANDIDATE_MAX;
  if (!ids.length) return;
  const atLeastId = ids[ids.length - 1]!;
  const level = new Map<number, number[]>(ids.map((id) => [id, plans.map(() => 1)]));
  for (const [g, p] of plans.entries()) {
    for (const l of p.levels) {
      if (l <= 1) continue;
      for (const id of await e.ids(e.and([e.lit(levelToken(l, p.key)), ...narrow]), { atLeastId })) {
        const ls = level.get(id);
        if (ls) ls[g] = l;
      }
    }
  }
  const scored = ids.map((id) => ({ id, score: scoreOf(plans, level.get(id)!) }));
  scored.sort((a, b) => b.score - a.score || b.id - a.id);
  for (let i = 0; i < scored.length; i += 512) yield scored.slice(i, i + 512);
}

/**
 * Index narrowing with the scope markers — the user's (or the dossier's) institutions or (Postgres) region, the
 * documents linked to the dossier or item, the kind — or null when nothing can match. `exact`: the markers say
 * everything the SQL check says about scope, dossier, item and kind (on Postgres, page_terms.live and
 * .document_date say the rest: trash, versions, dates).
 */
async function narrowing(db: Db, e: Engine, user: User, f: Filters): Promise<{ parts: string[]; exact: boolean } | null> {
  const parts: string[] = [];
  let exact = true;
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
    const all = async () => Number((await db.selectFrom('institutions').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
    if (e.pg && !f.dossierId && user.region_code && !['staff', 'head'].includes(user.role)) {
      // A reviewer sees the institutions of a region: on Postgres one region marker says so (exactly), unless the
      // region is all there is (a province reviewer of a one-province database: nothing to narrow).
      if (institutions.length < (await all())) parts.push(e.lit(scopeToken('r', user.region_code)));
    } else if (institutions.length <= NARROW_INSTITUTIONS_MAX) {
      parts.push(e.or(institutions.map((id) => e.lit(scopeToken('i', id)))));
    } else {
      exact = institutions.length >= (await all());
    }
  }
  if (f.dossierId || f.itemCode) {
    let q = db.selectFrom('item_evidence').select('document_id').distinct();
    if (f.itemCode) q = q.where('item_code', '=', f.itemCode);
    if (f.dossierId) q = q.where('dossier_id', '=', f.dossierId);
    const docs = (await q.limit(NARROW_DOCUMENTS_MAX + 1).execute()).map((r) => r.document_id);
    if (!docs.length) return null;
    if (docs.length <= NARROW_DOCUMENTS_MAX) parts.push(e.or(docs.map((id) => e.lit(scopeToken('d', id)))));
    else exact = false;
  }
  if (f.kind) parts.push(e.lit(scopeToken('k', f.kind)));
  return { parts, exact };
}

/**
 * The ids among `ids` that pass scope and filters and, for words of 3+ characters (several bigrams), contain the
 * word itself (the index only knows that all its bigrams occur). Stored text has no whitespace between CJK
 * characters (cleanText), so instr() / strpos() inside the database decides; no page text travels to JS.
 */
async function liveIds(db: Db, e: Engine, user: User, f: Filters, ids: number[], groups: string[][]): Promise<Set<number>> {
  const live = new Set<number>();
  const phrases = groups.filter((g) => g.length >= 2).map(groupSurface);
  for (let i = 0; i < ids.length; i += 4096) {
    let q = livePages(db, user, f, ids.slice(i, i + 4096)).select('pages.id');
    for (const phrase of phrases) q = q.where(e.contains(phrase));
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

/** Which of the pages `ids` contain every multi-character word as such (the index only knows that all its bigrams
 *  occur) — all the checking a match needs when the index already says scope, filters and liveness (Postgres). */
async function adjacentIds(db: Db, e: Engine, ids: number[], groups: string[][]): Promise<Set<number>> {
  const phrases = groups.filter((g) => g.length >= 2).map(groupSurface);
  if (!phrases.length || !ids.length) return new Set(ids);
  let q = db.selectFrom('pages').select('pages.id').where(sql<boolean>`pages.id = any(${ids}::int[])`);
  for (const phrase of phrases) q = q.where(e.contains(phrase));
  return new Set((await q.execute()).map((r) => Number(r.id)));
}

async function searchIndex(db: Db, e: Engine, user: User, groups: string[][], f: Filters, limit: number, offset: number): Promise<SearchResult> {
  const narrow = await narrowing(db, e, user, f);
  if (!narrow) return { total: 0, totalExact: true, hits: [] };
  const maxRow = await sql<{ n: number | null }>`select max(id) as n from pages`.execute(db);
  const pages = Math.max(1, Number(maxRow.rows[0]?.n ?? 1));
  const plans = await planWords(e, groups, pages);
  const matchAll = e.and([...plans.map((p) => wordPresent(e, p)), ...narrow.parts]);

  // Total. Postgres counts live pages inside the date filter, and its markers can carry the whole scope and the
  // dossier/item/kind filters (`covered`): then only the adjacency of 3+ character words is left to check, and with
  // single-token words the index count (exact, or estimated when large) is the total. Otherwise the total is exact
  // (every match checked) while the index has at most EXACT_TOTAL_MAX matches; above that, an estimate: SQLite's
  // index count, Postgres's count times the share of a random sample of the matches that passes the check.
  const covered = e.pg && narrow.exact;
  const indexIsTotal = covered && groups.every((g) => g.length === 1);
  const count = await e.count(matchAll, pages, !indexIsTotal);
  if (count.n === 0) return { total: 0, totalExact: true, hits: [] };
  const check = (ids: number[]) => (covered ? adjacentIds(db, e, ids, groups) : liveIds(db, e, user, f, ids, groups));
  let total = count.n;
  let totalExact = false;
  let allLive: Set<number> | null = null;
  if (indexIsTotal) {
    totalExact = count.exact;
  } else if (count.exact && count.n <= EXACT_TOTAL_MAX) {
    const passed = await check(count.ids.length >= count.n ? count.ids : await e.ids(matchAll));
    // Every hit still passes the full check below, unless this was it.
    if (!covered) allLive = passed;
    total = passed.size;
    totalExact = true;
    if (total === 0) return { total, totalExact, hits: [] };
  } else if (e.pg) {
    const sample = count.ids.slice(0, ESTIMATE_SAMPLE);
    if (sample.length) total = Math.round((count.n * (await check(sample)).size) / sample.length);
  }

  // Hits: candidates in rank order, kept when live, until offset + limit.
  const need = offset + limit;
  const kept: Candidate[] = [];
  const seen = new Set<number>();
  const walk = { complete: false };
  for await (const batch of rankedCandidates(e, plans, narrow.parts, walk)) {
    const fresh = batch.filter((c) => !seen.has(c.id));
    for (const c of fresh) seen.add(c.id);
    const live = allLive ?? (await liveIds(db, e, user, f, fresh.map((c) => c.id), groups));
    for (const c of fresh) if (live.has(c.id)) kept.push(c);
    if (kept.length >= need) break;
  }
  const page = kept.slice(offset, need);
  const rows = await hitRows(db, page.map((c) => c.id));
  const hits = page.map((c) => toHit(rows.get(c.id)!, groups, Math.round(c.score * 1000) / 1000));
  if (!totalExact) {
    if (kept.length < need && walk.complete) {
      // The walk saw every match: the count is exact after all.
      total = kept.length;
      totalExact = true;
    } else {
      // An estimate never says less than what the walk found.
      total = Math.max(total, kept.length);
    }
  }
  return { total, totalExact, hits };
}
