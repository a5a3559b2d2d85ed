import { raw } from 'hono/html';
import type { Child } from 'hono/jsx';
import type { DocumentEvent, DocumentVersion, Institution } from '../src/db/schema.ts';
import type { DocumentRow, linksOfDocument } from '../src/documents/document-repository.ts';
import { CONVERSION_LABELS, EVENT_LABELS, formatBytes, formatTime } from '../src/documents/document-labels.ts';
import { FILE_KIND_LABELS, type FileKind } from '../src/documents/file-kind.ts';
import type { TextStatus } from '../src/documents/text-status.ts';
import { TARGET_LEVEL_LABELS } from './labels.ts';
import { TextStatusView } from './text-status.tsx';
import { Flash, Layout, type PageContext } from './layout.tsx';
import { UploadZone } from './upload-zone.tsx';

type Link = Awaited<ReturnType<typeof linksOfDocument>>[number];
export type HistoryRow = DocumentEvent & { actor_name: string | null };

export function HistoryList(p: { events: HistoryRow[] }) {
  if (p.events.length === 0) return <p class="muted">暂无记录。</p>;
  return (
    <ol class="history">
      {p.events.map((e) => {
        const d = JSON.parse(e.detail) as Record<string, unknown>;
        const extra = [e.item_code ? `条款 ${e.item_code}` : '', typeof d['title'] === 'string' ? `“${d['title']}”` : '', typeof d['fileName'] === 'string' ? String(d['fileName']) : '']
          .filter(Boolean)
          .join('，');
        return (
          <li>
            <span class="muted small">{formatTime(e.at)}</span> {e.actor_name ?? '系统'} {EVENT_LABELS[e.action] ?? e.action}
            {extra && <span class="muted">（{extra}）</span>}
          </li>
        );
      })}
    </ol>
  );
}

/** Trashing a linked document takes it out of those items' evidence: say how many before doing it. */
export function trashConfirm(linkCount: number): string {
  return linkCount > 0
    ? `该文件已关联到 ${linkCount} 个档案条款。移入回收站后，它将不再计入这些条款的佐证材料。确定移入回收站吗？（可在文件库的回收站中恢复）`
    : '确定把该文件移入回收站吗？（可在文件库的回收站中恢复）';
}

