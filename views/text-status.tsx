// A document's text-extraction state: a live progress bar that polls itself (htmx) while the job runs.
import type { TextStatus } from '../src/documents/text-status.ts';

export function TextStatusView(p: { documentId: string; status: TextStatus; compact?: boolean; csrfToken: string; canRetry: boolean }) {
  const { status: s } = p;
  const url = `/documents/${p.documentId}/text-status${p.compact ? '?compact=1' : ''}`;
  const live = s.state === 'queued' || s.state === 'running' || s.state === 'waiting';
  const pct = s.total > 0 ? Math.round((s.done / s.total) * 100) : 0;
  const cls = `text-status ts-${s.state}${p.compact ? ' compact' : ''}`;
  const attrs = live ? { 'hx-get': url, 'hx-trigger': 'load delay:1s', 'hx-swap': 'outerHTML' } : {};
  return (
    <span class={cls} {...attrs}>
      {s.state === 'none' && <span class="muted">无文字</span>}
      {s.state === 'waiting' && <span class="muted">等待处理…</span>}
      {s.state === 'queued' && <span class="muted">排队等待文字识别…</span>}
      {s.state === 'running' && (
        <>
          <progress max={100} value={pct} aria-label="文字识别进度"></progress>
          <span class="small">
            {' '}
            识别中 {s.done}/{s.total || '?'} 页
          </span>
        </>
      )}
      {s.state === 'done' && (
        <span class="small">
          已提取 {s.pages} 页文字{s.ocrPages > 0 ? `（OCR ${s.ocrPages} 页）` : ''}
        </span>
      )}
      {s.state === 'failed' && (
        <>
          <span class="small error-text">文字识别失败：{s.error || '原因未知'}</span>
          {p.canRetry && s.jobId && (
            <form method="post" action={`/documents/${p.documentId}/text/retry`} hx-post={`/documents/${p.documentId}/text/retry${p.compact ? '?compact=1' : ''}`} hx-target="closest .text-status" hx-swap="outerHTML" class="inline">
              <input type="hidden" name="_csrf" value={p.csrfToken} />
              <button type="submit" class="link">
                重试
              </button>
            </form>
          )}
        </>
      )}
    </span>
  );
}
