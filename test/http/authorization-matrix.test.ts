// Every route × every role × a target inside and outside the account's scope.
// Allowed → anything but 401/403/404; denied → 404 (never a page that leaks the record exists).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../src/db/schema.ts';
import { createTestApp, type Session, type TestApp } from '../helpers/test-app.ts';

type Scope = 'in' | 'out';
interface Target {
  dossierId: string;
  itemCode: string;
  institutionId: string;
}

const ACCOUNTS: Record<string, Role> = {
  'demo-staff': 'staff',
  'demo-head': 'head',
  'demo-county': 'county_reviewer',
  'demo-city': 'city_reviewer',
  'demo-province': 'province_reviewer',
  'demo-expert': 'expert',
  'demo-admin': 'admin',
};

/** Whether `role` can see the institution of the 'in' and 'out' targets (demo data: see seed-demo.ts). */
function sees(role: Role, scope: Scope): boolean {
  if (scope === 'in') return true; // the 'in' target is the demo 乡镇卫生院, in every demo account's scope
  return role === 'admin' || role === 'province_reviewer'; // the 'out' target is in another city
}

interface RouteCase {
  name: string;
  method: 'GET' | 'POST';
  path: (t: Target) => string;
  form?: (t: Target) => Record<string, string>;
  allowed: (role: Role, scope: Scope) => boolean;
  /** Routes without a target are checked once (scope 'in'). */
  scoped: boolean;
}

const any = () => true;
const adminOnly = (r: Role) => r === 'admin';
const institutionRole = (r: Role) => r === 'staff' || r === 'head';
const reviewerRole = (r: Role) => r === 'county_reviewer' || r === 'city_reviewer' || r === 'province_reviewer' || r === 'expert';

const ROUTES: RouteCase[] = [
  { name: 'dossier list', method: 'GET', path: () => '/dossiers', allowed: any, scoped: false },
  { name: 'dossier page', method: 'GET', path: (t) => `/dossiers/${t.dossierId}`, allowed: (r, s) => sees(r, s), scoped: true },
  { name: 'item panel', method: 'GET', path: (t) => `/dossiers/${t.dossierId}/items/${t.itemCode}`, allowed: (r, s) => sees(r, s), scoped: true },
  {
    name: 'save self-assessment',
    method: 'POST',
    path: (t) => `/dossiers/${t.dossierId}/items/${t.itemCode}`,
    form: () => ({ grade: 'C', narrative: '' }),
    allowed: (r, s) => institutionRole(r) && sees(r, s),
    scoped: true,
  },
  {
    name: 'create dossier',
    method: 'POST',
    path: () => '/dossiers',
    form: (t) => ({ institution_id: t.institutionId, year: '2030', target_level: 'basic' }),
    allowed: (r, s) => (institutionRole(r) || r === 'admin') && sees(r, s),
    scoped: true,
  },
  { name: 'institution list', method: 'GET', path: () => '/institutions', allowed: any, scoped: false },
  { name: 'institution page', method: 'GET', path: (t) => `/institutions/${t.institutionId}`, allowed: (r, s) => sees(r, s), scoped: true },
  { name: 'new institution form', method: 'GET', path: () => '/institutions/new', allowed: adminOnly, scoped: false },
  { name: 'create institution', method: 'POST', path: () => '/institutions', form: () => ({ name: '' }), allowed: adminOnly, scoped: false },
  {
    name: 'edit institution form',
    method: 'GET',
    path: (t) => `/institutions/${t.institutionId}/edit`,
    allowed: (r, s) => r === 'admin' || (r === 'head' && s === 'in'),
    scoped: true,
  },
  {
    name: 'update institution',
    method: 'POST',
    path: (t) => `/institutions/${t.institutionId}`,
    form: () => ({ name: '' }),
    allowed: (r, s) => r === 'admin' || (r === 'head' && s === 'in'),
    scoped: true,
  },
  { name: 'institution import form', method: 'GET', path: () => '/institutions/import', allowed: adminOnly, scoped: false },
  { name: 'standards', method: 'GET', path: () => '/standards', allowed: any, scoped: false },
  { name: 'standard page', method: 'GET', path: () => '/standards/township-2023-demo', allowed: any, scoped: false },
  { name: 'regions', method: 'GET', path: () => '/admin/regions', allowed: adminOnly, scoped: false },
  { name: 'create region', method: 'POST', path: () => '/admin/regions', form: () => ({ code: 'bad', name: '' }), allowed: adminOnly, scoped: false },
  { name: 'users', method: 'GET', path: () => '/admin/users', allowed: adminOnly, scoped: false },
  { name: 'create user', method: 'POST', path: () => '/admin/users', form: () => ({ username: '' }), allowed: adminOnly, scoped: false },
  { name: 'audit log', method: 'GET', path: () => '/admin/audit', allowed: adminOnly, scoped: false },
  { name: 'review inbox', method: 'GET', path: () => '/review', allowed: (r) => reviewerRole(r), scoped: false },
  { name: 'review tab', method: 'GET', path: (t) => `/dossiers/${t.dossierId}/review`, allowed: (r, s) => sees(r, s), scoped: true },
  { name: 'reviewer pack', method: 'GET', path: (t) => `/dossiers/${t.dossierId}/review/pack.pdf`, allowed: (r, s) => sees(r, s), scoped: true },
  // A stale version: the head in scope gets 409 (allowed, refused on content); everyone else 404.
  { name: 'submit', method: 'POST', path: (t) => `/dossiers/${t.dossierId}/submit`, form: () => ({ review_version: '999' }), allowed: (r, s) => r === 'head' && s === 'in', scoped: true },
  // No stage holds the demo dossiers in scope: nobody may grade or decide.
  { name: 'review grade', method: 'POST', path: (t) => `/dossiers/${t.dossierId}/review/items/${t.itemCode}`, form: () => ({ grade: 'C' }), allowed: () => false, scoped: true },
  { name: 'decision', method: 'POST', path: (t) => `/dossiers/${t.dossierId}/review/decision`, form: () => ({ outcome: 'pass' }), allowed: () => false, scoped: true },
  { name: 'annotations', method: 'GET', path: (t) => `/dossiers/${t.dossierId}/annotations`, allowed: (r, s) => sees(r, s), scoped: true },
  { name: 'binder tab', method: 'GET', path: (t) => `/dossiers/${t.dossierId}/binder`, allowed: (r, s) => sees(r, s), scoped: true },
  { name: 'request binder', method: 'POST', path: (t) => `/dossiers/${t.dossierId}/binder`, form: () => ({ maxSheetsPerVolume: 'x' }), allowed: (r, s) => sees(r, s) && r !== 'admin', scoped: true },
  { name: 'rectifications', method: 'GET', path: (t) => `/dossiers/${t.dossierId}/rectifications`, allowed: (r, s) => sees(r, s), scoped: true },
  { name: 'seals', method: 'GET', path: (t) => `/dossiers/${t.dossierId}/seals`, allowed: (r, s) => sees(r, s), scoped: true },
  { name: 'history', method: 'GET', path: (t) => `/dossiers/${t.dossierId}/history`, allowed: (r, s) => sees(r, s), scoped: true },
  { name: 'seal verify page', method: 'GET', path: () => '/seals/verify', allowed: any, scoped: false },
];

