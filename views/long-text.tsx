// Long free text in a table cell: the opening lines and a 展开 toggle (details/summary, no script needed), so one
// 5,000-character note cannot squeeze the other columns to one character wide.
export function LongText(p: { text: string; limit?: number; class?: string; inline?: boolean }) {
  const limit = p.limit ?? 160;
  if (p.text.length <= limit) return p.inline ? <>{p.text}</> : <p class={p.class}>{p.text}</p>;
  return (
    <details class={`clamp${p.class ? ` ${p.class}` : ''}`}>
      <summary>
        <span class="clamp-head">{p.text.slice(0, limit)}…</span>
        <span class="clamp-more">展开</span>
        <span class="clamp-less">收起</span>
      </summary>
      <div class="clamp-body">{p.text}</div>
    </details>
  );
}
