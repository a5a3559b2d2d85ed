// Everything the dossier page shows, computed from the standard, the dossier's items and the rules.
import type { Dossier, DossierItem, Institution, StandardNodeRow } from '../db/schema.ts';
import { evaluateLevel, isGrade, type LevelResult, type RuleItem } from '../standards/level-rules.ts';
import type { LoadedStandard } from '../standards/standard-repository.ts';
import type { Grade } from '../standards/standard-schema.ts';
import { levelForTarget } from './target-levels.ts';

export interface ItemView {
  node: StandardNodeRow;
  entry: DossierItem;
  grade: Grade | null;
  /** Linked documents (not in the trash). */
  evidence: number;
}

export interface SectionView {
  node: StandardNodeRow;
  items: ItemView[];
}

export interface ChapterView {
  node: StandardNodeRow;
  sections: SectionView[];
  total: number;
  graded: number;
}

export interface DossierView {
  dossier: Dossier;
  institution: Institution;
  standard: LoadedStandard;
  chapters: ChapterView[];
  total: number;
  graded: number;
  target: LevelResult | null;
  /** Other levels of the standard (e.g. 合格), for information. */
  others: LevelResult[];
  /** Items without any evidence, ★ items first, then in standard order. */
  missingEvidence: ItemView[];
}

export function buildDossierView(
  dossier: Dossier,
  institution: Institution,
  standard: LoadedStandard,
  entries: Map<string, DossierItem>,
  evidenceCounts: Map<string, number> = new Map(),
): DossierView {
  const chapters: ChapterView[] = [];
  const sectionsByCode = new Map<string, SectionView>();
  const chapterByCode = new Map<string, ChapterView>();
  for (const node of standard.nodes) {
    if (node.depth === 1) {
      const ch: ChapterView = { node, sections: [], total: 0, graded: 0 };
      chapterByCode.set(node.code, ch);
      chapters.push(ch);
    } else if (node.depth === 2) {
      const sec: SectionView = { node, items: [] };
      sectionsByCode.set(node.code, sec);
      chapterByCode.get(node.parent_code ?? '')?.sections.push(sec);
    } else {
      const entry = entries.get(node.code);
      if (!entry) continue; // item outside this dossier's target level
      const grade = isGrade(entry.self_grade) ? entry.self_grade : null;
      sectionsByCode.get(node.parent_code ?? '')?.items.push({ node, entry, grade, evidence: evidenceCounts.get(node.code) ?? 0 });
      const ch = chapterByCode.get(node.code.split('.')[0] ?? '');
      if (ch) {
        ch.total++;
        if (grade) ch.graded++;
      }
    }
  }
  // Hide chapters and sections with no items of this dossier.
  const visible = chapters
    .map((ch) => ({ ...ch, sections: ch.sections.filter((s) => s.items.length > 0) }))
    .filter((ch) => ch.sections.length > 0);

  const ruleItems: RuleItem[] = [];
  const grades = new Map<string, Grade>();
  for (const node of standard.nodes) {
    if (node.depth !== 3) continue;
    ruleItems.push({ code: node.code, core: node.core === 1, tier: node.tier ?? 'basic' });
    const g = entries.get(node.code)?.self_grade;
    if (isGrade(g)) grades.set(node.code, g);
  }
  const targetRule = levelForTarget(standard.rules.levels, dossier.target_level);
  const target = targetRule ? evaluateLevel(targetRule, ruleItems, grades) : null;
  const others = standard.rules.levels
    .filter((l) => l !== targetRule && (dossier.target_level !== 'basic' || l.id !== 'recommended'))
    .map((l) => evaluateLevel(l, ruleItems, grades));
  const total = visible.reduce((n, ch) => n + ch.total, 0);
  const graded = visible.reduce((n, ch) => n + ch.graded, 0);
  const allItems = visible.flatMap((ch) => ch.sections.flatMap((s) => s.items));
  const missingEvidence = [...allItems.filter((i) => i.evidence === 0 && i.node.core), ...allItems.filter((i) => i.evidence === 0 && !i.node.core)];
  return { dossier, institution, standard, chapters: visible, total, graded, target, others, missingEvidence };
}

export function findItem(view: DossierView, code: string): ItemView | null {
  for (const ch of view.chapters) for (const s of ch.sections) for (const i of s.items) if (i.node.code === code) return i;
  return null;
}

/** HTML id for an element about an item; dots are awkward in CSS selectors. */
export function itemDomId(code: string): string {
  return `item-${code.replaceAll('.', '-')}`;
}
