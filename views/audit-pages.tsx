// The dossier's history tab and the admin's audit log page.
import type { HistoryEntry } from '../src/audit/audit-repository.ts';
import { auditActionLabel } from '../src/audit/audit-labels.ts';
import { EVENT_LABELS, formatTime } from '../src/documents/document-labels.ts';
import { DossierTabs } from './dossier-tabs.tsx';
import { Layout, type PageContext } from './layout.tsx';

function describe(e: HistoryEntry): string {
  if (e.source === 'evidence') {
    const d = JSON.parse(e.detail) as { document?: string };
    return `${EVENT_LABELS[e.action.replace('evidence.', '')] ?? e.action}：${d.document ?? ''}${e.item_code ? `（条款 ${e.item_code}）` : ''}`;
  }
  return auditActionLabel(e.action);
}

function detailText(detail: string): string {
  try {
    const d = JSON.parse(detail) as Record<string, unknown>;
    return Object.entries(d)
      .filter(([, v]) => v !== null && v !== '' && !(Array.isArray(v) && v.length === 0))
      .map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`)
      .join('；');
  } catch {
    return '';
  }
}

export function DossierHistoryPage(p: { ctx: PageContext; dossierId: string; title: string; entries: HistoryEntry[] }) {
  return (
    <Layout ctx={p.ctx} title={`操作记录 · ${p.title}`} active="/dossiers">
      <p class="crumbs">
        <a href="/dossiers">评价档案</a> / <a href={`/dossiers/${p.dossierId}`}>{p.title}</a> / 操作记录
      </p>
      <h1>{p.title}</h1>
      <DossierTabs dossierId={p.dossierId} active="history" />
      {p.entries.length === 0 ? (
        <p class="muted">暂无操作记录。</p>
      ) : (
        <table class="list history">
          <thead>
            <tr>
              <th>时间</th>
              <th>操作人</th>
              <th>操作</th>
              <th>详情</th>
              <th>来源地址</th>
            </tr>
          </thead>
          <tbody>
            {p.entries.map((e) => (
              <tr>
                <td class="nowrap">{formatTime(e.at)}</td>
                <td>{e.actor_name ?? '系统'}</td>
                <td>{describe(e)}</td>
                <td class="small muted">{e.source === 'audit' ? detailText(e.detail) : ''}</td>
                <td class="small muted">{e.ip}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Layout>
  );
}

export interface AuditRow {
  id: number;
  at: string;
  username: string | null;
  display_name: string | null;
  ip: string;
  action: string;
  subject_type: string;
  subject_id: string;
  detail: string;
}

export function AdminAuditPage(p: { ctx: PageContext; rows: AuditRow[]; filters: Record<string, string>; page: number; more: boolean }) {
  const qs = (page: number) => new URLSearchParams({ ...p.filters, page: String(page) }).toString();
  return (
    <Layout ctx={p.ctx} title="审计日志" active="/admin/audit">
      <h1>审计日志</h1>
      <form method="get" class="filters card">
        <label>
          操作（前缀，如 dossier.）
          <input name="action" value={p.filters['action'] ?? ''} />
        </label>
        <label>
          用户名
          <input name="actor" value={p.filters['actor'] ?? ''} />
        </label>
        <label>
          起始日期
          <input type="date" name="from" value={p.filters['from'] ?? ''} />
        </label>
        <label>
          截止日期
          <input type="date" name="to" value={p.filters['to'] ?? ''} />
        </label>
        <button type="submit">筛选</button>
      </form>
      <table class="list audit">
        <thead>
          <tr>
            <th>时间</th>
            <th>用户</th>
            <th>操作</th>
            <th>对象</th>
            <th>详情</th>
            <th>来源地址</th>
          </tr>
        </thead>
        <tbody>
          {p.rows.map((r) => (
            <tr>
              <td class="nowrap">{formatTime(r.at)}</td>
              <td>{r.display_name ? `${r.display_name}（${r.username}）` : '系统'}</td>
              <td>{auditActionLabel(r.action)}</td>
              <td class="small">{r.subject_type === 'dossier' ? <a href={`/dossiers/${r.subject_id}/history`}>{r.subject_id}</a> : `${r.subject_type} ${r.subject_id}`}</td>
              <td class="small muted">{detailText(r.detail)}</td>
              <td class="small muted">{r.ip}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p class="pager">
        {p.page > 1 && <a href={`?${qs(p.page - 1)}`}>上一页</a>} 第 {p.page} 页 {p.more && <a href={`?${qs(p.page + 1)}`}>下一页</a>}
      </p>
    </Layout>
  );
}
