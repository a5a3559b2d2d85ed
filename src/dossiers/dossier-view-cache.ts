// The dossier page is read far more often than a dossier changes. Its view (and the rendered item tree, and the
// whole rendered page per account) is kept per process, keyed by everything that can change it: the dossier's and
// the institution's updated_at and the newest document event (every evidence link, unlink, reorder, trash and
// restore writes one). The key is read from the database on every request — with the scope check, in one query — so
// writes by other processes (workers, other app servers) are seen exactly as before. A key that no longer matches is
// simply never hit again; entries are bounded (LRU).
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { visibleInstitutionIds } from '../auth/scope.ts';
import type { Db } from '../db/database.ts';
import type { User } from '../db/schema.ts';
import { evidenceCounts } from '../documents/document-repository.ts';
import { loadStandard } from '../standards/standard-repository.ts';
import { dossierItems, findDossier } from './dossier-repository.ts';
import { buildDossierView, type DossierView } from './dossier-view-model.ts';

const MAX_ENTRIES = 200;
const views = new Map<string, DossierView>();

/**
 * Bumped by forgetDossierView. A view or page built while a write in this process happened is not stored: the write
 * may share the millisecond (and so the key) with the state the view was read from.
 */
let epoch = 0;

function touch<V>(map: Map<string, V>, key: string): V | undefined {
  const hit = map.get(key);
  if (hit !== undefined) {
    map.delete(key);
    map.set(key, hit); // most recently used last
  }
  return hit;
}

/**
 * The cache key of a dossier's view, or null when it does not exist or is outside the user's scope (the same scope
 * rule as findDossier). One indexed query: max(id) of document_events is read from the end of its primary key.
 */
async function dossierViewKey(db: Db, user: User, id: string): Promise<string | null> {
  if (id.length > 64) return null;
  const row = await db
    .selectFrom('dossiers')
    .innerJoin('institutions', 'institutions.id', 'dossiers.institution_id')
    .select(['dossiers.updated_at as dossier_stamp', 'institutions.updated_at as institution_stamp'])
    .select(sql<number | null>`(select max(id) from document_events)`.as('evidence_stamp'))
    .where('dossiers.id', '=', id)
    .where('dossiers.institution_id', 'in', visibleInstitutionIds(db, user))
    .executeTakeFirst();
  if (!row) return null;
  return `${id}|${row.dossier_stamp}|${row.institution_stamp}|${Number(row.evidence_stamp ?? 0)}`;
}

/** The view under `key` (read before the view's rows, so a stored view is never older than its key). */
async function viewForKey(db: Db, user: User, id: string, key: string): Promise<DossierView | null> {
  const hit = touch(views, key);
  if (hit) return hit;
  const startEpoch = epoch;
  const found = await findDossier(db, user, id);
  if (!found) return null;
  const { dossier, institution } = found;
  const standard = await loadStandard(db, dossier.standard_id);
  if (!standard) throw new Error(`standard ${dossier.standard_id} missing`);
  const view = buildDossierView(dossier, institution, standard, await dossierItems(db, id), await evidenceCounts(db, id));
  if (epoch === startEpoch) {
    views.set(key, view);
    if (views.size > MAX_ENTRIES) views.delete(views.keys().next().value!);
  }
  return view;
}

/** The dossier's view for `user`, or null when it does not exist or is outside the user's scope. */
export async function loadDossierView(db: Db, user: User, id: string): Promise<DossierView | null> {
  const key = await dossierViewKey(db, user, id);
  return key === null ? null : viewForKey(db, user, id, key);
}

/** Drops a dossier's cached views and pages after a write in this process (two writes may share a millisecond). */
export function forgetDossierView(id: string): void {
  epoch++;
  for (const key of [...views.keys()]) if (key.startsWith(`${id}|`)) views.delete(key);
  for (const key of [...pages.keys()]) if (key.startsWith(`${id}|`)) dropPage(key);
}

const trees = new WeakMap<DossierView, string>();

/** The rendered item tree of a cached view, rendered once per view. */
export function cachedTreeHtml(view: DossierView, render: () => string): string {
  let html = trees.get(view);
  if (html === undefined) {
    html = render();
    trees.set(view, html);
  }
  return html;
}

// ---- Whole rendered pages -------------------------------------------------------------------------------------
//
// The page differs between accounts only in the layout (name, role label, navigation by role and institution) and
// the session's CSRF token (meta tag, <body hx-headers>, hidden _csrf fields). A page is rendered once per view key
// and account with a placeholder in place of the token and kept as UTF-8 bytes; a request splices its own token in.

