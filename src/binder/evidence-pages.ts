// Evidence into pages: each evidence is opened once (in plan order) and kept while its slices are written —
// an evidence cut across two volumes stays loaded across the boundary; the previous one is released when the
// next is loaded, so memory is bounded by one source document (plus read-ahead: while one evidence is written, the
// next few are opened — the opener may fetch from storage — and PDFs of up to 8 MB read; JPEG bytes are never held,
// they are copied from the file into the output). Whatever cannot be printed becomes a placeholder sheet naming
// the document and the reason, and is reported.
import { readFileSync, statSync } from 'node:fs';
import type { EvidenceOpener, PlanEvidence, ReplacedEvidence } from './binder-types.ts';
import type { BinderDocument } from './pdf/binder-document.ts';
import { loadImage, writeImagePage, type ImageLoad } from './pdf/image-page.ts';
import { PageImporter } from './pdf/pdf-page-import.ts';
import { loadSourcePdf, type SourcePdf } from './pdf/pdf-source.ts';
import { renderPage, type Measures } from './pdf/sheet-layout.ts';
import { placeholderSheet } from './pdf/sheets.ts';
import type { EvidenceSlice } from './plan-volumes.ts';

export const OPEN_FAILED_REASON = '文件无法打开';

export const evidenceOccurrence = (itemIndex: number, evidenceIndex: number) => `${itemIndex}:${evidenceIndex}`;

/** Files up to this size are read ahead, synchronously (a page-cache copy is cheaper than four trips through the
 * thread pool); larger ones are read asynchronously when their turn comes (memory stays bounded). */
const READ_AHEAD_BYTES = 8 * 1024 * 1024;
/** How many evidence occurrences are opened ahead of the one being written (the opener may fetch from storage). */
const AHEAD = 4;

type Fetched = { kind: 'pdf' | 'image'; path: string; bytes: Buffer | null } | { kind: 'failed'; reason: string };

/** One appearance of an evidence in the binder (the same file linked to two items appears twice). */
export interface EvidenceOccurrence {
  occurrence: string;
  evidence: PlanEvidence;
}

type Opened =
  | { kind: 'pdf'; source: SourcePdf; selected: number[]; importers: Map<BinderDocument, PageImporter> }
  | { kind: 'image'; image: Extract<ImageLoad, { ok: true }>; selected: number[] }
  | { kind: 'failed'; reason: string };

/** Source page indexes (0-based) selected by the evidence's 1-based inclusive range, clamped to the document. */
export function selectPages(e: PlanEvidence, count: number): { pages: number[]; note: string | null } {
  const wantFrom = Math.max(1, e.pageFrom ?? 1);
  const wantTo = e.pageTo ?? count;
  const from = Math.min(wantFrom, count);
  const to = Math.min(Math.max(from, wantTo), count);
  const pages: number[] = [];
  for (let p = from; p <= to; p++) pages.push(p - 1);
  const note =
    (e.pageFrom !== null || e.pageTo !== null) && (wantFrom > count || wantTo > count || wantTo < wantFrom)
      ? `页码范围第 ${e.pageFrom ?? 1}–${e.pageTo ?? count} 页超出文件页数（${count} 页），已按第 ${from}–${to} 页装订`
      : null;
  return { pages, note };
}

export class EvidencePages {
  private currentKey: string | null = null;
  private current: Opened | null = null;
  readonly replaced: ReplacedEvidence[] = [];
  readonly adjusted: ReplacedEvidence[] = [];
  private readonly position = new Map<string, number>();
  private readonly ahead = new Map<string, Promise<Fetched>>();
  private nextAhead = 0;

  constructor(
    private readonly open: EvidenceOpener,
    private readonly measures: Measures,
    /** Every occurrence in the order they will be written (for reading ahead). */
    private readonly order: EvidenceOccurrence[] = [],
  ) {
    order.forEach((o, i) => this.position.set(o.occurrence, i));
  }

