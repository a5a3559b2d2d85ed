// The app over a test database, with helpers to sign in and send forms the way a browser would.
import type { Hono } from 'hono';
import { createApp } from '../../src/app.tsx';
import type { Db } from '../../src/db/database.ts';
import { DEMO_PASSWORD } from '../../src/demo/seed-demo.ts';
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
