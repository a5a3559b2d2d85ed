// Rectification (整改) records of a dossier: one per shortfall found by a reviewer or by the institution's own
// self-check (seed 004 附件3). Plain functions taking `db` first, so callers can pass a transaction.
import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import type { Rectification, RectificationStatus } from '../db/schema.ts';
import { nowIso } from '../ids.ts';
import { formatDay } from '../documents/document-labels.ts';

export const RECTIFICATION_STATUSES = ['open', 'in_progress', 'done'] as const satisfies readonly RectificationStatus[];

export const RECTIFICATION_STATUS_LABELS: Record<RectificationStatus, string> = {
  open: '待整改',
  in_progress: '整改中',
  done: '已完成',
};

export const RECTIFICATION_SOURCE_LABELS: Record<Rectification['source'], string> = {
  reviewer: '审核意见',
  institution: '自查',
};

/** The fields a person fills in; item and problem say what is wrong, the rest is the institution's plan. */
export type RectificationField = 'item_code' | 'problem' | 'measures' | 'responsible' | 'deadline';

export interface RectificationEvidenceDoc {
  document_id: string;
  title: string;
  trashed_at: string | null;
}

export interface RectificationRow extends Rectification {
  item_title: string | null;
  item_core: number;
  created_by_name: string | null;
  evidence: RectificationEvidenceDoc[];
}

export interface ItemOption {
  code: string;
  title: string;
  core: number;
}

/**
 * Today's date (YYYY-MM-DD) where the campaign runs. Deadlines are calendar dates in China; a server in UTC would
 * otherwise call a deadline overdue eight hours late.
 */
export function todayInChina(now: Date = new Date()): string {
  return formatDay(now.toISOString());
}

/** The calendar date in China of an ISO timestamp (completion times are stored in UTC). */
export function dateInChina(iso: string): string {
  return formatDay(iso);
}

/** Overdue: a deadline before today and not done. ISO dates compare as text. */
export function isOverdue(r: Pick<Rectification, 'deadline' | 'status'>, today: string): boolean {
  return r.status !== 'done' && r.deadline !== null && r.deadline !== '' && r.deadline < today;
}

/** Whole days between the deadline and today (0 when not overdue). */
export function overdueDays(r: Pick<Rectification, 'deadline' | 'status'>, today: string): number {
  if (!isOverdue(r, today)) return 0;
  return Math.round((Date.parse(`${today}T00:00:00Z`) - Date.parse(`${r.deadline}T00:00:00Z`)) / 86_400_000);
}

export type StatusFilter = RectificationStatus | 'overdue';

function baseQuery(db: Db) {
  return db
    .selectFrom('rectifications')
    .innerJoin('dossiers', 'dossiers.id', 'rectifications.dossier_id')
    .leftJoin('standard_nodes', (j) =>
      j.onRef('standard_nodes.standard_id', '=', 'dossiers.standard_id').onRef('standard_nodes.code', '=', 'rectifications.item_code'),
    )
    .leftJoin('users', 'users.id', 'rectifications.created_by')
    .selectAll('rectifications')
    .select(['standard_nodes.title as item_title', 'standard_nodes.core as item_core', 'users.display_name as created_by_name']);
}

async function withEvidence(db: Db, rows: (Rectification & { item_title: string | null; item_core: number | null; created_by_name: string | null })[]): Promise<RectificationRow[]> {
  const byId = new Map<string, RectificationEvidenceDoc[]>();
  if (rows.length > 0) {
    const links = await db
      .selectFrom('rectification_evidence')
      .innerJoin('documents', 'documents.id', 'rectification_evidence.document_id')
      .select(['rectification_evidence.rectification_id', 'documents.id as document_id', 'documents.title', 'documents.trashed_at'])
      .where(
        'rectification_evidence.rectification_id',
        'in',
        rows.map((r) => r.id),
      )
      .orderBy('documents.title')
      .execute();
    for (const l of links) {
      const list = byId.get(l.rectification_id) ?? [];
      list.push({ document_id: l.document_id, title: l.title, trashed_at: l.trashed_at });
      byId.set(l.rectification_id, list);
    }
  }
  return rows.map((r) => ({ ...r, item_core: Number(r.item_core ?? 0), evidence: byId.get(r.id) ?? [] }));
}

