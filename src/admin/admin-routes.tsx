// Administration: the region tree and accounts. Admin only; every other role gets 404.
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { AdminRegionsPage } from '../../views/admin-regions-page.tsx';
import { AdminUsersPage } from '../../views/admin-users-page.tsx';
import { ReviewRoutesPage } from '../../views/review-routes-page.tsx';
import { parseRouteText, saveProvinceRoute } from '../review/route-settings.ts';
import { recordAudit } from '../audit/audit-log.ts';
import type { Role } from '../db/schema.ts';
import { currentUser, notFound, requireRole } from '../http/access.ts';
import { clientIp } from '../http/client-ip.ts';
import { pageContext } from '../http/page-context.ts';
import { createRegion, listRegions, REGION_CODE_RE, renameRegion } from '../regions/region-repository.ts';
import { createUser, listUsers, passwordProblems, setPassword, setUserActive, userProblems } from '../users/user-repository.ts';
import { activeLocks, clearFailures, throttleKeys } from '../auth/login-throttle.ts';

const regionForm = z.object({
  code: z.string().trim().regex(REGION_CODE_RE, '行政区划代码应为6位数字'),
  name: z.string().trim().min(1, '请填写名称').max(50, '名称不能超过50字'),
  parent_code: z.string().trim().max(6).default(''),
});

const ROLES = ['staff', 'head', 'county_reviewer', 'city_reviewer', 'province_reviewer', 'expert', 'admin'] as const;
const userForm = z.object({
  username: z.string().trim().min(1, '请填写用户名').max(64, '用户名过长'),
  display_name: z.string().trim().min(1, '请填写姓名').max(50, '姓名不能超过50字'),
  password: z.string().max(256, '密码过长'),
  role: z.enum(ROLES, { message: '请选择角色' }),
  institution_id: z.string().max(64).default(''),
  region_code: z.string().max(6).default(''),
});

function formStrings(body: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(body)) if (typeof v === 'string' && k !== 'password' && k !== '_csrf') out[k] = v;
  return out;
}

