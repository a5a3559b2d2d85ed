import type { DossierListRow } from '../src/dossiers/dossier-repository.ts';
import type { Institution } from '../src/db/schema.ts';
import { DOSSIER_STATE_LABELS, KIND_LABELS, TARGET_LEVEL_LABELS } from './labels.ts';
import { Flash, Layout, type PageContext } from './layout.tsx';
import { ProgressBar } from './dossier-tree.tsx';

export interface DossierListProps {
  ctx: PageContext;
  rows: DossierListRow[];
  filters: { year?: number; state?: string; targetLevel?: string };
  /** Institutions the account may open a dossier for; empty hides the form. */
  creatable: Institution[];
  /** Earlier dossiers whose evidence a new one may carry over (the server checks they are the same institution's). */
  carrySources: DossierListRow[];
  defaultYear: number;
  error?: string;
}

export function DossierListPage(p: DossierListProps) {
  return (
    <Layout ctx={p.ctx} title="评价档案" active="/dossiers">
      <h1>评价档案</h1>
      {p.error && <Flash kind="error">{p.error}</Flash>}
      <form method="get" action="/dossiers" class="filters">
        <label>
          年度
          <input type="number" name="year" min={2018} max={2100} value={p.filters.year ?? ''} />
        </label>
        <label>
          评价等级
          <select name="level">
            <option value="">全部</option>
            {Object.entries(TARGET_LEVEL_LABELS).map(([v, l]) => (
              <option value={v} selected={p.filters.targetLevel === v}>
                {l}
              </option>
            ))}
          </select>
        </label>
        <label>
          状态
          <select name="state">
            <option value="">全部</option>
            {Object.entries(DOSSIER_STATE_LABELS).map(([v, l]) => (
              <option value={v} selected={p.filters.state === v}>
                {l}
              </option>
            ))}
          </select>
        </label>
        <button type="submit">筛选</button>
      </form>
      {p.rows.length === 0 ? (
        <p class="muted">没有符合条件的档案。</p>
      ) : (
        <table class="list">
          <thead>
            <tr>
              <th>机构</th>
              <th>县（区）</th>
              <th>年度</th>
              <th>评价等级</th>
              <th>状态</th>
              <th>自评进度</th>
            </tr>
          </thead>
          <tbody>
            {p.rows.map((r) => (
              <tr>
                <td>
                  <a href={`/dossiers/${r.id}`}>{r.institution_name}</a>
                  <div class="muted small">{KIND_LABELS[r.institution_kind]}</div>
                </td>
                <td>{r.county_name}</td>
                <td>{r.year}</td>
                <td>{TARGET_LEVEL_LABELS[r.target_level]}</td>
                <td>
                  <span class={`state s-${r.state}`}>{DOSSIER_STATE_LABELS[r.state]}</span>
                </td>
                <td>
                  <ProgressBar done={r.graded_items} total={r.total_items} label="已自评" />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {p.creatable.length > 0 && (
        <section class="card">
          <h2>新建评价档案</h2>
          <form method="post" action="/dossiers" class="inline-form">
            <input type="hidden" name="_csrf" value={p.ctx.csrfToken} />
            <label>
              机构
              <select name="institution_id" required>
                {p.creatable.map((i) => (
                  <option value={i.id}>{i.name}</option>
                ))}
              </select>
            </label>
            <label>
              年度
              <input type="number" name="year" min={2018} max={2100} value={p.defaultYear} required />
            </label>
            <label>
              评价等级
              <select name="target_level">
                {Object.entries(TARGET_LEVEL_LABELS).map(([v, l]) => (
                  <option value={v}>{l}</option>
                ))}
              </select>
            </label>
            <label>
              沿用佐证材料
              <select name="carry_over_from">
                <option value="">不沿用</option>
                {p.carrySources.map((d) => (
                  <option value={d.id}>
                    {d.institution_name} {d.year}年 {TARGET_LEVEL_LABELS[d.target_level]}（{DOSSIER_STATE_LABELS[d.state]}）
                  </option>
                ))}
              </select>
            </label>
            <label>
              用途
              <select name="purpose">
                <option value="assessment">年度评价</option>
                <option value="re_review">“回头看”复评（对照现行标准）</option>
              </select>
            </label>
            <button type="submit" class="primary">
              新建
            </button>
          </form>
          <p class="small muted">新年度的档案可沿用本机构以往档案中仍有效的佐证材料（按条款号对应，新版标准中已不存在的条款不沿用）。</p>
        </section>
      )}
    </Layout>
  );
}
