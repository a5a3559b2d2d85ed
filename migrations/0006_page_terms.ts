// Postgres search index with impact levels and scope markers, like SQLite's page_fts (docs/decisions/0006-cjk-search.md).
// Frozen in time: never import app code. SQLite: no-op (page_fts already carries levels and markers).
//
// Postgres before: pages.tokens (tsvector with positions) + GIN, ranked by ts_rank_cd over every match.
// After: page_terms(page_id, live, terms) — one narrow row per page (the tsvector is TOASTed out of line, so a
// bitmap scan over thousands of matches touches few heap pages). `terms` holds the page's distinct tokens (no
// positions: adjacency is checked on pages.text), a marker `U+E000 <level> <token>` for every token whose
// quantised BM25 impact level is ≥ 2, scope markers `U+E000 i|d|k|r <hex>` for the page's institution, document,
// file kind and the county, city and province of the institution's county, and sample markers `U+E000 s1|s2|s3`
// on 1/16, 1/256, 1/4096 of the pages (by a hash of the page id; counts of large result sets are estimated from
// them). `live`: the page belongs to its document's current version and the document is not in the trash;
// `document_date`: its document's (for date filters without a join). Triggers keep `live`, `document_date` and the
// institution/region markers right whatever code changes documents or institutions; the GIN index holds live pages
// only.
//
// Existing rows get their levels from the stored tsvector: a token's term frequency is its number of positions
// and the page length its last position, the same quantities the app's indexTerms uses — identical for every
// page of up to 16,383 tokens (Postgres clamps positions there; longer pages get approximate levels until their
// text is extracted again).
import { type Kysely, PostgresAdapter, sql } from 'kysely';

const MARK = sql.raw('chr(57344)');

/** The impact level (1–8) of a token with `tf` occurrences on a page of `len` positions, as in page-index.ts:
 *  BM25 tf component, k1 = 1.2, b = 0.75, reference length 600, cuts 1.1 1.3 1.45 1.6 1.75 1.9 2.0 (float8, the
 *  same operations in the same order as the JavaScript, so boundary cases round alike). */
function levelSql(tf: string, len: string) {
  const impact = `((${tf})::float8 * ('1.2'::float8 + 1)) / ((${tf})::float8 + '1.2'::float8 * (1 - '0.75'::float8 + ('0.75'::float8 * (${len})::float8) / 600))`;
  const cuts = ['1.1', '1.3', '1.45', '1.6', '1.75', '1.9', '2.0'];
  return sql.raw(`(1 + ${cuts.map((c) => `(${impact} >= '${c}'::float8)::int`).join(' + ')})`);
}

