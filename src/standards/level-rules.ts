// The rule engine: evaluates a standard's level rules (data) against a set of grades.
import { GRADES, type Grade, type ItemFilter, type LevelRule, type RuleCondition } from './standard-schema.ts';

export interface RuleItem {
  code: string;
  core: boolean;
  tier: 'basic' | 'recommended';
}

export interface Blocker {
  code: string;
  core: boolean;
  grade: Grade | null; // null: not graded yet
  required: Grade;
}

export interface ConditionResult {
  label: string;
  kind: RuleCondition['kind'];
  met: boolean;
  total: number;
  passing: number;
  /** For `share`: how many more items must reach the grade. */
  shortfall: number;
  /** For `every`: each failing item. For `share`: the items below the grade, candidates to improve. */
  blockers: Blocker[];
}

export interface LevelResult {
  id: LevelRule['id'];
  name: string;
  met: boolean;
  conditions: ConditionResult[];
}

const RANK: Record<Grade, number> = { A: 3, B: 2, C: 1, 未达标: 0 };

export function gradeRank(grade: Grade | null | undefined): number {
  return grade ? RANK[grade] : -1;
}

export function meetsGrade(grade: Grade | null | undefined, atLeast: Grade): boolean {
  return gradeRank(grade) >= RANK[atLeast];
}

export function isGrade(value: unknown): value is Grade {
  return typeof value === 'string' && (GRADES as readonly string[]).includes(value);
}

export function matchesFilter(item: RuleItem, filter: ItemFilter): boolean {
  return (filter.tier === undefined || item.tier === filter.tier) && (filter.core === undefined || item.core === filter.core);
}

export function evaluateCondition(cond: RuleCondition, items: readonly RuleItem[], grades: ReadonlyMap<string, Grade>): ConditionResult {
  const scoped = items.filter((i) => matchesFilter(i, cond.items));
  const below = scoped.filter((i) => !meetsGrade(grades.get(i.code), cond.atLeast));
  const blockers = below.map((i) => ({ code: i.code, core: i.core, grade: grades.get(i.code) ?? null, required: cond.atLeast }));
  const passing = scoped.length - below.length;
  if (cond.kind === 'every') {
    return { label: cond.label, kind: cond.kind, met: below.length === 0, total: scoped.length, passing, shortfall: below.length, blockers };
  }
  // Compare in integers to avoid 0.8 * 10 = 8.000000000000002 style surprises.
  const required = Math.ceil(Math.round(cond.minShare * scoped.length * 1e6) / 1e6);
  const shortfall = Math.max(0, required - passing);
  return { label: cond.label, kind: cond.kind, met: shortfall === 0, total: scoped.length, passing, shortfall, blockers };
}

export function evaluateLevel(level: LevelRule, items: readonly RuleItem[], grades: ReadonlyMap<string, Grade>): LevelResult {
  const conditions = level.conditions.map((c) => evaluateCondition(c, items, grades));
  return { id: level.id, name: level.name, met: conditions.every((c) => c.met), conditions };
}

export function evaluateAllLevels(levels: readonly LevelRule[], items: readonly RuleItem[], grades: ReadonlyMap<string, Grade>): LevelResult[] {
  return levels.map((l) => evaluateLevel(l, items, grades));
}

/** "★1.2.3 未达C" — the way a blocker is shown to users. */
export function describeBlocker(b: Blocker): string {
  const suffix = b.grade === null ? '（未自评）' : `（自评${b.grade}）`;
  return `${b.core ? '★' : ''}${b.code} 未达${b.required}${suffix}`;
}
