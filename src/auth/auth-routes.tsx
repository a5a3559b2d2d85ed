// Login and logout.
import { Hono } from 'hono';
import { deleteCookie, setCookie } from 'hono/cookie';
import { z } from 'zod';
import { LoginPage } from '../../views/login-page.tsx';
import { recordAudit } from '../audit/audit-log.ts';
import { clientIp } from '../http/client-ip.ts';
import type { AppDeps } from '../http/context.ts';
import { PRE_SESSION_COOKIE } from '../http/session-middleware.ts';
import { clearFailures, lockedMinutes, recordFailure, throttleKeys } from './login-throttle.ts';
import { DUMMY_HASH_PROMISE, verifyPassword } from './password.ts';
import { createSession, deleteSession, SESSION_COOKIE } from './sessions.ts';

const loginForm = z.object({
  username: z.string().trim().min(1, '请输入用户名').max(64, '用户名过长'),
  password: z.string().min(1, '请输入密码').max(256, '密码过长'),
  next: z.string().max(500).optional(),
});

/**
 * Only a path on this site, so the login form cannot be used as an open redirect. Browsers drop tabs and
 * newlines from URLs ("/\t/evil.example" → "//evil.example") and treat "\" as "/": anything but printable ASCII
 * (paths arrive percent-encoded), or a backslash, disqualifies it; so does "//" at the start.
 */
export function safeNext(next: string | undefined): string {
  if (!next || next.length > 2000 || !next.startsWith('/') || next.startsWith('//')) return '/';
  return /[^\x21-\x7e]|\\/.test(next) ? '/' : next;
}

export function authRoutes(deps: AppDeps): Hono {
  const app = new Hono();
  const { config } = deps;

  app.get('/login', (c) => {
    if (c.get('user')) return c.redirect('/');
    const ctx = { user: null, csrfToken: c.get('csrfToken') };
    return c.html(<LoginPage ctx={ctx} next={safeNext(c.req.query('next'))} demo={config.demo} />);
  });

  app.post('/login', async (c) => {
    const db = c.get('db');
    const ctx = { user: null, csrfToken: c.get('csrfToken') };
    const body = await c.req.parseBody();
    const parsed = loginForm.safeParse(body);
    const next = safeNext(typeof body['next'] === 'string' ? body['next'] : undefined);
    if (!parsed.success) {
      const message = parsed.error.issues.map((i) => i.message).join('；');
      return c.html(<LoginPage ctx={ctx} next={next} error={message} demo={config.demo} />, 400);
    }
    const { username, password } = parsed.data;
    const ip = clientIp(c);
    const keys = throttleKeys(username, ip);
    const wait = await lockedMinutes(db, keys);
    if (wait > 0) {
      return c.html(
        <LoginPage ctx={ctx} next={next} username={username} error={`登录失败次数过多，请 ${wait} 分钟后再试。`} demo={config.demo} />,
        429,
      );
    }
    const user = await db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst();
    const ok = user ? await verifyPassword(password, user.password_hash) : (await verifyPassword(password, await DUMMY_HASH_PROMISE), false);
    if (!user || !ok) {
      await recordFailure(db, keys);
      return c.html(<LoginPage ctx={ctx} next={next} username={username} error="用户名或密码不正确。" demo={config.demo} />, 401);
    }
    // Only someone who knows the password learns that the account is disabled (and whom to ask).
    if (!user.active) {
      return c.html(<LoginPage ctx={ctx} next={next} username={username} error="该账号已停用，请联系系统管理员。" demo={config.demo} />, 403);
    }
    await clearFailures(db, keys);
    const { token } = await createSession(db, user.id, ip, config.sessionHours);
    setCookie(c, SESSION_COOKIE, token, {
      httpOnly: true,
      sameSite: 'Lax',
      secure: config.secureCookies,
      path: '/',
      maxAge: Math.round(config.sessionHours * 3600),
    });
    deleteCookie(c, PRE_SESSION_COOKIE, { path: '/' });
    await recordAudit(db, { actorId: user.id, ip, action: 'login', subjectType: 'user', subjectId: user.id });
    return c.redirect(next, 303);
  });

  app.post('/logout', async (c) => {
    const sessionId = c.get('sessionId');
    if (sessionId) await deleteSession(c.get('db'), sessionId);
    deleteCookie(c, SESSION_COOKIE, { path: '/' });
    if (c.get('htmx')) {
      c.header('HX-Redirect', '/login');
      return c.body(null, 204);
    }
    return c.redirect('/login', 303);
  });

  return app;
}
