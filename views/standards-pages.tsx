import type { Standard } from '../src/db/schema.ts';
import type { LoadedStandard } from '../src/standards/standard-repository.ts';
import { KIND_LABELS } from './labels.ts';
import { DemoBadge, Layout, type PageContext } from './layout.tsx';

export function StandardListPage(p: { ctx: PageContext; standards: (Standard & { items: number })[] }) {
  return (
    <Layout ctx={p.ctx} title="能力标准" active="/standards">
      <h1>能力标准</h1>
      <table class="list">
        <thead>
          <tr>
            <th>标准</th>
            <th>机构类型</th>
            <th>版本</th>
            <th>条款数</th>
          </tr>
        </thead>
        <tbody>
          {p.standards.map((s) => (
            <tr>
              <td>
                <a href={`/standards/${s.id}`}>{s.title}</a> <DemoBadge show={s.demonstration === 1} />
              </td>
              <td>{KIND_LABELS[s.institution_kind]}</td>
              <td>{s.edition}</td>
              <td>{s.items}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p class="muted small">正式条款表由管理员通过命令行导入：npx dossier standards import 文件.xlsx（见 standards/README.md）。</p>
    </Layout>
  );
}

export function StandardPage(p: { ctx: PageContext; loaded: LoadedStandard }) {
  const { standard, rules, nodes } = p.loaded;
  return (
    <Layout ctx={p.ctx} title={standard.title} active="/standards">
      <p class="crumbs">
        <a href="/standards">能力标准</a> / {standard.id}
      </p>
      <h1>
        {standard.title} <DemoBadge show={standard.demonstration === 1} />
      </h1>
      {standard.notice && <p class="demo-notice">{standard.notice}</p>}
      <section class="card">
        <h2>评价规则</h2>
        {rules.levels.map((l) => (
          <div>
            <h3>{l.name}</h3>
            {l.note && <p class="muted small">{l.note}</p>}
            <ul>
              {l.conditions.map((c) => (
                <li>{c.label}</li>
              ))}
            </ul>
          </div>
        ))}
      </section>
      <table class="list standard-table">
        <thead>
          <tr>
            <th>编号</th>
            <th>条款</th>
            <th>C 级</th>
            <th>B 级</th>
            <th>A 级</th>
          </tr>
        </thead>
        <tbody>
          {nodes.map((n) =>
            n.depth < 3 ? (
              <tr class={`depth-${n.depth}`}>
                <td>{n.code}</td>
                <td colspan={4}>
                  <strong>{n.title}</strong>
                </td>
              </tr>
            ) : (
              <tr>
                <td>
                  {n.core ? '★' : ''}
                  {n.code}
                </td>
                <td>
                  {n.title}
                  {n.tier === 'recommended' && <span class="badge">推荐</span>}
                </td>
                <td>{n.requirement_c}</td>
                <td>{n.requirement_b}</td>
                <td>{n.requirement_a}</td>
              </tr>
            ),
          )}
        </tbody>
      </table>
    </Layout>
  );
}
