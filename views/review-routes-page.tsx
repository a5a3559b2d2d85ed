// 审核流程设置: the national default route per target level, and each province's own route where it has one.
import type { Region, ReviewRoute, TargetLevel } from '../src/db/schema.ts';
import { routeText } from '../src/review/route-settings.ts';
import { REGION_LEVEL_LABELS, TARGET_LEVEL_LABELS } from './labels.ts';
import { Flash, Layout, type PageContext } from './layout.tsx';

export function ReviewRoutesPage(p: {
  ctx: PageContext;
  provinces: Region[];
  routes: ReviewRoute[];
  error?: string;
  ok?: string;
  draft?: { province_code: string; target_level: string; stages: string };
}) {
  const levels = Object.keys(TARGET_LEVEL_LABELS) as TargetLevel[];
  const of = (province: string, target: TargetLevel) => p.routes.filter((r) => r.province_code === province && r.target_level === target);
  return (
    <Layout ctx={p.ctx} title="审核流程设置" active="/admin/review-routes">
      <h1>审核流程设置</h1>
      <p class="muted">每个评价等级按以下环节逐级审核。国家默认流程来自通知要求；省级可以改为本省的流程（只影响之后进入该环节的档案）。</p>
      {p.error && <Flash kind="error">{p.error}</Flash>}
      {p.ok && <Flash kind="ok">{p.ok}</Flash>}
      <table class="list">
        <thead>
          <tr>
            <th>评价等级</th>
            <th>国家默认流程</th>
            {p.provinces.map((pr) => (
              <th>{pr.name}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {levels.map((t) => (
            <tr>
              <td>{TARGET_LEVEL_LABELS[t]}</td>
              <td>
                {of('', t)
                  .map((r) => `${REGION_LEVEL_LABELS[r.region_level]}级${r.label}（${r.deadline_days}天）`)
                  .join(' → ')}
              </td>
              {p.provinces.map((pr) => {
                const own = of(pr.code, t);
                const draft = p.draft && p.draft.province_code === pr.code && p.draft.target_level === t ? p.draft.stages : undefined;
                return (
                  <td>
                    <form method="post" action="/admin/review-routes" class="stack">
                      <input type="hidden" name="_csrf" value={p.ctx.csrfToken} />
                      <input type="hidden" name="province_code" value={pr.code} />
                      <input type="hidden" name="target_level" value={t} />
                      <textarea name="stages" rows={3} aria-label={`${pr.name}${TARGET_LEVEL_LABELS[t]}审核流程`} placeholder="留空则使用国家默认流程">
                        {draft ?? routeText(own)}
                      </textarea>
                      <button type="submit">保存</button>
                    </form>
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
      <p class="small muted">每行一个环节：级别（县／市／省）、环节名称、办理期限天数，例如“县 审核 20”。</p>
    </Layout>
  );
}
