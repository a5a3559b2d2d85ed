import type { LoginLock } from '../src/auth/login-throttle.ts';
import type { Region, Role } from '../src/db/schema.ts';
import { formatMinute } from '../src/documents/document-labels.ts';
import type { listUsers } from '../src/users/user-repository.ts';
import { REGION_LEVEL_LABELS, ROLE_LABELS } from './labels.ts';
import { Flash, Layout, type PageContext } from './layout.tsx';

type UserRow = Awaited<ReturnType<typeof listUsers>>[number];

export function AdminUsersPage(p: {
  ctx: PageContext;
  users: UserRow[];
  institutions: { id: string; name: string }[];
  regions: Region[];
  errors?: string[];
  ok?: string;
  form?: Record<string, string>;
  locks: LoginLock[];
}) {
  const f = p.form ?? {};
  return (
    <Layout ctx={p.ctx} title="账号管理" active="/admin/users">
      <h1>账号管理</h1>
      {p.errors && p.errors.length > 0 && (
        <Flash kind="error">
          {p.errors.map((e) => (
            <div>{e}</div>
          ))}
        </Flash>
      )}
      {p.ok && <Flash kind="ok">{p.ok}</Flash>}
      <table class="list">
        <thead>
          <tr>
            <th>用户名</th>
            <th>姓名</th>
            <th>角色</th>
            <th>范围</th>
            <th>状态</th>
            <th></th>
          </tr>
        </thead>
        <tbody>
          {p.users.map((u) => (
            <tr>
              <td>{u.username}</td>
              <td>{u.display_name}</td>
              <td>{ROLE_LABELS[u.role]}</td>
              <td>{u.institution_name ?? u.region_name ?? '全部'}</td>
              <td>{u.active ? '启用' : '停用'}</td>
              <td>
                <form method="post" action={`/admin/users/${u.id}/active`}>
                  <input type="hidden" name="_csrf" value={p.ctx.csrfToken} />
                  <input type="hidden" name="active" value={u.active ? '0' : '1'} />
                  <button type="submit" class="link">
                    {u.active ? '停用' : '启用'}
                  </button>
                </form>
                <details class="reset-password">
                  <summary>重设密码</summary>
                  <form method="post" action={`/admin/users/${u.id}/password`} class="inline-form">
                    <input type="hidden" name="_csrf" value={p.ctx.csrfToken} />
                    <input type="password" name="password" required minlength={8} maxlength={200} autocomplete="new-password" aria-label={`${u.username} 的新密码`} placeholder="新密码（至少 8 位）" />
                    <button type="submit">设置</button>
                  </form>
                </details>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {p.locks.length > 0 && (
        <section class="card" id="login-locks">
          <h2>登录锁定</h2>
          <p class="muted small">连续登录失败会暂时锁定账号或来源地址；同一单位共用出口地址时，一个地址的锁定会挡住该地址的所有人。</p>
          <table class="list">
            <thead>
              <tr>
                <th>对象</th>
                <th>失败次数</th>
                <th>锁定至</th>
                <th></th>
              </tr>
            </thead>
            <tbody>
              {p.locks.map((l) => (
                <tr>
                  <td>
                    {l.kind === 'account' ? '账号' : '地址'} {l.value}
                  </td>
                  <td>{l.failures}</td>
                  <td>{formatMinute(l.lockedUntil)}</td>
                  <td>
                    <form method="post" action="/admin/users/unlock">
                      <input type="hidden" name="_csrf" value={p.ctx.csrfToken} />
                      <input type="hidden" name="key" value={l.key} />
                      <button type="submit" class="link">
                        解除锁定
                      </button>
                    </form>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
      <section class="card">
        <h2>新建账号</h2>
        <form method="post" action="/admin/users" class="grid-form">
          <input type="hidden" name="_csrf" value={p.ctx.csrfToken} />
          <label>
            用户名
            <input name="username" required maxlength={64} value={f['username'] ?? ''} />
          </label>
          <label>
            姓名
            <input name="display_name" required maxlength={50} value={f['display_name'] ?? ''} />
          </label>
          <label>
            初始密码（至少8位）
            <input name="password" type="password" required minlength={8} maxlength={256} autocomplete="new-password" />
          </label>
          <label>
            角色
            <select name="role">
              {(Object.keys(ROLE_LABELS) as Role[]).map((r) => (
                <option value={r} selected={f['role'] === r}>
                  {ROLE_LABELS[r]}
                </option>
              ))}
            </select>
          </label>
          <label>
            所属机构（机构账号）
            <select name="institution_id">
              <option value="">—</option>
              {p.institutions.map((i) => (
                <option value={i.id} selected={f['institution_id'] === i.id}>
                  {i.name}
                </option>
              ))}
            </select>
          </label>
          <label>
            负责区域（审核人员、专家）
            <select name="region_code">
              <option value="">—</option>
              {p.regions.map((r) => (
                <option value={r.code} selected={f['region_code'] === r.code}>
                  {r.code} {r.name}（{REGION_LEVEL_LABELS[r.level]}）
                </option>
              ))}
            </select>
          </label>
          <button type="submit" class="primary">
            创建
          </button>
        </form>
      </section>
    </Layout>
  );
}