export async function up(db: Kysely<any>): Promise<void> {
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return;

  // Scope markers of an institution / of a county's regions (null elements dropped).
  await sql`create function page_terms_region_markers(county text) returns text[] language sql stable as $$
    select coalesce((select array_remove(array[
             chr(57344) || 'r' || encode(convert_to(r.code, 'UTF8'), 'hex'),
             chr(57344) || 'r' || encode(convert_to(r.city_code, 'UTF8'), 'hex'),
             chr(57344) || 'r' || encode(convert_to(r.province_code, 'UTF8'), 'hex')], null)
        from regions r where r.code = county), '{}')
  $$`.execute(db);
  await sql`create function page_terms_institution_markers(institution text) returns text[] language sql stable as $$
    select array[chr(57344) || 'i' || encode(convert_to(institution, 'UTF8'), 'hex')]
           || page_terms_region_markers((select county_code from institutions where id = institution))
  $$`.execute(db);

  // toast_tuple_target = 128: the tsvector always goes out of line, so a heap page holds ~100 rows.
  await sql`create table page_terms (
    page_id integer primary key references pages(id) on delete cascade,
    live boolean not null default false,
    document_date text,
    terms tsvector not null
  ) with (toast_tuple_target = 128)`.execute(db);

  await sql`insert into page_terms (page_id, live, document_date, terms)
    select p.id,
           coalesce(d.current_version_id = v.id, false) and d.trashed_at is null,
           d.document_date,
           array_to_tsvector(array_remove(array[
             ${MARK} || 'd' || encode(convert_to(d.id, 'UTF8'), 'hex'),
             ${MARK} || 'k' || encode(convert_to(v.kind, 'UTF8'), 'hex'),
             case when h.h < 268435456 then ${MARK} || 's1' end,
             case when h.h < 16777216 then ${MARK} || 's2' end,
             case when h.h < 1048576 then ${MARK} || 's3' end
           ], null) || sc.markers) || strip(p.tokens) || lv.markers
      from pages p
      join document_versions v on v.id = p.version_id
      join documents d on d.id = v.document_id
      join (select i.id, page_terms_institution_markers(i.id) as markers from institutions i) sc on sc.id = d.institution_id
      cross join lateral (select (p.id::bigint * 2654435761) % 4294967296 as h) h
      cross join lateral (select coalesce(max(pos), 0) as len from unnest(p.tokens) u, unnest(u.positions) pos) l
      cross join lateral (
        select coalesce(array_to_tsvector(array_agg(${MARK} || x.level || x.lexeme)), ''::tsvector) as markers
          from (select u.lexeme, ${levelSql('coalesce(array_length(u.positions, 1), 1)', 'l.len')} as level from unnest(p.tokens) u) x
         where x.level > 1
      ) lv`.execute(db);

  await sql`create index page_terms_terms on page_terms using gin (terms) where live`.execute(db);

  // live and document_date on insert: from the page's version and document.
  await sql`create function page_terms_from_document() returns trigger language plpgsql as $$
    begin
      select coalesce(d.current_version_id = v.id, false) and d.trashed_at is null, d.document_date into new.live, new.document_date
        from pages p
        join document_versions v on v.id = p.version_id
        join documents d on d.id = v.document_id
       where p.id = new.page_id;
      new.live := coalesce(new.live, false);
      return new;
    end $$`.execute(db);
  await sql`create trigger page_terms_from_document before insert on page_terms for each row execute function page_terms_from_document()`.execute(db);

  // live, document_date and the scope markers when a document is trashed, restored, gets a new current version,
  // another date or another institution.
  await sql`create function documents_sync_page_terms() returns trigger language plpgsql as $$
    begin
      update page_terms t
         set live = x.live, document_date = new.document_date
        from (select p.id, coalesce(v.id = new.current_version_id, false) and new.trashed_at is null as live
                from document_versions v
                join pages p on p.version_id = v.id
               where v.document_id = new.id) x
       where t.page_id = x.id and (t.live is distinct from x.live or t.document_date is distinct from new.document_date);
      if new.institution_id is distinct from old.institution_id then
        update page_terms t
           set terms = ts_delete(t.terms, page_terms_institution_markers(old.institution_id))
                       || array_to_tsvector(page_terms_institution_markers(new.institution_id))
          from document_versions v
          join pages p on p.version_id = v.id
         where v.document_id = new.id and t.page_id = p.id;
      end if;
      return null;
    end $$`.execute(db);
  await sql`create trigger documents_sync_page_terms after update of trashed_at, current_version_id, document_date, institution_id on documents
    for each row when (old.trashed_at is distinct from new.trashed_at
                       or old.current_version_id is distinct from new.current_version_id
                       or old.document_date is distinct from new.document_date
                       or old.institution_id is distinct from new.institution_id)
    execute function documents_sync_page_terms()`.execute(db);

  // The region markers when an institution moves to another county.
  await sql`create function institutions_sync_page_terms() returns trigger language plpgsql as $$
    begin
      update page_terms t
         set terms = ts_delete(t.terms, page_terms_region_markers(old.county_code))
                     || array_to_tsvector(page_terms_region_markers(new.county_code))
        from documents d
        join document_versions v on v.document_id = d.id
        join pages p on p.version_id = v.id
       where d.institution_id = new.id and t.page_id = p.id;
      return null;
    end $$`.execute(db);
  await sql`create trigger institutions_sync_page_terms after update of county_code on institutions
    for each row when (old.county_code is distinct from new.county_code)
    execute function institutions_sync_page_terms()`.execute(db);

  await sql`drop index pages_tokens`.execute(db);
  await sql`alter table pages drop column tokens`.execute(db);
  await sql`analyze page_terms`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return;
  // Positions are gone: the restored tsvector has the tokens without them (phrase queries need the text extracted again).
  await sql`alter table pages add column tokens tsvector not null default ''::tsvector`.execute(db);
  await sql`update pages p
       set tokens = x.tokens
      from (select t.page_id, ts_delete(t.terms, array(select u.lexeme from unnest(t.terms) u where u.lexeme like chr(57344) || '%')) as tokens
              from page_terms t) x
     where x.page_id = p.id`.execute(db);
  await sql`create index pages_tokens on pages using gin (tokens)`.execute(db);
  await sql`drop trigger institutions_sync_page_terms on institutions`.execute(db);
  await sql`drop function institutions_sync_page_terms()`.execute(db);
  await sql`drop trigger documents_sync_page_terms on documents`.execute(db);
  await sql`drop function documents_sync_page_terms()`.execute(db);
  await sql`drop table page_terms`.execute(db);
  await sql`drop function page_terms_from_document()`.execute(db);
  await sql`drop function page_terms_institution_markers(text)`.execute(db);
  await sql`drop function page_terms_region_markers(text)`.execute(db);
}
