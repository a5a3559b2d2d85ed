// Who may do what in a dossier's review. Visibility follows the institution scope (src/auth/scope.ts);
// acting as a reviewer additionally needs the active stage to be held by the account's own region at the
// account's own level — or, for experts, an assignment to the dossier.
import type { Db } from '../db/database.ts';
import type { Dossier, RegionLevel, ReviewStage, Role, User } from '../db/schema.ts';
import { visibleInstitutionIds } from '../auth/scope.ts';

export interface ReviewAccess {
  dossier: Dossier;
  /** The stage holding the dossier now, or null when the institution holds it (draft, returned) or it is final. */
  activeStage: ReviewStage | null;
  /** May grade items, annotate documents and decide at the active stage. */
  canReview: boolean;
  /** Staff or head of the institution: may answer annotations and rectify. */
  isInstitution: boolean;
}

const ROLE_LEVEL: Partial<Record<Role, RegionLevel>> = {
  county_reviewer: 'county',
  city_reviewer: 'city',
  province_reviewer: 'province',
};

/** The review level a reviewer role acts at; null for experts, institutions and admins. */
export function reviewLevelOf(role: Role): RegionLevel | null {
  return ROLE_LEVEL[role] ?? null;
}

/** Null when the dossier does not exist or lies outside the account's scope (callers answer 404). */
export async function reviewAccess(db: Db, user: User, dossierId: string): Promise<ReviewAccess | null> {
  const dossier = await db
    .selectFrom('dossiers')
    .selectAll()
    .where('id', '=', dossierId)
    .where('institution_id', 'in', visibleInstitutionIds(db, user))
    .executeTakeFirst();
  if (!dossier) return null;
  const activeStage =
    (await db.selectFrom('review_stages').selectAll().where('dossier_id', '=', dossierId).where('state', '=', 'active').executeTakeFirst()) ?? null;
  return { dossier, activeStage, canReview: await mayActAtStage(db, user, activeStage), isInstitution: isInstitutionUser(user, dossier) };
}

export function isInstitutionUser(user: User, dossier: Pick<Dossier, 'institution_id'>): boolean {
  return (user.role === 'staff' || user.role === 'head') && user.institution_id === dossier.institution_id;
}

export async function mayActAtStage(db: Db, user: User, stage: ReviewStage | null): Promise<boolean> {
  if (!stage) return false;
  if (user.role === 'expert') {
    const assigned = await db
      .selectFrom('review_assignments')
      .select('user_id')
      .where('dossier_id', '=', stage.dossier_id)
      .where('user_id', '=', user.id)
      .executeTakeFirst();
    return Boolean(assigned);
  }
  return ROLE_LEVEL[user.role] === stage.region_level && user.region_code === stage.region_code;
}
