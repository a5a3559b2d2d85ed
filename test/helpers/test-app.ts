// The app over a test database, with helpers to sign in and send forms the way a browser would.
import type { Hono } from 'hono';
import { createApp } from '../../src/app.tsx';
import type { Db } from '../../src/db/database.ts';
import { DEMO_PASSWORD } from '../../src/demo/seed-demo.ts';
import { newId, nowIso } from '../../src/ids.ts';
import { createTestDb, type TestDb } from './test-db.ts';

export interface Session {
  cookie: string;
  csrf: string;
}

export interface TestApp {
  app: Hono;
  db: TestDb;
  close(): Promise<void>;
  login(username: string, password?: string): Promise<Session>;
  get(path: string, s?: Session | null, headers?: Record<string, string>): Promise<Response>;
  post(path: string, form: Record<string, string>, s?: Session | null, headers?: Record<string, string>): Promise<Response>;
}

function cookiesOf(res: Response): string[] {
  return res.headers.getSetCookie().map((c) => c.split(';')[0]!);
}

/** The demo 乡镇卫生院's basic-standard dossier (demo-staff and demo-head work on it). */
export async function demoDossierIn(db: Db): Promise<{ dossierId: string; institutionId: string }> {
  const d = await db
    .selectFrom('dossiers')
    .innerJoin('institutions', 'institutions.id', 'dossiers.institution_id')
    .select(['dossiers.id', 'institutions.id as institution_id'])
    .where('institutions.name', '=', '修武县郇封镇卫生院')
    .where('dossiers.target_level', '=', 'basic')
    .executeTakeFirstOrThrow();
  return { dossierId: d.id, institutionId: d.institution_id };
}

/** The ★ (core) items of a dossier in standard order, with their self grades. */
export async function coreItems(db: Db, dossierId: string): Promise<{ item_code: string; self_grade: string | null }[]> {
  return db
    .selectFrom('dossier_items')
    .innerJoin('dossiers', 'dossiers.id', 'dossier_items.dossier_id')
    .innerJoin('standard_nodes', (j) => j.onRef('standard_nodes.standard_id', '=', 'dossiers.standard_id').onRef('standard_nodes.code', '=', 'dossier_items.item_code'))
    .select(['dossier_items.item_code', 'dossier_items.self_grade'])
    .where('dossier_items.dossier_id', '=', dossierId)
    .where('standard_nodes.core', '=', 1)
    .orderBy('standard_nodes.position')
    .execute();
}

/** Links a document (following its latest version) to every core item but `except`, so the dossier can be submitted. */
export async function linkToCoreItems(db: Db, dossierId: string, documentId: string, except?: string): Promise<void> {
  const items = (await coreItems(db, dossierId)).filter((c) => c.item_code !== except);
  for (const [i, c] of items.entries()) {
    await db
      .insertInto('item_evidence')
      .values({ id: newId('ev'), dossier_id: dossierId, item_code: c.item_code, document_id: documentId, version_id: null, page_from: null, page_to: null, position: i, created_by: null, created_at: nowIso() })
      .execute();
  }
  // Written behind the app's back: touch the dossier so its cached view is rebuilt.
  await db.updateTable('dossiers').set({ updated_at: nowIso() }).where('id', '=', dossierId).execute();
}

/** Puts the dossier with the active county stage (修武县), as submission would leave it; returns the stage id. */
export async function openCountyStage(db: Db, dossierId: string): Promise<string> {
  const dossier = await db.selectFrom('dossiers').select('round').where('id', '=', dossierId).executeTakeFirstOrThrow();
  await db.updateTable('dossiers').set({ state: 'in_review', stage: 0, updated_at: nowIso() }).where('id', '=', dossierId).execute();
  const id = newId('rs');
  await db
    .insertInto('review_stages')
    .values({
      id,
      dossier_id: dossierId,
      round: dossier.round,
      position: 0,
      region_level: 'county',
      region_code: '410821',
      label: '审核/初评',
      state: 'active',
      opened_at: nowIso(),
      deadline: new Date(Date.now() + 30 * 86400_000).toISOString(),
      closed_at: null,
    })
    .execute();
  return id;
}

export async function demoDossier(t: TestApp): Promise<{ dossierId: string; institutionId: string }> {
  return demoDossierIn(t.db.db);
}

export function csrfFrom(html: string): string {
  const m = /name="csrf-token" content="([^"]+)"/.exec(html);
  if (!m) throw new Error('no csrf meta tag in page');
  return m[1]!;
}

export async function createTestApp(opts: { demo?: boolean } = {}): Promise<TestApp> {
  const db = await createTestDb(opts);
  const app = createApp({ config: db.config, database: db, store: db.store });
  const get = (path: string, s?: Session | null, headers: Record<string, string> = {}) =>
    Promise.resolve(app.request(path, { headers: { ...(s ? { cookie: s.cookie } : {}), ...headers } }));
  const post = (path: string, form: Record<string, string>, s?: Session | null, headers: Record<string, string> = {}) =>
    Promise.resolve(
      app.request(path, {
        method: 'POST',
        body: new URLSearchParams(s && !('_csrf' in form) ? { _csrf: s.csrf, ...form } : form),
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...(s ? { cookie: s.cookie } : {}), ...headers },
      }),
    );
  const login = async (username: string, password = DEMO_PASSWORD): Promise<Session> => {
    const page = await get('/login');
    const pre = cookiesOf(page).join('; ');
    const csrf = csrfFrom(await page.text());
    const res = await post('/login', { username, password, _csrf: csrf }, null, { cookie: pre });
    if (res.status !== 303) throw new Error(`login as ${username} failed: ${res.status}`);
    const cookie = cookiesOf(res).filter((c) => c.startsWith('dossier_session=')).join('; ');
    const home = await get('/dossiers', { cookie, csrf: '' });
    return { cookie, csrf: csrfFrom(await home.text()) };
  };
  return { app, db, close: () => db.close(), login, get, post };
}
