// The name the uploader's browser sent, made safe to *display* (lists, audit log, download suggestions).
// It is never used as a storage path — files are stored content-addressed by SHA-256 — but it still ends up
// in HTML, logs and Content-Disposition headers, so strip what could mislead a reviewer or break a line:
// directory parts, control characters, and bidi overrides (the "invoice\u202Efdp.exe" → "invoiceexe.pdf" trick).
// Callers still HTML-escape it and RFC 5987-encode it in headers; this is not a substitute for that.

export const MAX_FILE_NAME_LENGTH = 120;
export const FALLBACK_FILE_NAME = '未命名文件';

// C0 controls, DEL, C1 controls; bidi embeddings/overrides (U+202A–202E) and isolates (U+2066–2069), plus
// the invisible direction marks (LRM, RLM, ALM) and the BOM / zero-width no-break space.
// eslint-disable-next-line no-control-regex
const INVISIBLE_OR_CONTROL = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g;
/** The longest tail we treat as an extension worth preserving when truncating (".docx", ".jpeg", ".tiff"). */
const MAX_EXTENSION_LENGTH = 10;

export function sanitizeFileName(name: string): string {
  let s = String(name ?? '').normalize('NFC');
  // Line/paragraph separators would break log lines: treat as spaces before the control strip.
  s = s.replace(/[\u2028\u2029]/g, ' ').replace(INVISIBLE_OR_CONTROL, '');
  // Browsers send a bare name, but old IE/Edge sent the full client path ("C:\Users\…\a.pdf"); keep the
  // last segment under either separator, then drop a leftover drive prefix ("C:a.pdf").
  s = s.slice(Math.max(s.lastIndexOf('/'), s.lastIndexOf('\\')) + 1);
  s = s.replace(/^[A-Za-z]:/, '');
  // ".." sequences: collapse runs of dots to one, so "a..pdf" stays "a.pdf" rather than losing its extension.
  s = s.replace(/\.{2,}/g, '.');
  s = s.replace(/\s+/g, ' ');
  s = trimDotsAndSpaces(s);
  s = truncateKeepingExtension(s, MAX_FILE_NAME_LENGTH);
  return s === '' ? FALLBACK_FILE_NAME : s;
}

function trimDotsAndSpaces(s: string): string {
  return s.replace(/^[\s.]+|[\s.]+$/g, '');
}

/** Counts Unicode code points, not UTF-16 units, so a surrogate pair (emoji, rare CJK) is never cut in half. */
function truncateKeepingExtension(s: string, max: number): string {
  const chars = Array.from(s);
  if (chars.length <= max) return s;
  const dot = s.lastIndexOf('.');
  const ext = dot > 0 ? s.slice(dot) : '';
  const keepExt = ext.length > 1 && ext.length <= MAX_EXTENSION_LENGTH && !/\s/.test(ext) ? ext : '';
  const stem = Array.from(keepExt ? s.slice(0, dot) : s);
  const room = max - Array.from(keepExt).length;
  return trimDotsAndSpaces(stem.slice(0, room).join('')) + keepExt;
}
