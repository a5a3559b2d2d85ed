// The upload area: a plain multipart form (works without JavaScript) that public/app.js turns into a
// drag-and-drop zone uploading each file on its own request with a progress bar.
import { formatLimit } from '../src/documents/document-intake.ts';

export function UploadZone(p: { action: string; csrfToken: string; maxBytes: number; hidden?: Record<string, string>; label?: string; multiple?: boolean; refresh?: string }) {
  const action = `${p.action}${p.action.includes('?') ? '&' : '?'}_csrf=${encodeURIComponent(p.csrfToken)}`;
  return (
    <form class="upload-zone" method="post" action={action} enctype="multipart/form-data" data-upload data-refresh={p.refresh}>
      {Object.entries(p.hidden ?? {}).map(([k, v]) => (
        <input type="hidden" name={k} value={v} />
      ))}
      <p class="upload-hint">
        <strong>{p.label ?? '上传佐证材料'}</strong>：把文件拖到这里，或
        <label class="file-pick">
          选择文件
          <input type="file" name="file" multiple={p.multiple ?? true} required />
        </label>
      </p>
      <p class="muted small">支持 PDF、JPEG、PNG、TIFF、Word、Excel、OFD；单个文件不超过 {formatLimit(p.maxBytes)}。</p>
      <button type="submit" class="no-js-only">
        上传
      </button>
      <ul class="upload-list" aria-live="polite"></ul>
    </form>
  );
}
