// Dossiers and their self-assessment rows. Every read is scoped to what the account may see.
import { HTTPException } from 'hono/http-exception';
import type { Db } from '../db/database.ts';
import type { Dossier, DossierItem, Institution, TargetLevel, User } from '../db/schema.ts';
import { newId, nowIso } from '../ids.ts';
import { visibleInstitutionIds } from '../auth/scope.ts';
import { currentStandardFor, loadStandard } from '../standards/standard-repository.ts';
import { matchesFilter } from '../standards/level-rules.ts';
import { levelForTarget } from './target-levels.ts';

export interface DossierListRow {
  id: string;
  year: number;
  target_level: TargetLevel;
  state: Dossier['state'];
  updated_at: string;
  institution_id: string;
  institution_name: string;
  institution_kind: string;
  county_code: string;
  county_name: string;
  standard_id: string;
  total_items: number;
  graded_items: number;
}

export interface DossierFilters {
  year?: number;
  state?: Dossier['state'];
  targetLevel?: TargetLevel;
  institutionId?: string;
}

export async function listDossiers(db: Db, user: User, f: DossierFilters = {}): Promise<DossierListRow[]> {
  let q = db
    .selectFrom('dossiers')
    .innerJoin('institutions', 'institutions.id', 'dossiers.institution_id')
    .innerJoin('regions', 'regions.code', 'institutions.county_code')
    .select((eb) => [
      'dossiers.id',
      'dossiers.year',
      'dossiers.target_level',
      'dossiers.state',
      'dossiers.updated_at',
      'dossiers.standard_id',
      'institutions.id as institution_id',
      'institutions.name as institution_name',
      'institutions.kind as institution_kind',
      'institutions.county_code',
      'regions.name as county_name',
      eb.selectFrom('dossier_items').select((e) => e.fn.countAll<number>().as('n')).whereRef('dossier_items.dossier_id', '=', 'dossiers.id').as('total_items'),
      eb
        .selectFrom('dossier_items')
        .select((e) => e.fn.countAll<number>().as('n'))
        .whereRef('dossier_items.dossier_id', '=', 'dossiers.id')
        .where('dossier_items.self_grade', 'is not', null)
        .as('graded_items'),
    ])
    .where('dossiers.institution_id', 'in', visibleInstitutionIds(db, user));
  if (f.year) q = q.where('dossiers.year', '=', f.year);
  if (f.state) q = q.where('dossiers.state', '=', f.state);
  if (f.targetLevel) q = q.where('dossiers.target_level', '=', f.targetLevel);
  if (f.institutionId) q = q.where('dossiers.institution_id', '=', f.institutionId);
  const rows = await q.orderBy('dossiers.year', 'desc').orderBy('institutions.name').orderBy('dossiers.target_level').execute();
  // Postgres returns count(*) as a string.
  return rows.map((r) => ({ ...r, total_items: Number(r.total_items ?? 0), graded_items: Number(r.graded_items ?? 0) }));
}

export async function findDossier(db: Db, user: User, id: string): Promise<{ dossier: Dossier; institution: Institution } | null> {
  if (id.length > 64) return null;
  const dossier = await db
    .selectFrom('dossiers')
    .selectAll()
    .where('id', '=', id)
    .where('institution_id', 'in', visibleInstitutionIds(db, user))
    .executeTakeFirst();
  if (!dossier) return null;
  const institution = await db.selectFrom('institutions').selectAll().where('id', '=', dossier.institution_id).executeTakeFirstOrThrow();
  return { dossier, institution };
}

export async function dossierItems(db: Db, dossierId: string): Promise<Map<string, DossierItem>> {
  const rows = await db.selectFrom('dossier_items').selectAll().where('dossier_id', '=', dossierId).execute();
  return new Map(rows.map((r) => [r.item_code, r]));
}

/** States in which the institution may still change its self-assessment. */
export function isEditable(d: Dossier): boolean {
  return d.state === 'draft' || d.state === 'returned';
}

