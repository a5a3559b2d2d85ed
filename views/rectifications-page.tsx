// The dossier's 整改 tab: the records table (inline edit and status changes with htmx, plain forms without it),
// the form to add a record, the reviewer notes not yet turned into records, and the printable 自评整改档案表.
import { raw } from 'hono/html';
import type { DossierState, RectificationStatus, TargetLevel } from '../src/db/schema.ts';
import {
  isOverdue,
  overdueDays,
  dateInChina,
  RECTIFICATION_SOURCE_LABELS,
  RECTIFICATION_STATUS_LABELS,
  type ItemOption,
  type RectificationCounts,
  type RectificationField,
  type RectificationRow,
  type StatusFilter,
} from '../src/rectifications/rectification-repository.ts';
import { EXPORT_COLUMNS, exportTitle } from '../src/rectifications/rectification-export.ts';
import { DossierTabs } from './dossier-tabs.tsx';
import { DOSSIER_STATE_LABELS, TARGET_LEVEL_LABELS } from './labels.ts';
import { Flash, Layout, type PageContext } from './layout.tsx';

export const PROBLEM_MAX = 2000;
export const MEASURES_MAX = 2000;
export const RESPONSIBLE_MAX = 50;

export interface DossierHeadInfo {
  id: string;
  institutionName: string;
  year: number;
  targetLevel: TargetLevel;
  state: DossierState;
}

/** What the signed-in account may do with one record (computed by the routes from reviewAccess). */
export interface RowPermissions {
  fields: RectificationField[];
  status: boolean;
  evidence: boolean;
}

export type FormValues = Record<RectificationField, string>;
export type FormErrors = Partial<Record<RectificationField | 'form' | 'document_id', string>>;

export interface CandidateDoc {
  id: string;
  title: string;
  document_date: string | null;
}

export interface EditState {
  values: FormValues;
  errors: FormErrors;
  candidates: CandidateDoc[];
  dq: string;
}

export interface RowProps {
  dossierId: string;
  row: RectificationRow;
  perms: RowPermissions;
  today: string;
  csrfToken: string;
}

export interface CreateFormProps {
  dossierId: string;
  csrfToken: string;
  formToken: string;
  items: ItemOption[];
  values: FormValues;
  errors: FormErrors;
  /** 'reviewer': the problem is a reviewer's finding; measures and the responsible person are the institution's. */
  mode: 'institution' | 'reviewer';
  annotationId?: string;
  reviewNote?: boolean;
}

export interface PendingNote {
  kind: 'annotation' | 'review_note';
  href: string;
  itemCode: string | null;
  body: string;
}

