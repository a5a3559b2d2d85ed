import { describe, expect, it } from 'vitest';
import { describeBlocker, evaluateLevel, meetsGrade, type RuleItem } from '../../src/standards/level-rules.ts';
import type { Grade, LevelRule } from '../../src/standards/standard-schema.ts';

const basic: LevelRule = {
  id: 'basic',
  name: '基本标准',
  scope: { tier: 'basic' },
  conditions: [
    { kind: 'every', items: { tier: 'basic', core: true }, atLeast: 'C', label: '核心条款全部达到C级' },
    { kind: 'share', items: { tier: 'basic' }, atLeast: 'C', minShare: 0.8, label: '80%达到C级' },
  ],
};

const qualified: LevelRule = {
  id: 'qualified',
  name: '合格',
  scope: { tier: 'basic' },
  conditions: [
    { kind: 'share', items: { tier: 'basic' }, atLeast: 'C', minShare: 0.8, label: 'C≥80%' },
    { kind: 'share', items: { tier: 'basic' }, atLeast: 'B', minShare: 0.2, label: 'B≥20%' },
    { kind: 'share', items: { tier: 'basic' }, atLeast: 'A', minShare: 0.05, label: 'A≥5%' },
  ],
};

function items(n: number, coreEvery = 5): RuleItem[] {
  return Array.from({ length: n }, (_, i) => ({ code: `1.1.${i + 1}`, core: i % coreEvery === 0, tier: 'basic' as const }));
}

function grades(list: RuleItem[], f: (i: number) => Grade | null): Map<string, Grade> {
  const m = new Map<string, Grade>();
  list.forEach((it, i) => {
    const g = f(i);
    if (g) m.set(it.code, g);
  });
  return m;
}

describe('grade order', () => {
  it('ranks A > B > C > 未达标 > ungraded', () => {
    expect(meetsGrade('A', 'B')).toBe(true);
    expect(meetsGrade('C', 'B')).toBe(false);
    expect(meetsGrade('未达标', 'C')).toBe(false);
    expect(meetsGrade(null, 'C')).toBe(false);
    expect(meetsGrade('C', 'C')).toBe(true);
  });
});

describe('basic level rule', () => {
  const list = items(10);
  it('is met when every core item reaches C and 80% reach C', () => {
    const r = evaluateLevel(basic, list, grades(list, (i) => (i < 8 ? 'C' : null)));
    expect(r.met).toBe(true);
  });

  it('names each core item that blocks, with its grade', () => {
    // items 0 and 5 are core; grade 5 as 未达标 and leave 0 ungraded
    const r = evaluateLevel(basic, list, grades(list, (i) => (i === 0 ? null : i === 5 ? '未达标' : 'B')));
    expect(r.met).toBe(false);
    const every = r.conditions[0]!;
    expect(every.met).toBe(false);
    expect(every.blockers.map(describeBlocker)).toEqual(['★1.1.1 未达C（未自评）', '★1.1.6 未达C（自评未达标）']);
    // 8 of 10 at C or better: the share condition still holds
    expect(r.conditions[1]!.met).toBe(true);
  });

  it('reports how many more items a share condition needs', () => {
    const r = evaluateLevel(basic, list, grades(list, (i) => (i < 6 || i % 5 === 0 ? 'C' : null)));
    const share = r.conditions[1]!;
    expect(share.passing).toBe(6);
    expect(share.shortfall).toBe(2);
    expect(share.met).toBe(false);
  });

  it('does not fail an exact 80% because of floating point', () => {
    const five = items(5, 100);
    const r = evaluateLevel(basic, five, grades(five, (i) => (i < 4 ? 'C' : '未达标')));
    expect(r.conditions[1]!.met).toBe(true);
  });
});

describe('the 2023 合格 rule (≥80% C, ≥20% B, ≥5% A among basic items)', () => {
  const list = items(20, 1000);
  it('passes at exactly the thresholds', () => {
    // 20 items: 1 A (5%), 3 more B (A counts as ≥B: 4 = 20%), 12 more C (16 = 80%)
    const r = evaluateLevel(qualified, list, grades(list, (i) => (i < 1 ? 'A' : i < 4 ? 'B' : i < 16 ? 'C' : '未达标')));
    expect(r.met).toBe(true);
  });
  it('fails when no item reaches A', () => {
    const r = evaluateLevel(qualified, list, grades(list, (i) => (i < 4 ? 'B' : i < 16 ? 'C' : null)));
    expect(r.met).toBe(false);
    expect(r.conditions.map((c) => c.met)).toEqual([true, true, false]);
    expect(r.conditions[2]!.shortfall).toBe(1);
  });
  it('fails when fewer than 20% reach B', () => {
    const r = evaluateLevel(qualified, list, grades(list, (i) => (i < 1 ? 'A' : i < 3 ? 'B' : 'C')));
    expect(r.conditions[1]!.met).toBe(false);
  });
});
