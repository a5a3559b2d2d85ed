// Role checks for routes. Scope (which institutions an account may see) is enforced in the queries
// (see src/auth/scope.ts), so an out-of-scope record is simply not found: 404, never a 403 that leaks it.
import type { Context, MiddlewareHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { Role, User } from '../db/schema.ts';

export const INSTITUTION_ROLES: Role[] = ['staff', 'head'];
export const REVIEWER_ROLES: Role[] = ['county_reviewer', 'city_reviewer', 'province_reviewer', 'expert'];
export const ALL_ROLES: Role[] = [...INSTITUTION_ROLES, ...REVIEWER_ROLES, 'admin'];

/** Requires a signed-in account with one of the roles; anonymous users are sent to the login page. */
export function requireRole(...roles: Role[]): MiddlewareHandler {
  return async function requireRoleHandler(c, next) {
    const user = c.get('user');
    if (!user) {
      if (c.req.method === 'GET' && !c.get('htmx')) {
        return c.redirect(`/login?next=${encodeURIComponent(c.req.path)}`);
      }
      throw new HTTPException(401, { message: '登录已过期，请重新登录。' });
    }
    if (!roles.includes(user.role)) throw new HTTPException(404, { message: '页面不存在。' });
    await next();
  };
}

export function currentUser(c: Context): User {
  const user = c.get('user');
  if (!user) throw new HTTPException(401, { message: '登录已过期，请重新登录。' });
  return user;
}

export function notFound(what = '页面'): never {
  throw new HTTPException(404, { message: `${what}不存在或您无权查看。` });
}