const COLUMNS = 9;
const STYLE = `
.rect-toolbar{display:flex;justify-content:space-between;align-items:center;gap:1rem;flex-wrap:wrap;margin:.4rem 0 .8rem}
.rect-summary{font-size:.9rem}
.rect-summary .n{font-weight:600;font-variant-numeric:tabular-nums}
.rect-summary .overdue-count{color:var(--bad);font-weight:600}
.rect-filter{display:flex;gap:.3rem;flex-wrap:wrap;margin:0 0 .8rem}
.rect-filter a{padding:.2rem .7rem;border:1px solid var(--line);border-radius:999px;background:#fff;font-size:.85rem;color:var(--ink)}
.rect-filter a.active{background:var(--brand);border-color:var(--brand);color:#fff}
.rect-filter a:hover{text-decoration:none;border-color:var(--brand)}
table.rect-table td{font-size:.88rem}
table.rect-table td.text{white-space:pre-wrap;min-width:12rem;max-width:24rem}
table.rect-table td.item{min-width:8rem;max-width:14rem}
table.rect-table td.nowrap,table.rect-table th.nowrap{white-space:nowrap}
table.rect-table tr.overdue td{background:#fff4f2;color:var(--ink)}
table.rect-table tr.overdue td.deadline{color:var(--bad);font-weight:600}
table.rect-table tr.overdue td:first-child{box-shadow:inset 4px 0 0 var(--bad)}
table.rect-table tr.editing td{background:#f7fafc}
.badge.overdue{background:var(--bad);color:#fff;font-weight:600;margin-top:.2rem}
.rstatus{display:inline-block;font-size:.8rem;padding:.05rem .5rem;border-radius:3px;white-space:nowrap}
.rs-open{background:#fdf0d5;color:#7a4d00}.rs-in_progress{background:var(--sel);color:var(--brand)}.rs-done{background:#e8f5ee;color:var(--ok)}
.rect-ops{display:grid;grid-template-columns:repeat(2,auto);gap:.3rem;justify-content:start;align-items:center}
.rect-ops form{display:block;margin:0}
.rect-ops button,.rect-ops a.button{display:block;width:100%;font-size:.8rem;line-height:1.4;padding:.15rem .55rem;white-space:nowrap;text-align:center}
.rect-evidence{margin:0;padding-left:1rem}
.rect-evidence li.trashed a{text-decoration:line-through;color:var(--muted)}
.rect-form{display:grid;grid-template-columns:repeat(2,minmax(0,1fr));gap:.7rem 1rem}
.rect-form .wide{grid-column:1/-1}
.rect-form .buttons{grid-column:1/-1;display:flex;gap:.6rem;align-items:center}
.rect-form .readonly{white-space:pre-wrap;background:#eef1f4;border-radius:4px;padding:.35rem .5rem;font-size:.9rem}
.rect-link{display:flex;gap:.6rem;flex-wrap:wrap;align-items:flex-end;margin-top:.6rem}
.rect-link input[type=search]{width:14rem}
.rect-link select{width:22rem;max-width:100%}
details.card>summary{cursor:pointer;font-weight:600;color:var(--brand)}
.pending-notes{font-size:.88rem;padding-left:1.2rem}
.pending-notes li{margin:.25rem 0}
@media print{.rect-filter,.rect-ops,.rect-toolbar .actions{display:none}}
`;

function Hidden(p: { name: string; value: string }) {
  return <input type="hidden" name={p.name} value={p.value} />;
}

function base(dossierId: string): string {
  return `/dossiers/${dossierId}/rectifications`;
}

function ItemCell(p: { dossierId: string; row: RectificationRow }) {
  const r = p.row;
  return (
    <td class="item">
      <a href={`/dossiers/${p.dossierId}/items/${r.item_code}`}>
        {r.item_core ? <span class="core" title="核心条款">★</span> : null}
        {r.item_code}
      </a>
      <div class="muted small">{r.item_title ?? '（条款不在本档案的标准中）'}</div>
    </td>
  );
}

function StatusButton(p: { dossierId: string; rowId: string; status: RectificationStatus; label: string; csrfToken: string; primary?: boolean }) {
  const action = `${base(p.dossierId)}/${p.rowId}/status`;
  return (
    <form method="post" action={action} hx-post={action} hx-target={`#rect-${p.rowId}`} hx-swap="outerHTML" class="inline">
      <Hidden name="_csrf" value={p.csrfToken} />
      <Hidden name="status" value={p.status} />
      <button type="submit" class={p.primary ? 'primary' : undefined}>
        {p.label}
      </button>
    </form>
  );
}

const NEXT_STATUS: Record<RectificationStatus, { status: RectificationStatus; label: string; primary?: boolean }[]> = {
  open: [
    { status: 'in_progress', label: '开始整改', primary: true },
    { status: 'done', label: '标记完成' },
  ],
  in_progress: [
    { status: 'done', label: '标记完成', primary: true },
    { status: 'open', label: '退回待整改' },
  ],
  done: [{ status: 'in_progress', label: '重新整改' }],
};

