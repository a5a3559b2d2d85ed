// Annotation threads (rectangle + comment, replies, resolved state) and the document viewer page that shows them
// next to the page (pdf.js, public/annotate.js). `AnnotationThreads` is also meant for the review workspace:
// give it the threads of an item (listAnnotations({ dossierId, itemCode, openOnly })) and a `scope` naming the
// same filter, so that replying or resolving refreshes exactly that list (forms post the scope back).
import type { Child } from 'hono/jsx';
import type { Dossier, DocumentVersion } from '../src/db/schema.ts';
import { formatTime } from '../src/documents/document-labels.ts';
import type { AnnotationThread } from '../src/review/annotation-repository.ts';
import { ROLE_LABELS, TARGET_LEVEL_LABELS } from './labels.ts';
import { DossierTabs } from './dossier-tabs.tsx';
import { Flash, Layout, type PageContext } from './layout.tsx';

/** Which threads a list shows; posted back by its forms so the server re-renders the same list. */
export interface ThreadListScope {
  documentId?: string | undefined;
  itemCode?: string | undefined;
  openOnly?: boolean | undefined;
  /** Not a filter: threads written on another version than this one are marked (the viewer's version). */
  versionId?: string | undefined;
  /** Element id of the list, when a page shows more than one list (default `annotation-threads`). */
  listId?: string | undefined;
}

/** The viewer on the version the annotation was made on (read-only there when a newer version replaced it). */
export function viewerUrl(dossierId: string, t: Pick<AnnotationThread, 'document_id' | 'version_id' | 'page_no' | 'item_code' | 'id'>): string {
  const q = new URLSearchParams({ page: String(t.page_no), v: t.version_id });
  if (t.item_code) q.set('item', t.item_code);
  return `/dossiers/${dossierId}/documents/${t.document_id}/view?${q.toString()}#ann-${t.id}`;
}

function ScopeFields(p: { scope: ThreadListScope }) {
  return (
    <>
      {p.scope.documentId && <input type="hidden" name="list_document" value={p.scope.documentId} />}
      {p.scope.itemCode && <input type="hidden" name="list_item" value={p.scope.itemCode} />}
      {p.scope.openOnly && <input type="hidden" name="list_open" value="1" />}
      {p.scope.versionId && <input type="hidden" name="list_version" value={p.scope.versionId} />}
      {p.scope.listId && <input type="hidden" name="list_id" value={p.scope.listId} />}
    </>
  );
}

function ThreadForm(p: { action: string; csrfToken: string; scope: ThreadListScope; children?: Child; class?: string }) {
  return (
    <form method="post" action={p.action} hx-post={p.action} hx-target="closest .annotation-threads" hx-swap="outerHTML" class={p.class}>
      <input type="hidden" name="_csrf" value={p.csrfToken} />
      <ScopeFields scope={p.scope} />
      {p.children}
    </form>
  );
}

function who(name: string, role: AnnotationThread['author_role']) {
  return (
    <>
      <strong>{name}</strong> <span class="muted">（{ROLE_LABELS[role] ?? role}）</span>
    </>
  );
}

export interface AnnotationThreadsProps {
  dossierId: string;
  threads: AnnotationThread[];
  csrfToken: string;
  /** Reviewers holding the active stage, and the institution's staff and head (while the dossier is not final). */
  canReply: boolean;
  /** Reviewers holding the active stage. */
  canResolve: boolean;
  scope: ThreadListScope;
  /** Show each thread's document title with a link into the viewer (lists spanning documents). */
  showDocument?: boolean;
  title?: string;
}

