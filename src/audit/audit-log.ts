// The audit log: who did what, when, from where. Written in the same transaction as the change it records.
import type { Db } from '../db/database.ts';
import { nowIso } from '../ids.ts';

export interface AuditEntry {
  actorId: string | null;
  ip: string;
  action: string;
  subjectType: string;
  subjectId: string;
  detail?: Record<string, unknown>;
}

export async function recordAudit(db: Db, e: AuditEntry): Promise<void> {
  await db
    .insertInto('audit_log')
    .values({
      at: nowIso(),
      actor_id: e.actorId,
      ip: e.ip,
      action: e.action,
      subject_type: e.subjectType,
      subject_id: e.subjectId,
      detail: JSON.stringify(e.detail ?? {}),
    })
    .execute();
}