/** A dossier's records in standard order (chapter → section → item), oldest first within an item. */
export async function listRectifications(db: Db, dossierId: string, f: { status?: StatusFilter; today?: string } = {}): Promise<RectificationRow[]> {
  let q = baseQuery(db).where('rectifications.dossier_id', '=', dossierId);
  if (f.status === 'overdue') {
    q = q
      .where('rectifications.status', '<>', 'done')
      .where('rectifications.deadline', 'is not', null)
      .where('rectifications.deadline', '<', f.today ?? todayInChina());
  } else if (f.status) {
    q = q.where('rectifications.status', '=', f.status);
  }
  const rows = await q.orderBy('standard_nodes.position').orderBy('rectifications.item_code').orderBy('rectifications.created_at').orderBy('rectifications.id').execute();
  return withEvidence(db, rows);
}

/** The records of one item (for the review workspace's item panel). */
export async function listRectificationsForItem(db: Db, dossierId: string, itemCode: string): Promise<RectificationRow[]> {
  const rows = await baseQuery(db)
    .where('rectifications.dossier_id', '=', dossierId)
    .where('rectifications.item_code', '=', itemCode)
    .orderBy('rectifications.created_at')
    .orderBy('rectifications.id')
    .execute();
  return withEvidence(db, rows);
}

export async function findRectification(db: Db, dossierId: string, id: string): Promise<RectificationRow | null> {
  if (id.length > 64) return null;
  const row = await baseQuery(db).where('rectifications.dossier_id', '=', dossierId).where('rectifications.id', '=', id).executeTakeFirst();
  if (!row) return null;
  return (await withEvidence(db, [row]))[0]!;
}

