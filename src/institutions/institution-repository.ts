// Institutions: scoped reads and the writes behind the form. Every read goes through visibleInstitutionIds,
// so an institution outside the account's scope is simply not found.
import { sql } from 'kysely';
import { visibleInstitutionIds, visibleRegionCodes } from '../auth/scope.ts';
import type { Db } from '../db/database.ts';
import type { Institution, InstitutionTable, User } from '../db/schema.ts';
import { newId, nowIso } from '../ids.ts';
import type { InstitutionValues } from './institution-schema.ts';

export type InstitutionRow = Institution & { county_name: string };

export interface InstitutionFilters {
  q?: string;
  countyCode?: string;
  kind?: InstitutionTable['kind'];
  limit?: number;
}

/** Same (county, name) as an existing institution: the unique index institutions_name. */
export class InstitutionConflictError extends Error {
  constructor(name: string) {
    super(`本县（区）已有名为“${name}”的机构，机构名称在同一县（区）内不能重复`);
    this.name = 'InstitutionConflictError';
  }
}

/** LIKE pattern for a substring search, with the wildcards in the user's text escaped. */
function containsPattern(q: string): string {
  return `%${q.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
}

export async function listInstitutions(db: Db, user: User, f: InstitutionFilters = {}): Promise<InstitutionRow[]> {
  let q = db
    .selectFrom('institutions')
    .innerJoin('regions', 'regions.code', 'institutions.county_code')
    .selectAll('institutions')
    .select('regions.name as county_name')
    .where('institutions.id', 'in', visibleInstitutionIds(db, user));
  const text = f.q?.trim();
  if (text) q = q.where(sql<boolean>`${sql.ref('institutions.name')} like ${containsPattern(text)} escape '\\'`);
  if (f.countyCode) q = q.where('institutions.county_code', '=', f.countyCode);
  if (f.kind) q = q.where('institutions.kind', '=', f.kind);
  q = q.orderBy('institutions.county_code').orderBy('institutions.name');
  if (f.limit) q = q.limit(f.limit);
  return q.execute();
}

export async function findInstitution(db: Db, user: User, id: string): Promise<InstitutionRow | null> {
  if (id.length > 64) return null;
  const row = await db
    .selectFrom('institutions')
    .innerJoin('regions', 'regions.code', 'institutions.county_code')
    .selectAll('institutions')
    .select('regions.name as county_name')
    .where('institutions.id', '=', id)
    .where('institutions.id', 'in', visibleInstitutionIds(db, user))
    .executeTakeFirst();
  return row ?? null;
}

export interface CountyOption {
  code: string;
  name: string;
  city_name: string | null;
}

/** County-level regions the account may place institutions in (or filter by). */
export async function visibleCounties(db: Db, user: User): Promise<CountyOption[]> {
  return db
    .selectFrom('regions as county')
    .leftJoin('regions as city', 'city.code', 'county.parent_code')
    .select(['county.code as code', 'county.name as name', 'city.name as city_name'])
    .where('county.level', '=', 'county')
    .where('county.code', 'in', visibleRegionCodes(db, user))
    .orderBy('county.code')
    .execute();
}

/** Whether `code` is a county the account may use. */
export async function isVisibleCounty(db: Db, user: User, code: string): Promise<boolean> {
  const row = await db
    .selectFrom('regions')
    .select('code')
    .where('code', '=', code)
    .where('level', '=', 'county')
    .where('code', 'in', visibleRegionCodes(db, user))
    .executeTakeFirst();
  return row !== undefined;
}

/** SQLite and Postgres report a unique-index violation differently. */
export function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === '23505';
}

/** Runs `fn` in a transaction, or directly when `db` already is one (so callers can add the audit entry). */
export async function inTransaction<T>(db: Db, fn: (trx: Db) => Promise<T>): Promise<T> {
  if (db.isTransaction) return fn(db);
  return db.transaction().execute(fn);
}

async function nameTaken(db: Db, countyCode: string, name: string, exceptId?: string): Promise<boolean> {
  let q = db.selectFrom('institutions').select('id').where('county_code', '=', countyCode).where('name', '=', name);
  if (exceptId) q = q.where('id', '!=', exceptId);
  return (await q.executeTakeFirst()) !== undefined;
}

/** Inserts an institution. Throws InstitutionConflictError when the county already has one of that name. */
export async function createInstitution(db: Db, values: InstitutionValues): Promise<Institution> {
  return inTransaction(db, async (trx) => {
    if (await nameTaken(trx, values.county_code, values.name)) throw new InstitutionConflictError(values.name);
    const now = nowIso();
    const row: Institution = { id: newId('i'), ...values, created_at: now, updated_at: now };
    try {
      await trx.insertInto('institutions').values(row).execute();
    } catch (err) {
      if (isUniqueViolation(err)) throw new InstitutionConflictError(values.name);
      throw err;
    }
    return row;
  });
}

/**
 * Replaces an institution's profile. Returns the row before and after, or null when there is no such
 * institution (scope is the caller's check). Throws InstitutionConflictError on a duplicate name.
 */
export async function updateInstitution(
  db: Db,
  id: string,
  values: InstitutionValues,
): Promise<{ before: Institution; after: Institution } | null> {
  return inTransaction(db, async (trx) => {
    const before = await trx.selectFrom('institutions').selectAll().where('id', '=', id).executeTakeFirst();
    if (!before) return null;
    if (await nameTaken(trx, values.county_code, values.name, id)) throw new InstitutionConflictError(values.name);
    const after: Institution = { ...before, ...values, updated_at: nowIso() };
    try {
      await trx
        .updateTable('institutions')
        .set({ ...values, updated_at: after.updated_at })
        .where('id', '=', id)
        .execute();
    } catch (err) {
      if (isUniqueViolation(err)) throw new InstitutionConflictError(values.name);
      throw err;
    }
    return { before, after };
  });
}

/** Names of the profile fields whose values differ (for the audit log). */
export function changedFields(before: Institution, after: Institution): string[] {
  return (Object.keys(after) as (keyof Institution)[]).filter((k) => k !== 'updated_at' && before[k] !== after[k]);
}
