// The evidence of one dossier item: ordered documents, upload into the item, link existing ones, history.
import type { EvidenceRow } from '../src/documents/document-repository.ts';
import { FILE_KIND_LABELS, type FileKind } from '../src/documents/file-kind.ts';
import { CONVERSION_LABELS } from '../src/documents/document-labels.ts';
import type { TextStatus } from '../src/documents/text-status.ts';
import { Flash } from './layout.tsx';
import { SuggestionsLoader } from './suggestions.tsx';
import { TextStatusView } from './text-status.tsx';
import { HistoryList, type HistoryRow } from './document-page.tsx';
import { UploadZone } from './upload-zone.tsx';

export interface ItemEvidenceProps {
  dossierId: string;
  itemCode: string;
  rows: EvidenceRow[];
  history: HistoryRow[];
  canEdit: boolean;
  csrfToken: string;
  maxBytes: number;
  errors?: string[];
  texts?: Map<string, TextStatus>;
}

export function evidenceBase(dossierId: string, itemCode: string): string {
  return `/dossiers/${dossierId}/items/${itemCode}/evidence`;
}

function ActionButton(p: { action: string; label: string; csrfToken: string; fields?: Record<string, string>; title?: string; confirm?: string }) {
  return (
    <form method="post" action={p.action} hx-post={p.action} hx-target="#item-evidence" hx-swap="outerHTML" class="inline">
      <input type="hidden" name="_csrf" value={p.csrfToken} />
      {Object.entries(p.fields ?? {}).map(([k, v]) => (
        <input type="hidden" name={k} value={v} />
      ))}
      <button type="submit" class="link" title={p.title} data-confirm={p.confirm}>
        {p.label}
      </button>
    </form>
  );
}

function unlinkConfirm(title: string): string {
  return `确定取消“${title}”与本条款的关联吗？文件本身仍保留在文件库中。`;
}

