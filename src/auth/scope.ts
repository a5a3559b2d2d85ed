// Which institutions an account may see. Every query for institution-owned data goes through this.
import type { Db } from '../db/database.ts';
import type { User } from '../db/schema.ts';

/** A subquery of the institution ids visible to `user`. */
export function visibleInstitutionIds(db: Db, user: User) {
  const q = db.selectFrom('institutions').innerJoin('regions', 'regions.code', 'institutions.county_code').select('institutions.id');
  switch (user.role) {
    case 'admin':
      return q;
    case 'staff':
    case 'head':
      return q.where('institutions.id', '=', user.institution_id ?? '');
    default: {
      // Region codes are unique across levels, so one OR covers province, city and county scopes.
      const code = user.region_code ?? '';
      return q.where((eb) =>
        eb.or([eb('regions.province_code', '=', code), eb('regions.city_code', '=', code), eb('regions.code', '=', code)]),
      );
    }
  }
}

/** Region codes visible to `user` (the subtree of its scope), as a subquery. */
export function visibleRegionCodes(db: Db, user: User) {
  const q = db.selectFrom('regions').select('regions.code');
  if (user.role === 'admin') return q;
  if (user.role === 'staff' || user.role === 'head') {
    return q.where('regions.code', 'in', db.selectFrom('institutions').select('county_code').where('id', '=', user.institution_id ?? ''));
  }
  const code = user.region_code ?? '';
  return q.where((eb) => eb.or([eb('regions.province_code', '=', code), eb('regions.city_code', '=', code), eb('regions.code', '=', code)]));
}