/** One record as a table row; htmx swaps it in place after an edit or a status change. */
export function RectificationRowView(p: RowProps & { summary?: RectificationCounts; filter?: StatusFilter | '' }) {
  const r = p.row;
  const overdue = isOverdue(r, p.today);
  const editable = p.perms.fields.length > 0 || p.perms.evidence;
  const b = base(p.dossierId);
  return (
    <>
      <tr id={`rect-${r.id}`} class={overdue ? 'overdue' : undefined} data-status={r.status}>
        <ItemCell dossierId={p.dossierId} row={r} />
        <td class="text">{r.problem}</td>
        <td class="text">{r.measures || <span class="muted">未填写</span>}</td>
        <td class="nowrap">{r.responsible || <span class="muted">未填写</span>}</td>
        <td class="nowrap deadline">
          {r.deadline ?? <span class="muted">未定</span>}
          {overdue && (
            <div>
              <span class="badge overdue" title={`整改时限 ${r.deadline} 已过，尚未完成`}>
                已逾期 {overdueDays(r, p.today)} 天
              </span>
            </div>
          )}
        </td>
        <td class="nowrap">
          <span class={`rstatus rs-${r.status}`}>{RECTIFICATION_STATUS_LABELS[r.status]}</span>
          {r.completed_at && <div class="muted small">{dateInChina(r.completed_at)} 完成</div>}
        </td>
        <td>
          {r.evidence.length === 0 ? (
            <span class="muted">无</span>
          ) : (
            <ul class="rect-evidence">
              {r.evidence.map((e) => (
                <li class={e.trashed_at ? 'trashed' : undefined}>
                  <a href={`/documents/${e.document_id}`}>{e.title}</a>
                  {e.trashed_at ? <span class="muted small">（已移入回收站）</span> : null}
                </li>
              ))}
            </ul>
          )}
        </td>
        <td class="nowrap">
          {RECTIFICATION_SOURCE_LABELS[r.source]}
          {r.annotation_id ? <div class="muted small">来自批注</div> : null}
        </td>
        <td>
          <div class="rect-ops">
            {p.perms.status &&
              NEXT_STATUS[r.status].map((s) => (
                <StatusButton dossierId={p.dossierId} rowId={r.id} status={s.status} label={s.label} primary={s.primary} csrfToken={p.csrfToken} />
              ))}
            {editable && (
              <a
                class="button"
                href={`${b}?edit=${r.id}#rect-${r.id}`}
                hx-get={`${b}/${r.id}/edit`}
                hx-target={`#rect-${r.id}`}
                hx-swap="outerHTML"
              >
                {p.perms.fields.length > 0 ? '编辑' : '关联材料'}
              </a>
            )}
          </div>
        </td>
      </tr>
      {p.summary && (
        // Out of band: the counts above the table follow a status change. A <template> keeps the <div> legal
        // next to a <tr>; htmx 2 takes out-of-band content from templates.
        <template>
          <RectificationSummary counts={p.summary} oob />
        </template>
      )}
    </>
  );
}

function FieldError(p: { error?: string }) {
  return p.error ? <div class="field-error">{p.error}</div> : null;
}

function ItemSelect(p: { items: ItemOption[]; value: string; error?: string }) {
  return (
    <label class={`field wide${p.error ? ' invalid' : ''}`}>
      条款 <span class="required">*</span>
      <select name="item_code" required>
        <option value="">请选择条款</option>
        {p.items.map((i) => (
          <option value={i.code} selected={i.code === p.value}>
            {i.core ? '★' : ''}
            {i.code} {i.title}
          </option>
        ))}
      </select>
      <FieldError error={p.error} />
    </label>
  );
}

function TextField(p: { name: RectificationField; label: string; value: string; error?: string; max: number; rows?: number; required?: boolean; placeholder?: string }) {
  return (
    <label class={`field${p.rows ? ' wide' : ''}${p.error ? ' invalid' : ''}`}>
      {p.label} {p.required ? <span class="required">*</span> : null}
      {p.rows ? (
        <textarea name={p.name} rows={p.rows} maxlength={p.max} required={p.required} placeholder={p.placeholder}>
          {p.value}
        </textarea>
      ) : (
        <input type="text" name={p.name} value={p.value} maxlength={p.max} required={p.required} placeholder={p.placeholder} />
      )}
      <FieldError error={p.error} />
    </label>
  );
}

function DeadlineField(p: { value: string; error?: string }) {
  return (
    <label class={`field${p.error ? ' invalid' : ''}`}>
      整改时限
      <input type="date" name="deadline" value={p.value} min="2018-01-01" max="2100-12-31" />
      <FieldError error={p.error} />
    </label>
  );
}

function FormErrorsFlash(p: { errors: FormErrors }) {
  const messages = Object.values(p.errors).filter(Boolean);
  if (messages.length === 0) return null;
  return (
    <Flash kind="error">
      {p.errors.form ?? '请修改标出的内容后再保存。'}
    </Flash>
  );
}

