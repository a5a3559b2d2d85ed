// Synchronizer-token CSRF protection for every state-changing request, htmx included.
// The token travels in the `x-csrf-token` header (htmx, set once on <body hx-headers>), the `_csrf` form field,
// or — for streamed multipart uploads only — the `_csrf` query parameter.
import { timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function csrfMiddleware(opts: { isStreamingUpload: (path: string) => boolean }): MiddlewareHandler {
  return async function csrf(c, next) {
    if (SAFE_METHODS.has(c.req.method)) return next();
    // Logging out without a session (signed out already, e.g. in another tab) changes nothing: straight to /login.
    if (c.req.path === '/logout' && !c.get('sessionId')) return next();
    let sent = c.req.header('x-csrf-token') ?? '';
    const type = c.req.header('content-type') ?? '';
    if (!sent && opts.isStreamingUpload(c.req.path)) {
      // Evidence uploads are streamed, never parsed here: the form carries its token in the query string.
      sent = c.req.query('_csrf') ?? '';
    } else if (!sent && (type.startsWith('application/x-www-form-urlencoded') || type.startsWith('multipart/form-data'))) {
      // parseBody caches, so handlers can read the form again.
      const body = await c.req.parseBody().catch(() => ({}) as Record<string, unknown>);
      const field = body['_csrf'];
      sent = typeof field === 'string' ? field : '';
    }
    if (!sent || !sameToken(sent, c.get('csrfToken'))) {
      throw new HTTPException(403, { message: '页面已过期或请求来源无法验证（CSRF 校验失败），请刷新页面后重试。' });
    }
    await next();
  };
}
