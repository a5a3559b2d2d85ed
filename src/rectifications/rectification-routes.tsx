// The dossier's 整改 tab: records of shortfalls (from a reviewer's note or the institution's self-check), their
// measures, responsible person, deadline, status and evidence, and the 自评整改档案表 export (seed 004 附件3).
//
// Who (visibility is reviewAccess: out of scope → 404):
// - the institution's staff and head create records (source 自查), edit everything of those, and on records
//   raised by reviewers fill in the plan (measures, responsible person, deadline); they alone change the status
//   and link evidence documents of their institution;
// - a reviewer who may act at the active stage (canReview) creates records (source 审核意见) and edits the problem
//   text of reviewer records;
// - everyone else who can see the dossier (other reviewers, admin) reads, prints and exports.
// Forbidden actions answer 404, as elsewhere in the app.
import { randomBytes } from 'node:crypto';
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import {
  EvidenceSelect,
  MEASURES_MAX,
  NewRectificationPage,
  PROBLEM_MAX,
  RectificationEditRow,
  RectificationPrintPage,
  RectificationRowView,
  RectificationsPage,
  RESPONSIBLE_MAX,
  type CreateFormProps,
  type DossierHeadInfo,
  type EditState,
  type FormErrors,
  type FormValues,
  type PendingNote,
  type RowPermissions,
} from '../../views/rectifications-page.tsx';
import { TARGET_LEVEL_LABELS } from '../../views/labels.ts';
import { recordAudit } from '../audit/audit-log.ts';
import type { Db } from '../db/database.ts';
import type { Rectification } from '../db/schema.ts';
import { ALL_ROLES, currentUser, notFound, requireRole } from '../http/access.ts';
import { clientIp } from '../http/client-ip.ts';
import { pageContext } from '../http/page-context.ts';
import { reviewAccess, type ReviewAccess } from '../review/review-access.ts';
import { buildRectificationWorkbook, exportFileName } from './rectification-export.ts';
import {
  createRectification,
  dossierItemOptions,
  evidenceCandidates,
  findRectification,
  isDossierItem,
  linkRectificationEvidence,
  listRectifications,
  rectificationCounts,
  rectificationIdForToken,
  RECTIFICATION_STATUSES,
  setRectificationStatus,
  todayInChina,
  unlinkRectificationEvidence,
  updateRectification,
  type RectificationField,
  type RectificationPatch,
  type RectificationRow,
  type StatusFilter,
} from './rectification-repository.ts';

const ALL_FIELDS: RectificationField[] = ['item_code', 'problem', 'measures', 'responsible', 'deadline'];
const REVIEWER_CREATE_FIELDS: RectificationField[] = ['item_code', 'problem', 'deadline'];
const NO_PERMISSIONS: RowPermissions = { fields: [], status: false, evidence: false };

/** What `access` allows on one record. */
export function rectificationPermissions(access: ReviewAccess, r: Pick<Rectification, 'source'>): RowPermissions {
  if (access.isInstitution) {
    return r.source === 'institution'
      ? { fields: ALL_FIELDS, status: true, evidence: true }
      : { fields: ['measures', 'responsible', 'deadline'], status: true, evidence: true };
  }
  if (access.canReview && r.source === 'reviewer') return { fields: ['problem'], status: false, evidence: false };
  return NO_PERMISSIONS;
}

function canCreate(access: ReviewAccess): boolean {
  return access.isInstitution || access.canReview;
}

