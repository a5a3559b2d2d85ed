import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type Session, type TestApp } from '../helpers/test-app.ts';

let t: TestApp;
let admin: Session;
beforeAll(async () => {
  t = await createTestApp();
  admin = await t.login('demo-admin');
});
afterAll(() => t.close());

const base = { name: '修武县西村乡卫生院', kind: 'township', county_code: '410821', service_population: '18000', open_beds: '20' };

describe('institutions', () => {
  it('admin creates an institution and sees its profile', async () => {
    const res = await t.post('/institutions', base, admin);
    expect(res.status).toBe(303);
    const page = await t.get(res.headers.get('location')!, admin);
    const html = await page.text();
    expect(html).toContain('修武县西村乡卫生院');
    expect(html).toContain('18,000 人');
  });

  it('re-renders the form with Chinese messages and keeps the input on bad values', async () => {
    const res = await t.post('/institutions', { ...base, name: '', open_beds: '-3', county_code: '999999' }, admin);
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain('机构名称');
    expect(html).toContain('field-error');
    expect(html).toContain('18000');
  });

  it('refuses a duplicate name in the same county with a clear message', async () => {
    const res = await t.post('/institutions', base, admin);
    expect(res.status).toBe(409);
    expect(await res.text()).toContain('已有名为“修武县西村乡卫生院”的机构');
  });

  it('the head edits the own institution profile', async () => {
    const head = await t.login('demo-head');
    const own = await t.db.db.selectFrom('users').select('institution_id').where('username', '=', 'demo-head').executeTakeFirstOrThrow();
    const current = await t.db.db.selectFrom('institutions').selectAll().where('id', '=', own.institution_id!).executeTakeFirstOrThrow();
    const res = await t.post(`/institutions/${current.id}`, { name: current.name, kind: current.kind, county_code: current.county_code, yearly_visits: '90000' }, head);
    expect(res.status).toBe(303);
    const after = await t.db.db.selectFrom('institutions').select('yearly_visits').where('id', '=', current.id).executeTakeFirstOrThrow();
    expect(Number(after.yearly_visits)).toBe(90000);
  });

  it('keeps the kind of an institution that has dossiers (their standard depends on it)', async () => {
    const own = await t.db.db.selectFrom('users').select('institution_id').where('username', '=', 'demo-head').executeTakeFirstOrThrow();
    const current = await t.db.db.selectFrom('institutions').selectAll().where('id', '=', own.institution_id!).executeTakeFirstOrThrow();
    const other = current.kind === 'township' ? 'community' : 'township';
    const res = await t.post(`/institutions/${current.id}`, { name: current.name, kind: other, county_code: current.county_code }, admin);
    expect(res.status).toBe(409);
    expect(await res.text()).toContain('不能再修改机构类型');
    const after = await t.db.db.selectFrom('institutions').select('kind').where('id', '=', current.id).executeTakeFirstOrThrow();
    expect(after.kind).toBe(current.kind);
  });

  it('imports institutions from CSV, all or nothing', async () => {
    const csv = (rows: string) => new File([`\ufeff机构名称,机构类型,县区代码\n${rows}`], 'i.csv', { type: 'text/csv' });
    const send = async (file: File) => {
      const form = new FormData();
      form.set('_csrf', admin.csrf);
      form.set('file', file);
      return t.app.request('/institutions/import', { method: 'POST', body: form, headers: { cookie: admin.cookie } });
    };
    const bad = await send(csv('博爱县许良镇卫生院,乡镇卫生院,410822\n坏行,医院,123\n'));
    expect(bad.status).toBe(400);
    const badHtml = await bad.text();
    expect(badHtml).toContain('第 3 行');
    expect(await t.db.db.selectFrom('institutions').select('id').where('name', '=', '博爱县许良镇卫生院').executeTakeFirst()).toBeUndefined();
    const good = await send(csv('博爱县许良镇卫生院,乡镇卫生院,410822\n'));
    expect(good.status).toBe(200);
    expect(await t.db.db.selectFrom('institutions').select('id').where('name', '=', '博爱县许良镇卫生院').executeTakeFirst()).toBeDefined();
  });
});
