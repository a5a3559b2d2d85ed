// The review route of a target level, as data (table review_routes, seeded from seed 000/004): the national
// default rows have province_code ''; a province overrides its route by writing rows with its own code.
import type { Db } from '../db/database.ts';
import type { Institution, RegionLevel, ReviewRoute, TargetLevel } from '../db/schema.ts';

export async function reviewRoute(db: Db, provinceCode: string, target: TargetLevel): Promise<ReviewRoute[]> {
  const rows = await db
    .selectFrom('review_routes')
    .selectAll()
    .where('target_level', '=', target)
    .where('province_code', 'in', [provinceCode, ''])
    .orderBy('position')
    .execute();
  const own = rows.filter((r) => r.province_code === provinceCode && provinceCode !== '');
  return own.length > 0 ? own : rows.filter((r) => r.province_code === '');
}

/** The region that holds a stage at `level` for an institution (its county, city or province). */
export async function holderRegion(db: Db, institution: Pick<Institution, 'county_code'>, level: RegionLevel): Promise<string> {
  const county = await db.selectFrom('regions').select(['code', 'city_code', 'province_code']).where('code', '=', institution.county_code).executeTakeFirstOrThrow();
  if (level === 'county') return county.code;
  if (level === 'city') return county.city_code ?? county.province_code;
  return county.province_code;
}

export async function routeForInstitution(db: Db, institution: Pick<Institution, 'county_code'>, target: TargetLevel): Promise<ReviewRoute[]> {
  const county = await db.selectFrom('regions').select('province_code').where('code', '=', institution.county_code).executeTakeFirstOrThrow();
  return reviewRoute(db, county.province_code, target);
}