  /** Writes one slice of an evidence into `doc`; calls `pageDone` after every page (and lets the writer drain). */
  async writeSlice(doc: BinderDocument, e: PlanEvidence, slice: EvidenceSlice, occurrence: string, itemCode: string, pageDone: () => Promise<void>): Promise<void> {
    const opened = await this.get(e, occurrence);
    const label = `条款 ${itemCode}`;
    const placeholder = async (reason: string) => {
      doc.addSheet(renderPage(placeholderSheet(this.measures, { title: e.title, fileName: e.fileName, reason }, itemCode), doc.fonts), label);
      await doc.writer.drain();
      await pageDone();
    };
    if (opened.kind === 'failed') {
      if (slice.from === 0) await placeholder(opened.reason);
      return;
    }
    const pages = opened.selected.slice(slice.from, slice.to ?? undefined);
    if (opened.kind === 'pdf') {
      let importer = opened.importers.get(doc);
      if (!importer) opened.importers.set(doc, (importer = new PageImporter(opened.source, doc)));
      for (const index of pages) {
        importer.importPage(index, label);
        await doc.writer.drain();
        await pageDone();
      }
      return;
    }
    for (const index of pages) {
      let img;
      try {
        img = await opened.image.page(index);
      } catch {
        const reason = `图片第 ${index + 1} 页已损坏，无法读取`;
        this.replaced.push({ key: e.key, title: e.title, reason });
        await placeholder(reason);
        continue;
      }
      writeImagePage(doc, img, label);
      await doc.writer.drain();
      await pageDone();
    }
  }

  /** Drops the loaded source (end of the build). */
  release(): void {
    this.current = null;
    this.currentKey = null;
    this.ahead.clear();
  }

  private async get(e: PlanEvidence, occurrence: string): Promise<Opened> {
    if (this.currentKey === occurrence && this.current) return this.current;
    this.current = null; // let the previous source be collected before the next is read
    this.currentKey = occurrence;
    const fetched = this.ahead.get(occurrence) ?? this.fetch(e);
    this.ahead.delete(occurrence);
    // Open the next few in plan order (each once), so that their opening and reading overlaps this one's pages.
    const at = this.position.get(occurrence);
    if (at !== undefined) {
      this.nextAhead = Math.max(this.nextAhead, at + 1);
      for (; this.nextAhead <= at + AHEAD && this.nextAhead < this.order.length; this.nextAhead++) {
        const next = this.order[this.nextAhead]!;
        this.ahead.set(next.occurrence, this.fetch(next.evidence));
      }
    }
    this.current = await this.load(e, await fetched);
    if (this.current.kind === 'failed') this.replaced.push({ key: e.key, title: e.title, reason: this.current.reason });
    return this.current;
  }

  /** Asks the opener for the file and reads it (when not large). Never rejects. */
  private async fetch(e: PlanEvidence): Promise<Fetched> {
    let target;
    try {
      target = await this.open(e);
    } catch {
      return { kind: 'failed', reason: OPEN_FAILED_REASON };
    }
    if (target.type === 'unavailable') return { kind: 'failed', reason: target.reason || OPEN_FAILED_REASON };
    let bytes: Buffer | null = null;
    try {
      // Images are not read here: a plain JPEG is copied from its file into the output when written.
      if (target.type === 'pdf' && statSync(target.path).size <= READ_AHEAD_BYTES) bytes = readFileSync(target.path);
    } catch {
      bytes = null; // reported by the loader, which tries again
    }
    return { kind: target.type, path: target.path, bytes };
  }

  private async load(e: PlanEvidence, f: Fetched): Promise<Opened> {
    if (f.kind === 'failed') return f;
    if (f.kind === 'pdf') {
      const loaded = await loadSourcePdf(f.path, f.bytes);
      if (!loaded.ok) return { kind: 'failed', reason: loaded.reason };
      return { kind: 'pdf', source: loaded.source, selected: this.select(e, loaded.source.pages.length), importers: new Map() };
    }
    const image = await loadImage(f.path, f.bytes);
    if (!image.ok) return { kind: 'failed', reason: image.reason };
    return { kind: 'image', image, selected: this.select(e, image.pageCount) };
  }

  private select(e: PlanEvidence, count: number): number[] {
    const { pages, note } = selectPages(e, count);
    if (note) this.adjusted.push({ key: e.key, title: e.title, reason: note });
    return pages;
  }
}