let t: TestApp;
const sessions = new Map<string, Session>();
const targets = {} as Record<Scope, Target>;

async function targetFor(institutionName: string): Promise<Target> {
  const row = await t.db.db
    .selectFrom('dossiers')
    .innerJoin('institutions', 'institutions.id', 'dossiers.institution_id')
    .select(['dossiers.id', 'institutions.id as institution_id'])
    .where('institutions.name', '=', institutionName)
    .executeTakeFirstOrThrow();
  const item = await t.db.db.selectFrom('dossier_items').select('item_code').where('dossier_id', '=', row.id).orderBy('item_code').executeTakeFirstOrThrow();
  return { dossierId: row.id, itemCode: item.item_code, institutionId: row.institution_id };
}

beforeAll(async () => {
  t = await createTestApp();
  targets.in = await targetFor('修武县郇封镇卫生院');
  targets.out = await targetFor('获嘉县城关镇社区卫生服务中心');
  for (const username of Object.keys(ACCOUNTS)) sessions.set(username, await t.login(username));
});
afterAll(() => t.close());

describe('authorization matrix', () => {
  for (const route of ROUTES) {
    for (const [username, role] of Object.entries(ACCOUNTS)) {
      for (const scope of route.scoped ? (['in', 'out'] as const) : (['in'] as const)) {
        const allowed = route.allowed(role, scope);
        it(`${route.name} · ${username} · ${scope} → ${allowed ? 'allowed' : '404'}`, async () => {
          const s = sessions.get(username)!;
          const target = targets[scope];
          const res = route.method === 'GET' ? await t.get(route.path(target), s) : await t.post(route.path(target), route.form!(target), s);
          if (allowed) expect([401, 403, 404]).not.toContain(res.status);
          else expect(res.status).toBe(404);
        });
      }
    }
  }

  it('anonymous requests are sent to login (GET) or refused (POST)', async () => {
    for (const route of ROUTES) {
      const res = route.method === 'GET' ? await t.get(route.path(targets.in)) : await t.post(route.path(targets.in), route.form!(targets.in));
      if (route.method === 'GET') expect(res.headers.get('location') ?? '', route.name).toMatch(/^\/login/);
      else expect([401, 403], route.name).toContain(res.status);
    }
  });

  it('lists only dossiers in scope', async () => {
    const county = await (await t.get('/dossiers', sessions.get('demo-county'))).text();
    expect(county).toContain('修武县郇封镇卫生院');
    expect(county).not.toContain('获嘉县');
    const staff = await (await t.get('/dossiers', sessions.get('demo-staff'))).text();
    expect(staff).not.toContain('周庄镇卫生院');
    const province = await (await t.get('/dossiers', sessions.get('demo-province'))).text();
    expect(province).toContain('获嘉县城关镇社区卫生服务中心');
  });
});