/** The form to add a record (on the tab and on the prefilled "new" page). */
export function RectificationForm(p: CreateFormProps) {
  const { values, errors } = p;
  const action = base(p.dossierId);
  return (
    <form method="post" action={action} class="rect-form" id="rectification-form">
      <Hidden name="_csrf" value={p.csrfToken} />
      <Hidden name="form_token" value={p.formToken} />
      {p.annotationId ? <Hidden name="annotation_id" value={p.annotationId} /> : null}
      {p.reviewNote ? <Hidden name="review_note" value="1" /> : null}
      <div class="wide">
        <FormErrorsFlash errors={errors} />
      </div>
      <ItemSelect items={p.items} value={values.item_code} error={errors.item_code} />
      <TextField name="problem" label="存在问题" value={values.problem} error={errors.problem} max={PROBLEM_MAX} rows={3} required placeholder="对照条款要求，写明存在的差距或不足" />
      {p.mode === 'institution' && (
        <TextField name="measures" label="整改措施" value={values.measures} error={errors.measures} max={MEASURES_MAX} rows={3} placeholder="逐条写明具体措施" />
      )}
      {p.mode === 'institution' && <TextField name="responsible" label="责任人" value={values.responsible} error={errors.responsible} max={RESPONSIBLE_MAX} />}
      <DeadlineField value={values.deadline} error={errors.deadline} />
      <div class="buttons">
        <button type="submit" class="primary">
          保存整改记录
        </button>
        {p.mode === 'reviewer' && <span class="muted small">整改措施和责任人由机构填写。</span>}
      </div>
    </form>
  );
}

export function EvidenceSelect(p: { rowId: string; candidates: CandidateDoc[] }) {
  return (
    <select name="document_id" id={`pick-${p.rowId}`} required>
      {p.candidates.length === 0 ? (
        <option value="">没有可关联的文件</option>
      ) : (
        <>
          <option value="">请选择文件（最近更新的在前）</option>
          {p.candidates.map((d) => (
            <option value={d.id}>
              {d.title}
              {d.document_date ? `（${d.document_date}）` : ''}
            </option>
          ))}
        </>
      )}
    </select>
  );
}

