// Documents, their versions and their links to dossier items. Plain functions taking `db` first, so callers
// can pass a transaction. Scope checks happen in the callers through findDocument / visibleInstitutionIds.
import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import type { Document, DocumentVersion, ItemEvidence, User } from '../db/schema.ts';
import { visibleInstitutionIds } from '../auth/scope.ts';
import { newId, nowIso } from '../ids.ts';

export interface DocumentRow extends Document {
  version: DocumentVersion;
  linkCount: number;
}

/** Dossier states in which evidence is frozen: it was submitted or judged. */
export const FROZEN_STATES = ['submitted', 'in_review', 'passed', 'failed'] as const;

export async function findDocument(db: Db, user: User, id: string): Promise<DocumentRow | null> {
  if (id.length > 64) return null;
  const doc = await db
    .selectFrom('documents')
    .selectAll()
    .where('id', '=', id)
    .where('institution_id', 'in', visibleInstitutionIds(db, user))
    .executeTakeFirst();
  if (!doc || !doc.current_version_id) return null;
  const version = await db.selectFrom('document_versions').selectAll().where('id', '=', doc.current_version_id).executeTakeFirstOrThrow();
  const links = await db.selectFrom('item_evidence').select((eb) => eb.fn.countAll<number>().as('n')).where('document_id', '=', id).executeTakeFirstOrThrow();
  return { ...doc, version, linkCount: Number(links.n) };
}

export async function documentVersions(db: Db, documentId: string): Promise<DocumentVersion[]> {
  return db.selectFrom('document_versions').selectAll().where('document_id', '=', documentId).orderBy('version_no', 'desc').execute();
}

/** True when a submitted or judged dossier uses the document: then it may only be superseded. */
export async function isFrozen(db: Db, documentId: string): Promise<boolean> {
  const row = await db
    .selectFrom('item_evidence')
    .innerJoin('dossiers', 'dossiers.id', 'item_evidence.dossier_id')
    .select('item_evidence.id')
    .where('item_evidence.document_id', '=', documentId)
    .where('dossiers.state', 'in', [...FROZEN_STATES])
    .executeTakeFirst();
  return !!row;
}

/** A document of the institution whose any version has this content. */
export async function findByContent(db: Db, institutionId: string, sha256: string): Promise<Document | null> {
  const row = await db
    .selectFrom('documents')
    .innerJoin('document_versions', 'document_versions.document_id', 'documents.id')
    .selectAll('documents')
    .where('documents.institution_id', '=', institutionId)
    .where('document_versions.blob_sha256', '=', sha256)
    .orderBy('documents.trashed_at', 'desc')
    .executeTakeFirst();
  return row ?? null;
}

export interface EventInput {
  documentId: string;
  actorId: string | null;
  action: string;
  dossierId?: string | null;
  itemCode?: string | null;
  detail?: Record<string, unknown>;
}

export async function recordDocumentEvent(db: Db, e: EventInput): Promise<void> {
  await db
    .insertInto('document_events')
    .values({
      document_id: e.documentId,
      dossier_id: e.dossierId ?? null,
      item_code: e.itemCode ?? null,
      actor_id: e.actorId,
      at: nowIso(),
      action: e.action,
      detail: JSON.stringify(e.detail ?? {}),
    })
    .execute();
}

export async function upsertBlob(db: Db, b: { sha256: string; size: number; storeKey: string }): Promise<void> {
  const exists = await db.selectFrom('blobs').select('sha256').where('sha256', '=', b.sha256).executeTakeFirst();
  if (!exists) await db.insertInto('blobs').values({ sha256: b.sha256, size: b.size, store_key: b.storeKey, created_at: nowIso() }).execute();
}

export async function blobKey(db: Db, sha256: string): Promise<string | null> {
  const row = await db.selectFrom('blobs').select('store_key').where('sha256', '=', sha256).executeTakeFirst();
  return row?.store_key ?? null;
}

