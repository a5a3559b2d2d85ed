// One volume of the binder, front to back: cover (written last, it shows the page count), blank verso for
// duplex, the preface (volume 1, optional: another PDF's pages, e.g. a review summary), the missing-evidence
// report (volume 1, optional), contents (reserved now, written last with the page
// numbers), then per chapter a divider on a right-hand page (duplex) and per item its header sheet(s), evidence
// and "缺少佐证材料" sheet. It records where each chapter, section and item starts, for contents and bookmarks.
import { DEFAULT_DOCUMENT_TITLE, type BinderOptions, type BinderPlan, type RenderedVolume } from './binder-types.ts';
import { evidenceOccurrence, type EvidencePages } from './evidence-pages.ts';
import { BinderDocument, type PageNumbering } from './pdf/binder-document.ts';
import type { FontPrograms, FontSubset } from './pdf/cjk-font.ts';
import type { OutlineNode } from './pdf/outline.ts';
import { PageImporter } from './pdf/pdf-page-import.ts';
import type { SourcePdf } from './pdf/pdf-source.ts';
import { PdfStreamWriter } from './pdf/pdf-stream-writer.ts';
import { chapterHeading, renderPage, type LaidPage, type Measures } from './pdf/sheet-layout.ts';
import { blankVerso, coverSheet, dividerSheet, itemHeaderSheets, missingEvidenceSheet, missingReportSheets } from './pdf/sheets.ts';
import { layoutToc, renderToc, type TocLayout } from './pdf/toc.ts';
import { groupParts, itemEntryText, missingItems, tocEntries, tocTarget, type PrefacePlan, type VolumeChapter, type VolumePlan } from './plan-volumes.ts';

export interface VolumeContext {
  plan: BinderPlan;
  options: BinderOptions;
  programs: FontPrograms;
  measures: Measures;
  volumeCount: number;
  itemCount: number;
  evidence: EvidencePages;
  /** Bound into volume 1 after the cover; its pages are stamped with the title. */
  preface: { source: SourcePdf; title: string } | null;
  /** Called after each page written. */
  pageDone: () => Promise<void>;
}

export class VolumeBuilder {
  private readonly chapters: VolumeChapter[];
  private readonly targets = new Map<string, number>();
  private readonly outline: OutlineNode[] = [];
  private coverIndex = 0;
  private tocPages: number[] = [];
  private toc!: TocLayout;

  private constructor(
    private readonly ctx: VolumeContext,
    private readonly volume: VolumePlan,
    readonly path: string,
    readonly doc: BinderDocument,
  ) {
    this.chapters = groupParts(volume.parts);
  }

  static async create(ctx: VolumeContext, volume: VolumePlan, path: string): Promise<VolumeBuilder> {
    const writer = await PdfStreamWriter.toFile(path);
    return new VolumeBuilder(ctx, volume, path, new BinderDocument(writer, ctx.programs));
  }

  get firstItem(): string {
    return this.volume.parts[0]?.item.code ?? '';
  }

  get lastItem(): string {
    return this.volume.parts[this.volume.parts.length - 1]?.item.code ?? '';
  }

  get pageCount(): number {
    return this.doc.pageCount;
  }

  private async sheet(page: LaidPage, label: string): Promise<number> {
    const index = this.doc.addSheet(renderPage(page, this.doc.fonts), label);
    await this.doc.writer.drain();
    await this.ctx.pageDone();
    return index;
  }

  /** A blank verso when the next page would otherwise land on a left-hand (even) page. */
  private async padToRecto(): Promise<void> {
    if (this.ctx.options.duplex && this.doc.pageCount % 2 === 1) await this.sheet(blankVerso(), '');
  }