function isValidDate(v: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (y < 2000 || y > 2100) return false;
  const t = new Date(Date.UTC(y, mo - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d;
}

const FIELD_SCHEMAS: Record<RectificationField, z.ZodType<string>> = {
  item_code: z.string().trim().min(1, '请选择条款').max(64, '条款编号无效'),
  problem: z.string().trim().min(1, '请填写存在问题').max(PROBLEM_MAX, `存在问题不能超过 ${PROBLEM_MAX} 字`),
  measures: z.string().trim().max(MEASURES_MAX, `整改措施不能超过 ${MEASURES_MAX} 字`),
  responsible: z.string().trim().max(RESPONSIBLE_MAX, `责任人不能超过 ${RESPONSIBLE_MAX} 字`),
  deadline: z.string().trim().refine((v) => v === '' || isValidDate(v), '整改时限应为有效日期，格式如 2026-06-30'),
};

// Dates compare as YYYY-MM-DD text; "today" is the date in China, where the deadline is kept.
const PAST_DEADLINE = '整改时限不能早于今天，请选择今天或以后的日期';

const statusForm = z.object({ status: z.enum(RECTIFICATION_STATUSES, { message: '整改状态无效' }) });
const linkForm = z.object({ document_id: z.string().trim().min(1, '请选择要关联的文件').max(64, '请选择要关联的文件') });
const FORM_TOKEN = /^[A-Za-z0-9_-]{16,64}$/;
const STATUS_FILTERS: StatusFilter[] = ['open', 'in_progress', 'done', 'overdue'];

function newFormToken(): string {
  return randomBytes(16).toString('base64url');
}

function text(v: unknown): string {
  return typeof v === 'string' ? v.replace(/\r\n?/g, '\n') : '';
}

function formValuesOf(body: Record<string, unknown>): FormValues {
  return {
    item_code: text(body['item_code']),
    problem: text(body['problem']),
    measures: text(body['measures']),
    responsible: text(body['responsible']),
    deadline: text(body['deadline']),
  };
}

function valuesOfRow(r: Rectification): FormValues {
  return { item_code: r.item_code, problem: r.problem, measures: r.measures, responsible: r.responsible, deadline: r.deadline ?? '' };
}

const EMPTY_VALUES: FormValues = { item_code: '', problem: '', measures: '', responsible: '', deadline: '' };

/** Validates the allowed fields (zod, Chinese messages; the item must be one of the dossier's). */
async function validateFields(db: Db, dossierId: string, allowed: RectificationField[], values: FormValues) {
  const errors: FormErrors = {};
  const data: RectificationPatch = {};
  for (const f of allowed) {
    const parsed = FIELD_SCHEMAS[f].safeParse(values[f]);
    if (!parsed.success) errors[f] = parsed.error.issues[0]?.message ?? '内容无效';
    else if (f === 'deadline') data.deadline = parsed.data === '' ? null : parsed.data;
    else data[f] = parsed.data;
  }
  if (data.item_code && !(await isDossierItem(db, dossierId, data.item_code))) errors.item_code = '请选择本档案中的条款';
  return { data, errors };
}

function hasErrors(e: FormErrors): boolean {
  return Object.values(e).some(Boolean);
}

async function findAnnotation(db: Db, dossierId: string, id: string) {
  if (!id || id.length > 64) return null;
  return (await db.selectFrom('annotations').selectAll().where('id', '=', id).where('dossier_id', '=', dossierId).executeTakeFirst()) ?? null;
}

/** True when `problem` is the review note a reviewer wrote on this item (so the record is a reviewer's finding). */
async function isReviewNote(db: Db, dossierId: string, itemCode: string, problem: string): Promise<boolean> {
  if (!itemCode || !problem.trim()) return false;
  const notes = await db.selectFrom('review_grades').select('note').where('dossier_id', '=', dossierId).where('item_code', '=', itemCode).execute();
  return notes.some((n) => n.note.replace(/\r\n?/g, '\n').trim() === problem.trim());
}

async function dossierHead(db: Db, access: ReviewAccess): Promise<DossierHeadInfo> {
  const d = access.dossier;
  const inst = await db.selectFrom('institutions').select('name').where('id', '=', d.institution_id).executeTakeFirstOrThrow();
  return { id: d.id, institutionName: inst.name, year: d.year, targetLevel: d.target_level, state: d.state };
}

/**
 * Reviewer notes (unresolved annotations, item review notes) that have no record yet. Annotations are addressed to
 * the institution; item notes are the reviewers' working notes while the dossier is at a stage, so the institution
 * sees them only once no stage holds the dossier (returned or decided).
 */
async function pendingNotes(db: Db, access: ReviewAccess): Promise<PendingNote[]> {
  const dossierId = access.dossier.id;
  const withItemNotes = access.canReview || (access.isInstitution && !access.activeStage);
  const b = `/dossiers/${dossierId}/rectifications/new`;
  const annotations = await db
    .selectFrom('annotations')
    .select(['id', 'item_code', 'body'])
    .where('dossier_id', '=', dossierId)
    .where('resolved_at', 'is', null)
    .where('id', 'not in', db.selectFrom('rectifications').select('annotation_id').where('dossier_id', '=', dossierId).where('annotation_id', 'is not', null).$narrowType<{ annotation_id: string }>())
    .orderBy('created_at')
    .limit(50)
    .execute();
  const existing = await db.selectFrom('rectifications').select(['item_code', 'problem']).where('dossier_id', '=', dossierId).execute();
  const taken = new Set(existing.map((r) => `${r.item_code}\n${r.problem.trim()}`));
  const notes = withItemNotes
    ? await db
        .selectFrom('review_grades')
        .select(['item_code', 'note'])
        .where('dossier_id', '=', dossierId)
        .where('note', '<>', '')
        .orderBy('round')
        .orderBy('position')
        .orderBy('item_code')
        .limit(100)
        .execute()
    : [];
  const seen = new Set<string>();
  const fromNotes: PendingNote[] = [];
  for (const n of notes) {
    const key = `${n.item_code}\n${n.note.trim()}`;
    if (taken.has(key) || seen.has(key)) continue;
    seen.add(key);
    const qs = new URLSearchParams({ item: n.item_code, problem: n.note.slice(0, PROBLEM_MAX), review_note: '1' });
    fromNotes.push({ kind: 'review_note', href: `${b}?${qs}`, itemCode: n.item_code, body: n.note });
  }
  return [
    ...annotations.map((a): PendingNote => ({ kind: 'annotation', href: `${b}?annotation=${encodeURIComponent(a.id)}`, itemCode: a.item_code, body: a.body })),
    ...fromNotes,
  ].slice(0, 50);
}

export function rectificationRoutes(): Hono {
  const app = new Hono();
  app.use('*', requireRole(...ALL_ROLES));

  async function load(c: Context) {
    const db = c.get('db');
    const user = currentUser(c);
    const id = c.req.param('id') ?? '';
    const access = id.length <= 64 ? await reviewAccess(db, user, id) : null;
    if (!access) notFound('档案');
    return { db, user, access, dossierId: access.dossier.id, base: `/dossiers/${access.dossier.id}/rectifications` };
  }

  async function loadRow(c: Context) {
    const ctx = await load(c);
    const row = await findRectification(ctx.db, ctx.dossierId, c.req.param('rid') ?? '');
    if (!row) notFound('整改记录');
    return { ...ctx, row, perms: rectificationPermissions(ctx.access, row) };
  }

  async function editState(db: Db, access: ReviewAccess, row: RectificationRow, perms: RowPermissions, extra: Partial<EditState> = {}): Promise<EditState> {
    const dq = (extra.dq ?? '').trim().slice(0, 100);
    return {
      values: extra.values ?? valuesOfRow(row),
      errors: extra.errors ?? {},
      dq,
      candidates: perms.evidence ? await evidenceCandidates(db, { institutionId: access.dossier.institution_id, rectificationId: row.id, q: dq }) : [],
    };
  }

  function createForm(access: ReviewAccess, csrfToken: string, items: CreateFormProps['items'], extra: Partial<CreateFormProps> = {}): CreateFormProps {
    return {
      dossierId: access.dossier.id,
      csrfToken,
      formToken: newFormToken(),
      items,
      values: EMPTY_VALUES,
      errors: {},
      mode: access.isInstitution ? 'institution' : 'reviewer',
      ...extra,
    };
  }

  async function renderPage(
    c: Context,
    ctx: { db: Db; access: ReviewAccess; dossierId: string },
    opts: { editing?: { id: string; state?: Partial<EditState> }; status?: 200 | 400 | 409; notice?: string } = {},
  ) {
    const { db, access, dossierId } = ctx;
    const today = todayInChina();
    const q = c.req.query('status') ?? '';
    const filter = (STATUS_FILTERS as string[]).includes(q) ? (q as StatusFilter) : '';
    const rows = await listRectifications(db, dossierId, { status: filter || undefined, today });
    const items = await dossierItemOptions(db, dossierId);
    let editing: { id: string; state: EditState } | null = null;
    if (opts.editing) {
      const row = rows.find((r) => r.id === opts.editing!.id) ?? (await findRectification(db, dossierId, opts.editing.id));
      if (row) {
        const perms = rectificationPermissions(access, row);
        if (perms.fields.length > 0 || perms.evidence) {
          if (!rows.some((r) => r.id === row.id)) rows.push(row); // keep the row being edited visible under any filter
          editing = { id: row.id, state: await editState(db, access, row, perms, opts.editing.state) };
        }
      }
    }
    const page = (
      <RectificationsPage
        ctx={pageContext(c)}
        head={await dossierHead(db, access)}
        rows={rows.map((row) => ({ row, perms: rectificationPermissions(access, row) }))}
        counts={await rectificationCounts(db, dossierId, today)}
        filter={filter}
        today={today}
        items={items}
        create={canCreate(access) ? createForm(access, c.get('csrfToken'), items) : null}
        editing={editing}
        pendingNotes={canCreate(access) ? await pendingNotes(db, access) : []}
        notice={opts.notice}
      />
    );
    return c.html(page, opts.status ?? 200);
  }

  /** After a change: htmx gets the row back (display or edit mode), a plain form post is redirected. */
  async function rowResponse(
    c: Context,
    ctx: { db: Db; access: ReviewAccess; dossierId: string; base: string },
    rowId: string,
    mode: 'display' | 'edit',
    extra: Partial<EditState> = {},
  ) {
    const row = (await findRectification(ctx.db, ctx.dossierId, rowId))!;
    const perms = rectificationPermissions(ctx.access, row);
    const today = todayInChina();
    const csrfToken = c.get('csrfToken');
    if (mode === 'edit') {
      const items = perms.fields.includes('item_code') ? await dossierItemOptions(ctx.db, ctx.dossierId) : [];
      return c.html(<RectificationEditRow dossierId={ctx.dossierId} row={row} perms={perms} today={today} csrfToken={csrfToken} items={items} state={await editState(ctx.db, ctx.access, row, perms, extra)} />);
    }
    const summary = await rectificationCounts(ctx.db, ctx.dossierId, today);
    return c.html(<RectificationRowView dossierId={ctx.dossierId} row={row} perms={perms} today={today} csrfToken={csrfToken} summary={summary} />);
  }

  // ---------------------------------------------------------------------------------------------------------
  // Reading

  app.get('/:id/rectifications', async (c) => {
    const ctx = await load(c);
    const edit = c.req.query('edit');
    const saved = c.req.query('saved');
    return renderPage(c, ctx, {
      editing: edit ? { id: edit, state: { dq: c.req.query('dq') ?? '' } } : undefined,
      notice: saved === 'created' ? '已添加整改记录。' : saved === 'duplicate' ? '该表单已提交过，整改记录只保存了一次。' : undefined,
    });
  });

  app.get('/:id/rectifications/export.xlsx', async (c) => {
    const { db, access, dossierId } = await load(c);
    const head = await dossierHead(db, access);
    const today = todayInChina();
    const rows = await listRectifications(db, dossierId, { today });
    const input = { institutionName: head.institutionName, year: head.year, targetLevelLabel: TARGET_LEVEL_LABELS[head.targetLevel], rows, today };
    const body = await buildRectificationWorkbook(input);
    return c.body(new Uint8Array(body), 200, {
      'content-type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      'content-disposition': `attachment; filename="rectifications-${head.year}.xlsx"; filename*=UTF-8''${encodeURIComponent(exportFileName(input))}`,
      'cache-control': 'no-store',
    });
  });

  app.get('/:id/rectifications/print', async (c) => {
    const { db, access, dossierId } = await load(c);
    const today = todayInChina();
    return c.html(<RectificationPrintPage head={await dossierHead(db, access)} rows={await listRectifications(db, dossierId, { today })} today={today} />);
  });

  // ---------------------------------------------------------------------------------------------------------
  // Creating

  app.get('/:id/rectifications/new', async (c) => {
    const { db, access, dossierId } = await load(c);
    if (!canCreate(access)) notFound();
    const items = await dossierItemOptions(db, dossierId);
    const values: FormValues = { ...EMPTY_VALUES };
    let annotationId: string | undefined;
    let reviewNote = false;
    let sourceNote: string | undefined;
    let notice: string | undefined;
    const annotationParam = c.req.query('annotation');
    if (annotationParam) {
      const a = await findAnnotation(db, dossierId, annotationParam);
      if (!a) notFound('审核意见');
      annotationId = a.id;
      values.item_code = a.item_code ?? '';
      values.problem = a.body.slice(0, PROBLEM_MAX);
      sourceNote = `来自审核批注（第 ${a.page_no} 页）。问题来源记为“审核意见”。`;
      const existing = await db.selectFrom('rectifications').select('id').where('annotation_id', '=', a.id).executeTakeFirst();
      if (existing) notice = '这条批注已有整改记录，确需再建一条时再保存。';
    } else {
      values.item_code = (c.req.query('item') ?? '').slice(0, 64);
      values.problem = text(c.req.query('problem')).slice(0, PROBLEM_MAX);
      if (c.req.query('review_note') === '1' && (await isReviewNote(db, dossierId, values.item_code, values.problem))) {
        reviewNote = true;
        sourceNote = '来自条款审核意见。问题来源记为“审核意见”。';
      }
    }
    const form = createForm(access, c.get('csrfToken'), items, { values, annotationId, reviewNote });
    return c.html(<NewRectificationPage ctx={pageContext(c)} head={await dossierHead(db, access)} form={form} sourceNote={sourceNote} notice={notice} />);
  });

  app.post('/:id/rectifications', async (c) => {
    const { db, user, access, dossierId, base } = await load(c);
    if (!canCreate(access)) notFound();
    const body = await c.req.parseBody();
    const mode = access.isInstitution ? 'institution' : 'reviewer';
    const allowed = mode === 'institution' ? ALL_FIELDS : REVIEWER_CREATE_FIELDS;
    const values = formValuesOf(body);
    const { data, errors } = await validateFields(db, dossierId, allowed, values);
    if (!errors.deadline && data.deadline && data.deadline < todayInChina()) errors.deadline = PAST_DEADLINE;
    let formToken = text(body['form_token']);
    if (!FORM_TOKEN.test(formToken)) {
      errors.form = '表单已过期，请核对内容后再次保存。';
      formToken = newFormToken();
    }
    const annotation = text(body['annotation_id']) ? await findAnnotation(db, dossierId, text(body['annotation_id'])) : null;
    if (text(body['annotation_id']) && !annotation) errors.form = '找不到对应的审核批注，请从审核意见重新创建。';
    const reviewNote = text(body['review_note']) === '1';
    if (hasErrors(errors)) {
      const items = await dossierItemOptions(db, dossierId);
      const form = createForm(access, c.get('csrfToken'), items, { formToken, values, errors, annotationId: annotation?.id, reviewNote });
      return c.html(<NewRectificationPage ctx={pageContext(c)} head={await dossierHead(db, access)} form={form} />, 400);
    }
    const itemCode = data.item_code!;
    const problem = data.problem!;
    const source =
      annotation || mode === 'reviewer' || (reviewNote && (await isReviewNote(db, dossierId, itemCode, problem))) ? 'reviewer' : 'institution';
    const id = rectificationIdForToken(dossierId, user.id, formToken);
    const created = await db.transaction().execute(async (trx) => {
      const result = await createRectification(trx, {
        id,
        dossierId,
        itemCode,
        problem,
        measures: mode === 'institution' ? (data.measures ?? '') : '',
        responsible: mode === 'institution' ? (data.responsible ?? '') : '',
        deadline: data.deadline ?? null,
        source,
        annotationId: annotation?.id ?? null,
        actorId: user.id,
      });
      if (result.created) {
        await recordAudit(trx, {
          actorId: user.id,
          ip: clientIp(c),
          action: 'rectification.create',
          subjectType: 'rectification',
          subjectId: id,
          detail: { dossier: dossierId, item: itemCode, source, annotation: annotation?.id ?? null, deadline: data.deadline ?? null },
        });
      }
      return result.created;
    });
    return c.redirect(`${base}?saved=${created ? 'created' : 'duplicate'}#rect-${id}`, 303);
  });

  // ---------------------------------------------------------------------------------------------------------
  // Editing one record

  app.get('/:id/rectifications/:rid/edit', async (c) => {
    const ctx = await loadRow(c);
    if (ctx.perms.fields.length === 0 && !ctx.perms.evidence) notFound();
    if (!c.get('htmx')) return c.redirect(`${ctx.base}?edit=${ctx.row.id}#rect-${ctx.row.id}`, 303);
    return rowResponse(c, ctx, ctx.row.id, 'edit');
  });

  app.get('/:id/rectifications/:rid/row', async (c) => {
    const ctx = await loadRow(c);
    if (!c.get('htmx')) return c.redirect(`${ctx.base}#rect-${ctx.row.id}`, 303);
    return rowResponse(c, ctx, ctx.row.id, 'display');
  });

  app.post('/:id/rectifications/:rid', async (c) => {
    const ctx = await loadRow(c);
    const { db, user, row, perms, dossierId, base } = ctx;
    if (perms.fields.length === 0) notFound();
    const submitted = formValuesOf(await c.req.parseBody());
    // Fields the account may not change keep their stored values (also on the form shown again after an error).
    const values = { ...valuesOfRow(row) };
    for (const f of perms.fields) values[f] = submitted[f];
    const { data, errors } = await validateFields(db, dossierId, perms.fields, values);
    // An old record may keep its (now past) deadline; only a newly chosen one must not lie in the past.
    if (!errors.deadline && data.deadline && data.deadline !== row.deadline && data.deadline < todayInChina()) errors.deadline = PAST_DEADLINE;
    if (hasErrors(errors)) {
      // htmx swaps only 2xx responses, so the form with its messages comes back as 200 there.
      if (c.get('htmx')) return rowResponse(c, ctx, row.id, 'edit', { values, errors });
      return renderPage(c, ctx, { editing: { id: row.id, state: { values, errors } }, status: 400 });
    }
    await db.transaction().execute(async (trx) => {
      const changed = await updateRectification(trx, row, data);
      if (changed.length === 0) return;
      const detail: Record<string, unknown> = { dossier: dossierId, changed };
      for (const f of ['item_code', 'responsible', 'deadline'] as const) if (changed.includes(f)) detail[f] = { from: row[f], to: data[f] ?? null };
      await recordAudit(trx, { actorId: user.id, ip: clientIp(c), action: 'rectification.update', subjectType: 'rectification', subjectId: row.id, detail });
    });
    if (c.get('htmx')) return rowResponse(c, ctx, row.id, 'display');
    return c.redirect(`${base}#rect-${row.id}`, 303);
  });

  app.post('/:id/rectifications/:rid/status', async (c) => {
    const ctx = await loadRow(c);
    const { db, user, row, perms, dossierId, base } = ctx;
    if (!perms.status) notFound();
    const parsed = statusForm.safeParse(await c.req.parseBody());
    if (!parsed.success) {
      if (c.get('htmx')) return rowResponse(c, ctx, row.id, 'edit', { errors: { form: parsed.error.issues[0]?.message ?? '整改状态无效' } });
      return renderPage(c, ctx, { status: 400, notice: parsed.error.issues[0]?.message ?? '整改状态无效' });
    }
    const status = parsed.data.status;
    await db.transaction().execute(async (trx) => {
      if (!(await setRectificationStatus(trx, row, status))) return;
      await recordAudit(trx, {
        actorId: user.id,
        ip: clientIp(c),
        action: 'rectification.status',
        subjectType: 'rectification',
        subjectId: row.id,
        detail: { dossier: dossierId, from: row.status, to: status },
      });
    });
    if (c.get('htmx')) return rowResponse(c, ctx, row.id, 'display');
    return c.redirect(`${base}#rect-${row.id}`, 303);
  });

  // ---------------------------------------------------------------------------------------------------------
  // Evidence: documents of the dossier's institution

  app.get('/:id/rectifications/:rid/evidence/candidates', async (c) => {
    const { db, access, row, perms } = await loadRow(c);
    if (!perms.evidence) notFound();
    const q = (c.req.query('dq') ?? '').trim().slice(0, 100);
    return c.html(<EvidenceSelect rowId={row.id} candidates={await evidenceCandidates(db, { institutionId: access.dossier.institution_id, rectificationId: row.id, q })} />);
  });

  app.post('/:id/rectifications/:rid/evidence', async (c) => {
    const ctx = await loadRow(c);
    const { db, user, access, row, perms, dossierId, base } = ctx;
    if (!perms.evidence) notFound();
    const parsed = linkForm.safeParse(await c.req.parseBody());
    const fail = (message: string, status: 400 | 409) =>
      c.get('htmx')
        ? rowResponse(c, ctx, row.id, 'edit', { errors: { document_id: message } })
        : renderPage(c, ctx, { editing: { id: row.id, state: { errors: { document_id: message } } }, status });
    if (!parsed.success) return fail(parsed.error.issues[0]?.message ?? '请选择要关联的文件', 400);
    const documentId = parsed.data.document_id;
    const outcome = await db.transaction().execute(async (trx) => {
      const result = await linkRectificationEvidence(trx, { rectificationId: row.id, institutionId: access.dossier.institution_id, documentId });
      if (result === 'linked') {
        await recordAudit(trx, {
          actorId: user.id,
          ip: clientIp(c),
          action: 'rectification.link',
          subjectType: 'rectification',
          subjectId: row.id,
          detail: { dossier: dossierId, document: documentId },
        });
      }
      return result;
    });
    if (outcome === 'not_found') return fail('找不到该文件（可能已移入回收站，或不属于本机构）。', 400);
    if (outcome === 'already_linked') return fail('该文件已关联到这条整改记录。', 409);
    if (c.get('htmx')) return rowResponse(c, ctx, row.id, 'edit');
    return c.redirect(`${base}?edit=${row.id}#rect-${row.id}`, 303);
  });

  app.post('/:id/rectifications/:rid/evidence/:documentId/unlink', async (c) => {
    const ctx = await loadRow(c);
    const { db, user, row, perms, dossierId, base } = ctx;
    if (!perms.evidence) notFound();
    const documentId = c.req.param('documentId');
    const removed = await db.transaction().execute(async (trx) => {
      const ok = await unlinkRectificationEvidence(trx, row.id, documentId);
      if (ok) {
        await recordAudit(trx, {
          actorId: user.id,
          ip: clientIp(c),
          action: 'rectification.unlink',
          subjectType: 'rectification',
          subjectId: row.id,
          detail: { dossier: dossierId, document: documentId },
        });
      }
      return ok;
    });
    if (!removed) notFound('关联');
    if (c.get('htmx')) return rowResponse(c, ctx, row.id, 'edit');
    return c.redirect(`${base}?edit=${row.id}#rect-${row.id}`, 303);
  });

  return app;
}

