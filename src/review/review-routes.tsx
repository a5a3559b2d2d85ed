// Review pages: the reviewer's inbox, the dossier's review tab, submission, per-item review grades,
// expert assignment, decisions and the reviewer pack (PDF). Scope: reviewAccess (404 outside it); acting needs
// the active stage.
import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { Hono, type Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { z } from 'zod';
import { ReviewInboxPage } from '../../views/review-inbox-page.tsx';
import { ReviewItemRow, ReviewPage, type EvidenceLink, type ReviewPageProps } from '../../views/review-page.tsx';
import { recordAudit } from '../audit/audit-log.ts';
import { forgetDossierView, loadDossierView } from '../dossiers/dossier-view-cache.ts';
import { findItem, type DossierView } from '../dossiers/dossier-view-model.ts';
import type { Db } from '../db/database.ts';
import type { User } from '../db/schema.ts';
import { ALL_ROLES, currentUser, notFound, requireRole } from '../http/access.ts';
import { clientIp } from '../http/client-ip.ts';
import { pageContext } from '../http/page-context.ts';
import { contentDisposition } from '../http/send-blob.ts';
import { isUniqueViolation } from '../institutions/institution-repository.ts';
import { GRADES } from '../standards/standard-schema.ts';
import { isInstitutionUser, reviewAccess, reviewLevelOf, type ReviewAccess } from './review-access.ts';
import { assignableExperts, loadReviewHistory, recentDecisionsBy, reviewInbox, saveReviewGrade } from './review-repository.ts';
import { routeForInstitution } from './review-route-config.ts';
import { inPackQueue, renderReviewerPack } from './reviewer-pack.ts';
import { decide, submitDossier } from './review-workflow.ts';
import { submissionBlockers } from './submission-precheck.ts';

const versionField = z.coerce.number().int().min(0);

const decisionForm = z
  .object({
    stage_id: z.string().min(1).max(64),
    review_version: versionField,
    outcome: z.enum(['pass', 'return', 'fail'], { message: '请选择结论：通过、退回修改或不通过。' }),
    reasons: z.string().max(4000, '意见不能超过 4000 字。').default(''),
    items: z.string().max(4000).default(''),
  })
  .refine((f) => f.outcome === 'pass' || f.reasons.trim().length > 0, { message: '退回修改或不通过时必须填写意见与理由。', path: ['reasons'] });

const gradeForm = z.object({
  grade: z.string().refine((g) => g === '' || (GRADES as readonly string[]).includes(g), '评审等级只能是 A、B、C、未达标。').default(''),
  note: z.string().max(2000, '评审意见不能超过 2000 字。').default(''),
  onsite_finding: z.string().max(2000, '现场复核发现不能超过 2000 字。').default(''),
});

function formValues(body: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(body)) if (typeof v === 'string') out[k] = v;
  return out;
}

async function evidenceByItem(db: Db, dossierId: string): Promise<Map<string, EvidenceLink[]>> {
  const rows = await db
    .selectFrom('item_evidence')
    .innerJoin('documents', 'documents.id', 'item_evidence.document_id')
    .select(['item_evidence.item_code', 'item_evidence.document_id', 'documents.title'])
    .where('item_evidence.dossier_id', '=', dossierId)
    .orderBy('item_evidence.item_code')
    .orderBy('item_evidence.position')
    .execute();
  const map = new Map<string, EvidenceLink[]>();
  for (const r of rows) {
    const list = map.get(r.item_code) ?? [];
    list.push({ document_id: r.document_id, title: r.title });
    map.set(r.item_code, list);
  }
  return map;
}

async function loadAll(c: Context): Promise<{ view: DossierView; access: ReviewAccess }> {
  const db = c.get('db');
  const user = currentUser(c);
  const id = c.req.param('id') ?? '';
  const access = await reviewAccess(db, user, id);
  const view = access && (await loadDossierView(db, user, id));
  if (!access || !view) notFound('档案');
  return { view, access };
}

