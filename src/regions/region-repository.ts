// The province → city → county tree, with 6-digit administrative codes.
import type { Db } from '../db/database.ts';
import type { Region } from '../db/schema.ts';

export const REGION_CODE_RE = /^\d{6}$/;

export async function listRegions(db: Db): Promise<Region[]> {
  return db.selectFrom('regions').selectAll().orderBy('code').execute();
}

export type RegionInput = { code: string; name: string; parentCode: string | null };

/** Creates a region under its parent; the level follows from the parent. Returns an error message or null. */
export async function createRegion(db: Db, input: RegionInput): Promise<string | null> {
  return db.transaction().execute(async (trx) => {
    if (await trx.selectFrom('regions').select('code').where('code', '=', input.code).executeTakeFirst()) {
      return `行政区划代码 ${input.code} 已存在`;
    }
    if (!input.parentCode) {
      await trx.insertInto('regions').values({ code: input.code, name: input.name, level: 'province', parent_code: null, province_code: input.code, city_code: null }).execute();
      return null;
    }
    const parent = await trx.selectFrom('regions').selectAll().where('code', '=', input.parentCode).executeTakeFirst();
    if (!parent) return `上级行政区划 ${input.parentCode} 不存在`;
    if (parent.level === 'county') return '县（区）下不能再设下级行政区划';
    const level = parent.level === 'province' ? 'city' : 'county';
    await trx
      .insertInto('regions')
      .values({
        code: input.code,
        name: input.name,
        level,
        parent_code: parent.code,
        province_code: parent.province_code,
        city_code: level === 'city' ? input.code : parent.code,
      })
      .execute();
    return null;
  });
}

export async function renameRegion(db: Db, code: string, name: string): Promise<boolean> {
  const r = await db.updateTable('regions').set({ name }).where('code', '=', code).executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}
