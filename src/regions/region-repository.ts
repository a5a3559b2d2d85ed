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
      if (!input.code.endsWith('0000')) return `省级行政区划代码应以 0000 结尾（如 410000），${input.code} 不是省级代码；新增市或县（区）请先选择上级`;
      await trx.insertInto('regions').values({ code: input.code, name: input.name, level: 'province', parent_code: null, province_code: input.code, city_code: null }).execute();
      return null;
    }
    const parent = await trx.selectFrom('regions').selectAll().where('code', '=', input.parentCode).executeTakeFirst();
    if (!parent) return `上级行政区划 ${input.parentCode} 不存在`;
    if (parent.level === 'county') return '县（区）下不能再设下级行政区划';
    const level = parent.level === 'province' ? 'city' : 'county';
    const problem = level === 'city' ? cityCodeProblem(input.code, parent.code) : countyCodeProblem(input.code, parent.code);
    if (problem) return problem;
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

// GB/T 2260 codes: 2 digits province, 2 city, 2 county; a province ends in 0000, a city in 00. The level is
// taken from the chosen parent, so a code that does not fit it would put the region in the wrong place.
function cityCodeProblem(code: string, province: string): string | null {
  if (!code.endsWith('00') || code.endsWith('0000')) return `市级行政区划代码应以 00 结尾且不以 0000 结尾（如 ${province.slice(0, 2)}0800），${code} 不符合`;
  if (code.slice(0, 2) !== province.slice(0, 2)) return `市级行政区划代码应以所属省份代码的前 2 位 ${province.slice(0, 2)} 开头，${code} 不符合`;
  return null;
}

function countyCodeProblem(code: string, city: string): string | null {
  if (code.slice(0, 4) !== city.slice(0, 4)) return `县（区）级行政区划代码应以所属市代码的前 4 位 ${city.slice(0, 4)} 开头，${code} 不符合`;
  if (code.endsWith('00')) return `县（区）级行政区划代码不能以 00 结尾，${code} 不符合`;
  return null;
}

export async function renameRegion(db: Db, code: string, name: string): Promise<boolean> {
  const r = await db.updateTable('regions').set({ name }).where('code', '=', code).executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}
