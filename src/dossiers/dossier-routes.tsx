// Dossier pages: the list, the item tree with self-assessment, and the projected result.
import { Hono, type Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { z } from 'zod';
import { DossierListPage } from '../../views/dossier-list-page.tsx';
import { DossierPage } from '../../views/dossier-page.tsx';
import { ChapterProgress, ProgressBar, TreeItem } from '../../views/dossier-tree.tsx';
import { EmptyItemPanel, ItemPanel, NARRATIVE_MAX } from '../../views/item-panel.tsx';
import { Projection } from '../../views/projection.tsx';
import { recordAudit } from '../audit/audit-log.ts';
import { visibleInstitutionIds } from '../auth/scope.ts';
import type { User } from '../db/schema.ts';
import { ALL_ROLES, currentUser, notFound, requireRole } from '../http/access.ts';
import { clientIp } from '../http/client-ip.ts';
import { pageContext } from '../http/page-context.ts';
import { GRADES } from '../standards/standard-schema.ts';
import { createDossier, isEditable, listDossiers, saveSelfAssessment } from './dossier-repository.ts';
import { cachedDossierPage, forgetDossierView, loadDossierView } from './dossier-view-cache.ts';
import { findItem, type DossierView } from './dossier-view-model.ts';
import { itemEvidenceSection } from './evidence-routes.tsx';
import { TARGET_LEVELS } from './target-levels.ts';

const listQuery = z.object({
  year: z.coerce.number().int().min(2018).max(2100).optional().catch(undefined),
  state: z.enum(['draft', 'submitted', 'in_review', 'returned', 'passed', 'failed']).optional().catch(undefined),
  level: z.enum(TARGET_LEVELS as [string, ...string[]]).optional().catch(undefined),
});

const createForm = z.object({
  institution_id: z.string().min(1, '请选择机构').max(64),
  year: z.coerce.number({ message: '年度应为数字' }).int('年度应为整数').min(2018, '年度不能早于2018年').max(2100, '年度无效'),
  target_level: z.enum(['basic', 'recommended', 'community_hospital'], { message: '请选择评价等级' }),
  carry_over_from: z.string().max(64).default(''),
  purpose: z.enum(['assessment', 're_review'], { message: '请选择档案用途' }).default('assessment'),
});

const selfAssessmentForm = z.object({
  grade: z
    .string()
    .refine((g) => g === '' || (GRADES as readonly string[]).includes(g), '自评等级只能是 A、B、C、未达标，或暂不评')
    .default(''),
  narrative: z.string().max(NARRATIVE_MAX, `自评说明不能超过 ${NARRATIVE_MAX} 字`).default(''),
});

/** What c.html() sends. */
const HTML_HEADERS = { 'content-type': 'text/html; charset=UTF-8' };

function canSelfAssess(user: User): boolean {
  return user.role === 'staff' || user.role === 'head';
}

async function loadView(c: Context, id: string): Promise<DossierView> {
  const view = await loadDossierView(c.get('db'), currentUser(c), id);
  if (!view) notFound('档案');
  return view;
}

function readOnlyReason(user: User, view: DossierView): string | undefined {
  if (!canSelfAssess(user)) return '仅机构工作人员和负责人可以填写自评。';
  if (!isEditable(view.dossier)) return '档案已提交评审，自评内容不能修改。';
  return undefined;
}

export function dossierRoutes(): Hono {
  const app = new Hono();
  app.use('*', requireRole(...ALL_ROLES));

  async function creatableInstitutions(c: Context) {
    const user = currentUser(c);
    if (user.role !== 'admin' && !canSelfAssess(user)) return [];
    const db = c.get('db');
    return db.selectFrom('institutions').selectAll().where('id', 'in', visibleInstitutionIds(db, user)).orderBy('name').execute();
  }

  async function renderList(c: Context, error?: string, status: 200 | 400 | 409 = 200) {
    const q = listQuery.parse(c.req.query());
    const filters = { year: q.year, state: q.state, targetLevel: q.level as DossierView['dossier']['target_level'] | undefined };
    const rows = await listDossiers(c.get('db'), currentUser(c), filters);
    const page = (
      <DossierListPage
        ctx={pageContext(c)}
        rows={rows}
        filters={filters}
        creatable={await creatableInstitutions(c)}
        carrySources={await listDossiers(c.get('db'), currentUser(c), {})}
        defaultYear={new Date().getFullYear()}
        error={error}
      />
    );
    return c.html(page, status);
  }

  app.get('/', (c) => renderList(c));

  app.post('/', async (c) => {
    const user = currentUser(c);
    if (user.role !== 'admin' && !canSelfAssess(user)) notFound();
    const parsed = createForm.safeParse(await c.req.parseBody());
    if (!parsed.success) return renderList(c, parsed.error.issues.map((i) => i.message).join('；'), 400);
    const db = c.get('db');
    const institution = await db
      .selectFrom('institutions')
      .selectAll()
      .where('id', '=', parsed.data.institution_id)
      .where('id', 'in', visibleInstitutionIds(db, user))
      .executeTakeFirst();
    if (!institution) notFound('机构');
    const from = parsed.data.carry_over_from
      ? await db.selectFrom('dossiers').selectAll().where('id', '=', parsed.data.carry_over_from).where('institution_id', '=', institution.id).executeTakeFirst()
      : undefined;
    if (parsed.data.carry_over_from && !from) return renderList(c, '只能沿用本机构以往档案的佐证材料，请重新选择。', 400);
    if (parsed.data.purpose === 're_review' && from?.state !== 'passed') {
      return renderList(c, '“回头看”复评需要选择该机构已通过评价的档案作为依据（沿用其佐证材料，对照现行标准重新自评）。', 400);
    }
    try {
      const dossier = await createDossier(db, {
        institution,
        year: parsed.data.year,
        targetLevel: parsed.data.target_level,
        actorId: user.id,
        purpose: parsed.data.purpose,
        ...(from ? { carryOverFrom: from } : {}),
      });
      await recordAudit(db, {
        actorId: user.id,
        ip: clientIp(c),
        action: 'dossier.create',
        subjectType: 'dossier',
        subjectId: dossier.id,
        detail: { purpose: parsed.data.purpose, carried_over_from: from?.id ?? null },
      });
      return c.redirect(`/dossiers/${dossier.id}`, 303);
    } catch (err) {
      if (err instanceof HTTPException && err.status === 409) return renderList(c, err.message, 409);
      throw err;
    }
  });

  // The most-read page: served from the per-process page cache (see dossier-view-cache.ts) as bytes, with this
  // session's CSRF token spliced in; rendered only when the dossier, its institution, its evidence or the account changed.
  app.get('/:id', async (c) => {
    const user = currentUser(c);
    const page = await cachedDossierPage(c.get('db'), user, c.req.param('id'), c.get('csrfToken'), async (view, csrfToken) =>
      String(await (<DossierPage ctx={{ user, csrfToken }} view={view} panel={<EmptyItemPanel />} />)),
    );
    if (!page) notFound('档案');
    return c.body(page, 200, HTML_HEADERS);
  });

  app.get('/:id/items/:code', async (c) => {
    const user = currentUser(c);
    const view = await loadView(c, c.req.param('id'));
    const item = findItem(view, c.req.param('code'));
    if (!item) notFound('条款');
    const panel = (
      <ItemPanel
        dossierId={view.dossier.id}
        item={item}
        canEdit={canSelfAssess(user) && isEditable(view.dossier)}
        csrfToken={c.get('csrfToken')}
        readOnlyReason={readOnlyReason(user, view)}
        evidence={await itemEvidenceSection(c, view.dossier, item.node.code)}
      />
    );
    if (c.get('htmx')) return c.html(panel);
    return c.html(<DossierPage ctx={pageContext(c)} view={view} selected={item.node.code} panel={panel} />);
  });

  app.post('/:id/items/:code', async (c) => {
    const user = currentUser(c);
    const db = c.get('db');
    const id = c.req.param('id');
    const code = c.req.param('code');
    const view = await loadView(c, id);
    const item = findItem(view, code);
    if (!item) notFound('条款');
    if (!canSelfAssess(user)) notFound();
    const body = await c.req.parseBody();
    const raw = { grade: typeof body['grade'] === 'string' ? body['grade'] : '', narrative: typeof body['narrative'] === 'string' ? body['narrative'] : '' };
    const parsed = selfAssessmentForm.safeParse(raw);
    const evidence = await itemEvidenceSection(c, view.dossier, code);
    const panelFor = (v: DossierView, extra: { errors?: string[]; saved?: boolean; draft?: typeof raw }) => (
      <ItemPanel
        evidence={evidence}
        dossierId={id}
        item={findItem(v, code)!}
        canEdit={isEditable(v.dossier)}
        csrfToken={c.get('csrfToken')}
        readOnlyReason={readOnlyReason(user, v)}
        {...extra}
      />
    );
    const fail = (errors: string[], status: 400 | 409) => {
      if (c.get('htmx')) return c.html(panelFor(view, { errors, draft: raw }), status);
      return c.html(<DossierPage ctx={pageContext(c)} view={view} selected={code} panel={panelFor(view, { errors, draft: raw })} />, status);
    };
    if (!parsed.success) return fail(parsed.error.issues.map((i) => i.message), 400);
    const narrative = parsed.data.narrative.replace(/\r\n/g, '\n').trim();
    const outcome = await saveSelfAssessment(db, { dossierId: id, itemCode: code, grade: parsed.data.grade || null, narrative, actorId: user.id });
    if (outcome !== 'saved') return fail(['档案已提交评审，自评内容不能修改。'], 409);
    forgetDossierView(id);
    await recordAudit(db, {
      actorId: user.id,
      ip: clientIp(c),
      action: 'dossier.self_assess',
      subjectType: 'dossier',
      subjectId: id,
      detail: { item: code, grade: parsed.data.grade || null },
    });
    if (!c.get('htmx')) return c.redirect(`/dossiers/${id}/items/${code}`, 303);
    const fresh = await loadView(c, id);
    const freshItem = findItem(fresh, code)!;
    const chapter = fresh.chapters.find((ch) => ch.node.code === code.split('.')[0])!;
    return c.html(
      <>
        {panelFor(fresh, { saved: true })}
        <Projection view={fresh} oob />
        <TreeItem dossierId={id} item={freshItem} selected oob />
        <ChapterProgress chapter={chapter} oob />
        <ProgressBar done={fresh.graded} total={fresh.total} label="已自评" id="overall-progress" oob />
      </>,
    );
  });

  return app;
}
