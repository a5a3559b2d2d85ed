// Splitting a dossier into volumes from the plan's page estimates, before anything is rendered: by a page limit
// (default) or by chapter (and within a chapter by the limit). An item stays in one volume unless it alone is
// over the limit; then it is cut into parts — at evidence boundaries where possible, inside a document only when
// that document alone is over the limit. Estimates count every page the volume will have: cover, preface and
// missing-evidence report (volume 1), contents, chapter dividers, item headers, evidence pages and, for duplex,
// blank versos.
import type { BinderOptions, BinderPlan, PlanChapter, PlanEvidence, PlanItem, PlanSection } from './binder-types.ts';
import { itemHeaderSheets, missingReportSheets, type MissingReportItem } from './pdf/sheets.ts';
import { chapterHeading, type Measures } from './pdf/sheet-layout.ts';
import { layoutToc, type TocEntry } from './pdf/toc.ts';

/** Pages of one evidence taken into one volume: offsets into the evidence's selected pages, `to` exclusive (null = to the end). */
export interface EvidenceSlice {
  evidenceIndex: number;
  from: number;
  to: number | null;
}

export interface ItemPart {
  chapter: PlanChapter;
  section: PlanSection;
  item: PlanItem;
  chapterIndex: number;
  sectionIndex: number;
  /** Position of the item in the whole plan. */
  itemIndex: number;
  part: number;
  partCount: number;
  slices: EvidenceSlice[];
}

export interface VolumePlan {
  volumeNo: number;
  parts: ItemPart[];
  estimatedPages: number;
}

export interface VolumeChapter {
  chapter: PlanChapter;
  chapterIndex: number;
  /** The chapter began in an earlier volume. */
  continued: boolean;
  sections: { section: PlanSection; sectionIndex: number; parts: ItemPart[] }[];
}

/** The parts of a volume grouped by chapter and section (consecutive runs). */
export function groupParts(parts: ItemPart[]): VolumeChapter[] {
  const chapters: VolumeChapter[] = [];
  for (const p of parts) {
    let ch = chapters[chapters.length - 1];
    if (!ch || ch.chapterIndex !== p.chapterIndex) {
      const continued = p.sectionIndex > 0 || p.item !== p.section.items[0] || p.part > 1;
      ch = { chapter: p.chapter, chapterIndex: p.chapterIndex, continued, sections: [] };
      chapters.push(ch);
    }
    let sec = ch.sections[ch.sections.length - 1];
    if (!sec || sec.sectionIndex !== p.sectionIndex) {
      sec = { section: p.section, sectionIndex: p.sectionIndex, parts: [] };
      ch.sections.push(sec);
    }
    sec.parts.push(p);
  }
  return chapters;
}

/** A preface bound into volume 1 (see BinderPreface): its page count is read before planning. */
export interface PrefacePlan {
  title: string;
  pages: number;
}

export const tocTarget = {
  preface: 'preface',
  chapter: (c: number) => `c${c}`,
  section: (c: number, s: number) => `s${c}.${s}`,
  item: (p: ItemPart) => `i${p.itemIndex}.${p.part}`,
};

export function itemEntryText(p: ItemPart): string {
  return `${p.item.core ? '★' : ''}${p.item.code} ${p.item.title}${p.partCount > 1 ? `（第 ${p.part}/${p.partCount} 部分）` : ''}`;
}

/** The contents entries of a volume; a preface (volume 1 only) is listed first. */
export function tocEntries(chapters: VolumeChapter[], preface: PrefacePlan | null = null): TocEntry[] {
  const entries: TocEntry[] = [];
  if (preface) entries.push({ level: 0, text: preface.title, target: tocTarget.preface });
  for (const ch of chapters) {
    entries.push({ level: 0, text: chapterHeading(ch.chapter.code, ch.chapter.title), target: tocTarget.chapter(ch.chapterIndex) });
    for (const sec of ch.sections) {
      entries.push({ level: 1, text: `${sec.section.code} ${sec.section.title}`, target: tocTarget.section(ch.chapterIndex, sec.sectionIndex) });
      for (const p of sec.parts) entries.push({ level: 2, text: itemEntryText(p), target: tocTarget.item(p) });
    }
  }
  return entries;
}

/** Selected page count of an evidence from the estimate: the range clamped to the document (at least one page). */
export function estimateEvidencePages(e: PlanEvidence): number {
  const n = Math.max(0, Math.floor(e.estimatedPages || 0));
  if (n === 0) return 1;
  const from = Math.min(Math.max(1, e.pageFrom ?? 1), n);
  const to = Math.min(Math.max(from, e.pageTo ?? n), n);
  return to - from + 1;
}

function slicePages(e: PlanEvidence, s: EvidenceSlice): number {
  const n = estimateEvidencePages(e);
  return Math.max(0, Math.min(n, s.to ?? n) - Math.min(n, s.from));
}

export function missingItems(plan: BinderPlan): MissingReportItem[] {
  return plan.chapters.flatMap((chapter) => chapter.sections.flatMap((s) => s.items.filter((item) => item.evidence.length === 0).map((item) => ({ chapter, item }))));
}

export class VolumePlanner {
  private readonly headerPages = new Map<string, number>();
  private readonly reportPages: number;
  private readonly itemCount: number;

  constructor(
    private readonly plan: BinderPlan,
    private readonly options: BinderOptions,
    private readonly m: Measures,
    private readonly preface: PrefacePlan | null = null,
  ) {
    this.itemCount = plan.chapters.reduce((n, c) => n + c.sections.reduce((k, s) => k + s.items.length, 0), 0);
    this.reportPages = options.missingReport ? missingReportSheets(m, plan, missingItems(plan), this.itemCount).length : 0;
  }

