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
});
