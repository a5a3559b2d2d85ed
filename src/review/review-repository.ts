// Reads for the review pages: the stage history, decisions, reviewers' grades, assigned experts, the inbox.
import type { Db } from '../db/database.ts';
import type { Decision, ReviewGrade, ReviewStage, User } from '../db/schema.ts';
import { reviewLevelOf } from './review-access.ts';

export interface DecisionRow extends Decision {
  decided_by_name: string;
  stage_label: string;
  region_level: string;
}

export interface ReviewHistory {
  stages: ReviewStage[];
  decisions: DecisionRow[];
  /** Reviewers' grades of every round and stage, by item code, oldest first. */
  grades: Map<string, (ReviewGrade & { reviewer_name: string | null })[]>;
  experts: { id: string; display_name: string }[];
}

export async function loadReviewHistory(db: Db, dossierId: string): Promise<ReviewHistory> {
  const stages = await db.selectFrom('review_stages').selectAll().where('dossier_id', '=', dossierId).orderBy('opened_at').orderBy('position').execute();
  const decisions = await db
    .selectFrom('decisions')
    .innerJoin('users', 'users.id', 'decisions.decided_by')
    .innerJoin('review_stages', 'review_stages.id', 'decisions.stage_id')
    .selectAll('decisions')
    .select(['users.display_name as decided_by_name', 'review_stages.label as stage_label', 'review_stages.region_level'])
    .where('decisions.dossier_id', '=', dossierId)
    .orderBy('decisions.decided_at')
    .execute();
  const gradeRows = await db
    .selectFrom('review_grades')
    .leftJoin('users', 'users.id', 'review_grades.reviewer_id')
    .selectAll('review_grades')
    .select('users.display_name as reviewer_name')
    .where('review_grades.dossier_id', '=', dossierId)
    .orderBy('review_grades.round')
    .orderBy('review_grades.position')
    .execute();
  const grades = new Map<string, (ReviewGrade & { reviewer_name: string | null })[]>();
  for (const g of gradeRows) {
    const list = grades.get(g.item_code) ?? [];
    list.push(g);
    grades.set(g.item_code, list);
  }
  const experts = await db
    .selectFrom('review_assignments')
    .innerJoin('users', 'users.id', 'review_assignments.user_id')
    .select(['users.id', 'users.display_name'])
    .where('review_assignments.dossier_id', '=', dossierId)
    .orderBy('users.display_name')
    .execute();
  return { stages, decisions, grades, experts };
}

/** Experts who can see the institution (their region contains its county) and so can be assigned. */
export async function assignableExperts(db: Db, countyCode: string): Promise<{ id: string; display_name: string }[]> {
  const county = await db.selectFrom('regions').select(['code', 'city_code', 'province_code']).where('code', '=', countyCode).executeTakeFirstOrThrow();
  const scopes = [county.code, county.city_code, county.province_code].filter((c): c is string => Boolean(c));
  return db
    .selectFrom('users')
    .select(['id', 'display_name'])
    .where('role', '=', 'expert')
    .where('active', '=', 1)
    .where('region_code', 'in', scopes)
    .orderBy('display_name')
    .execute();
}

export interface InboxRow {
  dossier_id: string;
  stage_id: string;
  label: string;
  region_level: string;
  round: number;
  opened_at: string;
  deadline: string;
  institution_name: string;
  county_name: string;
  year: number;
  target_level: string;
}

/** Dossiers waiting for this account: active stages held by its region at its level, or assigned (experts). */
export async function reviewInbox(db: Db, user: User): Promise<InboxRow[]> {
  let q = db
    .selectFrom('review_stages')
    .innerJoin('dossiers', 'dossiers.id', 'review_stages.dossier_id')
    .innerJoin('institutions', 'institutions.id', 'dossiers.institution_id')
    .innerJoin('regions', 'regions.code', 'institutions.county_code')
    .select([
      'review_stages.dossier_id',
      'review_stages.id as stage_id',
      'review_stages.label',
      'review_stages.region_level',
      'review_stages.round',
      'review_stages.opened_at',
      'review_stages.deadline',
      'institutions.name as institution_name',
      'regions.name as county_name',
      'dossiers.year',
      'dossiers.target_level',
    ])
    .where('review_stages.state', '=', 'active');
  if (user.role === 'expert') {
    q = q.where('review_stages.dossier_id', 'in', db.selectFrom('review_assignments').select('dossier_id').where('user_id', '=', user.id));
  } else {
    const level = reviewLevelOf(user.role);
    if (!level) return [];
    q = q.where('review_stages.region_level', '=', level).where('review_stages.region_code', '=', user.region_code ?? '');
  }
  return q.orderBy('review_stages.deadline').execute();
}

/** Recent decisions taken by this account, for the inbox's "已处理" list. */
export async function recentDecisionsBy(db: Db, userId: string, limit = 20) {
  return db
    .selectFrom('decisions')
    .innerJoin('dossiers', 'dossiers.id', 'decisions.dossier_id')
    .innerJoin('institutions', 'institutions.id', 'dossiers.institution_id')
    .select(['decisions.dossier_id', 'decisions.outcome', 'decisions.decided_at', 'institutions.name as institution_name', 'dossiers.year', 'dossiers.target_level'])
    .where('decisions.decided_by', '=', userId)
    .orderBy('decisions.decided_at', 'desc')
    .limit(limit)
    .execute();
}

export async function saveReviewGrade(
  db: Db,
  g: { dossierId: string; round: number; position: number; itemCode: string; grade: string | null; note: string; onsite: string; reviewerId: string },
): Promise<void> {
  const at = new Date().toISOString();
  await db
    .insertInto('review_grades')
    .values({
      dossier_id: g.dossierId,
      round: g.round,
      position: g.position,
      item_code: g.itemCode,
      grade: g.grade,
      note: g.note,
      onsite_finding: g.onsite,
      reviewer_id: g.reviewerId,
      updated_at: at,
    })
    .onConflict((oc) =>
      oc.columns(['dossier_id', 'round', 'position', 'item_code']).doUpdateSet({ grade: g.grade, note: g.note, onsite_finding: g.onsite, reviewer_id: g.reviewerId, updated_at: at }),
    )
    .execute();
}
