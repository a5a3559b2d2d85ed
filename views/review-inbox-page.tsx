// A reviewer's inbox: dossiers waiting at this account's stage (or assigned to this expert), by deadline.
import type { InboxRow } from '../src/review/review-repository.ts';
import { formatDay, formatMinute } from '../src/documents/document-labels.ts';
import { OUTCOME_LABELS } from '../src/review/review-workflow.ts';
import type { DecisionOutcome, TargetLevel } from '../src/db/schema.ts';
import { REGION_LEVEL_LABELS, TARGET_LEVEL_LABELS } from './labels.ts';
import { Layout, type PageContext } from './layout.tsx';

export interface RecentDecision {
  dossier_id: string;
  outcome: DecisionOutcome;
  decided_at: string;
  institution_name: string;
  year: number;
  target_level: TargetLevel;
}

export function ReviewInboxPage(p: { ctx: PageContext; rows: InboxRow[]; recent: RecentDecision[]; now: string }) {
  return (
    <Layout ctx={p.ctx} title="待审档案" active="/review">
      <h1>待审档案</h1>
      {p.rows.length === 0 ? (
        <p class="card muted">目前没有等待您审核的档案。</p>
      ) : (
        <table class="list inbox">
          <thead>
            <tr>
              <th>机构</th>
              <th>县（区）</th>
              <th>年度 / 等级</th>
              <th>环节</th>
              <th>轮次</th>
              <th>收到</th>
              <th>截止</th>
            </tr>
          </thead>
          <tbody>
            {p.rows.map((r) => {
              const overdue = r.deadline < p.now;
              return (
                <tr class={overdue ? 'overdue' : undefined}>
                  <td>
                    <a href={`/dossiers/${r.dossier_id}/review`}>{r.institution_name}</a>
                  </td>
                  <td>{r.county_name}</td>
                  <td>
                    {r.year} · {TARGET_LEVEL_LABELS[r.target_level as TargetLevel]}
                  </td>
                  <td>
                    {REGION_LEVEL_LABELS[r.region_level]}级{r.label}
                  </td>
                  <td>{r.round}</td>
                  <td>{formatDay(r.opened_at)}</td>
                  <td>
                    {formatDay(r.deadline)}
                    {overdue ? <span class="badge bad">已超期</span> : <span class="muted small">（还剩 {Math.ceil((Date.parse(r.deadline) - Date.parse(p.now)) / 86_400_000)} 天）</span>}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {p.recent.length > 0 && (
        <section class="card">
          <h2>我最近的决定</h2>
          <ul>
            {p.recent.map((d) => (
              <li>
                <a href={`/dossiers/${d.dossier_id}/review`}>
                  {d.institution_name} {d.year} {TARGET_LEVEL_LABELS[d.target_level]}
                </a>
                ：{OUTCOME_LABELS[d.outcome]} <span class="muted">{formatMinute(d.decided_at)}</span>
              </li>
            ))}
          </ul>
        </section>
      )}
    </Layout>
  );
}
