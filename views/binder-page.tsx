// The binder tab: options, "生成" button, the builds with live progress, downloads and placeholder reports.
import type { BinderBuild, BinderVolume } from '../src/db/schema.ts';
import type { BinderOptions } from '../src/binder/binder-types.ts';
import type { BinderReport } from '../src/binder/binder-builds.ts';
import { formatMinute } from '../src/documents/document-labels.ts';
import { DossierTabs } from './dossier-tabs.tsx';
import { Flash, Layout, type PageContext } from './layout.tsx';

export type BuildRow = BinderBuild & { volumes: BinderVolume[]; requested_by_name: string | null };

export interface BuildProgress {
  done: number;
  total: number;
}

const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;

function describeOptions(o: BinderOptions): string {
  return [
    o.split === 'chapter' ? '按章分册' : `每册不超过 ${o.maxSheetsPerVolume} 页`,
    o.numbering === 'continuous' ? '连续编页' : '每册单独编页',
    o.duplex ? '双面打印' : '单面打印',
    o.includeMissingSheets ? '含缺材料页' : '',
    o.missingReport ? '含缺材料清单' : '',
  ]
    .filter(Boolean)
    .join('，');
}

export function BuildCard(p: { dossierId: string; build: BuildRow; progress: BuildProgress | null }) {
  const b = p.build;
  const base = `/dossiers/${p.dossierId}/binder/builds/${b.id}`;
  const live = b.state === 'queued' || b.state === 'running';
  const attrs = live ? { 'hx-get': `${base}/card`, 'hx-trigger': 'load delay:1s', 'hx-swap': 'outerHTML' } : {};
  const report = JSON.parse(b.report_json || '{}') as Partial<BinderReport>;
  const options = JSON.parse(b.options_json) as BinderOptions;
  const pct = p.progress && p.progress.total > 0 ? Math.min(100, Math.round((p.progress.done / p.progress.total) * 100)) : 0;
  return (
    <article class={`card build b-${b.state}`} id={`build-${b.id}`} {...attrs}>
      <header class="build-head">
        <strong>{formatMinute(b.created_at)}</strong>
        <span class="muted">
          {b.requested_by_name ?? ''} · {describeOptions(options)}
        </span>
      </header>
      {live && (
        <div class="build-progress">
          <progress max={100} value={pct} aria-label="生成进度"></progress>
          <span>{b.state === 'queued' ? '排队中…' : `正在生成… ${pct}%`}</span>
        </div>
      )}
      {b.state === 'failed' && <p class="error-text">生成失败：{b.error || '未知原因'}</p>}
      {b.state === 'done' && (
        <>
          <p>
            共 {b.volume_count} 册、{b.page_count} 页。
            <a class="button" href={`${base}/all.zip`}>
              下载全部（ZIP）
            </a>{' '}
            <a class="button" href={`${base}/labels.pdf`}>
              盒封面与脊背标签
            </a>
          </p>
          <table class="list volumes">
            <thead>
              <tr>
                <th>册</th>
                <th>条款</th>
                <th>页数</th>
                <th>大小</th>
                <th></th>
              </tr>
            </thead>
            <tbody>
              {b.volumes.map((v) => (
                <tr>
                  <td>
                    第 {v.volume_no} 册 / 共 {b.volume_count} 册
                  </td>
                  <td>
                    {v.first_item}
                    {v.last_item && v.last_item !== v.first_item ? ` – ${v.last_item}` : ''}
                  </td>
                  <td>{v.page_count}</td>
                  <td>{mb(v.size)}</td>
                  <td>
                    <a href={`${base}/volumes/${v.volume_no}.pdf`}>下载 PDF</a>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {report.replaced && report.replaced.length > 0 && (
            <details class="replaced" open>
              <summary>{report.replaced.length} 份材料无法装订，已用说明页代替</summary>
              <ul>
                {report.replaced.map((r) => (
                  <li>
                    {r.title}：{r.reason}
                  </li>
                ))}
              </ul>
            </details>
          )}
          <p class="small muted">内容指纹 {b.input_sha256?.slice(0, 16)}…：相同的档案内容和选项生成的文件逐字节相同。</p>
        </>
      )}
    </article>
  );
}

export function BinderPage(p: {
  ctx: PageContext;
  dossierId: string;
  title: string;
  defaults: BinderOptions;
  builds: BuildRow[];
  progress: Map<string, BuildProgress>;
  canBuild: boolean;
  error?: string;
}) {
  const d = p.defaults;
  return (
    <Layout ctx={p.ctx} title={`装订成册 · ${p.title}`} active="/dossiers">
      <p class="crumbs">
        <a href="/dossiers">评价档案</a> / <a href={`/dossiers/${p.dossierId}`}>{p.title}</a> / 装订成册
      </p>
      <h1>{p.title}</h1>
      <DossierTabs dossierId={p.dossierId} active="binder" />
      {p.error && <Flash kind="error">{p.error}</Flash>}
      {p.canBuild && (
        <form class="card binder-options" method="post" action={`/dossiers/${p.dossierId}/binder`}>
          <h2>生成装订册（PDF）</h2>
          <p class="muted small">按能力标准章节条目顺序汇总：封面、目录、章节隔页、条款首页、佐证材料，每页加盖条款号与页码，并生成书签。</p>
          <input type="hidden" name="_csrf" value={p.ctx.csrfToken} />
          <div class="grid-2">
            <label>
              分册方式
              <select name="split">
                <option value="pages" selected={d.split === 'pages'}>
                  按页数分册
                </option>
                <option value="chapter" selected={d.split === 'chapter'}>
                  按章分册
                </option>
              </select>
            </label>
            <label>
              每册最多页数
              <input type="number" name="maxSheetsPerVolume" min={20} max={2000} value={String(d.maxSheetsPerVolume)} />
            </label>
            <label>
              页码
              <select name="numbering">
                <option value="per_volume" selected={d.numbering === 'per_volume'}>
                  每册单独编页
                </option>
                <option value="continuous" selected={d.numbering === 'continuous'}>
                  各册连续编页
                </option>
              </select>
            </label>
            <label>
              保管期限（盒标签）
              <input name="retentionPeriod" value={d.retentionPeriod} maxlength={20} />
            </label>
          </div>
          <label class="check">
            <input type="checkbox" name="duplex" value="1" checked={d.duplex} /> 双面打印（每章从右页开始，自动插入空白页）
          </label>
          <label class="check">
            <input type="checkbox" name="includeMissingSheets" value="1" checked={d.includeMissingSheets} /> 无材料的条款插入“缺少佐证材料”页
          </label>
          <label class="check">
            <input type="checkbox" name="missingReport" value="1" checked={d.missingReport} /> 在第一册前附缺少材料清单（草稿用）
          </label>
          <button class="primary" type="submit">
            生成
          </button>
        </form>
      )}
      <section id="builds">
        <h2>生成记录</h2>
        {p.builds.length === 0 ? <p class="muted">还没有生成过装订册。</p> : p.builds.map((b) => <BuildCard dossierId={p.dossierId} build={b} progress={p.progress.get(b.id) ?? null} />)}
      </section>
    </Layout>
  );
}
