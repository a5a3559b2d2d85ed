// The review state machine: submission, and each stage's decision (pass / return / fail). Every transition
// runs in one transaction with its seal and audit entry, so after a crash either all of it happened or none.
// Concurrency: each transition is a conditional UPDATE on dossiers.review_version; of two concurrent
// decisions exactly one matches, the other gets a 409 that names the decision that stood.
import { HTTPException } from 'hono/http-exception';
import type { Db } from '../db/database.ts';
import type { DecisionOutcome, Dossier, Institution, ReviewRoute, ReviewStage, User } from '../db/schema.ts';
import { recordAudit } from '../audit/audit-log.ts';
import { newId, nowIso } from '../ids.ts';
import { sealDossier } from '../seals/seal-chain.ts';
import { requestBinderBuild } from '../binder/binder-builds.ts';
import { DEFAULT_BINDER_OPTIONS } from '../binder/binder-types.ts';
import { holderRegion, routeForInstitution } from './review-route-config.ts';
import { mayActAtStage } from './review-access.ts';
import { isUniqueViolation } from '../institutions/institution-repository.ts';
import { formatMinute } from '../documents/document-labels.ts';

export const OUTCOME_LABELS: Record<DecisionOutcome, string> = { pass: '通过', return: '退回修改', fail: '不通过' };

function conflict(message: string): never {
  throw new HTTPException(409, { message });
}

function addDays(iso: string, days: number): string {
  return new Date(new Date(iso).getTime() + days * 86_400_000).toISOString();
}

async function openStage(trx: Db, dossier: Dossier, institution: Institution, stage: ReviewRoute, round: number, at: string): Promise<ReviewStage> {
  const row: ReviewStage = {
    id: newId('st'),
    dossier_id: dossier.id,
    round,
    position: stage.position,
    region_level: stage.region_level,
    region_code: await holderRegion(trx, institution, stage.region_level),
    label: stage.label,
    state: 'active',
    opened_at: at,
    deadline: addDays(at, stage.deadline_days),
    closed_at: null,
  };
  await trx.insertInto('review_stages').values(row).execute();
  return row;
}

/** Moves the dossier on, or fails with 409 when someone else moved it first (review_version changed). */
async function transition(trx: Db, dossier: Dossier, set: Partial<Pick<Dossier, 'state' | 'stage' | 'round' | 'submitted_at' | 'decided_at'>>, at: string): Promise<void> {
  const res = await trx
    .updateTable('dossiers')
    .set({ ...set, review_version: dossier.review_version + 1, updated_at: at })
    .where('id', '=', dossier.id)
    .where('review_version', '=', dossier.review_version)
    .executeTakeFirst();
  if (Number(res.numUpdatedRows) !== 1) await explainConflict(trx, dossier.id);
}

async function explainConflict(db: Db, dossierId: string): Promise<never> {
  const last = await db
    .selectFrom('decisions')
    .innerJoin('users', 'users.id', 'decisions.decided_by')
    .select(['decisions.outcome', 'decisions.decided_at', 'users.display_name'])
    .where('dossier_id', '=', dossierId)
    .orderBy('decided_at', 'desc')
    .executeTakeFirst();
  if (last) {
    conflict(`该档案刚刚已由${last.display_name}于 ${formatMinute(last.decided_at)} 作出决定（${OUTCOME_LABELS[last.outcome]}），您的操作未保存。请刷新页面查看最新状态。`);
  }
  conflict('该档案的状态刚刚已被他人更改（例如已提交），您的操作未保存。请刷新页面查看最新状态。');
}

/** Every seal gets the binder of the sealed state (built in the background, deterministic) for its archive. */
async function sealBinder(trx: Db, dossierId: string, userId: string): Promise<string> {
  return (await requestBinderBuild(trx, { dossierId, options: DEFAULT_BINDER_OPTIONS, userId })).id;
}

export interface SubmitArgs {
  user: User;
  dossier: Dossier;
  institution: Institution;
  ip: string;
}

/** Submission by the institution head: pins the evidence versions judged, opens the first stage, seals. */
export async function submitDossier(db: Db, a: SubmitArgs): Promise<ReviewStage> {
  const route = await routeForInstitution(db, a.institution, a.dossier.target_level);
  const first = route[0];
  if (!first) conflict('没有为该评价等级配置审核流程，请联系管理员。');
  return db.transaction().execute(async (trx) => {
    const at = nowIso();
    const round = a.dossier.submitted_at ? a.dossier.round + 1 : a.dossier.round;
    if (a.dossier.state !== 'draft' && a.dossier.state !== 'returned') await explainConflict(trx, a.dossier.id);
    await transition(trx, a.dossier, { state: 'in_review', stage: first.position, round, submitted_at: at }, at);
    await pinEvidenceVersions(trx, a.dossier.id);
    const stage = await openStage(trx, a.dossier, a.institution, first, round, at);
    await sealDossier(trx, { dossierId: a.dossier.id, event: 'submit', decisionId: null, actorId: a.user.id, at, binderBuildId: await sealBinder(trx, a.dossier.id, a.user.id) });
    await recordAudit(trx, { actorId: a.user.id, ip: a.ip, action: 'dossier.submit', subjectType: 'dossier', subjectId: a.dossier.id, detail: { round, stage: stage.label } });
    return stage;
  });
}

