// Editing review routes: a province replaces the national default route of a target level with its own
// stages (or goes back to the default). Text format, one stage per line: "<level> <label> [deadline days]",
// e.g. "county 审核 20" / "县 审核 20". Dossiers already in review keep the stage they are at.
import type { Db } from '../db/database.ts';
import type { RegionLevel, ReviewRoute, TargetLevel } from '../db/schema.ts';

const LEVEL_WORDS: Record<string, RegionLevel> = { county: 'county', 县: 'county', 县级: 'county', city: 'city', 市: 'city', 市级: 'city', province: 'province', 省: 'province', 省级: 'province' };
const ORDER: Record<RegionLevel, number> = { county: 0, city: 1, province: 2 };

export type ParsedRoute = { ok: true; stages: Omit<ReviewRoute, 'province_code' | 'target_level'>[] } | { ok: false; errors: string[] };

export function parseRouteText(text: string): ParsedRoute {
  const errors: string[] = [];
  const stages: Omit<ReviewRoute, 'province_code' | 'target_level'>[] = [];
  const lines = text.split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
  for (const [i, line] of lines.entries()) {
    const [levelWord = '', label = '', days] = line.split(/\s+/);
    const level = LEVEL_WORDS[levelWord];
    const deadline = days === undefined ? 30 : Number(days);
    if (!level) errors.push(`第 ${i + 1} 行：级别应为 县、市 或 省（county / city / province）。`);
    else if (!label || label.length > 20) errors.push(`第 ${i + 1} 行：请填写环节名称（不超过 20 字），例如“审核”“复核”。`);
    else if (!Number.isInteger(deadline) || deadline < 1 || deadline > 365) errors.push(`第 ${i + 1} 行：办理期限应为 1–365 天。`);
    else if (stages.length > 0 && ORDER[level] < ORDER[stages.at(-1)!.region_level]) errors.push(`第 ${i + 1} 行：审核只能从县到市到省逐级向上。`);
    else stages.push({ position: stages.length, region_level: level, label, deadline_days: deadline });
  }
  if (lines.length > 0 && stages.length === 0 && errors.length === 0) errors.push('请至少填写一个审核环节。');
  if (lines.length > 6) errors.push('审核环节不能超过 6 个。');
  return errors.length > 0 ? { ok: false, errors } : { ok: true, stages };
}

export function routeText(stages: Pick<ReviewRoute, 'region_level' | 'label' | 'deadline_days'>[]): string {
  const word: Record<RegionLevel, string> = { county: '县', city: '市', province: '省' };
  return stages.map((s) => `${word[s.region_level]} ${s.label} ${s.deadline_days}`).join('\n');
}

/** Replaces the province's route for the target level; an empty stage list removes the override. */
export async function saveProvinceRoute(db: Db, provinceCode: string, target: TargetLevel, stages: Omit<ReviewRoute, 'province_code' | 'target_level'>[]): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom('review_routes').where('province_code', '=', provinceCode).where('target_level', '=', target).execute();
    for (const s of stages) await trx.insertInto('review_routes').values({ ...s, province_code: provinceCode, target_level: target }).execute();
  });
}
