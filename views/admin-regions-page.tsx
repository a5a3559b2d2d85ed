import type { Region } from '../src/db/schema.ts';
import { REGION_LEVEL_LABELS } from './labels.ts';
import { Flash, Layout, type PageContext } from './layout.tsx';

export function AdminRegionsPage(p: { ctx: PageContext; regions: Region[]; error?: string; ok?: string; form?: Record<string, string> }) {
  const byParent = new Map<string | null, Region[]>();
  for (const r of p.regions) byParent.set(r.parent_code, [...(byParent.get(r.parent_code) ?? []), r]);
  const renderLevel = (parent: string | null) => {
    const children = byParent.get(parent) ?? [];
    if (children.length === 0) return null;
    return (
      <ul class="region-tree">
        {children.map((r) => (
          <li>
            <form method="post" action={`/admin/regions/${r.code}`} class="region-row">
              <input type="hidden" name="_csrf" value={p.ctx.csrfToken} />
              <span class="code">{r.code}</span>
              <input name="name" value={r.name} required maxlength={50} aria-label={`${r.code} 名称`} />
              <span class="muted small">{REGION_LEVEL_LABELS[r.level]}</span>
              <button type="submit" class="link">
                更名
              </button>
            </form>
            {renderLevel(r.code)}
          </li>
        ))}
      </ul>
    );
  };
  const parents = p.regions.filter((r) => r.level !== 'county');
  return (
    <Layout ctx={p.ctx} title="行政区划" active="/admin/regions">
      <h1>行政区划</h1>
      {p.error && <Flash kind="error">{p.error}</Flash>}
      {p.ok && <Flash kind="ok">{p.ok}</Flash>}
      <div class="two-col">
        <section>{renderLevel(null) ?? <p class="muted">尚无行政区划。</p>}</section>
        <section class="card">
          <h2>新增行政区划</h2>
          <form method="post" action="/admin/regions" class="stack">
            <input type="hidden" name="_csrf" value={p.ctx.csrfToken} />
            <label>
              行政区划代码（6位）
              <input name="code" required pattern="\d{6}" maxlength={6} value={p.form?.['code'] ?? ''} />
            </label>
            <label>
              名称
              <input name="name" required maxlength={50} value={p.form?.['name'] ?? ''} />
            </label>
            <label>
              上级
              <select name="parent_code">
                <option value="">（无，新增省份）</option>
                {parents.map((r) => (
                  <option value={r.code} selected={p.form?.['parent_code'] === r.code}>
                    {r.code} {r.name}
                  </option>
                ))}
              </select>
            </label>
            <button type="submit" class="primary">
              新增
            </button>
          </form>
        </section>
      </div>
    </Layout>
  );
}