export function AnnotationThreads(p: AnnotationThreadsProps) {
  const open = p.threads.filter((t) => !t.resolved_at).length;
  const base = `/dossiers/${p.dossierId}/annotations`;
  return (
    <section id={p.scope.listId ?? 'annotation-threads'} class="annotation-threads viewer-threads" data-count={String(p.threads.length)} aria-live="polite">
      <h2>
        {p.title ?? '批注'}（{p.threads.length}
        {p.threads.length > 0 && `，未解决 ${open}`}）
      </h2>
      {p.threads.length === 0 ? (
        <p class="muted small">暂无批注。</p>
      ) : (
        <ol class="viewer-thread-list">
          {p.threads.map((t) => (
            <li
              id={`ann-${t.id}`}
              class={`viewer-thread${t.resolved_at ? ' viewer-resolved' : ''}`}
              data-annotation-id={t.id}
              data-page={String(t.page_no)}
              data-version-id={t.version_id}
              tabindex={0}
            >
              <div class="viewer-thread-head">
                <span class="viewer-num" aria-label={`批注 ${t.number}`}>
                  {t.number}
                </span>
                <span>第 {t.page_no} 页</span>
                {t.item_code && <span class="muted small">条款 {t.item_code}</span>}
                {p.scope.versionId && t.version_id !== p.scope.versionId && (
                  <a class="badge" href={viewerUrl(p.dossierId, t)} title="在批注所在的版本上查看">
                    第{t.version_no}版
                  </a>
                )}
                {t.resolved_at ? <span class="badge viewer-badge-ok">已解决</span> : <span class="badge viewer-badge-open">待处理</span>}
              </div>
              {p.showDocument && (
                <div class="small">
                  <a href={viewerUrl(p.dossierId, t)}>{t.document_title}</a>
                </div>
              )}
              <div class="viewer-meta small">
                {who(t.author_name, t.author_role)}
                {t.stage_label && <span class="muted"> · 第{t.round}轮 {t.stage_label}</span>}
                <span class="muted"> · {formatTime(t.created_at)}</span>
              </div>
              <p class="viewer-body prewrap">{t.body}</p>
              {t.replies.length > 0 && (
                <ol class="viewer-replies">
                  {t.replies.map((r) => (
                    <li id={`reply-${r.id}`}>
                      <div class="viewer-meta small">
                        {who(r.author_name, r.author_role)}
                        <span class="muted"> · {formatTime(r.created_at)}</span>
                      </div>
                      <p class="viewer-body prewrap">{r.body}</p>
                    </li>
                  ))}
                </ol>
              )}
              {t.resolved_at && (
                <p class="muted small">
                  {t.resolved_by_name ?? '审核人员'} 于 {formatTime(t.resolved_at)} 标记为已解决
                </p>
              )}
              {(p.canReply || p.canResolve) && (
                <div class="viewer-thread-actions">
                  {p.canReply && (
                    <ThreadForm action={`${base}/${t.id}/replies`} csrfToken={p.csrfToken} scope={p.scope} class="viewer-reply">
                      <label class="viewer-sr" for={`reply-body-${t.id}`}>
                        回复批注 {t.number}
                      </label>
                      <textarea id={`reply-body-${t.id}`} name="body" rows={2} maxlength={2000} required placeholder="回复…"></textarea>
                      <button type="submit">回复</button>
                    </ThreadForm>
                  )}
                  {p.canResolve && (
                    <ThreadForm action={`${base}/${t.id}/${t.resolved_at ? 'reopen' : 'resolve'}`} csrfToken={p.csrfToken} scope={p.scope} class="inline">
                      <button type="submit" class="link">
                        {t.resolved_at ? '重新打开' : '标记为已解决'}
                      </button>
                    </ThreadForm>
                  )}
                </div>
              )}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

/** How the viewer shows the linked version: a PDF through pdf.js, an image, or nothing (with the reason). */
export type ViewerSource =
  | { mode: 'pdf'; url: string }
  /** `url` may contain `{page}` (multi-page TIFF, rendered page by page on the server). */
  | { mode: 'image'; url: string }
  | { mode: 'none'; reason: string };

export interface LinkedItem {
  item_code: string;
  item_title: string | null;
  page_from: number | null;
  page_to: number | null;
}

export interface AnnotationViewerProps {
  ctx: PageContext;
  dossier: Dossier;
  institutionName: string;
  document: { id: string; title: string };
  version: DocumentVersion;
  source: ViewerSource;
  pageNo: number;
  pageCount: number;
  /** The item the viewer was opened from (or the document's first linked item). */
  itemCode: string | null;
  links: LinkedItem[];
  threads: AnnotationThread[];
  canCreate: boolean;
  canReply: boolean;
  canResolve: boolean;
  /** Why the account cannot add annotations, shown instead of the button. */
  createNote: string | null;
  /** A version a newer one replaced, shown for its annotations: link to the version the dossier links now. */
  superseded: boolean;
  pdfjsVersion: string;
}

export function AnnotationViewerPage(p: AnnotationViewerProps) {
  const base = `/dossiers/${p.dossier.id}/documents/${p.document.id}`;
  const pageHref = (n: number) => {
    const q = new URLSearchParams({ page: String(n), v: p.version.id });
    if (p.itemCode) q.set('item', p.itemCode);
    return `${base}/view?${q.toString()}`;
  };
  const link = p.links.find((l) => l.item_code === p.itemCode);
  const scope: ThreadListScope = { documentId: p.document.id, versionId: p.version.id };
  const fallbackImg = p.source.mode !== 'none' ? `/documents/${p.document.id}/versions/${p.version.id}/pages/${p.pageNo}.png?w=1200` : null;
  return (
    <Layout ctx={p.ctx} title={`批注 · ${p.document.title}`} active="/dossiers">
      <p class="crumbs">
        <a href="/dossiers">评价档案</a> / <a href={`/dossiers/${p.dossier.id}`}>{p.institutionName}</a> / <a href={`/dossiers/${p.dossier.id}/review`}>审核</a>
      </p>
      <h1>
        {p.document.title}{' '}
        <span class="muted small">
          {p.dossier.year}年 {TARGET_LEVEL_LABELS[p.dossier.target_level]} · 第{p.version.version_no}版
        </span>
      </h1>
      {p.superseded && (
        <Flash kind="info">
          正在查看已被取代的第{p.version.version_no}版及其批注。
          <a href={`${base}/view${p.itemCode ? `?item=${encodeURIComponent(p.itemCode)}` : ''}`}>查看本档案当前链接的版本</a>
        </Flash>
      )}
      <DossierTabs dossierId={p.dossier.id} active="review" />
      <div
        id="viewer"
        class="viewer"
        data-mode={p.source.mode}
        data-src={p.source.mode === 'none' ? '' : p.source.url}
        data-page={String(p.pageNo)}
        data-pages={String(p.pageCount)}
        data-version-id={p.version.id}
        data-annotations-url={`${base}/annotations`}
        data-pdfjs-version={p.pdfjsVersion}
        data-can-create={p.canCreate ? '1' : '0'}
      >
        <section class="viewer-main">
          <div class="viewer-toolbar">
            <a class={`button viewer-prev${p.pageNo <= 1 ? ' viewer-disabled' : ''}`} href={pageHref(Math.max(1, p.pageNo - 1))} aria-label="上一页">
              ‹ 上一页
            </a>
            <label class="viewer-pageno">
              第 <input class="viewer-page-input" type="number" min={1} max={p.pageCount || 1} value={String(p.pageNo)} aria-label="页码" /> / <span class="viewer-page-count">{p.pageCount || '?'}</span> 页
            </label>
            <a class={`button viewer-next${p.pageCount && p.pageNo >= p.pageCount ? ' viewer-disabled' : ''}`} href={pageHref(Math.min(p.pageCount || p.pageNo + 1, p.pageNo + 1))} aria-label="下一页">
              下一页 ›
            </a>
            <span class="viewer-zoom viewer-js-only">
              <button type="button" data-zoom="out" title="缩小" aria-label="缩小">
                －
              </button>
              <span class="viewer-zoom-label">100%</span>
              <button type="button" data-zoom="in" title="放大" aria-label="放大">
                ＋
              </button>
              <button type="button" data-zoom="fit">
                适合宽度
              </button>
            </span>
            {p.canCreate && (
              <button type="button" class="viewer-add viewer-js-only primary" aria-pressed="false">
                添加批注
              </button>
            )}
          </div>
          {link && link.page_from && (
            <p class="muted small viewer-note">
              条款 {link.item_code} 只引用本文件第 {link.page_from}–{link.page_to ?? link.page_from} 页。
            </p>
          )}
          {p.canCreate && (
            <p class="viewer-hint muted small" hidden>
              在页面上按住鼠标（或手指）拖出一个矩形，框选需要批注的区域。
            </p>
          )}
          <div class="viewer-stage">
            {p.source.mode === 'none' ? (
              <p class="muted viewer-unavailable">{p.source.reason}</p>
            ) : (
              <div class="viewer-page">
                {p.source.mode === 'pdf' ? <canvas class="viewer-canvas"></canvas> : <img class="viewer-image" alt={`第 ${p.pageNo} 页`} />}
                <div class="viewer-overlay" aria-hidden="true"></div>
              </div>
            )}
            {fallbackImg && (
              <noscript>
                <img class="viewer-fallback" src={fallbackImg} alt={`第 ${p.pageNo} 页`} />
              </noscript>
            )}
            <p class="viewer-status muted small" role="status"></p>
          </div>
        </section>
        <aside class="viewer-side">
          {p.canCreate && (
            <form
              id="annotation-form"
              class="viewer-form card"
              method="post"
              action={`/dossiers/${p.dossier.id}/annotations`}
              hx-post={`/dossiers/${p.dossier.id}/annotations`}
              hx-target="#annotation-threads"
              hx-swap="outerHTML"
              hidden
            >
              <h2>新批注</h2>
              <p class="muted small">
                第 <span class="viewer-form-page">{p.pageNo}</span> 页所选区域
              </p>
              <input type="hidden" name="_csrf" value={p.ctx.csrfToken} />
              <input type="hidden" name="version_id" value={p.version.id} />
              <input type="hidden" name="item_code" value={p.itemCode ?? ''} />
              <input type="hidden" name="page_no" value={String(p.pageNo)} />
              <input type="hidden" name="x" value="" />
              <input type="hidden" name="y" value="" />
              <input type="hidden" name="w" value="" />
              <input type="hidden" name="h" value="" />
              <ScopeFields scope={scope} />
              <div id="annotation-form-errors" class="form-errors"></div>
              <label>
                批注内容
                <textarea name="body" rows={4} maxlength={2000} required placeholder="写下发现的问题或需要补充的材料"></textarea>
              </label>
              <div class="actions">
                <button type="submit" class="primary">
                  保存批注
                </button>
                <button type="button" class="viewer-cancel">
                  取消
                </button>
              </div>
            </form>
          )}
          {p.createNote && <p class="muted small viewer-note">{p.createNote}</p>}
          <AnnotationThreads
            dossierId={p.dossier.id}
            threads={p.threads}
            csrfToken={p.ctx.csrfToken}
            canReply={p.canReply}
            canResolve={p.canResolve}
            scope={scope}
          />
        </aside>
      </div>
      <script type="module" src="/static/annotate.js"></script>
    </Layout>
  );
}