export function DocumentPage(p: {
  ctx: PageContext;
  institution: Institution;
  doc: DocumentRow;
  versions: DocumentVersion[];
  links: Link[];
  events: HistoryRow[];
  canEdit: boolean;
  frozen: boolean;
  maxBytes: number;
  flash?: { kind: 'ok' | 'error'; text: string };
  errors?: string[];
  /** The metadata form as the user entered it when it was refused (shown again instead of the saved values). */
  draft?: { title: string; document_date: string; issuing_department: string };
  text: TextStatus;
  /** The page a search result pointed at, its text with the query's words marked (HTML). */
  found?: { pageNo: number; html: string };
  /** Items this document likely proves (views/suggestions.tsx). */
  suggestions?: Child;
}) {
  const { doc } = p;
  const v = doc.version;
  const base = `/documents/${doc.id}`;
  const pages = v.page_count ?? 0;
  // Show enough pages to include the one a search result pointed at.
  const shown = Math.min(pages, Math.max(30, p.found?.pageNo ?? 0));
  const canPreview = v.conversion_state === 'converted' || ['pdf', 'jpeg', 'png', 'tiff'].includes(v.kind);
  return (
    <Layout ctx={p.ctx} title={doc.title} active="/dossiers">
      <p class="crumbs">
        <a href={`/institutions/${p.institution.id}/documents`}>{p.institution.name} 文件库</a> / 文件
      </p>
      <div class="page-head">
        <h1>
          {doc.title} {doc.trashed_at && <span class="badge warn">回收站</span>}
        </h1>
        <div class="actions">
          <a class="button" href={`${base}/original`}>
            下载原件
          </a>
          {v.rendition_sha256 && (
            <a class="button" href={`${base}/rendition`}>
              下载 PDF 副本
            </a>
          )}
        </div>
      </div>
      {p.flash && (
        <Flash kind={p.flash.kind}>
          {p.flash.text}
          {doc.trashed_at && p.flash.kind === 'ok' && (
            <>
              {' '}
              <a href={`/institutions/${p.institution.id}/documents`}>返回文件库</a>
            </>
          )}
        </Flash>
      )}
      {p.errors && p.errors.length > 0 && (
        <Flash kind="error">
          {p.errors.map((e) => (
            <div>{e}</div>
          ))}
        </Flash>
      )}
      {p.frozen && <p class="flash info">该文件已被已提交或已评审的档案引用，不能修改或删除，只能上传新版本。</p>}
      <div class="doc-layout">
        <section class="preview card">
          <h2>预览</h2>
          <p>
            文字：
            <TextStatusView documentId={doc.id} status={p.text} csrfToken={p.ctx.csrfToken} canRetry={p.canEdit} />
          </p>
          {p.found && (
            <div class="found">
              <h3>
                第 {p.found.pageNo} 页的文字（<a href={`#page-${p.found.pageNo}`}>看原页</a>）
              </h3>
              <div class="page-text">{raw(p.found.html)}</div>
            </div>
          )}
          {!canPreview ? (
            <p class="muted">
              {v.conversion_state === 'pending' ? '正在生成 PDF 副本，请稍后刷新。' : v.printable ? '该文件暂无法预览，请下载原件查看。' : v.conversion_note || '该类型文件暂不支持预览。'}
            </p>
          ) : pages === 0 ? (
            <p class="muted">页数未知，请下载原件查看。</p>
          ) : (
            <div class="pages">
              {Array.from({ length: shown }, (_, i) => (
                <figure class={`page${p.found?.pageNo === i + 1 ? ' target' : ''}`} id={`page-${i + 1}`}>
                  <img src={`${base}/versions/${v.id}/pages/${i + 1}.png`} alt={`第 ${i + 1} 页`} loading="lazy" />
                  <figcaption>
                    第 {i + 1} / {pages} 页
                  </figcaption>
                </figure>
              ))}
              {pages > shown && <p class="muted">仅预览前 {shown} 页，完整内容请下载。</p>}
            </div>
          )}
        </section>
        <aside class="doc-side">
          <section class="card">
            <h2>文件信息</h2>
            <dl class="fields">
              <dt>类型</dt>
              <dd>{FILE_KIND_LABELS[v.kind as FileKind] ?? v.kind}</dd>
              <dt>页数</dt>
              <dd>{v.page_count ?? '—'}</dd>
              <dt>大小</dt>
              <dd>{formatBytes(Number(v.size))}</dd>
              <dt>原文件名</dt>
              <dd class="break">{v.file_name}</dd>
              <dt>SHA-256</dt>
              <dd class="hash">{v.blob_sha256}</dd>
              <dt>PDF 副本</dt>
              <dd>
                {CONVERSION_LABELS[v.conversion_state]}
                {v.conversion_note && <div class="muted small">{v.conversion_note}</div>}
              </dd>
            </dl>
            {p.canEdit && !p.frozen && !doc.trashed_at ? (
              <form method="post" action={base} class="stack">
                <input type="hidden" name="_csrf" value={p.ctx.csrfToken} />
                <label>
                  标题
                  <input name="title" value={p.draft?.title ?? doc.title} required maxlength={200} />
                </label>
                <label>
                  成文日期
                  <input type="date" name="document_date" value={p.draft?.document_date ?? doc.document_date ?? ''} />
                </label>
                <label>
                  发文部门
                  <input name="issuing_department" value={p.draft?.issuing_department ?? doc.issuing_department} maxlength={100} />
                </label>
                <button type="submit" class="primary">
                  保存信息
                </button>
              </form>
            ) : (
              <dl class="fields">
                <dt>成文日期</dt>
                <dd>{doc.document_date ?? '—'}</dd>
                <dt>发文部门</dt>
                <dd>{doc.issuing_department || '—'}</dd>
              </dl>
            )}
            {p.canEdit && !p.frozen && (
              <form method="post" action={`${base}/${doc.trashed_at ? 'restore' : 'trash'}`} class="inline">
                <input type="hidden" name="_csrf" value={p.ctx.csrfToken} />
                <button type="submit" data-confirm={doc.trashed_at ? undefined : trashConfirm(p.links.length)}>
                  {doc.trashed_at ? '从回收站恢复' : '移入回收站'}
                </button>
              </form>
            )}
          </section>
          <section class="card">
            <h2>关联的条款</h2>
            {p.links.length === 0 ? (
              <p class="muted">尚未关联任何条款。</p>
            ) : (
              <ul class="links">
                {p.links.map((l) => (
                  <li>
                    <a href={`/dossiers/${l.dossier_id}/items/${l.item_code}`}>
                      {l.core ? '★' : ''}
                      {l.item_code} {l.item_title}
                    </a>
                    <span class="muted small">
                      {' '}
                      {l.year}年{TARGET_LEVEL_LABELS[l.target_level]}
                      {l.page_from ? `，第 ${l.page_from}–${l.page_to ?? l.page_from} 页` : ''}
                    </span>
                  </li>
                ))}
              </ul>
            )}
          </section>
          {p.suggestions}
          <section class="card">
            <h2>版本</h2>
            <ol class="versions">
              {p.versions.map((ver) => (
                <li>
                  第{ver.version_no}版 · {ver.file_name} · {formatBytes(Number(ver.size))} · {formatTime(ver.created_at)}{' '}
                  <a href={`${base}/versions/${ver.id}/original`}>下载</a>
                  {ver.id === doc.current_version_id && <span class="badge">当前</span>}
                </li>
              ))}
            </ol>
            {p.canEdit && !doc.trashed_at && (
              <UploadZone action={`${base}/versions`} csrfToken={p.ctx.csrfToken} maxBytes={p.maxBytes} label="上传新版本" multiple={false} />
            )}
          </section>
          <section class="card">
            <h2>历史记录</h2>
            <HistoryList events={p.events} />
          </section>
        </aside>
      </div>
    </Layout>
  );
}