/** The row in edit mode: the fields the account may change, then the evidence links. */
export function RectificationEditRow(p: RowProps & { items: ItemOption[]; state: EditState }) {
  const r = p.row;
  const { values, errors } = p.state;
  const b = base(p.dossierId);
  const can = (f: RectificationField) => p.perms.fields.includes(f);
  const target = `#rect-${r.id}`;
  return (
    <tr id={`rect-${r.id}`} class="editing">
      <td colspan={COLUMNS}>
        {p.perms.fields.length > 0 ? (
          <form method="post" action={`${b}/${r.id}`} hx-post={`${b}/${r.id}`} hx-target={target} hx-swap="outerHTML" class="rect-form">
            <Hidden name="_csrf" value={p.csrfToken} />
            <div class="wide">
              <strong>编辑整改记录</strong> <span class="muted small">来源：{RECTIFICATION_SOURCE_LABELS[r.source]}</span>
              <FormErrorsFlash errors={errors} />
            </div>
            {can('item_code') ? (
              <ItemSelect items={p.items} value={values.item_code} error={errors.item_code} />
            ) : (
              <div class="wide">
                <span class="muted small">条款</span>
                <div class="readonly">
                  {r.item_code} {r.item_title ?? ''}
                </div>
              </div>
            )}
            {can('problem') ? (
              <TextField name="problem" label="存在问题" value={values.problem} error={errors.problem} max={PROBLEM_MAX} rows={3} required />
            ) : (
              <div class="wide">
                <span class="muted small">存在问题（{RECTIFICATION_SOURCE_LABELS[r.source]}，机构不能修改）</span>
                <div class="readonly">{r.problem}</div>
              </div>
            )}
            {can('measures') && <TextField name="measures" label="整改措施" value={values.measures} error={errors.measures} max={MEASURES_MAX} rows={3} />}
            {can('responsible') && <TextField name="responsible" label="责任人" value={values.responsible} error={errors.responsible} max={RESPONSIBLE_MAX} />}
            {can('deadline') && <DeadlineField value={values.deadline} error={errors.deadline} />}
            <div class="buttons">
              <button type="submit" class="primary">
                保存
              </button>
              <a href={`${b}#rect-${r.id}`} hx-get={`${b}/${r.id}/row`} hx-target={target} hx-swap="outerHTML">
                取消
              </a>
            </div>
          </form>
        ) : (
          <p>
            <strong>
              {r.item_code} {r.item_title ?? ''}
            </strong>
            ：{r.problem}{' '}
            <a href={`${b}#rect-${r.id}`} hx-get={`${b}/${r.id}/row`} hx-target={target} hx-swap="outerHTML">
              完成
            </a>
          </p>
        )}
        {p.perms.evidence && (
          <section class="rect-evidence-edit">
            <h3>佐证材料（{r.evidence.length}）</h3>
            {errors.document_id && <Flash kind="error">{errors.document_id}</Flash>}
            {r.evidence.length === 0 ? (
              <p class="muted small">尚未关联整改佐证材料。</p>
            ) : (
              <ul class="rect-evidence">
                {r.evidence.map((e) => (
                  <li class={e.trashed_at ? 'trashed' : undefined}>
                    <a href={`/documents/${e.document_id}`}>{e.title}</a>{' '}
                    <form
                      method="post"
                      action={`${b}/${r.id}/evidence/${e.document_id}/unlink`}
                      hx-post={`${b}/${r.id}/evidence/${e.document_id}/unlink`}
                      hx-target={target}
                      hx-swap="outerHTML"
                      class="inline"
                    >
                      <Hidden name="_csrf" value={p.csrfToken} />
                      <button type="submit" class="link">
                        取消关联
                      </button>
                    </form>
                  </li>
                ))}
              </ul>
            )}
            <div class="rect-link">
              <form method="get" action={b} class="inline">
                <Hidden name="edit" value={r.id} />
                <label>
                  按标题筛选
                  <input
                    type="search"
                    name="dq"
                    value={p.state.dq}
                    maxlength={100}
                    placeholder="如：培训、制度"
                    hx-get={`${b}/${r.id}/evidence/candidates`}
                    hx-trigger="input changed delay:300ms, search"
                    hx-target={`#pick-${r.id}`}
                    hx-swap="outerHTML"
                  />
                </label>{' '}
                <button type="submit">筛选</button>
              </form>
              <form method="post" action={`${b}/${r.id}/evidence`} hx-post={`${b}/${r.id}/evidence`} hx-target={target} hx-swap="outerHTML" class="inline">
                <Hidden name="_csrf" value={p.csrfToken} />
                <label>
                  本机构文件库中的文件
                  <EvidenceSelect rowId={r.id} candidates={p.state.candidates} />
                </label>{' '}
                <button type="submit">关联</button>
              </form>
            </div>
          </section>
        )}
      </td>
    </tr>
  );
}

export function RectificationSummary(p: { counts: RectificationCounts; oob?: boolean }) {
  const c = p.counts;
  return (
    <div id="rect-summary" class="rect-summary" hx-swap-oob={p.oob ? 'true' : undefined} aria-live="polite">
      共 <span class="n">{c.total}</span> 条：待整改 <span class="n">{c.open}</span> · 整改中 <span class="n">{c.in_progress}</span> · 已完成{' '}
      <span class="n">{c.done}</span>
      {c.overdue > 0 ? (
        <>
          {' '}
          · <span class="overdue-count">已逾期 {c.overdue}</span>
        </>
      ) : null}
    </div>
  );
}

function DossierHead(p: { head: DossierHeadInfo; sub?: string }) {
  const h = p.head;
  return (
    <div class="dossier-head">
      <div>
        <p class="crumbs">
          <a href="/dossiers">评价档案</a> / <a href={`/dossiers/${h.id}`}>{h.institutionName}</a> /{' '}
          {p.sub ? (
            <>
              <a href={`/dossiers/${h.id}/rectifications`}>整改</a> / {p.sub}
            </>
          ) : (
            '整改'
          )}
        </p>
        <h1>
          {h.institutionName} · {h.year}年 · {TARGET_LEVEL_LABELS[h.targetLevel]}
        </h1>
        <p class="muted">
          状态：<span class={`state s-${h.state}`}>{DOSSIER_STATE_LABELS[h.state]}</span>
        </p>
      </div>
    </div>
  );
}