export async function createDossier(
  db: Db,
  args: {
    institution: Institution;
    year: number;
    targetLevel: TargetLevel;
    actorId: string;
    /** An earlier dossier of the same institution whose evidence links are carried over (matching item codes). */
    carryOverFrom?: Dossier;
    purpose?: Dossier['purpose'];
  },
): Promise<Dossier> {
  const kind = args.targetLevel === 'community_hospital' ? 'community_hospital' : args.institution.kind;
  const standardRow = await currentStandardFor(db, kind);
  if (!standardRow) throw new HTTPException(409, { message: '系统中没有适用于该机构类型的能力标准，请先导入标准。' });
  const std = await loadStandard(db, standardRow.id);
  const level = std && levelForTarget(std.rules.levels, args.targetLevel);
  if (!std || !level) throw new HTTPException(409, { message: `标准 ${standardRow.title} 没有定义${args.targetLevel}的评价规则。` });
  const items = std.nodes.filter(
    (n) => n.depth === 3 && matchesFilter({ code: n.code, core: n.core === 1, tier: n.tier ?? 'basic' }, level.scope),
  );
  const now = nowIso();
  const dossier: Dossier = {
    id: newId('d'),
    institution_id: args.institution.id,
    year: args.year,
    target_level: args.targetLevel,
    standard_id: std.standard.id,
    state: 'draft',
    stage: null,
    round: 1,
    created_at: now,
    updated_at: now,
    review_version: 0,
    submitted_at: null,
    decided_at: null,
    previous_dossier_id: args.carryOverFrom?.id ?? null,
    purpose: args.purpose ?? 'assessment',
  };
  if (args.carryOverFrom && args.carryOverFrom.institution_id !== args.institution.id) {
    throw new HTTPException(400, { message: '只能沿用本机构以往档案的佐证材料。' });
  }
  return db.transaction().execute(async (trx) => {
    const exists = await trx
      .selectFrom('dossiers')
      .select('id')
      .where('institution_id', '=', args.institution.id)
      .where('year', '=', args.year)
      .where('target_level', '=', args.targetLevel)
      .executeTakeFirst();
    if (exists) throw new HTTPException(409, { message: '该机构本年度此评价等级的档案已存在。' });
    await trx.insertInto('dossiers').values(dossier).execute();
    const rows = items.map((n) => ({ dossier_id: dossier.id, item_code: n.code, self_grade: null, narrative: '', updated_by: null, updated_at: null }));
    for (let i = 0; i < rows.length; i += 200) await trx.insertInto('dossier_items').values(rows.slice(i, i + 200)).execute();
    if (args.carryOverFrom) await carryOverEvidence(trx, args.carryOverFrom.id, dossier.id, args.actorId);
    return dossier;
  });
}

export async function saveSelfAssessment(
  db: Db,
  args: { dossierId: string; itemCode: string; grade: string | null; narrative: string; actorId: string },
): Promise<'saved' | 'not-editable' | 'no-item'> {
  return db.transaction().execute(async (trx) => {
    const d = await trx.selectFrom('dossiers').select(['state']).where('id', '=', args.dossierId).executeTakeFirst();
    if (!d || !(d.state === 'draft' || d.state === 'returned')) return 'not-editable';
    const now = nowIso();
    const res = await trx
      .updateTable('dossier_items')
      .set({ self_grade: args.grade, narrative: args.narrative, updated_by: args.actorId, updated_at: now })
      .where('dossier_id', '=', args.dossierId)
      .where('item_code', '=', args.itemCode)
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) === 0) return 'no-item';
    await trx.updateTable('dossiers').set({ updated_at: now }).where('id', '=', args.dossierId).execute();
    return 'saved';
  });
}

/**
 * Copies the evidence links of an earlier dossier (a previous campaign year, or the dossier a 回头看 re-review
 * starts from) onto the items with the same code; links follow each document's current version again.
 * Items that no longer exist under the new edition are skipped. Returns how many links were carried.
 */
export async function carryOverEvidence(trx: Db, fromId: string, toId: string, actorId: string): Promise<number> {
  const items = new Set((await trx.selectFrom('dossier_items').select('item_code').where('dossier_id', '=', toId).execute()).map((r) => r.item_code));
  const links = await trx
    .selectFrom('item_evidence')
    .innerJoin('documents', 'documents.id', 'item_evidence.document_id')
    .select(['item_evidence.item_code', 'item_evidence.document_id', 'item_evidence.page_from', 'item_evidence.page_to', 'item_evidence.position'])
    .where('item_evidence.dossier_id', '=', fromId)
    .where('documents.trashed_at', 'is', null)
    .execute();
  let carried = 0;
  const now = nowIso();
  for (const l of links.filter((x) => items.has(x.item_code))) {
    await trx
      .insertInto('item_evidence')
      .values({ id: newId('ev'), dossier_id: toId, item_code: l.item_code, document_id: l.document_id, version_id: null, page_from: l.page_from, page_to: l.page_to, position: l.position, created_by: actorId, created_at: now })
      .execute();
    await trx
      .insertInto('document_events')
      .values({ document_id: l.document_id, dossier_id: toId, item_code: l.item_code, actor_id: actorId, at: now, action: 'link', detail: JSON.stringify({ carried_over_from: fromId }) })
      .execute();
    carried++;
  }
  return carried;
}
