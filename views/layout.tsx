import type { Child } from 'hono/jsx';
import type { User } from '../src/db/schema.ts';
import { ROLE_LABELS } from './labels.ts';

export interface PageContext {
  user: User | null;
  csrfToken: string;
  /** The request path, so the nav can tell which section a page belongs to. */
  path?: string;
}

/** An inline icon, so no page pays a request (or a 404) for /favicon.ico. */
export const FAVICON_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="6" fill="#1f5f8b"/><path d="M9 7h10l5 5v13H9z" fill="#fff"/><path d="M19 7v5h5" fill="#cfe0ee"/><path d="M12 16h9M12 20h9" stroke="#1f5f8b" stroke-width="2"/></svg>';
const FAVICON = `data:image/svg+xml,${encodeURIComponent(FAVICON_SVG)}`;

interface NavLink {
  href: string;
  label: string;
  show: (u: User) => boolean;
}

const NAV: NavLink[] = [
  { href: '/dossiers', label: '评价档案', show: () => true },
  { href: '/review', label: '待审档案', show: (u) => ['county_reviewer', 'city_reviewer', 'province_reviewer', 'expert'].includes(u.role) },
  { href: '/institutions', label: '机构', show: (u) => u.role !== 'staff' },
  { href: '/search', label: '全文检索', show: () => true },
  { href: '/standards', label: '能力标准', show: () => true },
  { href: '/seals/verify', label: '封存校验', show: (u) => u.role !== 'staff' },
  { href: '/admin/regions', label: '行政区划', show: (u) => u.role === 'admin' },
  { href: '/admin/users', label: '账号', show: (u) => u.role === 'admin' },
  { href: '/admin/review-routes', label: '审核流程', show: (u) => u.role === 'admin' },
  { href: '/admin/audit', label: '审计日志', show: (u) => u.role === 'admin' },
];

/** Documents belong to the 文件库 section, whichever page links to them. */
function activeSection(ctx: PageContext, active: string | undefined): string | undefined {
  const path = ctx.path ?? '';
  const library = ctx.user?.institution_id ? `/institutions/${ctx.user.institution_id}/documents` : null;
  if (/^\/institutions\/[^/]+\/documents(\/|$)/.test(path) || /^\/documents\//.test(path)) {
    if (library) return library;
    // Reviewers have no 文件库 item: another institution's library sits under 机构.
    if (path.startsWith('/institutions/')) return '/institutions';
  }
  return active;
}

export function Layout(props: { ctx: PageContext; title: string; active?: string; children?: Child }) {
  const { user, csrfToken } = props.ctx;
  const active = activeSection(props.ctx, props.active);
  return (
    <html lang="zh-CN">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="csrf-token" content={csrfToken} />
        <title>{`${props.title} · 基层行证据档案系统`}</title>
        <link rel="icon" href={FAVICON} />
        <link rel="stylesheet" href="/static/app.css" />
        <script src="/static/htmx.min.js" defer></script>
        <script src="/static/app.js" defer></script>
      </head>
      <body hx-headers={JSON.stringify({ 'x-csrf-token': csrfToken })}>
        <header class="topbar">
          <a class="brand" href="/">
            基层行证据档案系统
          </a>
          {user && (
            <nav class="mainnav" aria-label="主导航">
              {[...NAV.slice(0, 2), ...(user.institution_id ? [{ href: `/institutions/${user.institution_id}/documents`, label: '文件库', show: () => true }] : []), ...NAV.slice(2)]
                .filter((n) => n.show(user))
                .map((n) => (
                <a href={n.href} class={active === n.href ? 'active' : undefined}>
                  {n.label}
                </a>
              ))}
            </nav>
          )}
          {user && (
            <div class="account">
              <span class="who">
                {user.display_name}
                <small>{ROLE_LABELS[user.role]}</small>
              </span>
              <form method="post" action="/logout">
                <input type="hidden" name="_csrf" value={csrfToken} />
                <button type="submit" class="link">
                  退出
                </button>
              </form>
            </div>
          )}
        </header>
        <main id="main">
          <div id="flash-area"></div>
          {props.children}
        </main>
      </body>
    </html>
  );
}

export function Flash(props: { kind: 'error' | 'ok' | 'info'; children?: Child }) {
  return (
    <div class={`flash ${props.kind}`} role={props.kind === 'error' ? 'alert' : 'status'}>
      {props.children}
    </div>
  );
}

export function DemoBadge(props: { show: boolean }) {
  return props.show ? (
    <span class="badge demo" title="条款文字为演示内容，并非官方原文">
      演示内容
    </span>
  ) : null;
}

export function ErrorPage(props: { ctx: PageContext; status: number; message: string }) {
  const title = props.status === 404 ? '页面不存在' : props.status >= 500 ? '系统错误' : '请求有误';
  return (
    <Layout ctx={props.ctx} title={title}>
      <section class="error-page">
        <h1>{title}</h1>
        <p>{props.message}</p>
        <p>
          <a href="/">返回首页</a>
        </p>
      </section>
    </Layout>
  );
}
