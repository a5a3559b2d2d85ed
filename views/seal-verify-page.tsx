// 封存包校验: upload a seal archive, see every problem in Chinese, and compare its last seal with the system's record.
import { PROBLEM_LABELS, type VerifyReport } from '../src/seals/verify-report.ts';
import { Flash, Layout, type PageContext } from './layout.tsx';

export interface SystemComparison {
  dossierId: string;
  dossierLabel: string;
  sequence: number;
  /** The system's hash of that seal, or null when the system has no such seal. */
  systemSha256: string | null;
  matches: boolean;
  latestSequence: number | null;
}

export interface SealVerifyPageProps {
  ctx: PageContext;
  maxMb: number;
  error?: string;
  fileName?: string;
  report?: VerifyReport;
  comparison?: SystemComparison | null;
}

export function SealVerifyPage(p: SealVerifyPageProps) {
  const r = p.report;
  return (
    <Layout ctx={p.ctx} title="封存包校验">
      <div class="page-head">
        <h1>封存包校验</h1>
      </div>
      <section class="card">
        <p>
          上传从“封存记录”页面或命令行（<code>dossier seal export</code>）导出的封存包（ZIP），系统会重新计算包中每个文件、每份封存清单的 SHA-256，
          核对封存链，并逐项列出不一致之处。文件只用于本次校验，校验后立即删除。也可以在任何电脑上用命令行 <code>dossier seal verify 文件.zip</code>，
          或解压后用 <code>sha256sum -c SHA256SUMS</code> 核对（见包内 README.txt）。
        </p>
        <form method="post" action={`/seals/verify?_csrf=${encodeURIComponent(p.ctx.csrfToken)}`} enctype="multipart/form-data" class="stack">
          <label>
            封存包文件（不超过 {p.maxMb} MB）
            <input type="file" name="archive" accept=".zip,application/zip" required />
          </label>
          <button type="submit" class="primary">
            校验
          </button>
        </form>
      </section>
      {p.error && <Flash kind="error">{p.error}</Flash>}
      {r && (
        <section class="card" id="verify-report">
          <h2>校验结果{p.fileName ? `：${p.fileName}` : ''}</h2>
          {r.ok ? (
            <Flash kind="ok">
              校验通过：{r.seals} 份封存清单、{r.files} 个文件（共 {r.bytes} 字节）的 SHA-256 全部一致，封存链完整。
            </Flash>
          ) : (
            <div class="flash error" role="alert">
              <strong>校验未通过，发现 {r.problems.length} 个问题：</strong>
              <ol class="verify-problems">
                {r.problems.map((pr) => (
                  <li>
                    <strong>[{PROBLEM_LABELS[pr.kind]}]</strong> {pr.sequence !== undefined && <span>第 {pr.sequence} 号封存 · </span>}
                    {pr.path && <span class="hash">{pr.path}</span>} {pr.message}
                  </li>
                ))}
              </ol>
              <p class="small">已检查 {r.seals} 份封存清单、{r.files} 个文件，共 {r.bytes} 字节。</p>
            </div>
          )}
          {r.last && (
            <dl class="fields">
              <dt>包中最后一次封存</dt>
              <dd>第 {r.last.sequence} 号</dd>
              <dt>其清单 SHA-256</dt>
              <dd class="hash">{r.last.manifest_sha256}</dd>
            </dl>
          )}
          {p.comparison ? (
            p.comparison.matches ? (
              <Flash kind="ok">
                与系统记录一致：{p.comparison.dossierLabel} 的第 {p.comparison.sequence} 号封存在系统中的 SHA-256 与包中相同。
                {p.comparison.latestSequence !== null && p.comparison.latestSequence > p.comparison.sequence && (
                  <span>
                    {' '}
                    系统中已有更晚的封存（最新为第 {p.comparison.latestSequence} 号），本包不是最新的。
                  </span>
                )}{' '}
                <a href={`/dossiers/${p.comparison.dossierId}/seals`}>查看封存记录</a>
              </Flash>
            ) : (
              <div class="flash error" role="alert">
                与系统记录不一致：{p.comparison.dossierLabel} 的第 {p.comparison.sequence} 号封存
                {p.comparison.systemSha256 ? (
                  <span>
                    在系统中的 SHA-256 为 <span class="hash">{p.comparison.systemSha256}</span>，与包中不同：这个封存包不是系统导出的原样。
                  </span>
                ) : (
                  <span>在系统中不存在。</span>
                )}
              </div>
            )
          ) : (
            r.last && <p class="muted small">请将上面的 SHA-256 与系统“封存记录”页面或纸质存档中的值核对：一致才说明整个封存包没有被整体替换。</p>
          )}
        </section>
      )}
    </Layout>
  );
}
