// The dossier's history tab (anyone who can see the dossier) and the admin's audit log.
import { Hono } from 'hono';
import { z } from 'zod';
import { AdminAuditPage, DossierHistoryPage } from '../../views/audit-pages.tsx';
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
    return c.html(<AdminAuditPage ctx={pageContext(c)} rows={rows.slice(0, AUDIT_PAGE_SIZE)} filters={filters} page={q.page} more={rows.length > AUDIT_PAGE_SIZE} />);
  });

  return app;
}