const FILTERS: { key: StatusFilter | ''; label: string }[] = [
  { key: '', label: '全部' },
  { key: 'open', label: '待整改' },
  { key: 'in_progress', label: '整改中' },
  { key: 'done', label: '已完成' },
  { key: 'overdue', label: '已逾期' },
];

export interface RectificationsPageProps {
  ctx: PageContext;
  head: DossierHeadInfo;
  rows: { row: RectificationRow; perms: RowPermissions }[];
  counts: RectificationCounts;
  filter: StatusFilter | '';
  today: string;
  items: ItemOption[];
  /** Present when the account may add records. */
  create: CreateFormProps | null;
  /** A row shown in edit mode (no-JavaScript editing, or after a failed save). */
  editing: { id: string; state: EditState } | null;
  pendingNotes: PendingNote[];
  notice?: string;
}

export function RectificationsPage(p: RectificationsPageProps) {
  const b = base(p.head.id);
  const csrf = p.ctx.csrfToken;
  return (
    <Layout ctx={p.ctx} title={`整改 · ${p.head.institutionName}`} active="/dossiers">
      <style>{raw(STYLE)}</style>
      <DossierHead head={p.head} />
      <DossierTabs dossierId={p.head.id} active="rectifications" />
      {p.notice && <Flash kind="info">{p.notice}</Flash>}
      <div class="rect-toolbar">
        <RectificationSummary counts={p.counts} />
        <div class="actions">
          <a class="button" href={`${b}/export.xlsx`} download>
            导出自评整改档案表（XLSX）
          </a>
          <a class="button" href={`${b}/print`}>
            打印视图
          </a>
        </div>
      </div>
      <nav class="rect-filter" aria-label="按状态筛选">
        {FILTERS.map((f) => (
          <a href={f.key ? `${b}?status=${f.key}` : b} class={p.filter === f.key ? 'active' : undefined} aria-current={p.filter === f.key ? 'true' : undefined}>
            {f.label}
          </a>
        ))}
      </nav>
      <div class="table-scroll">
      <table class="list rect-table">
        <thead>
          <tr>
            <th>条款</th>
            <th>存在问题</th>
            <th>整改措施</th>
            <th class="nowrap">责任人</th>
            <th class="nowrap">整改时限</th>
            <th class="nowrap">状态</th>
            <th>佐证材料</th>
            <th class="nowrap">来源</th>
            <th class="nowrap">操作</th>
          </tr>
        </thead>
        <tbody>
          {p.rows.length === 0 ? (
            <tr>
              <td colspan={COLUMNS} class="muted">
                {p.filter ? '没有符合条件的整改记录。' : '暂无整改记录。'}
              </td>
            </tr>
          ) : (
            p.rows.map(({ row, perms }) =>
              p.editing?.id === row.id ? (
                <RectificationEditRow dossierId={p.head.id} row={row} perms={perms} today={p.today} csrfToken={csrf} items={p.items} state={p.editing.state} />
              ) : (
                <RectificationRowView dossierId={p.head.id} row={row} perms={perms} today={p.today} csrfToken={csrf} />
              ),
            )
          )}
        </tbody>
      </table>
      </div>
      {p.pendingNotes.length > 0 && (
        <details class="card" open>
          <summary>尚未转为整改记录的审核意见（{p.pendingNotes.length}）</summary>
          <ul class="pending-notes">
            {p.pendingNotes.map((n) => (
              <li>
                <span class="badge">{n.kind === 'annotation' ? '批注' : '条款审核意见'}</span> {n.itemCode ? <strong>{n.itemCode}</strong> : null} {n.body.length > 80 ? `${n.body.slice(0, 80)}…` : n.body}{' '}
                <a href={n.href}>转为整改记录</a>
              </li>
            ))}
          </ul>
        </details>
      )}
      {p.create && (
        <details class="card" id="new-rectification" open={p.rows.length === 0 && !p.filter}>
          <summary>新增整改记录</summary>
          <RectificationForm {...p.create} />
        </details>
      )}
    </Layout>
  );
}

