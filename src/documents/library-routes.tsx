// The document library of one institution (/institutions/:institutionId/documents): list and upload.
import { Hono } from 'hono';
import { DocumentLibraryPage } from '../../views/document-library-page.tsx';
import { ALL_ROLES, currentUser, notFound, requireRole } from '../http/access.ts';
import { pageContext } from '../http/page-context.ts';
import { canChangeDocuments, visibleInstitution } from './document-access.ts';
import { libraryQuerySchema, listDocuments, PAGE_SIZE, uploadersOf } from './document-library.ts';
import { textStatuses } from './text-status.ts';
import { handleUpload } from './upload-handler.tsx';

export function libraryRoutes(): Hono {
  const app = new Hono();
  app.use('*', requireRole(...ALL_ROLES));

  app.get('/', async (c) => {
    const institution = await visibleInstitution(c, c.req.param('institutionId')!);
    const query = libraryQuerySchema.parse(c.req.query());
    const db = c.get('db');
    let { rows, total } = await listDocuments(db, institution.id, query);
    // A page past the end (an old link, a hand-edited URL) shows the last page rather than an empty table.
    const last = Math.max(1, Math.ceil(total / PAGE_SIZE));
    if (query.page > last) {
      query.page = last;
      ({ rows, total } = await listDocuments(db, institution.id, query));
    }
    return c.html(
      <DocumentLibraryPage
        ctx={pageContext(c)}
        institution={institution}
        query={query}
        rows={rows}
        total={total}
        uploaders={await uploadersOf(db, institution.id)}
        texts={await textStatuses(db, rows.map((r) => r.version_id))}
        canUpload={canChangeDocuments(currentUser(c), institution.id)}
        maxBytes={c.get('deps').config.maxUploadBytes}
      />,
    );
  });

  app.post('/', async (c) => {
    const institution = await visibleInstitution(c, c.req.param('institutionId')!);
    if (!canChangeDocuments(currentUser(c), institution.id)) notFound();
    return handleUpload(c, { institutionId: institution.id, back: `/institutions/${institution.id}/documents` });
  });

  return app;
}
