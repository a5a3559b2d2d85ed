import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, csrfFrom, type TestApp } from '../helpers/test-app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

describe('login', () => {
  it('sends anonymous visitors to the login page', async () => {
    const res = await t.get('/dossiers');
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/login?next=%2Fdossiers');
  });

  it('logs in with username and password and sets an HttpOnly SameSite session cookie', async () => {
    const page = await t.get('/login');
    const pre = page.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    const csrf = csrfFrom(await page.text());
    const res = await t.post('/login', { username: 'demo-staff', password: 'demo12345', _csrf: csrf, next: '/standards' }, null, { cookie: pre });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/standards');
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('dossier_session='))!;
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
  });

  it('does not redirect off-site after login', async () => {
    const page = await t.get('/login');
    const pre = page.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    const csrf = csrfFrom(await page.text());
    const res = await t.post('/login', { username: 'demo-head', password: 'demo12345', _csrf: csrf, next: '//evil.example/' }, null, { cookie: pre });
    expect(res.headers.get('location')).toBe('/');
  });

  it('refuses every off-site or malformed next (browsers drop tabs and newlines, read \\ as /)', async () => {
    for (const next of ['/\t/evil.example', '/\n/evil.example', '/\r\n/evil.example', '/\\evil.example', 'https://evil.example', '/ /evil.example', '/中文', '/\u0000x']) {
      const page = await t.get('/login');
      const pre = page.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
      const csrf = csrfFrom(await page.text());
      const res = await t.post('/login', { username: 'demo-head', password: 'demo12345', _csrf: csrf, next }, null, { cookie: pre });
      expect(res.status, JSON.stringify(next)).toBe(303);
      expect(res.headers.get('location'), JSON.stringify(next)).toBe('/');
    }
    // The login page itself never echoes such a next into its form.
    const page = await (await t.get('/login?next=%2F%09%2Fevil.example')).text();
    expect(page).not.toContain('evil.example');
  });

  it('rejects a wrong password with a Chinese message and no session', async () => {
    const page = await t.get('/login');
    const pre = page.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    const csrf = csrfFrom(await page.text());
    const res = await t.post('/login', { username: 'demo-city', password: 'wrong-password', _csrf: csrf }, null, { cookie: pre });
    expect(res.status).toBe(401);
    expect(await res.text()).toContain('用户名或密码不正确');
    expect(res.headers.getSetCookie().some((c) => c.startsWith('dossier_session='))).toBe(false);
  });

  it('rejects a login form without its CSRF token', async () => {
    const res = await t.post('/login', { username: 'demo-staff', password: 'demo12345' });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('CSRF');
  });

  it('validates missing and oversized fields', async () => {
    const page = await t.get('/login');
    const pre = page.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    const csrf = csrfFrom(await page.text());
    const res = await t.post('/login', { username: '', password: 'x'.repeat(300), _csrf: csrf }, null, { cookie: pre });
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain('请输入用户名');
    expect(html).toContain('密码过长');
  });

  it('throttles a username after five failures, even with the right password', async () => {
    const page = await t.get('/login');
    const pre = page.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    const csrf = csrfFrom(await page.text());
    for (let i = 0; i < 5; i++) {
      const r = await t.post('/login', { username: 'demo-expert', password: `bad-${i}`, _csrf: csrf }, null, { cookie: pre });
      expect(r.status).toBe(401);
    }
    const res = await t.post('/login', { username: 'demo-expert', password: 'demo12345', _csrf: csrf }, null, { cookie: pre });
    expect(res.status).toBe(429);
    expect(await res.text()).toContain('登录失败次数过多');
  });
});

describe('session and CSRF', () => {
  it('rejects a state change with a wrong CSRF token and changes nothing', async () => {
    const s = await t.login('demo-admin');
    const before = await t.db.db.selectFrom('regions').select('code').execute();
    const res = await t.post('/admin/regions', { _csrf: 'not-the-token', code: '410899', name: '测试区', parent_code: '410800' }, s);
    expect(res.status).toBe(403);
    const after = await t.db.db.selectFrom('regions').select('code').execute();
    expect(after.length).toBe(before.length);
  });

  it('accepts the token in the x-csrf-token header (htmx)', async () => {
    const s = await t.login('demo-admin');
    const res = await t.app.request('/admin/regions', {
      method: 'POST',
      body: new URLSearchParams({ code: '410898', name: '测试区', parent_code: '410800' }),
      headers: { cookie: s.cookie, 'x-csrf-token': s.csrf, 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(res.status).toBe(200);
  });

  it('logs out: the old cookie no longer works', async () => {
    const s = await t.login('demo-county');
    expect((await t.get('/dossiers', s)).status).toBe(200);
    const out = await t.post('/logout', {}, s);
    expect(out.status).toBe(303);
    expect((await t.get('/dossiers', s)).status).toBe(302);
    // 退出 again from a second tab (the session and its token are gone): to the login page, not a CSRF error.
    const again = await t.post('/logout', {}, s);
    expect(again.status).toBe(303);
    expect(again.headers.get('location')).toBe('/login');
  });

  it('still refuses a logout without the token while the session is alive', async () => {
    const s = await t.login('demo-county');
    const forged = await t.app.request('/logout', { method: 'POST', headers: { cookie: s.cookie, 'content-type': 'application/x-www-form-urlencoded' }, body: '' });
    expect(forged.status).toBe(403);
    expect((await t.get('/dossiers', s)).status).toBe(200);
  });

  it('treats an expired session as signed out', async () => {
    const s = await t.login('demo-province');
    await t.db.db.updateTable('sessions').set({ expires_at: '2000-01-01T00:00:00.000Z' }).execute();
    const res = await t.get('/dossiers', s);
    expect(res.status).toBe(302);
    const post = await t.post('/dossiers', { institution_id: 'x', year: '2026', target_level: 'basic' }, s);
    expect(post.status).toBe(403); // the session's CSRF token died with it
  });
});

describe('health and errors', () => {
  it('GET /healthz reports database and storage', async () => {
    const res = await t.get('/healthz');
    expect(res.status).toBe(200);
    const body = (await res.json()) as { status: string; database: { ok: boolean }; storage: { ok: boolean } };
    expect(body.status).toBe('ok');
    expect(body.database.ok).toBe(true);
    expect(body.storage.ok).toBe(true);
  });

  it('unknown routes give a Chinese 404 page', async () => {
    const res = await t.get('/no-such-page');
    expect(res.status).toBe(404);
    expect(await res.text()).toContain('页面不存在');
  });
});

describe('regions', () => {
  it('admin renames a region; empty names are refused', async () => {
    const s = await t.login('demo-admin');
    expect((await t.post('/admin/regions/410724', { name: '' }, s)).status).toBe(400);
    expect((await t.post('/admin/regions/410724', { name: '获嘉县（新）' }, s)).status).toBe(200);
    const r = await t.db.db.selectFrom('regions').select('name').where('code', '=', '410724').executeTakeFirstOrThrow();
    expect(r.name).toBe('获嘉县（新）');
    expect((await t.post('/admin/regions/999999', { name: '无' }, s)).status).toBe(404);
    const county = await t.login('demo-county');
    expect((await t.post('/admin/regions/410724', { name: 'x' }, county)).status).toBe(404);
  });
});
