// Creating accounts on /admin/users: usernames unique regardless of case, trivial passwords refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type Session, type TestApp } from '../helpers/test-app.ts';

let t: TestApp;
let admin: Session;
let regionCode: string;

beforeAll(async () => {
  t = await createTestApp();
  admin = await t.login('demo-admin');
  regionCode = (await t.db.db.selectFrom('regions').select('code').where('level', '=', 'county').executeTakeFirstOrThrow()).code;
});
afterAll(() => t?.close());

const reviewer = (username: string, password = 'good-password-1') => ({ username, display_name: '测试审核员', password, role: 'county_reviewer', region_code: regionCode });
const usernames = async () => (await t.db.db.selectFrom('users').select('username').execute()).map((u) => u.username);

describe('admin creates accounts', () => {
  it('creates one, then refuses the same name in other case', async () => {
    expect((await t.post('/admin/users', reviewer('qa-reviewer'), admin)).status).toBe(200);
    const again = await t.post('/admin/users', reviewer('QA-Reviewer'), admin);
    expect(again.status).toBe(400);
    expect(await again.text()).toContain('与已有的 qa-reviewer 只差大小写');
    expect((await usernames()).filter((u) => u.toLowerCase() === 'qa-reviewer')).toEqual(['qa-reviewer']);
  });

  it('refuses passwords of spaces or one repeated character', async () => {
    for (const password of ['        ', '11111111', 'aaaaaaaaaaaa']) {
      const res = await t.post('/admin/users', reviewer(`weak-${password.charCodeAt(0)}-${password.length}`, password), admin);
      expect(res.status, JSON.stringify(password)).toBe(400);
      expect(await res.text()).toContain('密码过于简单');
    }
    expect((await usernames()).some((u) => u.startsWith('weak-'))).toBe(false);
  });

  it('a disabled account with the right password is told it is disabled; a wrong password learns nothing', async () => {
    const id = (await t.db.db.selectFrom('users').select('id').where('username', '=', 'qa-reviewer').executeTakeFirstOrThrow()).id;
    expect((await t.post(`/admin/users/${id}/active`, { active: '0' }, admin)).status).toBe(200);
    const attempt = async (password: string) => {
      const page = await t.get('/login');
      const pre = page.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
      const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())![1]!;
      return t.post('/login', { username: 'qa-reviewer', password, _csrf: csrf }, null, { cookie: pre });
    };
    const right = await attempt('good-password-1');
    expect(right.status).toBe(403);
    expect(await right.text()).toContain('该账号已停用');
    const wrong = await attempt('wrong-password-1');
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).not.toContain('停用');
  });

  it('lists login locks and lifts one (a shared office address can lock out everyone behind it)', async () => {
    const until = new Date(Date.now() + 10 * 60_000).toISOString();
    await t.db.db.insertInto('login_throttle').values({ key: 'ip:10.20.30.40', failures: 20, window_started_at: new Date().toISOString(), locked_until: until }).execute();
    const page = await (await t.get('/admin/users', admin)).text();
    expect(page).toContain('登录锁定');
    expect(page).toContain('地址 10.20.30.40');
    const res = await t.post('/admin/users/unlock', { key: 'ip:10.20.30.40' }, admin);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('已解除锁定：地址 10.20.30.40');
    expect(await t.db.db.selectFrom('login_throttle').select('key').where('key', '=', 'ip:10.20.30.40').executeTakeFirst()).toBeUndefined();
    expect((await t.post('/admin/users/unlock', { key: 'sessions' }, admin)).status).toBe(400);
    const audit = await (await t.get('/admin/audit', admin)).text();
    expect(audit).toContain('解除登录锁定');
    expect(audit).toContain('来源地址：10.20.30.40');
    expect((await t.post('/admin/users/unlock', { key: 'ip:10.20.30.40' }, await t.login('demo-county'))).status).toBe(404);
  });

  it('resets a password: the old one stops working, its sessions end', async () => {
    const staff = await t.login('demo-staff');
    const id = (await t.db.db.selectFrom('users').select('id').where('username', '=', 'demo-staff').executeTakeFirstOrThrow()).id;
    const weak = await t.post(`/admin/users/${id}/password`, { password: '        ' }, admin);
    expect(weak.status).toBe(400);
    expect(await weak.text()).toContain('demo-staff：密码过于简单');
    const ok = await t.post(`/admin/users/${id}/password`, { password: 'fresh-password-7' }, admin);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('已为 demo-staff 设置新密码');
    // The old session is gone; the new password signs in, the old one does not.
    const after = await t.get('/dossiers', staff);
    expect(after.status).toBe(302);
    await t.login('demo-staff', 'fresh-password-7');
    await expect(t.login('demo-staff')).rejects.toThrow();
    // Only admins reach the route.
    const other = await t.login('demo-county');
    expect((await t.post(`/admin/users/${id}/password`, { password: 'attacker-pass-1' }, other)).status).toBe(404);
  });
});