  /** Pages of the front matter before the first chapter: cover, preface and report (volume 1), contents, blank versos. */
  frontPages(first: boolean, tocPages: number): number {
    const duplex = this.options.duplex;
    let p = 1;
    if (duplex) p += 1;
    if (first && this.preface && this.preface.pages > 0) {
      p += this.preface.pages;
      if (duplex && p % 2 === 1) p += 1;
    }
    if (first && this.reportPages > 0) {
      p += this.reportPages;
      if (duplex && p % 2 === 1) p += 1;
    }
    p += tocPages;
    return p;
  }

  /** The preface as a contents entry of volume 1 (none when it has no pages). */
  private get prefaceEntry(): PrefacePlan | null {
    return this.preface && this.preface.pages > 0 ? this.preface : null;
  }

  itemHeaderPages(p: ItemPart): number {
    const key = `${p.itemIndex}.${p.part}.${p.partCount}`;
    let n = this.headerPages.get(key);
    if (n === undefined) {
      n = itemHeaderSheets(this.m, { chapter: p.chapter, section: p.section, item: p.item, part: p.part, partCount: p.partCount }).length;
      this.headerPages.set(key, n);
    }
    return n;
  }

  partPages(p: ItemPart): number {
    let n = this.itemHeaderPages(p);
    for (const s of p.slices) n += slicePages(p.item.evidence[s.evidenceIndex]!, s);
    if (p.item.evidence.length === 0 && p.part === 1 && this.options.includeMissingSheets) n += 1;
    return n;
  }

  /** Estimated pages of a volume holding `parts`. */
  estimate(parts: ItemPart[], first: boolean): number {
    const chapters = groupParts(parts);
    const tocPages = layoutToc(this.m, tocEntries(chapters, first ? this.prefaceEntry : null), '').pages.length;
    let p = this.frontPages(first, tocPages);
    for (const ch of chapters) {
      if (this.options.duplex && p % 2 === 1) p += 1;
      p += 1; // divider
      for (const sec of ch.sections) for (const part of sec.parts) p += this.partPages(part);
    }
    if (this.options.duplex && p % 2 === 1) p += 1; // the closing blank verso
    return p;
  }

  plan_(): VolumePlan[] {
    const max = this.options.maxSheetsPerVolume;
    const volumes: ItemPart[][] = [];
    let cur: ItemPart[] = [];
    const close = () => {
      if (cur.length > 0) volumes.push(cur);
      cur = [];
    };
    let itemIndex = 0;
    this.plan.chapters.forEach((chapter, chapterIndex) => {
      if (this.options.split === 'chapter') close();
      chapter.sections.forEach((section, sectionIndex) => {
        for (const item of section.items) {
          const whole: ItemPart = {
            chapter,
            section,
            item,
            chapterIndex,
            sectionIndex,
            itemIndex: itemIndex++,
            part: 1,
            partCount: 1,
            slices: item.evidence.map((_, evidenceIndex) => ({ evidenceIndex, from: 0, to: null })),
          };
          if (cur.length > 0 && this.estimate([...cur, whole], volumes.length === 0) <= max) {
            cur.push(whole);
            continue;
          }
          close();
          if (this.estimate([whole], volumes.length === 0) <= max) {
            cur = [whole];
            continue;
          }
          const parts = this.splitItem(whole, max, volumes.length === 0);
          for (const part of parts.slice(0, -1)) volumes.push([part]);
          cur = [parts[parts.length - 1]!];
        }
      });
    });
    close();
    if (volumes.length === 0) volumes.push([]);
    return volumes.map((parts, i) => ({ volumeNo: i + 1, parts, estimatedPages: this.estimate(parts, i === 0) }));
  }

  /** An item over the limit on its own, cut into parts that each fill a volume. */
  private splitItem(whole: ItemPart, max: number, firstVolume: boolean): ItemPart[] {
    const overhead = this.estimate([{ ...whole, slices: [], partCount: 2 }], firstVolume);
    const capacity = Math.max(1, max - overhead);
    const groups: EvidenceSlice[][] = [[]];
    let used = 0;
    whole.item.evidence.forEach((e, evidenceIndex) => {
      const pages = estimateEvidencePages(e);
      if (used + pages <= capacity) {
        groups[groups.length - 1]!.push({ evidenceIndex, from: 0, to: null });
        used += pages;
        return;
      }
      if (used > 0) {
        groups.push([]);
        used = 0;
      }
      if (pages <= capacity) {
        groups[groups.length - 1]!.push({ evidenceIndex, from: 0, to: null });
        used = pages;
        return;
      }
      // One document over the limit: cut it into volume-sized runs of pages.
      for (let from = 0; from < pages; from += capacity) {
        const last = from + capacity >= pages;
        if (groups[groups.length - 1]!.length > 0) groups.push([]);
        groups[groups.length - 1]!.push({ evidenceIndex, from, to: last ? null : from + capacity });
        used = last ? pages - from : capacity;
      }
    });
    const nonEmpty = groups.filter((g) => g.length > 0);
    return nonEmpty.map((slices, i) => ({ ...whole, part: i + 1, partCount: nonEmpty.length, slices }));
  }
}

export function planVolumes(plan: BinderPlan, options: BinderOptions, m: Measures, preface: PrefacePlan | null = null): VolumePlan[] {
  return new VolumePlanner(plan, options, m, preface).plan_();
}