/** Links that follow the document's current version are pinned to it: the judged version. */
async function pinEvidenceVersions(trx: Db, dossierId: string): Promise<void> {
  const links = await trx
    .selectFrom('item_evidence')
    .innerJoin('documents', 'documents.id', 'item_evidence.document_id')
    .select(['item_evidence.id', 'documents.current_version_id'])
    .where('item_evidence.dossier_id', '=', dossierId)
    .where('item_evidence.version_id', 'is', null)
    .execute();
  for (const l of links) await trx.updateTable('item_evidence').set({ version_id: l.current_version_id }).where('id', '=', l.id).execute();
}

/** Back with the institution: links follow the documents' current versions again, so fixes show up. */
async function unpinEvidenceVersions(trx: Db, dossierId: string): Promise<void> {
  await trx.updateTable('item_evidence').set({ version_id: null }).where('dossier_id', '=', dossierId).execute();
}

export interface DecideArgs {
  user: User;
  dossier: Dossier;
  institution: Institution;
  /** The stage the reviewer saw, and the dossier version the form was rendered from. */
  stageId: string;
  expectedVersion: number;
  outcome: DecisionOutcome;
  reasons: string;
  items: string[];
  ip: string;
}

export async function decide(db: Db, a: DecideArgs): Promise<{ decisionId: string; next: ReviewStage | null }> {
  const route = await routeForInstitution(db, a.institution, a.dossier.target_level);
  try {
    return await db.transaction().execute(async (trx) => {
      const dossier = await trx.selectFrom('dossiers').selectAll().where('id', '=', a.dossier.id).executeTakeFirstOrThrow();
      const stage = await trx.selectFrom('review_stages').selectAll().where('id', '=', a.stageId).where('dossier_id', '=', dossier.id).executeTakeFirst();
      if (dossier.review_version !== a.expectedVersion || !stage || stage.state !== 'active') return explainConflict(trx, dossier.id);
      if (a.user.role === 'expert' || !(await mayActAtStage(trx, a.user, stage))) throw new HTTPException(404, { message: '页面不存在或您无权操作。' });
      const at = nowIso();
      const pos = stage.position;
      const following = route.find((r) => r.position > pos);
      const previous = [...route].reverse().find((r) => r.position < pos);
      // The conditional UPDATE comes first: it takes the row lock, so a concurrent decision waits here and
      // then finds the version changed.
      let reopen: ReviewRoute | undefined;
      if (a.outcome === 'pass' && following) {
        await transition(trx, dossier, { stage: following.position }, at);
        reopen = following;
      } else if (a.outcome === 'pass') {
        await transition(trx, dossier, { state: 'passed', stage: null, decided_at: at }, at);
      } else if (a.outcome === 'return' && previous) {
        // Back to the previous holder (e.g. the city returns to the county).
        await transition(trx, dossier, { stage: previous.position }, at);
        reopen = previous;
      } else if (a.outcome === 'return') {
        await transition(trx, dossier, { state: 'returned', stage: null }, at);
        await unpinEvidenceVersions(trx, dossier.id);
      } else {
        // 不通过: returned level by level to the institution; no new application for six months.
        await transition(trx, dossier, { state: 'failed', stage: null, decided_at: at }, at);
      }
      const decisionId = newId('dc');
      await trx
        .insertInto('decisions')
        .values({
          id: decisionId,
          dossier_id: dossier.id,
          stage_id: stage.id,
          round: stage.round,
          position: pos,
          outcome: a.outcome,
          reasons: a.reasons,
          items_json: JSON.stringify(a.items),
          decided_by: a.user.id,
          decided_at: at,
        })
        .execute();
      const closed = a.outcome === 'pass' ? 'passed' : a.outcome === 'return' ? 'returned' : 'failed';
      await trx.updateTable('review_stages').set({ state: closed, closed_at: at }).where('id', '=', stage.id).execute();
      const next = reopen ? await openStage(trx, dossier, a.institution, reopen, stage.round, at) : null;
      await sealDossier(trx, { dossierId: dossier.id, event: a.outcome, decisionId, actorId: a.user.id, at, binderBuildId: await sealBinder(trx, dossier.id, a.user.id) });
      await recordAudit(trx, {
        actorId: a.user.id,
        ip: a.ip,
        action: `dossier.decide.${a.outcome}`,
        subjectType: 'dossier',
        subjectId: dossier.id,
        detail: { stage: stage.label, round: stage.round, items: a.items, next: next?.label ?? null },
      });
      return { decisionId, next };
    });
  } catch (err) {
    // A concurrent decision that got past the version check (cannot happen with the row lock, but the unique
    // constraints are the last line): report it like any other conflict.
    if (isUniqueViolation(err)) return explainConflict(db, a.dossier.id);
    throw err;
  }
}
