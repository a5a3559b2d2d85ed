// Marks a query's words in a text for display: HTML-escaped, with <mark> around each occurrence.
import { normaliseText } from '../documents/normalise-text.ts';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ESCAPES[c]!);

export function queryWords(q: string): string[] {
  return [
    ...new Set(
      normaliseText(q)
        .split(/[\s"'*()（）:：^\-+,，。、;；]+/)
        .map((w) => w.trim())
        .filter((w) => w && !/^(AND|OR|NOT|NEAR)$/i.test(w)),
    ),
  ];
}

export function highlightHtml(text: string, q: string): string {
  const words = queryWords(q).sort((a, b) => b.length - a.length);
  if (words.length === 0) return escapeHtml(text);
  const re = new RegExp(words.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'giu');
  let out = '';
  let last = 0;
  for (const m of text.matchAll(re)) {
    out += escapeHtml(text.slice(last, m.index)) + `<mark>${escapeHtml(m[0])}</mark>`;
    last = m.index + m[0].length;
  }
  return out + escapeHtml(text.slice(last));
}
