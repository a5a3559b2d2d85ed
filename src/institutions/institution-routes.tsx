// Institution pages: the list, the profile (推荐表 fields and the institution's dossiers), the form, and
// the CSV import. Scope comes from the queries: an institution outside the account's scope is a 404.
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { InstitutionFormPage } from '../../views/institution-form-page.tsx';
import { InstitutionImportPage } from '../../views/institution-import-page.tsx';
import { InstitutionListPage } from '../../views/institution-list-page.tsx';
import { InstitutionPage } from '../../views/institution-page.tsx';
import { recordAudit } from '../audit/audit-log.ts';
import type { User } from '../db/schema.ts';
import { listDossiers } from '../dossiers/dossier-repository.ts';
import { ALL_ROLES, currentUser, notFound, requireRole } from '../http/access.ts';
import { clientIp } from '../http/client-ip.ts';
import { pageContext } from '../http/page-context.ts';
import { importInstitutions, institutionCsvTemplate, MAX_IMPORT_BYTES } from './institution-csv-import.ts';
import {
  createInstitution,
  changedFields,
  findInstitution,
  InstitutionConflictError,
  type InstitutionRow,
  isVisibleCounty,
  listInstitutions,
  updateInstitution,
  visibleCounties,
} from './institution-repository.ts';
import {
  fieldErrors,
  type FieldErrors,
  INSTITUTION_FIELDS,
  INSTITUTION_KINDS,
  institutionSchema,
  type InstitutionValues,
  valuesToForm,
} from './institution-schema.ts';

const LIST_LIMIT = 500;

const listQuery = z.object({
  q: z.string().trim().max(100).optional().catch(undefined),
  county: z.string().regex(/^\d{6}$/).optional().catch(undefined),
  kind: z.enum(INSTITUTION_KINDS).optional().catch(undefined),
});

const isAdmin = (user: User): boolean => user.role === 'admin';

/** Admins edit any institution in scope; a head edits only their own. */
function canEdit(user: User, institutionId: string): boolean {
  return isAdmin(user) || (user.role === 'head' && user.institution_id === institutionId);
}

type FormResult = { ok: true; values: InstitutionValues; raw: Record<string, string> } | { ok: false; errors: FieldErrors; raw: Record<string, string> };

/** Validates the submitted form, including that the county is one the account may use. */
async function readForm(c: Context, user: User): Promise<FormResult> {
  const body = await c.req.parseBody();
  const raw: Record<string, string> = {};
  const input: Record<string, unknown> = {};
  for (const f of INSTITUTION_FIELDS) {
    const v = body[f.key];
    input[f.key] = v;
    raw[f.key] = typeof v === 'string' ? v : '';
  }
  const parsed = institutionSchema.safeParse(input);
  if (!parsed.success) return { ok: false, errors: fieldErrors(parsed.error), raw };
  if (!(await isVisibleCounty(c.get('db'), user, parsed.data.county_code))) {
    return { ok: false, errors: { county_code: '请选择您管理范围内的县（区）' }, raw };
  }
  return { ok: true, values: parsed.data, raw };
}

