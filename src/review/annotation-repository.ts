// Annotations on evidence pages (issue 6): a rectangle on one page of one document version, a comment, replies
// and a resolved state. Plain functions taking `db` first so callers can pass a transaction. Scope and permission
// checks are the callers' (src/review/annotation-routes.tsx through reviewAccess); every read here is confined
// to one dossier. Annotations are never edited or deleted: only replies are added and the resolved state flips.
import type { Db } from '../db/database.ts';
import type { Role } from '../db/schema.ts';
import { newId, nowIso } from '../ids.ts';

export interface AnnotationReplyView {
  id: string;
  body: string;
  author_id: string;
  author_name: string;
  author_role: Role;
  created_at: string;
}

export interface AnnotationThread {
  id: string;
  dossier_id: string;
  /** 1, 2, 3 … in order of creation among the annotations of the same document in this dossier. */
  number: number;
  round: number;
  /** Review stage position; null when written outside a stage. */
  position: number | null;
  /** The stage's label, e.g. "县级 审核/初评", when known. */
  stage_label: string | null;
  item_code: string | null;
  document_id: string;
  document_title: string;
  version_id: string;
  version_no: number;
  page_no: number;
  x: number;
  y: number;
  w: number;
  h: number;
  body: string;
  author_id: string;
  author_name: string;
  author_role: Role;
  created_at: string;
  resolved_at: string | null;
  resolved_by_name: string | null;
  replies: AnnotationReplyView[];
}

export interface AnnotationFilter {
  dossierId: string;
  documentId?: string | undefined;
  /** Threads written on this item, or on a document linked to it. */
  itemCode?: string | undefined;
  /** Only threads not marked as resolved. */
  openOnly?: boolean | undefined;
  annotationId?: string | undefined;
}

const LEVEL_NAMES: Record<string, string> = { county: '县级', city: '市级', province: '省级' };

/** Threads with their replies and author display names, by document, then in order of creation. */
export async function listAnnotations(db: Db, f: AnnotationFilter): Promise<AnnotationThread[]> {
  let q = db
    .selectFrom('annotations as a')
    .innerJoin('users as au', 'au.id', 'a.author_id')
    .innerJoin('documents as d', 'd.id', 'a.document_id')
    .innerJoin('document_versions as v', 'v.id', 'a.version_id')
    .leftJoin('users as ru', 'ru.id', 'a.resolved_by')
    .select((eb) => [
      'a.id',
      'a.dossier_id',
      'a.round',
      'a.position',
      'a.item_code',
      'a.document_id',
      'd.title as document_title',
      'a.version_id',
      'v.version_no',
      'a.page_no',
      'a.x',
      'a.y',
      'a.w',
      'a.h',
      'a.body',
      'a.author_id',
      'au.display_name as author_name',
      'au.role as author_role',
      'a.created_at',
      'a.resolved_at',
      'ru.display_name as resolved_by_name',
      eb
        .selectFrom('annotations as a2')
        .select((e) => e.fn.countAll<number>().as('n'))
        .whereRef('a2.dossier_id', '=', 'a.dossier_id')
        .whereRef('a2.document_id', '=', 'a.document_id')
        .where((e) => e.or([e('a2.created_at', '<', e.ref('a.created_at')), e.and([e('a2.created_at', '=', e.ref('a.created_at')), e('a2.id', '<=', e.ref('a.id'))])]))
        .as('number'),
    ])
    .where('a.dossier_id', '=', f.dossierId);
  if (f.documentId) q = q.where('a.document_id', '=', f.documentId);
  if (f.annotationId) q = q.where('a.id', '=', f.annotationId);
  if (f.openOnly) q = q.where('a.resolved_at', 'is', null);
  if (f.itemCode) {
    const code = f.itemCode;
    q = q.where((eb) =>
      eb.or([
        eb('a.item_code', '=', code),
        eb(
          'a.document_id',
          'in',
          eb.selectFrom('item_evidence').select('item_evidence.document_id').where('item_evidence.dossier_id', '=', f.dossierId).where('item_evidence.item_code', '=', code),
        ),
      ]),
    );
  }
  const rows = await q.orderBy('d.title').orderBy('a.document_id').orderBy('a.created_at').orderBy('a.id').execute();
  if (rows.length === 0) return [];

  const replies = await db
    .selectFrom('annotation_replies as r')
    .innerJoin('users as u', 'u.id', 'r.author_id')
    .select(['r.id', 'r.annotation_id', 'r.body', 'r.author_id', 'u.display_name as author_name', 'u.role as author_role', 'r.created_at'])
    .where(
      'r.annotation_id',
      'in',
      rows.map((r) => r.id),
    )
    .orderBy('r.created_at')
    .orderBy('r.id')
    .execute();
  const byAnnotation = new Map<string, AnnotationReplyView[]>();
  for (const r of replies) {
    const list = byAnnotation.get(r.annotation_id) ?? [];
    list.push({ id: r.id, body: r.body, author_id: r.author_id, author_name: r.author_name, author_role: r.author_role, created_at: r.created_at });
    byAnnotation.set(r.annotation_id, list);
  }

  const stages = await db.selectFrom('review_stages').select(['round', 'position', 'region_level', 'label']).where('dossier_id', '=', f.dossierId).execute();
  const stageLabel = new Map(stages.map((s) => [`${s.round}:${s.position}`, `${LEVEL_NAMES[s.region_level] ?? ''} ${s.label}`.trim()]));

  return rows.map((r) => ({
    ...r,
    number: Number(r.number),
    round: Number(r.round),
    position: r.position === null ? null : Number(r.position),
    version_no: Number(r.version_no),
    page_no: Number(r.page_no),
    x: Number(r.x),
    y: Number(r.y),
    w: Number(r.w),
    h: Number(r.h),
    stage_label: r.position === null ? null : (stageLabel.get(`${r.round}:${r.position}`) ?? null),
    replies: byAnnotation.get(r.id) ?? [],
  }));
}