/**
 * Stands in for the CSRF token while rendering. Random per process, so no content can contain it; base64url like
 * real tokens, so HTML and JSON escaping treat both alike.
 */
const TOKEN_PLACEHOLDER = randomBytes(24).toString('base64url');
const PLACEHOLDER_BYTES = Buffer.from(TOKEN_PLACEHOLDER);
/** Tokens that, like the placeholder, no HTML or JSON escaping changes (session tokens are base64url). */
const SPLICEABLE_TOKEN = /^[\w-]+$/;
/** At most this many pages and bytes (template + last assembled body of each page). */
const MAX_PAGES = 64;
const MAX_PAGE_BYTES = 32 * 1024 * 1024;

type Bytes = Buffer<ArrayBuffer>;

interface CachedPage {
  /** The rendered page's bytes, split at the token placeholder. */
  parts: Bytes[];
  /** The page as last sent, for `token` (one account's requests usually come from one session). */
  token: string;
  body: Bytes;
}

const pages = new Map<string, CachedPage>();
let pageBytes = 0;

function sizeOf(page: CachedPage): number {
  return page.parts.reduce((n, p) => n + p.length, 0) + page.body.length;
}

function dropPage(key: string): void {
  const page = pages.get(key);
  if (!page) return;
  pages.delete(key);
  pageBytes -= sizeOf(page);
}

function assemble(parts: Bytes[], token: string): Bytes {
  if (parts.length === 1) return parts[0]!;
  const tokenBytes = Buffer.from(token);
  const chunks: Bytes[] = [parts[0]!];
  for (let i = 1; i < parts.length; i++) chunks.push(tokenBytes, parts[i]!);
  return Buffer.concat(chunks);
}

function split(bytes: Bytes): Bytes[] {
  const parts: Bytes[] = [];
  let from = 0;
  for (let at = bytes.indexOf(PLACEHOLDER_BYTES); at !== -1; at = bytes.indexOf(PLACEHOLDER_BYTES, from)) {
    parts.push(bytes.subarray(from, at));
    from = at + PLACEHOLDER_BYTES.length;
  }
  parts.push(bytes.subarray(from));
  return parts;
}

/** Everything about the account that the page shows (the layout): a change to any of these is a different page. */
function pageKey(viewKey: string, user: User): string {
  return `${viewKey}|${user.id}|${user.role}|${user.institution_id ?? ''}|${user.display_name}`;
}

/**
 * The dossier page as UTF-8 bytes for `user` with the session's `csrfToken`, or null when the dossier does not
 * exist or is outside the user's scope. `render` gets the view and the token to put in the page; on a hit it is not
 * called and the cost is the key query, a map lookup and (for a new session) one copy of the bytes.
 */
export async function cachedDossierPage(
  db: Db,
  user: User,
  id: string,
  csrfToken: string,
  render: (view: DossierView, csrfToken: string) => string | Promise<string>,
): Promise<Bytes | null> {
  const viewKey = await dossierViewKey(db, user, id);
  if (viewKey === null) return null;
  if (!SPLICEABLE_TOKEN.test(csrfToken)) {
    // Not a token createSession makes: render with it directly rather than assume it escapes like the placeholder.
    const view = await viewForKey(db, user, id, viewKey);
    return view && Buffer.from(await render(view, csrfToken));
  }
  const key = pageKey(viewKey, user);
  const hit = touch(pages, key);
  if (hit) {
    if (hit.token !== csrfToken) {
      const body = assemble(hit.parts, csrfToken);
      pageBytes += body.length - hit.body.length;
      hit.token = csrfToken;
      hit.body = body;
    }
    return hit.body;
  }
  const startEpoch = epoch;
  const view = await viewForKey(db, user, id, viewKey);
  if (!view) return null;
  const html = await render(view, TOKEN_PLACEHOLDER);
  const parts = split(Buffer.from(html));
  const page: CachedPage = { parts, token: csrfToken, body: assemble(parts, csrfToken) };
  if (epoch === startEpoch && !pages.has(key)) {
    pages.set(key, page);
    pageBytes += sizeOf(page);
    while (pages.size > MAX_PAGES || (pageBytes > MAX_PAGE_BYTES && pages.size > 1)) dropPage(pages.keys().next().value!);
  }
  return page.body;
}