/** Records not yet done (待整改 + 整改中). */
export async function countOpenRectifications(db: Db, dossierId: string): Promise<number> {
  const row = await db
    .selectFrom('rectifications')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('dossier_id', '=', dossierId)
    .where('status', '<>', 'done')
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

export interface RectificationCounts {
  total: number;
  open: number;
  in_progress: number;
  done: number;
  overdue: number;
}

export async function rectificationCounts(db: Db, dossierId: string, today: string = todayInChina()): Promise<RectificationCounts> {
  const rows = await db.selectFrom('rectifications').select(['status', 'deadline']).where('dossier_id', '=', dossierId).execute();
  const counts: RectificationCounts = { total: rows.length, open: 0, in_progress: 0, done: 0, overdue: 0 };
  for (const r of rows) {
    counts[r.status]++;
    if (isOverdue(r, today)) counts.overdue++;
  }
  return counts;
}

/** The items of the dossier (the rows its target level covers), in standard order, for the item select. */
export async function dossierItemOptions(db: Db, dossierId: string): Promise<ItemOption[]> {
  return db
    .selectFrom('dossier_items')
    .innerJoin('dossiers', 'dossiers.id', 'dossier_items.dossier_id')
    .innerJoin('standard_nodes', (j) =>
      j.onRef('standard_nodes.standard_id', '=', 'dossiers.standard_id').onRef('standard_nodes.code', '=', 'dossier_items.item_code'),
    )
    .select(['dossier_items.item_code as code', 'standard_nodes.title', 'standard_nodes.core'])
    .where('dossier_items.dossier_id', '=', dossierId)
    .orderBy('standard_nodes.position')
    .execute();
}

export async function isDossierItem(db: Db, dossierId: string, itemCode: string): Promise<boolean> {
  const row = await db.selectFrom('dossier_items').select('item_code').where('dossier_id', '=', dossierId).where('item_code', '=', itemCode).executeTakeFirst();
  return Boolean(row);
}

const ID_ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

/**
 * Double-submit protection for the create form. Each rendering of the form carries a random `form_token`; the new
 * record's id is derived from (dossier, account, token), so submitting the same form twice — a double click, a
 * resent POST after a timeout, the back button — names the same primary key, and the second insert is a no-op
 * (`on conflict do nothing`, atomic on both SQLite and Postgres, no race window). The id stays unguessable: it is a
 * hash of a random token, and an account cannot aim at another account's ids because the account is hashed in.
 */
export function rectificationIdForToken(dossierId: string, userId: string, formToken: string): string {
  const digest = createHash('sha256').update(`rectification\n${dossierId}\n${userId}\n${formToken}`).digest();
  let out = '';
  for (const b of digest.subarray(0, 12)) out += ID_ALPHABET[b & 31];
  return `r_${out}`;
}

export interface NewRectification {
  id: string;
  dossierId: string;
  itemCode: string;
  problem: string;
  measures: string;
  responsible: string;
  deadline: string | null;
  source: Rectification['source'];
  annotationId: string | null;
  actorId: string;
}

/** Inserts the record; `created` is false when a record with this id already exists (a repeated submission). */
export async function createRectification(db: Db, r: NewRectification): Promise<{ created: boolean; rectification: Rectification }> {
  const now = nowIso();
  const row: Rectification = {
    id: r.id,
    dossier_id: r.dossierId,
    item_code: r.itemCode,
    problem: r.problem,
    measures: r.measures,
    responsible: r.responsible,
    deadline: r.deadline,
    status: 'open',
    source: r.source,
    annotation_id: r.annotationId,
    created_by: r.actorId,
    created_at: now,
    updated_at: now,
    completed_at: null,
  };
  const result = await db.insertInto('rectifications').values(row).onConflict((oc) => oc.column('id').doNothing()).executeTakeFirst();
  if (Number(result.numInsertedOrUpdatedRows ?? 0) > 0) return { created: true, rectification: row };
  const existing = await db.selectFrom('rectifications').selectAll().where('id', '=', r.id).executeTakeFirstOrThrow();
  return { created: false, rectification: existing };
}

export type RectificationPatch = Partial<Pick<Rectification, RectificationField>>;

/** Applies the given fields; returns the names of the fields whose value changed. */
export async function updateRectification(db: Db, current: Rectification, patch: RectificationPatch): Promise<RectificationField[]> {
  const changed = (Object.keys(patch) as RectificationField[]).filter((k) => patch[k] !== undefined && patch[k] !== current[k]);
  if (changed.length === 0) return [];
  const values: RectificationPatch = {};
  for (const k of changed) (values as Record<string, unknown>)[k] = patch[k];
  await db.updateTable('rectifications').set({ ...values, updated_at: nowIso() }).where('id', '=', current.id).execute();
  return changed;
}

/** Sets the status; `completed_at` is stamped when done and cleared when reopened. False when unchanged. */
export async function setRectificationStatus(db: Db, current: Rectification, status: RectificationStatus): Promise<boolean> {
  if (current.status === status) return false;
  const now = nowIso();
  await db
    .updateTable('rectifications')
    .set({ status, completed_at: status === 'done' ? now : null, updated_at: now })
    .where('id', '=', current.id)
    .execute();
  return true;
}

/** Documents of the institution (not trashed, with a current version) for the evidence picker; newest first. */
export async function evidenceCandidates(db: Db, args: { institutionId: string; rectificationId: string; q: string; limit?: number }) {
  const pattern = `%${args.q.replace(/[\\%_]/g, (m) => `\\${m}`)}%`;
  let q = db
    .selectFrom('documents')
    .innerJoin('document_versions', 'document_versions.id', 'documents.current_version_id')
    .select(['documents.id', 'documents.title', 'documents.document_date', 'document_versions.kind'])
    .where('documents.institution_id', '=', args.institutionId)
    .where('documents.trashed_at', 'is', null)
    .where('documents.id', 'not in', db.selectFrom('rectification_evidence').select('document_id').where('rectification_id', '=', args.rectificationId));
  if (args.q) q = q.where(sql<boolean>`documents.title like ${pattern} escape '\\'`);
  return q.orderBy('documents.updated_at', 'desc').orderBy('documents.id').limit(args.limit ?? 30).execute();
}

export type LinkOutcome = 'linked' | 'already_linked' | 'not_found';

/** Links a document of the record's institution; documents of other institutions or in the trash are not found. */
export async function linkRectificationEvidence(db: Db, args: { rectificationId: string; institutionId: string; documentId: string }): Promise<LinkOutcome> {
  if (args.documentId.length > 64) return 'not_found';
  const doc = await db
    .selectFrom('documents')
    .select('id')
    .where('id', '=', args.documentId)
    .where('institution_id', '=', args.institutionId)
    .where('trashed_at', 'is', null)
    .executeTakeFirst();
  if (!doc) return 'not_found';
  const result = await db
    .insertInto('rectification_evidence')
    .values({ rectification_id: args.rectificationId, document_id: doc.id })
    .onConflict((oc) => oc.columns(['rectification_id', 'document_id']).doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) > 0 ? 'linked' : 'already_linked';
}

export async function unlinkRectificationEvidence(db: Db, rectificationId: string, documentId: string): Promise<boolean> {
  const result = await db
    .deleteFrom('rectification_evidence')
    .where('rectification_id', '=', rectificationId)
    .where('document_id', '=', documentId)
    .executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}
