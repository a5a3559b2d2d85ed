import { Flash, Layout, type PageContext } from './layout.tsx';

export function LoginPage(props: { ctx: PageContext; next: string; username?: string; error?: string; demo: boolean }) {
  return (
    <Layout ctx={props.ctx} title="登录">
      <section class="login">
        <h1>登录</h1>
        <p class="muted">优质服务基层行 · 证据档案与评审</p>
        {props.error && <Flash kind="error">{props.error}</Flash>}
        <form method="post" action="/login" class="stack">
          <input type="hidden" name="_csrf" value={props.ctx.csrfToken} />
          <input type="hidden" name="next" value={props.next} />
          <label>
            用户名
            <input name="username" autocomplete="username" required maxlength={64} value={props.username ?? ''} autofocus />
          </label>
          <label>
            密码
            <input name="password" type="password" autocomplete="current-password" required maxlength={256} />
          </label>
          <button type="submit" class="primary">
            登录
          </button>
        </form>
        {props.demo && (
          <p class="muted small">
            演示账号：demo-staff、demo-head、demo-county、demo-city、demo-province、demo-expert、demo-admin，密码均为 demo12345。
          </p>
        )}
      </section>
    </Layout>
  );
}