export function adminRoutes(): Hono {
  const app = new Hono();
  app.use('*', requireRole('admin'));

  const regionsPage = async (c: Context, extra: { error?: string; ok?: string; form?: Record<string, string> } = {}, status: 200 | 400 = 200) =>
    c.html(<AdminRegionsPage ctx={pageContext(c)} regions={await listRegions(c.get('db'))} {...extra} />, status);

  app.get('/regions', (c) => regionsPage(c));

  const routesPage = async (c: Context, extra: { error?: string; ok?: string; draft?: { province_code: string; target_level: string; stages: string } } = {}, status: 200 | 400 = 200) => {
    const db = c.get('db');
    const provinces = await db.selectFrom('regions').selectAll().where('level', '=', 'province').orderBy('code').execute();
    const routes = await db.selectFrom('review_routes').selectAll().orderBy('target_level').orderBy('position').execute();
    return c.html(<ReviewRoutesPage ctx={pageContext(c)} provinces={provinces} routes={routes} {...extra} />, status);
  };
  app.get('/review-routes', (c) => routesPage(c));
  app.post('/review-routes', async (c) => {
    const db = c.get('db');
    const form = z
      .object({ province_code: z.string().max(6), target_level: z.enum(['basic', 'recommended', 'community_hospital']), stages: z.string().max(2000).default('') })
      .safeParse(await c.req.parseBody());
    if (!form.success) return routesPage(c, { error: '请求有误，请刷新页面后重试。' }, 400);
    const { province_code, target_level, stages } = form.data;
    const province = await db.selectFrom('regions').select(['code', 'name']).where('code', '=', province_code).where('level', '=', 'province').executeTakeFirst();
    if (!province) notFound('省份');
    const parsed = parseRouteText(stages);
    if (!parsed.ok) return routesPage(c, { error: parsed.errors.join(' '), draft: form.data }, 400);
    await saveProvinceRoute(db, province.code, target_level, parsed.stages);
    await recordAudit(db, { actorId: currentUser(c).id, ip: clientIp(c), action: 'review_route.save', subjectType: 'region', subjectId: province.code, detail: { target_level, stages: parsed.stages } });
    return routesPage(c, { ok: parsed.stages.length > 0 ? `已保存${province.name}的审核流程。` : `${province.name}已恢复使用国家默认流程。` });
  });
  app.post('/regions', async (c) => {
    const body = await c.req.parseBody();
    const parsed = regionForm.safeParse(body);
    if (!parsed.success) return regionsPage(c, { error: parsed.error.issues.map((i) => i.message).join('；'), form: formStrings(body) }, 400);
    const { code, name, parent_code } = parsed.data;
    const error = await createRegion(c.get('db'), { code, name, parentCode: parent_code || null });
    if (error) return regionsPage(c, { error, form: formStrings(body) }, 400);
    await recordAudit(c.get('db'), { actorId: currentUser(c).id, ip: clientIp(c), action: 'region.create', subjectType: 'region', subjectId: code });
    return regionsPage(c, { ok: `已新增 ${code} ${name}` });
  });

  app.post('/regions/:code', async (c) => {
    const code = c.req.param('code');
    const parsed = z.object({ name: z.string().trim().min(1, '请填写名称').max(50, '名称不能超过50字') }).safeParse(await c.req.parseBody());
    if (!parsed.success) return regionsPage(c, { error: parsed.error.issues.map((i) => i.message).join('；') }, 400);
    if (!(await renameRegion(c.get('db'), code, parsed.data.name))) notFound('行政区划');
    await recordAudit(c.get('db'), { actorId: currentUser(c).id, ip: clientIp(c), action: 'region.rename', subjectType: 'region', subjectId: code, detail: { name: parsed.data.name } });
    return regionsPage(c, { ok: `已将 ${code} 更名为 ${parsed.data.name}` });
  });

  const usersPage = async (c: Context, extra: { errors?: string[]; ok?: string; form?: Record<string, string> } = {}, status: 200 | 400 = 200) => {
    const db = c.get('db');
    const institutions = await db.selectFrom('institutions').select(['id', 'name']).orderBy('name').execute();
    return c.html(
      <AdminUsersPage ctx={pageContext(c)} users={await listUsers(db)} institutions={institutions} regions={await listRegions(db)} locks={await activeLocks(db)} {...extra} />,
      status,
    );
  };

  app.get('/users', (c) => usersPage(c));
  app.post('/users', async (c) => {
    const db = c.get('db');
    const body = await c.req.parseBody();
    const parsed = userForm.safeParse(body);
    if (!parsed.success) return usersPage(c, { errors: parsed.error.issues.map((i) => i.message), form: formStrings(body) }, 400);
    const d = parsed.data;
    const input = {
      username: d.username,
      displayName: d.display_name,
      password: d.password,
      role: d.role as Role,
      institutionId: d.institution_id || null,
      regionCode: d.region_code || null,
    };
    const problems = await userProblems(db, input);
    if (problems.length) return usersPage(c, { errors: problems, form: formStrings(body) }, 400);
    const user = await createUser(db, input);
    await recordAudit(db, { actorId: currentUser(c).id, ip: clientIp(c), action: 'user.create', subjectType: 'user', subjectId: user.id, detail: { username: user.username, role: user.role } });
    return usersPage(c, { ok: `已创建账号 ${user.username}` });
  });

  app.post('/users/:id/active', async (c) => {
    const db = c.get('db');
    const id = c.req.param('id');
    const target = await db.selectFrom('users').select(['id', 'username']).where('id', '=', id).executeTakeFirst();
    if (!target) notFound('账号');
    if (target.id === currentUser(c).id) return usersPage(c, { errors: ['不能停用自己的账号'] }, 400);
    const active = (await c.req.parseBody())['active'] === '1';
    await setUserActive(db, id, active);
    await recordAudit(db, { actorId: currentUser(c).id, ip: clientIp(c), action: active ? 'user.enable' : 'user.disable', subjectType: 'user', subjectId: id });
    return usersPage(c, { ok: `已${active ? '启用' : '停用'}账号 ${target.username}` });
  });

  app.post('/users/unlock', async (c) => {
    const db = c.get('db');
    const key = (await c.req.parseBody())['key'];
    if (typeof key !== 'string' || !/^(u|ip):/.test(key) || key.length > 300) return usersPage(c, { errors: ['无效的锁定项'] }, 400);
    await clearFailures(db, [key]);
    const value = key.slice(key.indexOf(':') + 1);
    const detail = key.startsWith('u:') ? { username: value } : { address: value };
    await recordAudit(db, { actorId: currentUser(c).id, ip: clientIp(c), action: 'user.unlock', subjectType: 'login', subjectId: key, detail });
    return usersPage(c, { ok: `已解除锁定：${key.startsWith('u:') ? '账号' : '地址'} ${key.slice(key.indexOf(':') + 1)}` });
  });

  // A forgotten password: the admin sets a new one and tells the person; their sessions end, their lock lifts.
  app.post('/users/:id/password', async (c) => {
    const db = c.get('db');
    const target = await db.selectFrom('users').select(['id', 'username']).where('id', '=', c.req.param('id')).executeTakeFirst();
    if (!target) notFound('账号');
    const password = (await c.req.parseBody())['password'];
    const problems = typeof password === 'string' ? passwordProblems(password) : ['请填写新密码'];
    if (problems.length || typeof password !== 'string') return usersPage(c, { errors: problems.map((m) => `${target.username}：${m}`) }, 400);
    await setPassword(db, target.id, password);
    await clearFailures(db, [throttleKeys(target.username, '')[0]!]);
    await recordAudit(db, { actorId: currentUser(c).id, ip: clientIp(c), action: 'user.password', subjectType: 'user', subjectId: target.id });
    return usersPage(c, { ok: `已为 ${target.username} 设置新密码，其所有会话已结束。` });
  });

  return app;
}