  async build(): Promise<void> {
    const { ctx, doc } = this;
    const m = ctx.measures;
    [this.coverIndex] = doc.reserve(1) as [number];
    await ctx.pageDone();
    await this.padToRecto();
    let preface: PrefacePlan | null = null;
    if (this.volume.volumeNo === 1 && ctx.preface) {
      const { source, title } = ctx.preface;
      preface = { title, pages: source.pages.length };
      this.targets.set(tocTarget.preface, doc.pageCount);
      this.outline.push({ title, page: doc.pageCount, children: [] });
      const importer = new PageImporter(source, doc);
      for (let i = 0; i < source.pages.length; i++) {
        importer.importPage(i, title);
        await doc.writer.drain();
        await ctx.pageDone();
      }
      await this.padToRecto();
    }
    if (this.volume.volumeNo === 1 && ctx.options.missingReport) {
      for (const page of missingReportSheets(m, ctx.plan, missingItems(ctx.plan), ctx.itemCount)) await this.sheet(page, '');
      await this.padToRecto();
    }
    this.toc = layoutToc(m, tocEntries(this.chapters, preface), `第 ${this.volume.volumeNo} 册 / 共 ${ctx.volumeCount} 册　${ctx.plan.institutionName}`);
    this.tocPages = doc.reserve(this.toc.pages.length);
    for (let i = 0; i < this.tocPages.length; i++) await ctx.pageDone();

    for (const ch of this.chapters) {
      await this.padToRecto();
      const sections = ch.sections.map((s) => ({ section: s.section, items: s.parts.length }));
      const chapterLabel = chapterHeading(ch.chapter.code, '').trim();
      const divider = await this.sheet(dividerSheet(m, ch.chapter, sections, ch.continued), chapterLabel);
      this.targets.set(tocTarget.chapter(ch.chapterIndex), divider);
      const chapterNode: OutlineNode = { title: chapterHeading(ch.chapter.code, ch.chapter.title), page: divider, children: [], open: true };
      this.outline.push(chapterNode);
      for (const sec of ch.sections) {
        const sectionNode: OutlineNode = { title: `${sec.section.code} ${sec.section.title}`, page: doc.pageCount, children: [] };
        this.targets.set(tocTarget.section(ch.chapterIndex, sec.sectionIndex), doc.pageCount);
        chapterNode.children.push(sectionNode);
        for (const part of sec.parts) {
          const start = doc.pageCount;
          this.targets.set(tocTarget.item(part), start);
          sectionNode.children.push({ title: itemEntryText(part), page: start, children: [] });
          const label = `条款 ${part.item.code}`;
          for (const page of itemHeaderSheets(m, { chapter: part.chapter, section: part.section, item: part.item, part: part.part, partCount: part.partCount })) {
            await this.sheet(page, label);
          }
          for (const slice of part.slices) {
            const e = part.item.evidence[slice.evidenceIndex]!;
            await ctx.evidence.writeSlice(doc, e, slice, evidenceOccurrence(part.itemIndex, slice.evidenceIndex), part.item.code, ctx.pageDone);
          }
          if (part.item.evidence.length === 0 && part.part === 1 && ctx.options.includeMissingSheets) {
            await this.sheet(missingEvidenceSheet(m, part.item), label);
          }
        }
      }
    }
    // Duplex: an even page count, so that the next volume (and continuous numbering) starts on a right-hand page.
    if (ctx.options.duplex && doc.pageCount % 2 === 1) await this.sheet(blankVerso(), '');
  }

  /** Writes cover and contents (now that page numbers are known) and the stamps: all the volume's text. */
  async prepare(numbering: PageNumbering): Promise<void> {
    const { ctx, doc } = this;
    const count = doc.pageCount;
    const cover = coverSheet(doc.fonts, {
      plan: ctx.plan,
      volumeNo: this.volume.volumeNo,
      volumeCount: ctx.volumeCount,
      firstItem: this.firstItem,
      lastItem: this.lastItem,
      pageCount: count,
      pageRange: [numbering.number(0), numbering.number(count - 1)],
    });
    doc.writeSheetAt(this.coverIndex, renderPage(cover, doc.fonts), '');
    const pageOf = (target: string) => {
      const index = this.targets.get(target);
      if (index === undefined) throw new Error(`contents target ${target} has no page`);
      return index;
    };
    renderToc(doc.fonts, this.toc, pageOf, (i) => numbering.number(i)).forEach((page, i) => {
      doc.writeSheetAt(this.tocPages[i]!, renderPage(page, doc.fonts), '');
    });
    await doc.writeStamps(numbering);
    await doc.writer.drain(true); // nothing held while the volume waits for the others
  }

  /** Bookmarks, fonts (subsets shared by the build's volumes), xref; closes the file. */
  async close(subsets: { regular: FontSubset; bold: FontSubset }): Promise<RenderedVolume> {
    const { ctx, doc } = this;
    const title = `${ctx.plan.institutionName} ${ctx.plan.year}年度${ctx.plan.documentTitle ?? DEFAULT_DOCUMENT_TITLE} 第${this.volume.volumeNo}册`;
    const done = await doc.close({ outline: this.outline, info: { title, creationDate: ctx.plan.creationDate, duplex: ctx.options.duplex }, subsets });
    return {
      volumeNo: this.volume.volumeNo,
      path: this.path,
      pageCount: doc.pageCount,
      firstItem: this.firstItem,
      lastItem: this.lastItem,
      sha256: done.sha256,
      size: done.size,
    };
  }

  async abort(): Promise<void> {
    await this.doc.writer.abort();
  }
}