async function pageProps(c: Context, flash?: ReviewPageProps['flash']): Promise<ReviewPageProps> {
  const db = c.get('db');
  const user = currentUser(c);
  const { view, access } = await loadAll(c);
  const institutionSide = isInstitutionUser(user, view.dossier);
  return {
    ctx: pageContext(c),
    view,
    access,
    route: await routeForInstitution(db, view.institution, view.dossier.target_level),
    history: await loadReviewHistory(db, view.dossier.id),
    blockers: institutionSide && (view.dossier.state === 'draft' || view.dossier.state === 'returned') ? await submissionBlockers(db, view) : null,
    canSubmit: institutionSide && user.role === 'head',
    evidence: await evidenceByItem(db, view.dossier.id),
    expertChoices: access.canReview ? await assignableExperts(db, view.institution.county_code) : [],
    ...(flash ? { flash } : {}),
  };
}

export function reviewRoutes(): Hono {
  // Mounted at '/': no app.use('*') here, it would guard every path of the app.
  const app = new Hono();
  const signedIn = requireRole(...ALL_ROLES);

  app.get('/review', requireRole('county_reviewer', 'city_reviewer', 'province_reviewer', 'expert'), async (c) => {
    const user = currentUser(c);
    const db = c.get('db');
    return c.html(<ReviewInboxPage ctx={pageContext(c)} rows={await reviewInbox(db, user)} recent={await recentDecisionsBy(db, user.id)} now={new Date().toISOString()} />);
  });

  app.get('/dossiers/:id/review', signedIn, async (c) => {
    const flash = c.req.query('done');
    const messages: Record<string, string> = {
      submitted: '档案已提交评审并已封存。',
      pass: '已作出“通过”决定，档案已封存。',
      return: '已退回修改，档案已封存。',
      fail: '已作出“不通过”决定，档案已封存。',
      expert: '已指派专家。',
    };
    return c.html(<ReviewPage {...await pageProps(c, flash && messages[flash] ? { kind: 'ok', message: messages[flash] } : undefined)} />);
  });

  // The reviewer pack: summary + binder as one PDF, rendered in the request (one at a time per process) into a
  // temporary directory that is removed once the download ends or is abandoned.
  app.get('/dossiers/:id/review/pack.pdf', signedIn, async (c) => {
    const user = currentUser(c);
    const db = c.get('db');
    const { view } = await loadAll(c);
    const { config, store } = c.get('deps');
    const headers = {
      'content-type': 'application/pdf',
      'content-disposition': contentDisposition('attachment', `${view.institution.name}-${view.dossier.year}-审核材料.pdf`),
      'cache-control': 'private, no-store',
      'x-content-type-options': 'nosniff',
    };
    // ?stage=… : the pack as of another stage of the dossier (default: the active one, else the latest).
    const stageId = c.req.query('stage');
    if (stageId !== undefined) {
      const known = stageId.length <= 64 && (await db.selectFrom('review_stages').select('id').where('id', '=', stageId).where('dossier_id', '=', view.dossier.id).executeTakeFirst());
      if (!known) notFound('审核环节');
    }
    if (c.req.raw.method === 'HEAD') return c.body(null, 200, headers);
    const tmpRoot = path.join(config.dataDir, 'tmp');
    await mkdir(tmpRoot, { recursive: true });
    const dir = await mkdtemp(path.join(tmpRoot, 'review-pack-'));
    const cleanup = () =>
      rm(dir, { recursive: true, force: true }).catch((err: unknown) => console.error(`[review-pack] could not remove ${dir}: ${(err as Error).message}`));
    const signal = c.req.raw.signal;
    let pack;
    try {
      // A client that left while waiting for its turn gets nothing rendered.
      pack = await inPackQueue(async () =>
        signal.aborted
          ? null
          : renderReviewerPack({ db, store }, { dossierId: view.dossier.id, ...(stageId ? { stageId } : {}), outPath: path.join(dir, 'pack.pdf'), workDir: dir }),
      );
    } catch (err) {
      await cleanup();
      throw err;
    }
    if (!pack) {
      await cleanup();
      return c.body(null, 204);
    }
    await recordAudit(db, {
      actorId: user.id,
      ip: clientIp(c),
      action: 'review.pack',
      subjectType: 'dossier',
      subjectId: view.dossier.id,
      detail: { stage: pack.stageLabel, pages: pack.pageCount, sha256: pack.sha256 },
    });
    const stream = createReadStream(pack.path);
    // 'close' follows the end, an error and a destroy (the client went away: the web stream is cancelled).
    stream.once('close', () => void cleanup());
    if (signal.aborted) stream.destroy();
    else signal.addEventListener('abort', () => stream.destroy(), { once: true });
    return c.body(Readable.toWeb(stream) as ReadableStream, 200, { ...headers, 'content-length': String(pack.size) });
  });

  app.post('/dossiers/:id/submit', signedIn, async (c) => {
    const user = currentUser(c);
    const db = c.get('db');
    const { view } = await loadAll(c);
    if (!isInstitutionUser(user, view.dossier) || user.role !== 'head') notFound();
    const body = formValues(await c.req.parseBody());
    const version = versionField.safeParse(body['review_version']);
    const fail = async (status: 400 | 409, message: string) => c.html(<ReviewPage {...await pageProps(c, { kind: 'error', message })} />, status);
    if (!version.success || version.data !== view.dossier.review_version) {
      return fail(409, view.dossier.state === 'in_review' ? '档案已经提交，正在评审中，无需重复提交。' : '档案状态已变化，请查看最新状态后再操作。');
    }
    const blockers = await submissionBlockers(db, view);
    if (blockers.length > 0) return fail(400, `还有 ${blockers.length} 个问题需要先处理，档案未提交。`);
    try {
      await submitDossier(db, { user, dossier: view.dossier, institution: view.institution, ip: clientIp(c) });
    } catch (err) {
      if (err instanceof HTTPException && err.status === 409) return fail(409, err.message);
      throw err;
    } finally {
      forgetDossierView(view.dossier.id);
    }
    return c.redirect(`/dossiers/${view.dossier.id}/review?done=submitted`, 303);
  });

  app.post('/dossiers/:id/review/items/:code', signedIn, async (c) => {
    const user = currentUser(c);
    const db = c.get('db');
    const props = await pageProps(c);
    const item = findItem(props.view, c.req.param('code'));
    if (!item) notFound('条款');
    const stage = props.access.activeStage;
    if (!props.access.canReview || !stage) notFound();
    const parsed = gradeForm.safeParse(formValues(await c.req.parseBody()));
    const row = (extra: { saved?: boolean; error?: string }, p = props) => <ReviewItemRow props={p} item={item} {...extra} />;
    if (!parsed.success) return c.html(row({ error: parsed.error.issues.map((i) => i.message).join(' ') }), 400);
    const empty = !parsed.data.grade && !parsed.data.note.trim() && !parsed.data.onsite_finding.trim();
    if (empty) {
      // Nothing entered and nothing to clear: no record, no audit entry, and no "已保存" for nothing.
      const existing = await db
        .selectFrom('review_grades')
        .select('item_code')
        .where('dossier_id', '=', props.view.dossier.id)
        .where('round', '=', stage.round)
        .where('position', '=', stage.position)
        .where('item_code', '=', item.node.code)
        .executeTakeFirst();
      if (!existing) {
        if (!c.get('htmx')) return c.redirect(`/dossiers/${props.view.dossier.id}/review#rv-${item.node.code.replaceAll('.', '-')}`, 303);
        return c.html(row({ error: '请先选择评审等级或填写意见。' }), 400);
      }
    }
    await saveReviewGrade(db, {
      dossierId: props.view.dossier.id,
      round: stage.round,
      position: stage.position,
      itemCode: item.node.code,
      grade: parsed.data.grade || null,
      note: parsed.data.note.trim(),
      onsite: parsed.data.onsite_finding.trim(),
      reviewerId: user.id,
    });
    await recordAudit(db, {
      actorId: user.id,
      ip: clientIp(c),
      action: 'review.grade',
      subjectType: 'dossier',
      subjectId: props.view.dossier.id,
      detail: { item: item.node.code, grade: parsed.data.grade || null, stage: stage.label },
    });
    const fresh = await pageProps(c);
    if (!c.get('htmx')) return c.redirect(`/dossiers/${props.view.dossier.id}/review#rv-${item.node.code.replaceAll('.', '-')}`, 303);
    return c.html(row({ saved: true }, fresh));
  });

  app.post('/dossiers/:id/review/experts', signedIn, async (c) => {
    const user = currentUser(c);
    const db = c.get('db');
    const { view, access } = await loadAll(c);
    if (!access.canReview || user.role === 'expert') notFound();
    const userId = formValues(await c.req.parseBody())['user_id'] ?? '';
    const choices = await assignableExperts(db, view.institution.county_code);
    if (!choices.some((e) => e.id === userId)) return c.html(<ReviewPage {...await pageProps(c, { kind: 'error', message: '请选择可以查看本机构档案的评审专家。' })} />, 400);
    try {
      await db.insertInto('review_assignments').values({ dossier_id: view.dossier.id, user_id: userId, assigned_by: user.id, created_at: new Date().toISOString() }).execute();
    } catch (err) {
      if (!isUniqueViolation(err)) throw err; // already assigned: nothing to do
    }
    await recordAudit(db, { actorId: user.id, ip: clientIp(c), action: 'review.assign_expert', subjectType: 'dossier', subjectId: view.dossier.id, detail: { expert: userId } });
    return c.redirect(`/dossiers/${view.dossier.id}/review?done=expert`, 303);
  });

  app.post('/dossiers/:id/review/decision', signedIn, async (c) => {
    const user = currentUser(c);
    const db = c.get('db');
    const { view, access } = await loadAll(c);
    // Experts grade and annotate; the stage's own reviewers decide.
    if (user.role === 'expert' || (!access.canReview && !(await wasReviewerHere(db, user, view.dossier.id)))) notFound();
    const form = formValues(await c.req.parseBody());
    // A refused form comes back as entered; after a conflict (another decision stood) there is nothing to keep.
    const draft = { outcome: form['outcome'] ?? '', reasons: form['reasons'] ?? '', items: form['items'] ?? '' };
    const fail = async (status: 400 | 409, message: string) =>
      c.html(<ReviewPage {...await pageProps(c, { kind: 'error', message })} {...(status === 400 ? { decisionDraft: draft } : {})} />, status);
    const parsed = decisionForm.safeParse(form);
    if (!parsed.success) return fail(400, parsed.error.issues.map((i) => i.message).join(' '));
    const items = [...new Set(parsed.data.items.split(/[\s,，、;；]+/).filter(Boolean))];
    const unknown = items.filter((code) => !findItem(view, code));
    if (unknown.length > 0) return fail(400, `条款号不存在：${unknown.join('、')}。`);
    try {
      await decide(db, {
        user,
        dossier: view.dossier,
        institution: view.institution,
        stageId: parsed.data.stage_id,
        expectedVersion: parsed.data.review_version,
        outcome: parsed.data.outcome,
        reasons: parsed.data.reasons.trim(),
        items,
        ip: clientIp(c),
      });
    } catch (err) {
      if (err instanceof HTTPException && err.status === 409) return fail(409, err.message);
      throw err;
    } finally {
      forgetDossierView(view.dossier.id);
    }
    return c.redirect(`/dossiers/${view.dossier.id}/review?done=${parsed.data.outcome}`, 303);
  });

  return app;
}

/** A reviewer whose stage just moved on still gets the "someone decided first" message, not a 404. */
async function wasReviewerHere(db: Db, user: User, dossierId: string): Promise<boolean> {
  const level = reviewLevelOf(user.role);
  if (!level) return false;
  const stage = await db
    .selectFrom('review_stages')
    .select('id')
    .where('dossier_id', '=', dossierId)
    .where('region_level', '=', level)
    .where('region_code', '=', user.region_code ?? '')
    .executeTakeFirst();
  return Boolean(stage);
}
