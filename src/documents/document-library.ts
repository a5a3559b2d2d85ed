// The document library query: filters, sort and paging over one institution's documents.
import { z } from 'zod';
import type { Db } from '../db/database.ts';
import { FILTER_FILE_KINDS } from './file-kind.ts';

export const PAGE_SIZE = 50;

export const libraryQuerySchema = z.object({
  q: z.string().trim().max(100).optional().catch(undefined),
  kind: z.enum(FILTER_FILE_KINDS).optional().catch(undefined),
  uploader: z.string().max(64).optional().catch(undefined),
  from: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional().catch(undefined),
  to: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional().catch(undefined),
  linked: z.enum(['yes', 'no']).optional().catch(undefined),
  conversion: z.enum(['not_needed', 'pending', 'converted', 'unconverted', 'failed']).optional().catch(undefined),
  trash: z.enum(['1']).optional().catch(undefined),
  sort: z.enum(['new', 'old', 'title', 'size', 'date']).default('new').catch('new'),
  page: z.coerce.number().int().min(1).max(10_000).default(1).catch(1),
});
export type LibraryQuery = z.infer<typeof libraryQuerySchema>;

export async function listDocuments(db: Db, institutionId: string, f: LibraryQuery) {
  let q = db
    .selectFrom('documents')
    .innerJoin('document_versions as v', 'v.id', 'documents.current_version_id')
    .leftJoin('users as u', 'u.id', 'documents.created_by')
    .where('documents.institution_id', '=', institutionId)
    .where('documents.trashed_at', f.trash ? 'is not' : 'is', null);
  if (f.q) q = q.where('documents.title', 'like', `%${f.q.replace(/[%_]/g, '')}%`);
  if (f.kind) q = q.where('v.kind', '=', f.kind);
  if (f.uploader) q = q.where('documents.created_by', '=', f.uploader);
  if (f.from) q = q.where('documents.created_at', '>=', `${f.from}T00:00:00`);
  if (f.to) q = q.where('documents.created_at', '<', `${f.to}T23:59:59.999Z`);
  if (f.conversion) q = q.where('v.conversion_state', '=', f.conversion);
  if (f.linked) {
    const linked = db.selectFrom('item_evidence').select('item_evidence.document_id');
    q = q.where('documents.id', f.linked === 'yes' ? 'in' : 'not in', linked);
  }
  const total = Number((await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
  const ordered = (() => {
    const sel = q.select((eb) => [
      'documents.id',
      'documents.title',
      'documents.document_date',
      'documents.issuing_department',
      'documents.created_at',
      'documents.trashed_at',
      'v.id as version_id',
      'v.version_no',
      'v.kind',
      'v.size',
      'v.page_count',
      'v.conversion_state',
      'v.thumbnail_sha256',
      'u.display_name as uploader',
      eb.selectFrom('item_evidence').select((e) => e.fn.countAll<number>().as('n')).whereRef('item_evidence.document_id', '=', 'documents.id').as('links'),
    ]);
    switch (f.sort) {
      case 'old':
        return sel.orderBy('documents.created_at', 'asc');
      case 'title':
        return sel.orderBy('documents.title', 'asc');
      case 'size':
        return sel.orderBy('v.size', 'desc');
      case 'date':
        return sel.orderBy('documents.document_date', 'desc');
      default:
        return sel.orderBy('documents.created_at', 'desc');
    }
  })();
  const rows = await ordered.orderBy('documents.id').limit(PAGE_SIZE).offset((f.page - 1) * PAGE_SIZE).execute();
  return { rows: rows.map((r) => ({ ...r, links: Number(r.links ?? 0), size: Number(r.size) })), total };
}

export async function uploadersOf(db: Db, institutionId: string) {
  return db
    .selectFrom('documents')
    .innerJoin('users', 'users.id', 'documents.created_by')
    .select(['users.id', 'users.display_name'])
    .distinct()
    .where('documents.institution_id', '=', institutionId)
    .execute();
}
