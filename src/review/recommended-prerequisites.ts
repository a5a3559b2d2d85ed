// The 推荐标准 prerequisites (seed 004 附件2), computed from the institution's profile. Kept as data: a
// province that publishes other thresholds changes this table, not the code that evaluates it.
import type { Institution } from '../db/schema.ts';

interface Prerequisite {
  kinds: Institution['kind'][];
  label: string;
  met: (i: Institution) => boolean | null; // null: the profile lacks the figure
}

const num = (v: number | null) => (v === null ? null : v);

export const RECOMMENDED_PREREQUISITES: readonly Prerequisite[] = [
  { kinds: ['township', 'community'], label: '至少能够识别和初步诊治 100 种常见病、多发病', met: (i) => (num(i.common_diseases) === null ? null : i.common_diseases! >= 100) },
  { kinds: ['township'], label: '年度门急诊人次达到 8 万以上', met: (i) => (num(i.yearly_visits) === null ? null : i.yearly_visits! >= 80_000) },
  { kinds: ['community'], label: '年度门急诊人次达到 4 万以上', met: (i) => (num(i.yearly_visits) === null ? null : i.yearly_visits! >= 40_000) },
  { kinds: ['township'], label: '至少有 3 名注册在岗的高级职称医师', met: (i) => (num(i.senior_physicians) === null ? null : i.senior_physicians! >= 3) },
  {
    kinds: ['township', 'community'],
    label: '每万居民注册全科医师数不少于 2 人，或注册全科医师数不少于 6 人',
    met: (i) => {
      if (i.registered_gps === null) return null;
      if (i.registered_gps >= 6) return true;
      if (!i.service_population) return null;
      return (i.registered_gps / i.service_population) * 10_000 >= 2;
    },
  },
];

export interface PrerequisiteResult {
  label: string;
  met: boolean | null;
}

export function recommendedPrerequisites(institution: Institution): PrerequisiteResult[] {
  return RECOMMENDED_PREREQUISITES.filter((p) => p.kinds.includes(institution.kind)).map((p) => ({ label: p.label, met: p.met(institution) }));
}
