import type { Institution } from '../src/db/schema.ts';
import { FILE_KIND_LABELS, FILTER_FILE_KINDS } from '../src/documents/file-kind.ts';
import { CONVERSION_LABELS, formatBytes, formatTime } from '../src/documents/document-labels.ts';
import { PAGE_SIZE, type LibraryQuery, type listDocuments } from '../src/documents/document-library.ts';
import type { TextStatus } from '../src/documents/text-status.ts';
import { Layout, type PageContext } from './layout.tsx';
import { TextStatusView } from './text-status.tsx';
import { UploadZone } from './upload-zone.tsx';

type Rows = Awaited<ReturnType<typeof listDocuments>>['rows'];

function queryString(q: LibraryQuery, overrides: Partial<Record<keyof LibraryQuery, string | number | undefined>>): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries({ ...q, ...overrides })) if (v !== undefined && v !== '' && !(k === 'page' && v === 1)) params.set(k, String(v));
  const s = params.toString();
  return s ? `?${s}` : '';
}

export function DocumentLibraryPage(p: {
  ctx: PageContext;
  institution: Institution;
  query: LibraryQuery;
  rows: Rows;
  total: number;
  uploaders: { id: string; display_name: string }[];
  canUpload: boolean;
  maxBytes: number;
  texts: Map<string, TextStatus>;
}) {
  const base = `/institutions/${p.institution.id}/documents`;
  const pages = Math.max(1, Math.ceil(p.total / PAGE_SIZE));
  const q = p.query;
  return (
    <Layout ctx={p.ctx} title={`${p.institution.name} 文件库`} active="/dossiers">
      <p class="crumbs">
        <a href={`/institutions/${p.institution.id}`}>{p.institution.name}</a> / 文件库
      </p>
      <div class="page-head">
        <h1>{q.trash ? '回收站' : '文件库'}</h1>
        <div class="actions">
          {q.trash ? <a href={base}>返回文件库</a> : <a href={`${base}?trash=1`}>回收站</a>}
        </div>
      </div>
      {p.canUpload && !q.trash && <UploadZone action={base} csrfToken={p.ctx.csrfToken} maxBytes={p.maxBytes} />}
      <form method="get" action={base} class="filters">
        {q.trash && <input type="hidden" name="trash" value="1" />}
        <label>
          标题
          <input name="q" value={q.q ?? ''} maxlength={100} />
        </label>
        <label>
          类型
          <select name="kind">
            <option value="">全部</option>
            {FILTER_FILE_KINDS.map((k) => (
              <option value={k} selected={q.kind === k}>
                {FILE_KIND_LABELS[k]}
              </option>
            ))}
          </select>
        </label>
        <label>
          上传人
          <select name="uploader">
            <option value="">全部</option>
            {p.uploaders.map((u) => (
              <option value={u.id} selected={q.uploader === u.id}>
                {u.display_name}
              </option>
            ))}
          </select>
        </label>
        <label>
          上传日期从
          <input type="date" name="from" value={q.from ?? ''} />
        </label>
        <label>
          至
          <input type="date" name="to" value={q.to ?? ''} />
        </label>
        <label>
          关联
          <select name="linked">
            <option value="">全部</option>
            <option value="yes" selected={q.linked === 'yes'}>
              已关联条款
            </option>
            <option value="no" selected={q.linked === 'no'}>
              未关联
            </option>
          </select>
        </label>
        <label>
          转换
          <select name="conversion">
            <option value="">全部</option>
            {Object.entries(CONVERSION_LABELS).map(([k, l]) => (
              <option value={k} selected={q.conversion === k}>
                {l}
              </option>
            ))}
          </select>
        </label>
        <label>
          排序
          <select name="sort">
            {[
              ['new', '最新上传'],
              ['old', '最早上传'],
              ['title', '标题'],
              ['size', '文件大小'],
              ['date', '成文日期'],
            ].map(([v, l]) => (
              <option value={v} selected={q.sort === v}>
                {l}
              </option>
            ))}
          </select>
        </label>
        <button type="submit">筛选</button>
      </form>
      <p class="muted small">共 {p.total} 个文件</p>
      {p.rows.length > 0 && (
        <table class="list documents">
          <thead>
            <tr>
              <th></th>
              <th>标题</th>
              <th>类型</th>
              <th class="num">页数</th>
              <th class="num">大小</th>
              <th>上传人</th>
              <th>上传时间</th>
              <th>关联条款</th>
              <th>状态</th>
              <th>文字</th>
            </tr>
          </thead>
          <tbody>
            {p.rows.map((r) => (
              <tr>
                <td class="thumb-cell">{r.thumbnail_sha256 ? <img class="thumb" src={`/documents/${r.id}/thumbnail`} alt="" loading="lazy" /> : <span class="thumb placeholder" />}</td>
                <td>
                  <a href={`/documents/${r.id}`}>{r.title}</a>
                  {r.version_no > 1 && <span class="badge">第{r.version_no}版</span>}
                  {r.document_date && <div class="muted small">成文日期 {r.document_date}</div>}
                </td>
                <td>{FILE_KIND_LABELS[r.kind as keyof typeof FILE_KIND_LABELS] ?? r.kind}</td>
                <td class="num">{r.page_count ?? '—'}</td>
                <td class="num">{formatBytes(r.size)}</td>
                <td>{r.uploader ?? ''}</td>
                <td class="small">{formatTime(r.created_at)}</td>
                <td>{r.links > 0 ? `${r.links} 处` : <span class="muted">未关联</span>}</td>
                <td>
                  <span class={`conv c-${r.conversion_state}`}>{CONVERSION_LABELS[r.conversion_state]}</span>
                </td>
                <td>
                  {p.texts.get(r.version_id) && (
                    <TextStatusView documentId={r.id} status={p.texts.get(r.version_id)!} compact csrfToken={p.ctx.csrfToken} canRetry={p.canUpload} />
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {pages > 1 && (
        <nav class="pager">
          {q.page > 1 && <a href={`${base}${queryString(q, { page: q.page - 1 })}`}>上一页</a>}
          <span>
            第 {q.page} / {pages} 页
          </span>
          {q.page < pages && <a href={`${base}${queryString(q, { page: q.page + 1 })}`}>下一页</a>}
        </nav>
      )}
    </Layout>
  );
}