/** The ordered list; refreshed on its own after uploads so the upload results stay visible. */
export function EvidenceList(p: ItemEvidenceProps) {
  const base = evidenceBase(p.dossierId, p.itemCode);
  // Trashed documents do not count as evidence: they are listed apart so the heading's count matches its list.
  const active = p.rows.filter((r) => !r.trashed_at);
  const trashed = p.rows.filter((r) => r.trashed_at);
  return (
    <div id="evidence-list" hx-get={`${base}?part=list`} hx-trigger="refresh" hx-swap="outerHTML">
      <h3>佐证材料（{active.length}）</h3>
      {active.length === 0 ? (
        <p class="muted small">尚未关联佐证材料。</p>
      ) : (
        <ol class="evidence-list">
          {active.map((r, i) => (
            <li>
              <a href={`/documents/${r.document_id}`}>{r.title}</a>
              <span class="muted small">
                {' '}
                {FILE_KIND_LABELS[r.kind as FileKind] ?? r.kind}
                {r.page_count ? ` · ${r.page_count} 页` : ''}
                {r.page_from ? ` · 仅第 ${r.page_from}–${r.page_to ?? r.page_from} 页` : ''}
                {r.conversion_state !== 'not_needed' && r.conversion_state !== 'converted' ? ` · ${CONVERSION_LABELS[r.conversion_state as keyof typeof CONVERSION_LABELS]}` : ''}
              </span>{' '}
              {p.texts?.get(r.version_id ?? r.current_version_id ?? '') && (
                <TextStatusView documentId={r.document_id} status={p.texts.get(r.version_id ?? r.current_version_id ?? '')!} compact csrfToken={p.csrfToken} canRetry={p.canEdit} />
              )}
              {p.canEdit && (
                <span class="evidence-actions">
                  {i > 0 && <ActionButton action={`${base}/${r.id}/move`} fields={{ dir: 'up' }} label="↑" title="上移" csrfToken={p.csrfToken} />}
                  {i < active.length - 1 && <ActionButton action={`${base}/${r.id}/move`} fields={{ dir: 'down' }} label="↓" title="下移" csrfToken={p.csrfToken} />}
                  <ActionButton action={`${base}/${r.id}/unlink`} label="取消关联" csrfToken={p.csrfToken} confirm={unlinkConfirm(r.title)} />
                </span>
              )}
            </li>
          ))}
        </ol>
      )}
      {trashed.length > 0 && (
        <div class="evidence-trashed">
          <h4>已移入回收站（{trashed.length}）</h4>
          <p class="muted small">这些文件不计入佐证材料；从回收站恢复后会重新计入。</p>
          <ul>
            {trashed.map((r) => (
              <li class="trashed">
                <a href={`/documents/${r.document_id}`}>{r.title}</a>
                <span class="muted small"> · 已移入回收站</span>
                {p.canEdit && (
                  <span class="evidence-actions">
                    <ActionButton action={`${base}/${r.id}/unlink`} label="取消关联" csrfToken={p.csrfToken} confirm={unlinkConfirm(r.title)} />
                  </span>
                )}
              </li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}

export function ItemEvidence(p: ItemEvidenceProps) {
  const base = evidenceBase(p.dossierId, p.itemCode);
  return (
    <section id="item-evidence" class="item-evidence">
      {p.errors && p.errors.length > 0 && (
        <Flash kind="error">
          {p.errors.map((e) => (
            <div>{e}</div>
          ))}
        </Flash>
      )}
      <EvidenceList {...p} />
      {p.canEdit && (
        <>
          <UploadZone
            action={`${base}/upload`}
            csrfToken={p.csrfToken}
            maxBytes={p.maxBytes}
            label="上传到本条款"
            refresh="#evidence-list"
          />
          <SuggestionsLoader url={`${base}/suggestions`} />
          <details class="link-existing">
            <summary>从文件库关联已有文件</summary>
            <input
              type="search"
              name="q"
              placeholder="按标题查找，如：培训、制度"
              hx-get={`${base}/candidates`}
              hx-trigger="input changed delay:300ms, search"
              hx-target="#evidence-candidates"
              maxlength={100}
            />
            <div id="evidence-candidates"></div>
          </details>
        </>
      )}
      <details class="item-history">
        <summary>本条款的材料记录</summary>
        <HistoryList events={p.history} />
      </details>
    </section>
  );
}

function CandidateTitle(p: { doc: { title: string; kind: string; page_count: number | null } }) {
  return (
    <span class="title">
      {p.doc.title}
      <span class="muted small">
        {' '}
        {FILE_KIND_LABELS[p.doc.kind as FileKind] ?? p.doc.kind}
        {p.doc.page_count ? ` · ${p.doc.page_count} 页` : ''}
      </span>
    </span>
  );
}

export function EvidenceCandidates(p: {
  dossierId: string;
  itemCode: string;
  csrfToken: string;
  q: string;
  docs: { id: string; title: string; document_date: string | null; kind: string; page_count: number | null }[];
  /** Documents already linked to this item: shown as such, not offered again. */
  linkedIds?: Set<string>;
}) {
  const base = evidenceBase(p.dossierId, p.itemCode);
  if (!p.q) return <p class="muted small">输入标题中的文字查找文件。</p>;
  if (p.docs.length === 0) return <p class="muted small">没有标题包含“{p.q}”的文件。</p>;
  return (
    <ul class="candidates">
      {p.docs.map((d) =>
        p.linkedIds?.has(d.id) ? (
          <li class="candidate linked">
            <CandidateTitle doc={d} />
            <span class="badge">已关联</span>
            <button type="button" disabled title="该文件已关联到本条款">
              关联
            </button>
          </li>
        ) : (
          <li>
            <form method="post" action={base} hx-post={base} hx-target="#item-evidence" hx-swap="outerHTML" class="candidate">
              <input type="hidden" name="_csrf" value={p.csrfToken} />
              <input type="hidden" name="document_id" value={d.id} />
              <CandidateTitle doc={d} />
              {d.page_count && d.page_count > 1 ? (
                <span class="range">
                  第 <input type="number" name="page_from" min={1} max={d.page_count} placeholder="起" /> –{' '}
                  <input type="number" name="page_to" min={1} max={d.page_count} placeholder="止" /> 页
                </span>
              ) : null}
              <button type="submit">关联</button>
            </form>
          </li>
        ),
      )}
    </ul>
  );
}