export function institutionRoutes(): Hono {
  const app = new Hono();
  app.use('*', requireRole(...ALL_ROLES));

  async function renderForm(
    c: Context,
    institution: InstitutionRow | null,
    values: Record<string, string>,
    extra: { errors?: FieldErrors; error?: string } = {},
    status: 200 | 400 | 409 = 200,
  ) {
    const db = c.get('db');
    const counties = await visibleCounties(db, currentUser(c));
    return c.html(
      <InstitutionFormPage
        ctx={pageContext(c)}
        institution={institution && { id: institution.id, name: institution.name }}
        values={values}
        counties={counties}
        {...extra}
      />,
      status,
    );
  }

  /** The institution, when the account may edit it; otherwise 404 (whether or not it exists). */
  async function editable(c: Context, id: string): Promise<InstitutionRow> {
    const user = currentUser(c);
    const inst = await findInstitution(c.get('db'), user, id);
    if (!inst || !canEdit(user, inst.id)) notFound('机构');
    return inst;
  }

  // ---- list ------------------------------------------------------------------------------------------

  app.get('/', async (c) => {
    const user = currentUser(c);
    const db = c.get('db');
    const q = listQuery.parse(c.req.query());
    const filters = { q: q.q || undefined, countyCode: q.county, kind: q.kind };
    const rows = await listInstitutions(db, user, { ...filters, limit: LIST_LIMIT + 1 });
    return c.html(
      <InstitutionListPage
        ctx={pageContext(c)}
        rows={rows.slice(0, LIST_LIMIT)}
        truncated={rows.length > LIST_LIMIT}
        filters={filters}
        counties={await visibleCounties(db, user)}
        canCreate={isAdmin(user)}
        canEdit={(r) => canEdit(user, r.id)}
      />,
    );
  });

  // ---- create (admin) --------------------------------------------------------------------------------

  app.get('/new', requireRole('admin'), (c) => renderForm(c, null, valuesToForm({ kind: 'township' })));

  app.post('/', requireRole('admin'), async (c) => {
    const user = currentUser(c);
    const db = c.get('db');
    const form = await readForm(c, user);
    if (!form.ok) return renderForm(c, null, form.raw, { errors: form.errors }, 400);
    try {
      const inst = await db.transaction().execute(async (trx) => {
        const row = await createInstitution(trx, form.values);
        await recordAudit(trx, {
          actorId: user.id,
          ip: clientIp(c),
          action: 'institution.create',
          subjectType: 'institution',
          subjectId: row.id,
          detail: { name: row.name, county_code: row.county_code },
        });
        return row;
      });
      return c.redirect(`/institutions/${inst.id}?saved=1`, 303);
    } catch (err) {
      if (err instanceof InstitutionConflictError) return renderForm(c, null, form.raw, { errors: { name: err.message } }, 409);
      throw err;
    }
  });

  // ---- CSV import (admin) ----------------------------------------------------------------------------

  app.get('/import', requireRole('admin'), (c) => c.html(<InstitutionImportPage ctx={pageContext(c)} />));

  app.get('/import/template.csv', requireRole('admin'), (c) =>
    c.body(institutionCsvTemplate(), 200, {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="institutions.csv"; filename*=UTF-8''${encodeURIComponent('机构导入模板.csv')}`,
    }),
  );

  app.post('/import', requireRole('admin'), async (c) => {
    const user = currentUser(c);
    const ctx = pageContext(c);
    const body = await c.req.parseBody();
    const file = body['file'];
    const fail = (message: string, fileName?: string) =>
      c.html(<InstitutionImportPage ctx={ctx} errors={[{ row: null, message }]} fileName={fileName} />, 400);
    if (file === undefined || typeof file === 'string' || (file.size === 0 && file.name === '')) {
      return fail('请选择要导入的 CSV 文件。');
    }
    if (file.size > MAX_IMPORT_BYTES) {
      return fail(`文件过大（${(file.size / 1024 / 1024).toFixed(1)} MB），上限为 2 MB。请分成几个文件导入。`, file.name);
    }
    const bytes = new Uint8Array(await file.arrayBuffer());
    const result = await importInstitutions(c.get('db'), user, bytes, { ip: clientIp(c) });
    if (!result.ok) return c.html(<InstitutionImportPage ctx={ctx} errors={result.errors} fileName={file.name} />, 400);
    return c.html(<InstitutionImportPage ctx={ctx} imported={result.count} />);
  });

  // ---- profile ---------------------------------------------------------------------------------------

  app.get('/:id', async (c) => {
    const user = currentUser(c);
    const db = c.get('db');
    const inst = await findInstitution(db, user, c.req.param('id'));
    if (!inst) notFound('机构');
    const dossiers = await listDossiers(db, user, { institutionId: inst.id });
    return c.html(
      <InstitutionPage
        ctx={pageContext(c)}
        institution={inst}
        dossiers={dossiers}
        canEdit={canEdit(user, inst.id)}
        saved={c.req.query('saved') === '1'}
      />,
    );
  });

  // ---- edit (admin, or the institution's own head) ---------------------------------------------------

  app.get('/:id/edit', async (c) => {
    const inst = await editable(c, c.req.param('id'));
    return renderForm(c, inst, valuesToForm(inst));
  });

  app.post('/:id', async (c) => {
    const user = currentUser(c);
    const db = c.get('db');
    const inst = await editable(c, c.req.param('id'));
    const form = await readForm(c, user);
    if (!form.ok) return renderForm(c, inst, form.raw, { errors: form.errors }, 400);
    // A dossier is built on the standard for its institution's kind: once one exists, the kind is fixed.
    if (form.values.kind !== inst.kind) {
      const dossier = await db.selectFrom('dossiers').select('id').where('institution_id', '=', inst.id).executeTakeFirst();
      if (dossier) return renderForm(c, inst, form.raw, { errors: { kind: '该机构已有评价档案，档案按机构类型对应的能力标准建立，不能再修改机构类型。' } }, 409);
    }
    try {
      const result = await db.transaction().execute(async (trx) => {
        const res = await updateInstitution(trx, inst.id, form.values);
        if (!res) return null;
        await recordAudit(trx, {
          actorId: user.id,
          ip: clientIp(c),
          action: 'institution.update',
          subjectType: 'institution',
          subjectId: inst.id,
          detail: { changed: changedFields(res.before, res.after) },
        });
        return res;
      });
      if (!result) notFound('机构');
      return c.redirect(`/institutions/${inst.id}?saved=1`, 303);
    } catch (err) {
      if (err instanceof InstitutionConflictError) return renderForm(c, inst, form.raw, { errors: { name: err.message } }, 409);
      throw err;
    }
  });

  return app;
}