export type NewVersionInput = Omit<DocumentVersion, 'id' | 'document_id' | 'version_no' | 'created_at' | 'rendition_sha256' | 'thumbnail_sha256'>;

export async function insertDocument(
  db: Db,
  args: { institutionId: string; title: string; actorId: string; version: NewVersionInput },
): Promise<{ document: Document; version: DocumentVersion }> {
  const now = nowIso();
  const document: Document = {
    id: newId('doc'),
    institution_id: args.institutionId,
    title: args.title,
    document_date: null,
    issuing_department: '',
    current_version_id: null,
    created_by: args.actorId,
    created_at: now,
    updated_at: now,
    trashed_at: null,
    trashed_by: null,
  };
  await db.insertInto('documents').values(document).execute();
  const version = await insertVersion(db, document.id, args.version);
  return { document: { ...document, current_version_id: version.id }, version };
}

export async function insertVersion(db: Db, documentId: string, v: NewVersionInput): Promise<DocumentVersion> {
  const last = await db
    .selectFrom('document_versions')
    .select((eb) => eb.fn.max('version_no').as('n'))
    .where('document_id', '=', documentId)
    .executeTakeFirst();
  const version: DocumentVersion = {
    ...v,
    id: newId('v'),
    document_id: documentId,
    version_no: Number(last?.n ?? 0) + 1,
    rendition_sha256: null,
    thumbnail_sha256: null,
    created_at: nowIso(),
  };
  await db.insertInto('document_versions').values(version).execute();
  await db.updateTable('documents').set({ current_version_id: version.id, updated_at: version.created_at }).where('id', '=', documentId).execute();
  return version;
}

// ---------------------------------------------------------------------------------------------------------
// Item evidence

export interface EvidenceRow extends ItemEvidence {
  title: string;
  kind: string;
  page_count: number | null;
  conversion_state: string;
  trashed_at: string | null;
  current_version_id: string | null;
}

export async function evidenceForItem(db: Db, dossierId: string, itemCode: string): Promise<EvidenceRow[]> {
  return db
    .selectFrom('item_evidence')
    .innerJoin('documents', 'documents.id', 'item_evidence.document_id')
    .innerJoin('document_versions', (j) =>
      j.on((eb) => eb('document_versions.id', '=', eb.fn.coalesce('item_evidence.version_id', 'documents.current_version_id'))),
    )
    .selectAll('item_evidence')
    .select([
      'documents.title',
      'documents.trashed_at',
      'documents.current_version_id',
      'document_versions.kind',
      'document_versions.page_count',
      'document_versions.conversion_state',
    ])
    .where('item_evidence.dossier_id', '=', dossierId)
    .where('item_evidence.item_code', '=', itemCode)
    .orderBy('item_evidence.position')
    .execute();
}

/** Number of linked (non-trashed) documents per item code of a dossier. */
/**
 * A dossier's evidence links joined to the version each one shows — the pinned version, else the document's
 * current one — leaving out trashed documents. Callers add the columns they need.
 */
export function evidenceWithVersions(db: Db, dossierId: string) {
  return db
    .selectFrom('item_evidence')
    .innerJoin('documents', 'documents.id', 'item_evidence.document_id')
    .innerJoin('document_versions', (j) => j.on((eb) => eb('document_versions.id', '=', eb.fn.coalesce('item_evidence.version_id', 'documents.current_version_id'))))
    .where('item_evidence.dossier_id', '=', dossierId)
    .where('documents.trashed_at', 'is', null);
}

export async function evidenceCounts(db: Db, dossierId: string): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom('item_evidence')
    .innerJoin('documents', 'documents.id', 'item_evidence.document_id')
    .select(['item_evidence.item_code', (eb) => eb.fn.countAll<number>().as('n')])
    .where('item_evidence.dossier_id', '=', dossierId)
    .where('documents.trashed_at', 'is', null)
    .groupBy('item_evidence.item_code')
    .execute();
  return new Map(rows.map((r) => [r.item_code, Number(r.n)]));
}

