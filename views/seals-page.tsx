// The dossier's 封存记录 tab: every seal of every round with its hashes, the database-side chain check, a download
// link for each seal's archive and the manifest itself.
import type { DossierState, TargetLevel } from '../src/db/schema.ts';
import { formatTime } from '../src/documents/document-labels.ts';
import { SEAL_EVENT_LABELS } from '../src/seals/seal-chain.ts';
import { PROBLEM_LABELS, type VerifyReport } from '../src/seals/verify-report.ts';
import { DossierTabs } from './dossier-tabs.tsx';
import { DOSSIER_STATE_LABELS, TARGET_LEVEL_LABELS } from './labels.ts';
import { Flash, Layout, type PageContext } from './layout.tsx';

export interface SealRow {
  sequence: number;
  round: number;
  event: string;
  actorName: string | null;
  createdAt: string;
  manifestSha256: string;
  previousSha256: string | null;
  manifestBytes: number;
  /** Pretty-printed manifest, or null when it is too large to show. */
  manifestPretty: string | null;
}

export interface SealsPageProps {
  ctx: PageContext;
  dossier: { id: string; institutionName: string; year: number; targetLevel: TargetLevel; state: DossierState };
  seals: SealRow[];
  check: VerifyReport;
}

export function SealsPage(p: SealsPageProps) {
  const d = p.dossier;
  return (
    <Layout ctx={p.ctx} title={`封存记录 · ${d.institutionName}`} active="/dossiers">
      <div class="dossier-head">
        <div>
          <p class="crumbs">
            <a href="/dossiers">评价档案</a> / <a href={`/dossiers/${d.id}`}>{d.institutionName}</a> / 封存记录
          </p>
          <h1>
            {d.institutionName} · {d.year}年 · {TARGET_LEVEL_LABELS[d.targetLevel]}
          </h1>
          <p class="muted">
            状态：<span class={`state s-${d.state}`}>{DOSSIER_STATE_LABELS[d.state]}</span>
          </p>
        </div>
      </div>
      <DossierTabs dossierId={d.id} active="seals" />

      <section class="card">
        <h2>封存记录</h2>
        <p class="muted small">
          档案在提交和每一次评审决定（通过、退回修改、不通过）时封存：当时的全部内容写成一份清单，计算 SHA-256，并与上一次封存的值相连成链。
          封存后的内容不能再修改。每一次封存都可以下载为封存包（ZIP），用 <code>sha256sum</code> 或 <a href="/seals/verify">封存包校验</a> 页面核对。
        </p>
        {p.seals.length === 0 ? (
          <p class="muted">该档案还没有封存记录（提交评审时自动封存）。</p>
        ) : p.check.ok ? (
          <Flash kind="ok">
            封存链完整：{p.check.seals} 次封存的清单均与记录的 SHA-256 一致，前后相连无缺失。最后一次封存（第 {p.check.last?.sequence} 号）的 SHA-256：
            <span class="hash">{p.check.last?.manifest_sha256}</span>
          </Flash>
        ) : (
          <div class="flash error" role="alert">
            <strong>封存链校验未通过，发现 {p.check.problems.length} 个问题：</strong>
            <ul>
              {p.check.problems.map((pr) => (
                <li>
                  [{PROBLEM_LABELS[pr.kind]}] {pr.message}
                </li>
              ))}
            </ul>
          </div>
        )}
        {p.seals.length > 0 && (
          <table class="list seals">
            <thead>
              <tr>
                <th class="num">序号</th>
                <th>事件</th>
                <th class="num">轮次</th>
                <th>操作人</th>
                <th>时间（北京时间）</th>
                <th>清单 SHA-256 / 上一封存 SHA-256</th>
                <th>封存包</th>
              </tr>
            </thead>
            <tbody>
              {p.seals.map((s) => (
                <tr id={`seal-${s.sequence}`}>
                  <td class="num">{s.sequence}</td>
                  <td>{SEAL_EVENT_LABELS[s.event] ?? s.event}</td>
                  <td class="num">第 {s.round} 轮</td>
                  <td>{s.actorName ?? '—'}</td>
                  <td>{formatTime(s.createdAt)}</td>
                  <td>
                    <div class="hash" title="本次封存清单的 SHA-256">
                      {s.manifestSha256}
                    </div>
                    <div class="hash muted" title="上一次封存清单的 SHA-256">
                      ↳ {s.previousSha256 ?? '（第一次封存，无上一封存）'}
                    </div>
                    <details>
                      <summary class="small">查看封存清单（{Math.ceil(s.manifestBytes / 1024)} KB）</summary>
                      {s.manifestPretty === null ? (
                        <p class="muted small">清单较大，不在页面中显示，请下载封存包查看 seals/{String(s.sequence).padStart(4, '0')}.json。</p>
                      ) : (
                        <pre class="manifest" style="max-height: 28rem; overflow: auto; font-size: .75rem; white-space: pre-wrap; word-break: break-all;">
                          {s.manifestPretty}
                        </pre>
                      )}
                      <p class="muted small">此处为便于阅读的排版；被计算 SHA-256 的是封存包中 seals/{String(s.sequence).padStart(4, '0')}.json 的原文（规范 JSON）。</p>
                    </details>
                  </td>
                  <td>
                    <a class="button" href={`/dossiers/${d.id}/seals/${s.sequence}/archive`} download>
                      下载封存包
                    </a>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </Layout>
  );
}
