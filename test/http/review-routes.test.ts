// Review routes are data: the admin gives a province its own route; bad lines are refused with reasons.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseRouteText } from '../../src/review/route-settings.ts';
import { routeForInstitution } from '../../src/review/review-route-config.ts';
import { createTestApp, demoDossier, type Session, type TestApp } from '../helpers/test-app.ts';

let t: TestApp;
let admin: Session;

beforeAll(async () => {
  t = await createTestApp();
  admin = await t.login('demo-admin');
});
afterAll(() => t.close());

describe('review routes as data', () => {
  it('parses stage lines and refuses bad ones with line numbers', () => {
    expect(parseRouteText('县 初评 10\n省 复核')).toEqual({
      ok: true,
      stages: [
        { position: 0, region_level: 'county', label: '初评', deadline_days: 10 },
        { position: 1, region_level: 'province', label: '复核', deadline_days: 30 },
      ],
    });
    const bad = parseRouteText('市 复核\n县 审核\n乡 审核\n省 复核 0');
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.errors.join(' ')).toMatch(/第 2 行.*逐级向上.*第 3 行.*级别.*第 4 行.*1–365/);
  });

  it('a province override replaces the default route; an empty one restores it', async () => {
    const { institutionId } = await demoDossier(t);
    const institution = await t.db.db.selectFrom('institutions').selectAll().where('id', '=', institutionId).executeTakeFirstOrThrow();
    expect((await routeForInstitution(t.db.db, institution, 'basic')).map((r) => r.label)).toEqual(['审核/初评', '复核']);

    const bad = await t.post('/admin/review-routes', { province_code: '410000', target_level: 'basic', stages: '市 复核\n县 审核' }, admin);
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('逐级向上');

    const ok = await t.post('/admin/review-routes', { province_code: '410000', target_level: 'basic', stages: '县 初评 10\n市 复核 20\n省 抽查 15' }, admin);
    expect(ok.status).toBe(200);
    const route = await routeForInstitution(t.db.db, institution, 'basic');
    expect(route.map((r) => `${r.region_level}:${r.label}:${r.deadline_days}`)).toEqual(['county:初评:10', 'city:复核:20', 'province:抽查:15']);

    await t.post('/admin/review-routes', { province_code: '410000', target_level: 'basic', stages: '' }, admin);
    expect((await routeForInstitution(t.db.db, institution, 'basic')).map((r) => r.label)).toEqual(['审核/初评', '复核']);
  });

  it('is for admins only', async () => {
    const county = await t.login('demo-county');
    expect((await t.get('/admin/review-routes', county)).status).toBe(404);
    expect((await t.post('/admin/review-routes', { province_code: '410000', target_level: 'basic', stages: '' }, county)).status).toBe(404);
  });
});
