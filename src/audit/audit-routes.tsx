// The dossier's history tab (anyone who can see the dossier) and the admin's audit log.
import { Hono } from 'hono';
import { z } from 'zod';
import { AdminAuditPage, DossierHistoryPage, type AuditSubjects } from '../../views/audit-pages.tsx';
import type { Db } from '../db/database.ts';
import { TARGET_LEVEL_LABELS } from '../../views/labels.ts';
import { ALL_ROLES, currentUser, notFound, requireRole } from '../http/access.ts';
import { pageContext } from '../http/page-context.ts';
import { reviewAccess } from '../review/review-access.ts';
import { AUDIT_PAGE_SIZE, dossierHistory, searchAudit } from './audit-repository.ts';

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional().catch(undefined);
const auditQuery = z.object({
  action: z.string().max(60).optional().catch(undefined),
  actor: z.string().max(60).optional().catch(undefined),
  from: day,
  to: day,
  page: z.coerce.number().int().min(1).max(100_000).catch(1),
});

export function auditRoutes(): Hono {
  // Mounted at '/': guards per route.
  const app = new Hono();

  app.get('/dossiers/:id/history', requireRole(...ALL_ROLES), async (c) => {
    const db = c.get('db');
    const access = await reviewAccess(db, currentUser(c), c.req.param('id'));
    if (!access) notFound('档案');
    const d = access.dossier;
    const inst = await db.selectFrom('institutions').select('name').where('id', '=', d.institution_id).executeTakeFirstOrThrow();
    const title = `${inst.name} · ${d.year}年 · ${TARGET_LEVEL_LABELS[d.target_level]}`;
    return c.html(<DossierHistoryPage ctx={pageContext(c)} dossierId={d.id} title={title} entries={await dossierHistory(db, d.id)} />);
  });

  app.get('/admin/audit', requireRole('admin'), async (c) => {
    const q = auditQuery.parse(c.req.query());
    const rows = await searchAudit(c.get('db'), q);
    const filters: Record<string, string> = {};
    for (const k of ['action', 'actor', 'from', 'to'] as const) if (q[k]) filters[k] = q[k]!;
    const page = rows.slice(0, AUDIT_PAGE_SIZE);
    return c.html(<AdminAuditPage ctx={pageContext(c)} rows={page} subjects={await auditSubjects(c.get('db'), page)} filters={filters} page={q.page} more={rows.length > AUDIT_PAGE_SIZE} />);
  });

  return app;
}

/** Names for the page's subjects, looked up in one query per kind (at most 100 rows a page). */
async function auditSubjects(db: Db, rows: { subject_type: string; subject_id: string }[]): Promise<AuditSubjects> {
  const ids = (type: string) => [...new Set(rows.filter((r) => r.subject_type === type).map((r) => r.subject_id))];
  const out: AuditSubjects = {};
  const dossierLabel = (d: { name: string; year: number; target_level: string }) =>
    `${d.name} · ${d.year}年 · ${TARGET_LEVEL_LABELS[d.target_level as keyof typeof TARGET_LEVEL_LABELS] ?? ''}`;
  const dossierRows = (where: 'dossiers.id', list: string[]) =>
    list.length === 0
      ? Promise.resolve([])
      : db
          .selectFrom('dossiers')
          .innerJoin('institutions', 'institutions.id', 'dossiers.institution_id')
          .select(['dossiers.id', 'institutions.name', 'dossiers.year', 'dossiers.target_level'])
          .where(where, 'in', list)
          .execute();

  const users = ids('user');
  if (users.length) {
    for (const u of await db.selectFrom('users').select(['id', 'username', 'display_name']).where('id', 'in', users).execute()) {
      out[`user:${u.id}`] = { label: `${u.display_name}（${u.username}）`, href: '/admin/users' };
    }
  }
  for (const d of await dossierRows('dossiers.id', ids('dossier'))) out[`dossier:${d.id}`] = { label: dossierLabel(d), href: `/dossiers/${d.id}/history` };

  const institutions = ids('institution');
  if (institutions.length) {
    for (const i of await db.selectFrom('institutions').select(['id', 'name']).where('id', 'in', institutions).execute()) {
      out[`institution:${i.id}`] = { label: i.name, href: `/institutions/${i.id}` };
    }
  }
  const regions = ids('region');
  if (regions.length) {
    for (const r of await db.selectFrom('regions').select(['code', 'name']).where('code', 'in', regions).execute()) out[`region:${r.code}`] = { label: `${r.name}（${r.code}）` };
  }
  // Annotations and rectifications are shown as the dossier they belong to.
  for (const [type, table] of [
    ['annotation', 'annotations'],
    ['rectification', 'rectifications'],
  ] as const) {
    const list = ids(type);
    if (!list.length) continue;
    const owners = await db.selectFrom(table).select(['id', 'dossier_id']).where('id', 'in', list).execute();
    const dossiers = new Map((await dossierRows('dossiers.id', [...new Set(owners.map((o) => o.dossier_id))])).map((d) => [d.id, d]));
    for (const o of owners) {
      const d = dossiers.get(o.dossier_id);
      if (d) out[`${type}:${o.id}`] = { label: dossierLabel(d), href: `/dossiers/${d.id}/history` };
    }
  }
  return out;
}