export interface NewAnnotation {
  dossierId: string;
  round: number;
  position: number | null;
  itemCode: string | null;
  documentId: string;
  versionId: string;
  pageNo: number;
  x: number;
  y: number;
  w: number;
  h: number;
  body: string;
  authorId: string;
}

export async function createAnnotation(db: Db, a: NewAnnotation): Promise<string> {
  const id = newId('an');
  await db
    .insertInto('annotations')
    .values({
      id,
      dossier_id: a.dossierId,
      round: a.round,
      position: a.position,
      item_code: a.itemCode,
      document_id: a.documentId,
      version_id: a.versionId,
      page_no: a.pageNo,
      x: a.x,
      y: a.y,
      w: a.w,
      h: a.h,
      body: a.body,
      author_id: a.authorId,
      created_at: nowIso(),
      resolved_at: null,
      resolved_by: null,
    })
    .execute();
  return id;
}

export async function addReply(db: Db, r: { annotationId: string; body: string; authorId: string }): Promise<string> {
  const id = newId('ar');
  await db.insertInto('annotation_replies').values({ id, annotation_id: r.annotationId, body: r.body, author_id: r.authorId, created_at: nowIso() }).execute();
  return id;
}

/**
 * Marks the annotation resolved (by `userId`) or open again (`userId` null). Returns false when it already was
 * in that state, so callers record only real changes.
 */
export async function setResolved(db: Db, annotationId: string, userId: string | null): Promise<boolean> {
  const res = await db
    .updateTable('annotations')
    .set(userId ? { resolved_at: nowIso(), resolved_by: userId } : { resolved_at: null, resolved_by: null })
    .where('id', '=', annotationId)
    .where('resolved_at', userId ? 'is' : 'is not', null)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) > 0;
}

/** One annotation row of a dossier, or null. */
export async function findAnnotation(db: Db, dossierId: string, annotationId: string) {
  if (annotationId.length > 64) return null;
  return (await db.selectFrom('annotations').selectAll().where('id', '=', annotationId).where('dossier_id', '=', dossierId).executeTakeFirst()) ?? null;
}