/** The prefilled form (from a reviewer's annotation or item note), and the form again after a failed save. */
export function NewRectificationPage(p: { ctx: PageContext; head: DossierHeadInfo; form: CreateFormProps; sourceNote?: string; notice?: string }) {
  return (
    <Layout ctx={p.ctx} title={`新增整改记录 · ${p.head.institutionName}`} active="/dossiers">
      <style>{raw(STYLE)}</style>
      <DossierHead head={p.head} sub="新增整改记录" />
      <DossierTabs dossierId={p.head.id} active="rectifications" />
      <section class="card">
        <h2>新增整改记录</h2>
        {p.sourceNote && <p class="muted small">{p.sourceNote}</p>}
        {p.notice && <Flash kind="info">{p.notice}</Flash>}
        <RectificationForm {...p.form} />
        <p class="small">
          <a href={base(p.head.id)}>返回整改记录</a>
        </p>
      </section>
    </Layout>
  );
}

const PRINT_STYLE = `
@page{size:A4 landscape;margin:12mm 10mm}
body{font-family:"Noto Serif CJK SC","Source Han Serif SC","SimSun","Noto Sans CJK SC",serif;color:#000;margin:0;padding:1rem;font-size:10.5pt}
h1{font-size:16pt;text-align:center;margin:0 0 .4rem}
.meta{display:flex;justify-content:space-between;margin:0 0 .4rem;font-size:10pt}
table{width:100%;border-collapse:collapse;table-layout:fixed}
th,td{border:1px solid #000;padding:3px 4px;vertical-align:top;white-space:pre-wrap;word-break:break-word}
th{background:#e7ebef;text-align:center;font-weight:700}
thead{display:table-header-group}
tr{page-break-inside:avoid}
td.c{text-align:center}
td.d{white-space:nowrap}
tr.overdue td.flag{color:#b42318;font-weight:700}
.no-print{margin:0 0 .8rem;font-family:sans-serif;font-size:10pt}
@media print{.no-print{display:none}body{padding:0}}
`;

/** The 自评整改档案表 as a printable page (A4 landscape, the XLSX export's columns). */
export function RectificationPrintPage(p: { head: DossierHeadInfo; rows: RectificationRow[]; today: string }) {
  const title = exportTitle({ institutionName: p.head.institutionName, year: p.head.year });
  const centred = new Set(['序号', '条款编号', '责任人', '整改时限', '整改状态', '完成时间', '问题来源']);
  const total = EXPORT_COLUMNS.reduce((s, c) => s + c.width, 0);
  return (
    <html lang="zh-CN">
      <head>
        <meta charset="utf-8" />
        <title>{title}</title>
        <style>{raw(PRINT_STYLE)}</style>
      </head>
      <body>
        <p class="no-print">
          <a href={base(p.head.id)}>← 返回整改记录</a>　使用浏览器的“打印”（Ctrl+P）打印本表，纸张为 A4 横向。
        </p>
        <h1>{title}</h1>
        <div class="meta">
          <span>机构名称：{p.head.institutionName}</span>
          <span>年度：{p.head.year}</span>
          <span>评价等级：{TARGET_LEVEL_LABELS[p.head.targetLevel]}</span>
          <span>共 {p.rows.length} 条</span>
          <span>打印日期：{p.today}</span>
        </div>
        <table>
          <colgroup>
            {EXPORT_COLUMNS.map((c) => (
              <col style={`width:${((c.width / total) * 100).toFixed(1)}%`} />
            ))}
          </colgroup>
          <thead>
            <tr>
              {EXPORT_COLUMNS.map((c) => (
                <th>{c.header}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {p.rows.length === 0 ? (
              <tr>
                <td colspan={EXPORT_COLUMNS.length} class="c">
                  暂无整改记录
                </td>
              </tr>
            ) : (
              p.rows.map((r, i) => (
                <tr class={isOverdue(r, p.today) ? 'overdue' : undefined}>
                  {EXPORT_COLUMNS.map((c) => {
                    const cls = [
                      centred.has(c.header) ? 'c' : '',
                      c.header === '整改时限' || c.header === '完成时间' ? 'd' : '',
                      c.header === '备注' || c.header === '整改时限' ? 'flag' : '',
                    ]
                      .filter(Boolean)
                      .join(' ');
                    return <td class={cls || undefined}>{c.value(r, i, p.today)}</td>;
                  })}
                </tr>
              ))
            )}
          </tbody>
        </table>
      </body>
    </html>
  );
}
