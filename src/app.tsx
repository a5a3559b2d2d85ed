// createApp(deps): middleware and route mounts. Tests call app.request() on it; src/server.ts serves it.
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import { secureHeaders } from 'hono/secure-headers';
import { ErrorPage } from '../views/layout.tsx';
import { adminRoutes } from './admin/admin-routes.tsx';
import { authRoutes } from './auth/auth-routes.tsx';
import { documentRoutes } from './documents/document-routes.tsx';
import { libraryRoutes } from './documents/library-routes.tsx';
import { dossierRoutes } from './dossiers/dossier-routes.tsx';
import { evidenceRoutes } from './dossiers/evidence-routes.tsx';
import { healthRoutes } from './health/health-routes.ts';
import type { AppDeps } from './http/context.ts';
import { csrfMiddleware } from './http/csrf-middleware.ts';
import { pageContext } from './http/page-context.ts';
import { sessionMiddleware } from './http/session-middleware.ts';
import { staticRoutes } from './http/static-routes.ts';
import { FAVICON_SVG } from '../views/layout.tsx';
import { institutionRoutes } from './institutions/institution-routes.tsx';
import { rectificationRoutes } from './rectifications/rectification-routes.tsx';
import { annotationRoutes } from './review/annotation-routes.tsx';
import { searchRoutes } from './search/search-routes.tsx';
import { sealRoutes } from './seals/seal-routes.tsx';
import { reviewRoutes } from './review/review-routes.tsx';
import { auditRoutes } from './audit/audit-routes.tsx';
import { binderRoutes } from './binder/binder-routes.tsx';
import { standardRoutes } from './standards/standard-routes.tsx';

const FORM_LIMIT_BYTES = 25 * 1024 * 1024; // spreadsheets for imports; evidence uploads get their own route

const UPLOAD_PATHS = [/^\/institutions\/[^/]+\/documents$/, /^\/documents\/[^/]+\/versions$/, /^\/dossiers\/[^/]+\/items\/[^/]+\/evidence\/upload$/, /^\/seals\/verify$/];
function isUploadPath(path: string): boolean {
  return UPLOAD_PATHS.some((re) => re.test(path));
}

export function createApp(deps: AppDeps): Hono {
  const app = new Hono();

  app.use('*', async (c, next) => {
    c.set('deps', deps);
    c.set('db', deps.database.db);
    c.set('user', null);
    c.set('csrfToken', '');
    c.set('htmx', false);
    await next();
  });
  app.use(
    '*',
    secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:', 'blob:'],
      },
    }),
  );
  app.route('/static', staticRoutes());
  // Browsers ask for /favicon.ico on their own (pages carry an inline icon); answer without a session or a 404.
  app.get('/favicon.ico', (c) => c.body(FAVICON_SVG, 200, { 'content-type': 'image/svg+xml', 'cache-control': 'public, max-age=604800' }));
  app.route('/', healthRoutes(deps));
  app.use('*', sessionMiddleware({ secureCookies: deps.config.secureCookies }));
  // Pages show live state (a dossier's stage, a form's token): Back must not bring up a stale copy with live
  // buttons, and no shared cache may keep a signed-in page.
  app.use('*', async (c, next) => {
    await next();
    if (!c.res.headers.has('cache-control') && c.res.headers.get('content-type')?.startsWith('text/html')) c.res.headers.set('cache-control', 'no-store');
  });
  const formLimit = bodyLimit({
    maxSize: FORM_LIMIT_BYTES,
    onError: () => {
      throw new HTTPException(413, { message: '提交的内容过大。' });
    },
  });
  // Evidence uploads stream to disk with their own per-file limit; every other body is capped. GET and HEAD have
  // no body to cap (and asking for one would build a full fetch Request on every page view).
  app.use('*', (c, next) => (c.req.method === 'GET' || c.req.method === 'HEAD' || isUploadPath(c.req.path) ? next() : formLimit(c, next)));
  app.use('*', csrfMiddleware({ isStreamingUpload: isUploadPath }));

  app.get('/', (c) => (c.get('user') ? c.redirect('/dossiers') : c.redirect('/login')));
  app.route('/', authRoutes(deps));
  app.route('/dossiers', annotationRoutes());
  app.route('/dossiers', rectificationRoutes());
  app.route('/dossiers', evidenceRoutes());
  app.route('/dossiers', binderRoutes());
  app.route('/dossiers', dossierRoutes());
  app.route('/institutions/:institutionId/documents', libraryRoutes());
  app.route('/institutions', institutionRoutes());
  app.route('/documents', documentRoutes());
  app.route('/standards', standardRoutes());
  app.route('/search', searchRoutes());
  app.route('/', sealRoutes());
  app.route('/', reviewRoutes());
  app.route('/', auditRoutes());
  app.route('/admin', adminRoutes());

  app.notFound((c) => renderError(c, 404, '您访问的页面不存在。'));
  app.onError((err, c) => {
    if (err instanceof HTTPException) {
      if (err.status === 401 && c.req.method === 'GET' && !c.get('htmx')) return c.redirect('/login');
      return renderError(c, err.status, err.message || '请求有误。');
    }
    // Log the error for operators; never show a stack trace to the user.
    console.error(`[500] ${c.req.method} ${c.req.path}:`, err);
    return renderError(c, 500, '服务器内部错误，请稍后重试。如果问题持续出现，请联系系统管理员。');
  });
  return app;
}

function renderError(c: Context, status: number, message: string) {
  const code = status as 400;
  if (c.get('htmx')) {
    // htmx does not swap 4xx/5xx by default; tell it where to put the message.
    c.header('HX-Retarget', '#flash-area');
    c.header('HX-Reswap', 'innerHTML');
    return c.html(<div class="flash error" role="alert">{message}</div>, code);
  }
  return c.html(<ErrorPage ctx={pageContext(c)} status={status} message={message} />, code);
}
