// Browsing the installed capability standards. Every signed-in role may read them.
import { Hono } from 'hono';
import { StandardListPage, StandardPage } from '../../views/standards-pages.tsx';
import { ALL_ROLES, notFound, requireRole } from '../http/access.ts';
import { pageContext } from '../http/page-context.ts';
import { listStandards, loadStandard } from './standard-repository.ts';

export function standardRoutes(): Hono {
  const app = new Hono();
  app.use('*', requireRole(...ALL_ROLES));
  app.get('/', async (c) => {
    const db = c.get('db');
    const standards = await listStandards(db);
    const counts = await db
      .selectFrom('standard_nodes')
      .select(['standard_id', (eb) => eb.fn.countAll<number>().as('n')])
      .where('depth', '=', 3)
      .groupBy('standard_id')
      .execute();
    const byId = new Map(counts.map((r) => [r.standard_id, Number(r.n)]));
    return c.html(<StandardListPage ctx={pageContext(c)} standards={standards.map((s) => ({ ...s, items: byId.get(s.id) ?? 0 }))} />);
  });
  app.get('/:id', async (c) => {
    const loaded = await loadStandard(c.get('db'), c.req.param('id'));
    if (!loaded) notFound('标准');
    return c.html(<StandardPage ctx={pageContext(c)} loaded={loaded} />);
  });
  return app;
}
