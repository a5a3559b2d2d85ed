// Suggested mapping (src/search/suggest-items.ts): documents that may prove an item (in the item's evidence panel)
// and items a document may prove (on the document page), each with its reasons and a one-click 关联.
import type { DocumentSuggestion, ItemSuggestion } from '../src/search/suggest-items.ts';
import { FILE_KIND_LABELS, type FileKind } from '../src/documents/file-kind.ts';

function evidenceAction(dossierId: string, itemCode: string): string {
  return `/dossiers/${dossierId}/items/${itemCode}/evidence`;
}

function Reasons(p: { reasons: string[] }) {
  if (!p.reasons.length) return null;
  return <span class="muted small reasons">{p.reasons.join('；')}</span>;
}

/**
 * A placeholder that loads the item's suggestions once it is on the page (`hx-trigger="load"`). Put it inside
 * #item-evidence: every evidence change re-renders that section, so the list is fetched again and a document
 * just linked drops out of it.
 */
export function SuggestionsLoader(p: { url: string }) {
  return (
    <div class="suggestions-loader" hx-get={p.url} hx-trigger="load" hx-swap="outerHTML">
      <p class="muted small">正在查找可能相关的文件…</p>
    </div>
  );
}

/** "可能相关的文件" for one item: one-click 关联 replaces #item-evidence (htmx) or returns to the item page. */
export function ItemSuggestions(p: { dossierId: string; itemCode: string; docs: DocumentSuggestion[]; csrfToken: string; canLink: boolean }) {
  const action = evidenceAction(p.dossierId, p.itemCode);
  return (
    <div class="suggestions item-suggestions" id="item-suggestions">
      <h3>可能相关的文件</h3>
      {p.docs.length === 0 ? (
        <p class="muted small">文件库中暂未找到与本条款内容相符的文件（文件的文字识别完成后才能参与推荐）。</p>
      ) : (
        <ul class="candidates">
          {p.docs.map((d) => (
            <li>
              <form method="post" action={action} hx-post={action} hx-target="#item-evidence" hx-swap="outerHTML" class="candidate">
                <input type="hidden" name="_csrf" value={p.csrfToken} />
                <input type="hidden" name="document_id" value={d.documentId} />
                <span class="title">
                  <a href={`/documents/${d.documentId}`}>{d.title}</a>
                  <span class="muted small">
                    {' '}
                    {FILE_KIND_LABELS[d.kind as FileKind] ?? d.kind}
                    {d.pageCount ? ` · ${d.pageCount} 页` : ''}
                    {d.documentDate ? ` · ${d.documentDate}` : ''}
                  </span>
                  <br />
                  <Reasons reasons={d.reasons} />
                </span>
                {p.canLink && (
                  <button type="submit" title={`把“${d.title}”关联到条款 ${p.itemCode}`}>
                    关联
                  </button>
                )}
              </form>
            </li>
          ))}
        </ul>
      )}
      <p class="muted small">推荐依据文件标题与识别出的文字，仅供参考，请核对后再关联。</p>
    </div>
  );
}

/**
 * "可能对应的条款" for one document and one dossier (on the document page). The forms post without htmx: the
 * evidence route then redirects to the item's page, where the new link is visible.
 */
export function DocumentSuggestions(p: {
  documentId: string;
  dossierId: string;
  items: ItemSuggestion[];
  csrfToken: string;
  canLink: boolean;
  /** E.g. "2026年 基本标准": which dossier the items belong to. */
  dossierLabel?: string;
  /** The document's text is still being extracted: suggestions may be missing or based on the title only. */
  textPending?: boolean;
}) {
  return (
    <section class="card suggestions document-suggestions" id="document-suggestions">
      <h2>可能对应的条款</h2>
      {p.dossierLabel && <p class="muted small">档案：{p.dossierLabel}</p>}
      {p.textPending && <p class="muted small">文字识别尚未完成，完成后推荐会更准确。</p>}
      {p.items.length === 0 ? (
        <p class="muted small">暂无推荐的条款。</p>
      ) : (
        <ul class="candidates">
          {p.items.map((it) => {
            const action = evidenceAction(p.dossierId, it.itemCode);
            return (
              <li>
                <form method="post" action={action} class="candidate">
                  <input type="hidden" name="_csrf" value={p.csrfToken} />
                  <input type="hidden" name="document_id" value={p.documentId} />
                  <span class="title">
                    <a href={`/dossiers/${p.dossierId}/items/${it.itemCode}`}>
                      {it.core ? '★' : ''}
                      {it.itemCode} {it.title}
                    </a>
                    <br />
                    <Reasons reasons={it.reasons} />
                  </span>
                  {p.canLink && (
                    <button type="submit" title={`把本文件关联到条款 ${it.itemCode}`}>
                      关联
                    </button>
                  )}
                </form>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