export async function linksOfDocument(db: Db, documentId: string) {
  return db
    .selectFrom('item_evidence')
    .innerJoin('dossiers', 'dossiers.id', 'item_evidence.dossier_id')
    .innerJoin('standard_nodes', (j) =>
      j.onRef('standard_nodes.standard_id', '=', 'dossiers.standard_id').onRef('standard_nodes.code', '=', 'item_evidence.item_code'),
    )
    .select([
      'item_evidence.id',
      'item_evidence.dossier_id',
      'item_evidence.item_code',
      'item_evidence.page_from',
      'item_evidence.page_to',
      'dossiers.year',
      'dossiers.target_level',
      'dossiers.state',
      'standard_nodes.title as item_title',
      'standard_nodes.core',
    ])
    .where('item_evidence.document_id', '=', documentId)
    .orderBy('dossiers.year', 'desc')
    .orderBy('standard_nodes.position')
    .execute();
}

/** Links a document to an item at the end of its list. Returns false when already linked. */
export async function linkEvidence(
  db: Db,
  args: { dossierId: string; itemCode: string; documentId: string; pageFrom?: number | null; pageTo?: number | null; actorId: string },
): Promise<boolean> {
  const existing = await db
    .selectFrom('item_evidence')
    .select('id')
    .where('dossier_id', '=', args.dossierId)
    .where('item_code', '=', args.itemCode)
    .where('document_id', '=', args.documentId)
    .executeTakeFirst();
  if (existing) return false;
  const last = await db
    .selectFrom('item_evidence')
    .select((eb) => eb.fn.max('position').as('p'))
    .where('dossier_id', '=', args.dossierId)
    .where('item_code', '=', args.itemCode)
    .executeTakeFirst();
  await db
    .insertInto('item_evidence')
    .values({
      id: newId('ev'),
      dossier_id: args.dossierId,
      item_code: args.itemCode,
      document_id: args.documentId,
      version_id: null,
      page_from: args.pageFrom ?? null,
      page_to: args.pageTo ?? null,
      position: Number(last?.p ?? 0) + 1,
      created_by: args.actorId,
      created_at: nowIso(),
    })
    .execute();
  return true;
}

/** Renumbers an item's evidence in the given order (ids not listed keep their relative order after). */
export async function reorderEvidence(db: Db, dossierId: string, itemCode: string, orderedIds: string[]): Promise<void> {
  const rows = await db
    .selectFrom('item_evidence')
    .select('id')
    .where('dossier_id', '=', dossierId)
    .where('item_code', '=', itemCode)
    .orderBy('position')
    .execute();
  const known = new Set(rows.map((r) => r.id));
  const first = orderedIds.filter((id) => known.has(id));
  const rest = rows.map((r) => r.id).filter((id) => !first.includes(id));
  const order = [...first, ...rest];
  for (const [i, id] of order.entries()) await db.updateTable('item_evidence').set({ position: i + 1 }).where('id', '=', id).execute();
}

/** Documents of an institution whose title contains `q`, for linking. */
export async function searchDocumentsByTitle(db: Db, institutionId: string, q: string, limit = 20) {
  const pattern = `%${q.replace(/[\\%_]/g, (m) => `\\${m}`)}%`;
  return db
    .selectFrom('documents')
    .innerJoin('document_versions', 'document_versions.id', 'documents.current_version_id')
    .select(['documents.id', 'documents.title', 'documents.document_date', 'document_versions.kind', 'document_versions.page_count'])
    .where('documents.institution_id', '=', institutionId)
    .where('documents.trashed_at', 'is', null)
    .where(sql<boolean>`documents.title like ${pattern} escape '\\'`)
    .orderBy('documents.updated_at', 'desc')
    .limit(limit)
    .execute();
}
