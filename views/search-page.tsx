import { raw } from 'hono/html';
import { FILE_KIND_LABELS, FILTER_FILE_KINDS, type FileKind } from '../src/documents/file-kind.ts';
import type { SearchHit } from '../src/search/page-index.ts';
import { TARGET_LEVEL_LABELS } from './labels.ts';
import { Layout, type PageContext } from './layout.tsx';

export interface SearchForm {
  q: string;
  dossier?: string;
  item?: string;
  kind?: string;
  from?: string;
  to?: string;
  page: number;
}

export interface SearchResultsProps {
  form: SearchForm;
  total: number;
  /** False when `total` is an estimate (large result sets: see SearchResult in src/search/page-index.ts). */
  totalExact?: boolean;
  hits: SearchHit[];
  pageSize: number;
  error?: string;
  /** Said above the results, e.g. that a long query was cut. */
  notice?: string;
}

function queryString(f: SearchForm, page: number): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries({ ...f, page })) if (v !== undefined && v !== '' && !(k === 'page' && v === 1)) p.set(k, String(v));
  return p.toString();
}

/** The last results page the route serves (its `page` parameter is at most 500). */
const MAX_PAGE = 500;

/** An estimated count as people say it: 约 4.6 万, 约 2,300. */
export function approxCount(n: number): string {
  if (n >= 10_000) {
    const wan = n / 10_000;
    return `${wan >= 100 ? Math.round(wan) : Number(wan.toPrecision(2))} 万`;
  }
  return Number(n.toPrecision(2)).toLocaleString('en-US');
}

/** 约 4.6 万个页面, 约 2,300 个页面. */
function approxPages(n: number): string {
  const count = approxCount(n);
  return `约 ${count}${count.endsWith('万') ? '' : ' '}个页面`;
}

/** The results fragment: what htmx swaps into #search-results as the user types. */
export function SearchResults(p: SearchResultsProps) {
  const { form } = p;
  if (!form.q.trim()) return <div id="search-results"><p class="muted">输入要查找的文字，例如：培训签到表、制度、随访。</p></div>;
  const exact = p.totalExact !== false;
  // An estimated total gives no last page: offer the next one while this one is full.
  const pages = exact ? Math.max(1, Math.ceil(p.total / p.pageSize)) : null;
  const hasNext = pages ? form.page < pages : p.hits.length === p.pageSize && form.page < MAX_PAGE;
  return (
    <div id="search-results">
      {p.notice && <p class="muted small">{p.notice}</p>}
      {p.error ? (
        <p class="flash error">{p.error}</p>
      ) : p.total === 0 ? (
        <p class="muted">没有找到包含“{form.q}”的页面。</p>
      ) : (
        <>
          <p class="muted small">{exact ? `找到 ${p.total} 个页面` : approxPages(p.total)}</p>
          <ol class="search-hits" start={(form.page - 1) * p.pageSize + 1}>
            {p.hits.map((h) => (
              <li>
                <a class="hit-title" href={`/documents/${h.documentId}?page=${h.pageNo}&q=${encodeURIComponent(form.q)}#page-${h.pageNo}`}>
                  {h.title} · 第 {h.pageNo} 页
                </a>
                <div class="muted small">
                  {h.institutionName} · {FILE_KIND_LABELS[h.kind as FileKind] ?? h.kind}
                  {h.documentDate ? ` · ${h.documentDate}` : ''}
                </div>
                <p class="snippet">{raw(h.snippet)}</p>
              </li>
            ))}
          </ol>
          {(form.page > 1 || hasNext) && (
            <nav class="pager">
              {form.page > 1 && <a href={`/search?${queryString(form, form.page - 1)}`}>上一页</a>}
              <span>{pages ? `第 ${form.page} / ${pages} 页` : `第 ${form.page} 页`}</span>
              {hasNext && <a href={`/search?${queryString(form, form.page + 1)}`}>下一页</a>}
            </nav>
          )}
        </>
      )}
    </div>
  );
}

export function SearchPage(p: SearchResultsProps & { ctx: PageContext; dossiers: { id: string; label: string }[] }) {
  const f = p.form;
  return (
    <Layout ctx={p.ctx} title="全文检索" active="/search">
      <h1>全文检索</h1>
      <form method="get" action="/search" class="search-form" hx-get="/search" hx-target="#search-results" hx-swap="outerHTML" hx-trigger="input changed delay:300ms from:input[name=q], change, submit" hx-push-url="true">
        <input type="search" name="q" value={f.q} placeholder="查找佐证材料中的文字" maxlength={100} autofocus class="q" />
        <div class="filters">
          <label>
            评价档案
            <select name="dossier">
              <option value="">全部</option>
              {p.dossiers.map((d) => (
                <option value={d.id} selected={f.dossier === d.id}>
                  {d.label}
                </option>
              ))}
            </select>
          </label>
          <label>
            条款编号
            <input name="item" value={f.item ?? ''} placeholder="如 3.3.2" maxlength={20} pattern="\d+(\.\d+){0,2}" />
          </label>
          <label>
            类型
            <select name="kind">
              <option value="">全部</option>
              {FILTER_FILE_KINDS.map((k) => (
                <option value={k} selected={f.kind === k}>
                  {FILE_KIND_LABELS[k]}
                </option>
              ))}
            </select>
          </label>
          <label>
            成文日期从
            <input type="date" name="from" value={f.from ?? ''} />
          </label>
          <label>
            至
            <input type="date" name="to" value={f.to ?? ''} />
          </label>
          <button type="submit" class="primary">
            检索
          </button>
        </div>
      </form>
      <SearchResults {...p} />
    </Layout>
  );
}

export function dossierLabel(d: { institution_name: string; year: number; target_level: keyof typeof TARGET_LEVEL_LABELS }): string {
  return `${d.institution_name} ${d.year}年${TARGET_LEVEL_LABELS[d.target_level]}`;
}
