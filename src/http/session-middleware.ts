// Loads the session from its cookie and exposes the user and CSRF token to handlers.
import { randomBytes } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { findSession, SESSION_COOKIE } from '../auth/sessions.ts';

/** Anonymous pages (login) use a double-submit cookie for CSRF until a session exists. */
export const PRE_SESSION_COOKIE = 'dossier_pre';

export function sessionMiddleware(opts: { secureCookies: boolean }): MiddlewareHandler {
  return async function session(c, next) {
    c.set('htmx', c.req.header('hx-request') === 'true');
    const found = await findSession(c.get('db'), getCookie(c, SESSION_COOKIE));
    if (found) {
      c.set('user', found.user);
      c.set('sessionId', found.id);
      c.set('csrfToken', found.csrfToken);
    } else {
      c.set('user', null);
      c.set('sessionId', null);
      let pre = getCookie(c, PRE_SESSION_COOKIE);
      if (!pre || !/^[\w-]{20,64}$/.test(pre)) {
        pre = randomBytes(24).toString('base64url');
        setCookie(c, PRE_SESSION_COOKIE, pre, { httpOnly: true, sameSite: 'Lax', secure: opts.secureCookies, path: '/' });
      }
      c.set('csrfToken', pre);
    }
    await next();
  };
}
