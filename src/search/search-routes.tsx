// GET /search: full-text search over the pages of every document the account may see. A full page, or the
// results fragment when htmx asks (as the user types).
import { Hono } from 'hono';
import { z } from 'zod';
import { dossierLabel, SearchPage, SearchResults, type SearchForm } from '../../views/search-page.tsx';
import { FILTER_FILE_KINDS } from '../documents/file-kind.ts';
import { listDossiers } from '../dossiers/dossier-repository.ts';
import { ALL_ROLES, currentUser, requireRole } from '../http/access.ts';
import { pageContext } from '../http/page-context.ts';
import { searchPages } from './page-index.ts';

const PAGE_SIZE = 20;
const MAX_QUERY_CHARS = 100;

const searchQuery = z.object({
  q: z.string().max(4000).default('').catch(''),
  dossier: z.string().max(64).optional().catch(undefined),
  item: z.string().regex(/^\d+(\.\d+){0,2}$/).optional().catch(undefined),
  kind: z.enum(FILTER_FILE_KINDS).optional().catch(undefined),
  from: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional().catch(undefined),
  to: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional().catch(undefined),
  page: z.coerce.number().int().min(1).max(500).default(1).catch(1),
});

export function searchRoutes(): Hono {
  const app = new Hono();
  app.use('*', requireRole(...ALL_ROLES));
  app.get('/', async (c) => {
    const user = currentUser(c);
    const db = c.get('db');
    const form: SearchForm = searchQuery.parse(c.req.query());
    // A pasted paragraph is searched by its beginning, and the user is told so (never silently dropped).
    const full = form.q.trim();
    form.q = Array.from(full).slice(0, MAX_QUERY_CHARS).join('');
    const notice = form.q.length < full.length ? `检索词过长，只按前 ${MAX_QUERY_CHARS} 个字检索。` : undefined;
    const { total, totalExact, hits } = form.q
      ? await searchPages(db, user, {
          q: form.q,
          dossierId: form.dossier,
          itemCode: form.item,
          kind: form.kind,
          from: form.from,
          to: form.to,
          limit: PAGE_SIZE,
          offset: (form.page - 1) * PAGE_SIZE,
        })
      : { total: 0, totalExact: true, hits: [] };
    const results = { form, total, totalExact, hits, pageSize: PAGE_SIZE, ...(notice ? { notice } : {}) };
    if (c.get('htmx')) return c.html(<SearchResults {...results} />);
    const dossiers = (await listDossiers(db, user)).map((d) => ({ id: d.id, label: dossierLabel(d) }));
    return c.html(<SearchPage ctx={pageContext(c)} dossiers={dossiers} {...results} />);
  });
  return app;
}
