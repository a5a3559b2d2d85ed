// The text of every page (text layer or OCR) and its full-text index (issue 4, docs/decisions/0006-cjk-search.md).
// Frozen in time: never import app code (the token format is documented in src/search/cjk-tokens.ts).
import { type Kysely, PostgresAdapter, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;
  await db.schema
    .createTable('pages')
    .addColumn('id', pg ? 'serial' : 'integer', (c) => (pg ? c.primaryKey() : c.primaryKey().autoIncrement()))
    .addColumn('version_id', 'text', (c) => c.notNull().references('document_versions.id'))
    .addColumn('page_no', 'integer', (c) => c.notNull()) // 1-based
    .addColumn('text', 'text', (c) => c.notNull().defaultTo('')) // NFKC
    // Mean OCR confidence 0–100; null for a text layer.
    .addColumn('confidence', 'real', (c) => c.check(sql`confidence is null or (confidence >= 0 and confidence <= 100)`))
    .addColumn('source', 'text', (c) => c.notNull().check(sql`source in ('text','ocr','none')`))
    .addColumn('chars', 'integer', (c) => c.notNull().defaultTo(0)) // non-whitespace characters; 0 = blank page
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('pages_version_page', ['version_id', 'page_no'])
    .execute();

  if (pg) {
    // Bigram tokens as a 'simple' tsvector (positions kept: phrases and ts_rank_cd need them).
    await sql`alter table pages add column tokens tsvector not null default ''::tsvector`.execute(db);
    await sql`create index pages_tokens on pages using gin (tokens)`.execute(db);
  } else {
    // Contentless (the text lives in pages.text; rowid = pages.id), deletable by rowid, no positions: the
    // tokens carry their own impact levels and scope markers (src/search/page-index.ts).
    await sql`create virtual table page_fts using fts5(tokens, content='', contentless_delete=1, detail=none, tokenize='unicode61 remove_diacritics 0')`.execute(db);
    // Document frequency per token, for IDF weights.
    await sql`create virtual table page_fts_vocab using fts5vocab(page_fts, row)`.execute(db);
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;
  if (!pg) {
    await sql`drop table if exists page_fts_vocab`.execute(db);
    await sql`drop table if exists page_fts`.execute(db);
  }
  await db.schema.dropTable('pages').execute();
}
