// The history of a document or of a dossier item, newest first, with the actor's name.
import type { Db } from '../db/database.ts';
import type { HistoryRow } from '../../views/document-page.tsx';

export async function documentHistory(db: Db, by: { documentId: string } | { dossierId: string; itemCode: string }, limit = 200): Promise<HistoryRow[]> {
  let q = db.selectFrom('document_events').leftJoin('users', 'users.id', 'document_events.actor_id').selectAll('document_events').select('users.display_name as actor_name');
  q = 'documentId' in by ? q.where('document_events.document_id', '=', by.documentId) : q.where('document_events.dossier_id', '=', by.dossierId).where('document_events.item_code', '=', by.itemCode);
  return q.orderBy('document_events.id', 'desc').limit(limit).execute();
}
