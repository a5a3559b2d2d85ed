import type { CountyOption, InstitutionRow } from '../src/institutions/institution-repository.ts';
import { KIND_LABELS } from './labels.ts';
import { Layout, type PageContext } from './layout.tsx';

export interface InstitutionListProps {
  ctx: PageContext;
  rows: InstitutionRow[];
  /** More rows matched than are shown. */
  truncated: boolean;
  filters: { q?: string; countyCode?: string; kind?: string };
  counties: CountyOption[];
  canCreate: boolean;
  /** Whether the account may edit a given institution (admin, or its own head). */
  canEdit: (row: InstitutionRow) => boolean;
}

/** Counties grouped by their city, for a long select. */
export function CountyOptions(props: { counties: CountyOption[]; selected?: string }) {
  const groups = new Map<string, CountyOption[]>();
  for (const c of props.counties) {
    const key = c.city_name ?? '';
    groups.set(key, [...(groups.get(key) ?? []), c]);
  }
  const option = (c: CountyOption) => (
    <option value={c.code} selected={props.selected === c.code}>
      {`${c.name}（${c.code}）`}
    </option>
  );
  return (
    <>
      {[...groups.entries()].map(([city, list]) => (city ? <optgroup label={city}>{list.map(option)}</optgroup> : list.map(option)))}
    </>
  );
}

const count = (n: number | null) => (n === null ? '—' : n.toLocaleString('zh-CN'));

export function InstitutionListPage(p: InstitutionListProps) {
  const filtered = Boolean(p.filters.q || p.filters.countyCode || p.filters.kind);
  return (
    <Layout ctx={p.ctx} title="机构" active="/institutions">
      <div class="page-head">
        <h1>机构</h1>
        {p.canCreate && (
          <div class="actions">
            <a class="button primary" href="/institutions/new">
              新建机构
            </a>
            <a class="button" href="/institutions/import">
              批量导入
            </a>
          </div>
        )}
      </div>
      {(p.counties.length > 1 || filtered || p.rows.length > 1) && (
        <form method="get" action="/institutions" class="filters" role="search">
          <label>
            机构名称
            <input type="search" name="q" maxlength={100} value={p.filters.q ?? ''} placeholder="输入名称中的文字" />
          </label>
          <label>
            县（区）
            <select name="county">
              <option value="">全部</option>
              <CountyOptions counties={p.counties} selected={p.filters.countyCode} />
            </select>
          </label>
          <label>
            机构类型
            <select name="kind">
              <option value="">全部</option>
              <option value="township" selected={p.filters.kind === 'township'}>
                {KIND_LABELS['township']}
              </option>
              <option value="community" selected={p.filters.kind === 'community'}>
                {KIND_LABELS['community']}
              </option>
            </select>
          </label>
          <button type="submit">查询</button>
          {filtered && <a href="/institutions">清除条件</a>}
        </form>
      )}
      {p.rows.length === 0 ? (
        <p class="muted">{filtered ? '没有符合条件的机构。' : '还没有任何机构。'}</p>
      ) : (
        <>
          <table class="list">
            <thead>
              <tr>
                <th>机构名称</th>
                <th>机构类型</th>
                <th>县（区）</th>
                <th class="num">服务人口</th>
                <th class="num">在岗职工</th>
                <th class="num">开放床位</th>
                <th>操作</th>
              </tr>
            </thead>
            <tbody>
              {p.rows.map((r) => (
                <tr>
                  <td>
                    <a href={`/institutions/${r.id}`}>{r.name}</a>
                  </td>
                  <td>{KIND_LABELS[r.kind]}</td>
                  <td>{r.county_name}</td>
                  <td class="num">{count(r.service_population)}</td>
                  <td class="num">{count(r.staff_count)}</td>
                  <td class="num">{count(r.open_beds)}</td>
                  <td>
                    <a href={`/institutions/${r.id}`}>查看</a>
                    {p.canEdit(r) && (
                      <>
                        {' · '}
                        <a href={`/institutions/${r.id}/edit`}>编辑</a>
                      </>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <p class="muted small">
            {p.truncated ? `只显示前 ${p.rows.length} 个机构，请用上面的条件缩小范围。` : `共 ${p.rows.length} 个机构。`}
          </p>
        </>
      )}
    </Layout>
  );
}
