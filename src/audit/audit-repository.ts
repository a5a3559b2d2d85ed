// Reads of the audit log: one dossier's history (its own entries, its annotations' and rectifications',
// and the evidence events of its items), and the admin's filtered view of everything.
import type { Db } from '../db/database.ts';

export interface HistoryEntry {
  at: string;
  actor_name: string | null;
  ip: string;
  action: string;
  detail: string;
  source: 'audit' | 'evidence';
  item_code?: string | null;
}

export async function dossierHistory(db: Db, dossierId: string, limit = 500): Promise<HistoryEntry[]> {
  const audit = await db
    .selectFrom('audit_log')
    .leftJoin('users', 'users.id', 'audit_log.actor_id')
    .select(['audit_log.at', 'users.display_name as actor_name', 'audit_log.ip', 'audit_log.action', 'audit_log.detail'])
    .where((eb) =>
      eb.or([
        eb.and([eb('audit_log.subject_type', '=', 'dossier'), eb('audit_log.subject_id', '=', dossierId)]),
        eb.and([eb('audit_log.subject_type', '=', 'annotation'), eb('audit_log.subject_id', 'in', db.selectFrom('annotations').select('id').where('dossier_id', '=', dossierId))]),
        eb.and([
          eb('audit_log.subject_type', '=', 'rectification'),
          eb('audit_log.subject_id', 'in', db.selectFrom('rectifications').select('id').where('dossier_id', '=', dossierId)),
        ]),
      ]),
    )
    .orderBy('audit_log.at', 'desc')
    .limit(limit)
    .execute();
  const evidence = await db
    .selectFrom('document_events')
    .leftJoin('users', 'users.id', 'document_events.actor_id')
    .innerJoin('documents', 'documents.id', 'document_events.document_id')
    .select(['document_events.at', 'users.display_name as actor_name', 'document_events.action', 'document_events.detail', 'document_events.item_code', 'documents.title'])
    .where('document_events.dossier_id', '=', dossierId)
    .orderBy('document_events.at', 'desc')
    .limit(limit)
    .execute();
  const merged: HistoryEntry[] = [
    ...audit.map((a) => ({ ...a, source: 'audit' as const })),
    ...evidence.map((e) => ({ at: e.at, actor_name: e.actor_name, ip: '', action: `evidence.${e.action}`, detail: JSON.stringify({ document: e.title }), source: 'evidence' as const, item_code: e.item_code })),
  ];
  return merged.sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0)).slice(0, limit);
}

export interface AuditFilters {
  action?: string | undefined;
  actor?: string | undefined; // username
  from?: string | undefined; // YYYY-MM-DD
  to?: string | undefined;
  page: number;
}

export const AUDIT_PAGE_SIZE = 100;

export async function searchAudit(db: Db, f: AuditFilters) {
  let q = db
    .selectFrom('audit_log')
    .leftJoin('users', 'users.id', 'audit_log.actor_id')
    .select(['audit_log.id', 'audit_log.at', 'users.username', 'users.display_name', 'audit_log.ip', 'audit_log.action', 'audit_log.subject_type', 'audit_log.subject_id', 'audit_log.detail']);
  if (f.action) q = q.where('audit_log.action', 'like', `${f.action.replace(/[%_]/g, '')}%`);
  if (f.actor) q = q.where('users.username', '=', f.actor);
  if (f.from) q = q.where('audit_log.at', '>=', f.from);
  if (f.to) q = q.where('audit_log.at', '<', `${f.to}T99`);
  return q
    .orderBy('audit_log.id', 'desc')
    .limit(AUDIT_PAGE_SIZE + 1)
    .offset((f.page - 1) * AUDIT_PAGE_SIZE)
    .execute();
}
