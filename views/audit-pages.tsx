// The dossier's history tab and the admin's audit log page.
import type { HistoryEntry } from '../src/audit/audit-repository.ts';
import { AUDIT_ACTION_GROUPS, AUDIT_ACTION_LABELS, AUDIT_SUBJECT_LABELS, auditActionLabel, auditDetailParts } from '../src/audit/audit-labels.ts';
import { EVENT_LABELS, formatTime } from '../src/documents/document-labels.ts';
import { DossierTabs } from './dossier-tabs.tsx';
import { LongText } from './long-text.tsx';
import { Layout, type PageContext } from './layout.tsx';

function describe(e: HistoryEntry): string {
  if (e.source === 'evidence') {
    const d = JSON.parse(e.detail) as { document?: string };
    return `${EVENT_LABELS[e.action.replace('evidence.', '')] ?? e.action}：${d.document ?? ''}${e.item_code ? `（条款 ${e.item_code}）` : ''}`;
  }
  return auditActionLabel(e.action);
}

function Detail(p: { action: string; detail: string }) {
  const parts = auditDetailParts(p.action, p.detail);
  return parts.length === 0 ? null : <LongText text={parts.join('；')} limit={100} inline />;
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
        <div class="table-scroll">
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
                <td class="action-cell">{describe(e)}</td>
                <td class="small muted detail-cell">{e.source === 'audit' ? <Detail action={e.action} detail={e.detail} /> : ''}</td>
                <td class="small muted ip-cell">{e.ip}</td>
              </tr>
            ))}
          </tbody>
        </table>
        </div>
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

/** What an audit row is about, by "type:id": a readable name and, where there is a page for it, a link. */
export type AuditSubjects = Record<string, { label: string; href?: string }>;

function ActionFilter(p: { value: string }) {
  const known = p.value === '' || p.value in AUDIT_ACTION_LABELS || AUDIT_ACTION_GROUPS.some((g) => g.prefix === p.value);
  return (
    <select name="action">
      <option value="">全部操作</option>
      {/* A hand-written prefix from an old link still filters; show it rather than silently dropping it. */}
      {!known && (
        <option value={p.value} selected>
          以“{p.value}”开头的操作
        </option>
      )}
      <option value="login" selected={p.value === 'login'}>
        {AUDIT_ACTION_LABELS['login']}
      </option>
      {AUDIT_ACTION_GROUPS.map((g) => (
        <optgroup label={g.label}>
          <option value={g.prefix} selected={p.value === g.prefix}>
            全部{g.label}操作
          </option>
          {Object.entries(AUDIT_ACTION_LABELS)
            .filter(([k]) => k.startsWith(g.prefix))
            .map(([k, label]) => (
              <option value={k} selected={p.value === k}>
                {label}
              </option>
            ))}
        </optgroup>
      ))}
    </select>
  );
}

export function AdminAuditPage(p: { ctx: PageContext; rows: AuditRow[]; subjects: AuditSubjects; filters: Record<string, string>; page: number; more: boolean }) {
  const qs = (page: number) => new URLSearchParams({ ...p.filters, page: String(page) }).toString();
  return (
    <Layout ctx={p.ctx} title="审计日志" active="/admin/audit">
      <h1>审计日志</h1>
      <form method="get" class="filters card">
        <label>
          操作
          <ActionFilter value={p.filters['action'] ?? ''} />
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
      <div class="table-scroll">
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
              <td class="user-cell">{r.display_name ? `${r.display_name}（${r.username}）` : '系统'}</td>
              <td class="action-cell">{auditActionLabel(r.action)}</td>
              <td class="small subject-cell">
                <Subject row={r} subjects={p.subjects} />
              </td>
              <td class="small muted detail-cell">
                <Detail action={r.action} detail={r.detail} />
              </td>
              <td class="small muted ip-cell">{r.ip}</td>
            </tr>
          ))}
        </tbody>
      </table>
      </div>
      <p class="pager">
        {p.page > 1 && <a href={`?${qs(p.page - 1)}`}>上一页</a>} 第 {p.page} 页 {p.more && <a href={`?${qs(p.page + 1)}`}>下一页</a>}
      </p>
    </Layout>
  );
}

function Subject(p: { row: AuditRow; subjects: AuditSubjects }) {
  const kind = AUDIT_SUBJECT_LABELS[p.row.subject_type] ?? p.row.subject_type;
  const s = p.subjects[`${p.row.subject_type}:${p.row.subject_id}`];
  // Deleted or unknown subjects show only their kind: an internal id tells the reader nothing.
  if (!s) return <>{kind}</>;
  return (
    <>
      {kind} {s.href ? <a href={s.href}>{s.label}</a> : s.label}
    </>
  );
}
