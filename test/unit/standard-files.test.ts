import { describe, expect, it } from 'vitest';
import { readStandardFile, shippedStandardFiles } from '../../src/standards/shipped-standards.ts';
import { validateStandard } from '../../src/standards/standard-validate.ts';
import type { StandardFile } from '../../src/standards/standard-schema.ts';

describe('shipped standard files', () => {
  const files = shippedStandardFiles();
  it('ships one file per institution kind', () => {
    const kinds = files.map((f) => readStandardFile(f).institutionKind).sort();
    expect(kinds).toEqual(['community', 'community_hospital', 'township']);
  });
  for (const file of files) {
    it(`${file.split('/').pop()} is valid demonstration content with four chapters and ≥ 60 items`, () => {
      const std = readStandardFile(file);
      expect(std.demonstration).toBe(true);
      expect(std.title).toContain('演示');
      expect(std.nodes.filter((n) => n.code.split('.').length === 1)).toHaveLength(4);
      expect(std.nodes.filter((n) => n.code.split('.').length === 3).length).toBeGreaterThanOrEqual(60);
      expect(std.nodes.some((n) => n.core)).toBe(true);
      expect(std.levels.map((l) => l.id)).toContain('basic');
    });
  }
});

function sample(): StandardFile {
  return readStandardFile(shippedStandardFiles()[0]!);
}

describe('standard loader checks', () => {
  it('rejects duplicate codes', () => {
    const s = sample();
    s.nodes.splice(3, 0, { ...s.nodes[2]! });
    const r = validateStandard(s);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problems.some((p) => p.message.includes('重复'))).toBe(true);
  });
  it('rejects an item whose section is missing', () => {
    const s = sample();
    s.nodes.push({ ...s.nodes.find((n) => n.code.split('.').length === 3)!, code: '4.99.1' });
    const r = validateStandard(s);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problems.some((p) => p.message.includes('4.99'))).toBe(true);
  });
  it('rejects codes out of order', () => {
    const s = sample();
    const items = s.nodes.map((n, i) => [n, i] as const).filter(([n]) => n.code.split('.').length === 3);
    const [a, ia] = items[0]!;
    const [b, ib] = items[1]!;
    s.nodes[ia] = b;
    s.nodes[ib] = a;
    expect(validateStandard(s).ok).toBe(false);
  });
  it('rejects an item without tiered requirements', () => {
    const s = sample();
    const item = s.nodes.find((n) => n.code.split('.').length === 3)!;
    delete item.requirements;
    expect(validateStandard(s).ok).toBe(false);
  });
  it('rejects requirements on a chapter', () => {
    const s = sample();
    s.nodes[0] = { ...s.nodes[0]!, requirements: { C: 'x', B: 'y', A: 'z' } };
    expect(validateStandard(s).ok).toBe(false);
  });
  it('rejects an unknown grade in a rule and bad JSON shapes with messages', () => {
    const s = sample() as unknown as { levels: { conditions: { atLeast: string }[] }[] };
    s.levels[0]!.conditions[0]!.atLeast = 'D';
    const r = validateStandard(s);
    expect(r.ok).toBe(false);
    expect(validateStandard({}).ok).toBe(false);
    expect(validateStandard(null).ok).toBe(false);
  });
  it('orders codes naturally: 1.1.10 after 1.1.9', () => {
    const s = sample();
    const sec = s.nodes.find((n) => n.code.split('.').length === 2)!;
    const base = s.nodes.find((n) => n.code.split('.').length === 3)!;
    const others = s.nodes.filter((n) => !n.code.startsWith(`${sec.code}.`));
    const idx = others.indexOf(sec);
    const children = Array.from({ length: 10 }, (_, i) => ({ ...base, code: `${sec.code}.${i + 1}` }));
    s.nodes = [...others.slice(0, idx + 1), ...children, ...others.slice(idx + 1)];
    expect(validateStandard(s).ok).toBe(true);
  });
});
