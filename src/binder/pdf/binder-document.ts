// One output PDF being written: its page list and page tree, its two fonts, the per-page stamps and the pages
// reserved for later (contents pages whose page numbers are known only at the end). Stamps ("第 N 页 / 共 M 页")
// are written by finish(), when M is known; the page's content already points at the stamp stream's number.
import { PdfFont, type FontPrograms, type FontSubset } from './cjk-font.ts';
import { writeOutline, type OutlineNode } from './outline.ts';
import { num, pdfDate, pdfTextString, type FinishedPdf, type PdfStreamWriter } from './pdf-stream-writer.ts';

/** A page we draw ourselves (cover, contents, header, placeholder …), in the sheet fonts /F1 (regular) /F2 (bold). */
export interface SheetPage {
  width: number;
  height: number;
  content: string;
  /** Clickable areas going to another page of the same document (by page index). */
  links?: { rect: [number, number, number, number]; page: number }[];
}

export interface PageStamp {
  /** Object number of the stamp's content stream (part of the page's /Contents, written at finish). */
  stream: number;
  width: number;
  height: number;
  /** Resource name of the regular font in the page's resources. */
  fontName: string;
  /** The page's content before the stamp leaves one `q` open (imported pages: the shrink matrix). */
  restore: boolean;
  /** Left part of the stamp: the item code, or the chapter. */
  label: string;
}

export const SHEET_FONT_REGULAR = 'F1';
export const SHEET_FONT_BOLD = 'F2';
const PAGES_PER_GROUP = 128;

/** Size factor of the stamp on a page: 1 on A4, larger on big drawings, smaller on slips. */
export function stampScale(width: number, height: number): number {
  return Math.min(4, Math.max(0.6, Math.min(width, height) / 595.28));
}

/**
 * Height of the band at the bottom of every page that only the stamp uses (content is shrunk above it): 30 pt on
 * A4, so that the stamp's text (baseline 15 pt) stays clear of the 4–5 mm that office printers cannot print.
 */
export function stampBand(width: number, height: number): number {
  return 30 * stampScale(width, height);
}

export interface PageNumbering {
  /** Printed number of the page at `index` of this document. */
  number(index: number): number;
  /** Printed total ("共 M 页"). */
  total: number;
}

export interface DocumentInfo {
  title: string;
  creationDate: string;
  duplex?: boolean;
}

export class BinderDocument {
  readonly fonts: { regular: PdfFont; bold: PdfFont };
  private readonly pagesRoot: number;
  private readonly sheetResources: number;
  private readonly pageRefs: number[] = [];
  private readonly groups: number[] = [];
  private readonly stamps: (PageStamp | null)[] = [];
  private readonly reserved = new Set<number>();

  constructor(
    readonly writer: PdfStreamWriter,
    programs: FontPrograms,
  ) {
    this.pagesRoot = writer.allocate();
    this.fonts = { regular: new PdfFont(programs.regular, writer.allocate()), bold: new PdfFont(programs.bold, writer.allocate()) };
    this.sheetResources = writer.allocate();
    writer.writeObject(
      this.sheetResources,
      `<< /Font << /${SHEET_FONT_REGULAR} ${this.fonts.regular.ref} 0 R /${SHEET_FONT_BOLD} ${this.fonts.bold.ref} 0 R >> >>`,
    );
  }

  get pageCount(): number {
    return this.pageRefs.length;
  }

  pageRef(index: number): number {
    const ref = this.pageRefs[index];
    if (ref === undefined) throw new Error(`no page ${index}`);
    return ref;
  }

  /** A new page slot at the end: its index, object number and parent (the caller writes the page object). */
  nextPage(): { index: number; ref: number; parent: number } {
    const index = this.pageRefs.length;
    const ref = this.writer.allocate();
    this.pageRefs.push(ref);
    this.stamps.push(null);
    const g = Math.floor(index / PAGES_PER_GROUP);
    this.groups[g] ??= this.writer.allocate();
    return { index, ref, parent: this.groups[g]! };
  }

  /** Page slots whose sheets are written later with writeSheetAt (e.g. the contents). */
  reserve(count: number): number[] {
    const out: number[] = [];
    for (let i = 0; i < count; i++) {
      const { index } = this.nextPage();
      this.reserved.add(index);
      out.push(index);
    }
    return out;
  }

  /** Appends a sheet; `label` is the left part of its stamp, null for a page without stamp (labels to cut out). */
  addSheet(sheet: SheetPage, label: string | null): number {
    const slot = this.nextPage();
    this.writeSheet(slot.index, sheet, label);
    return slot.index;
  }

  writeSheetAt(index: number, sheet: SheetPage, label: string): void {
    if (!this.reserved.delete(index)) throw new Error(`page ${index} was not reserved`);
    this.writeSheet(index, sheet, label);
  }

  /** Registers the stamp of a page written by someone else; returns the stamp stream's object number. */
  stampPage(index: number, stamp: Omit<PageStamp, 'stream'>): number {
    const stream = this.writer.allocate();
    this.stamps[index] = { ...stamp, stream };
    return stream;
  }

  parentOf(index: number): number {
    return this.groups[Math.floor(index / PAGES_PER_GROUP)]!;
  }

  private writeSheet(index: number, sheet: SheetPage, label: string | null): void {
    const w = this.writer;
    const content = w.allocate();
    const stamp = label === null ? null : this.stampPage(index, { width: sheet.width, height: sheet.height, fontName: SHEET_FONT_REGULAR, restore: false, label });
    let annots = '';
    if (sheet.links && sheet.links.length > 0) {
      annots =
        ' /Annots [' +
        sheet.links
          .map(
            (l) =>
              `<< /Type /Annot /Subtype /Link /Rect [${l.rect.map(num).join(' ')}] /Border [0 0 0] /Dest [${this.pageRef(l.page)} 0 R /XYZ null null null] >>`,
          )
          .join(' ') +
        ']';
    }
    w.writeObject(
      this.pageRef(index),
      `<< /Type /Page /Parent ${this.parentOf(index)} 0 R /MediaBox [0 0 ${num(sheet.width)} ${num(sheet.height)}] ` +
        `/Resources ${this.sheetResources} 0 R /Contents [${content} 0 R${stamp === null ? '' : ` ${stamp} 0 R`}]${annots} >>`,
    );
    w.writeStream(content, '', `q\n${sheet.content}\nQ\n`);
  }

  /** Writes stamps, page tree, outline, fonts, info and catalog, then the xref; closes the file. */
  async finish(args: { numbering: PageNumbering; outline: OutlineNode[]; info: DocumentInfo }): Promise<FinishedPdf> {
    await this.writeStamps(args.numbering);
    return this.close(args);
  }

  /** The stamps of all pages (the last text this document encodes: fonts can be subset afterwards). */
  async writeStamps(numbering: PageNumbering): Promise<void> {
    const w = this.writer;
    if (this.reserved.size > 0) throw new Error('reserved pages were never written');
    for (let i = 0; i < this.stamps.length; i++) {
      const s = this.stamps[i];
      if (!s) continue;
      w.writeStream(s.stream, '', this.stampContent(s, numbering.number(i), numbering.total));
      this.stamps[i] = null;
      if (i % 256 === 255) await w.drain();
    }
  }

  /** Page tree, outline, fonts (with shared subsets when given), info, catalog, xref; closes the file. */
  async close(args: { outline: OutlineNode[]; info: DocumentInfo; subsets?: { regular: FontSubset; bold: FontSubset } }): Promise<FinishedPdf> {
    const w = this.writer;
    if (this.stamps.some((s) => s !== null)) throw new Error('stamps were not written');
    // Page tree: root → groups of up to 128 pages.
    const kids: string[] = [];
    this.groups.forEach((g, gi) => {
      const pages = this.pageRefs.slice(gi * PAGES_PER_GROUP, (gi + 1) * PAGES_PER_GROUP);
      w.writeObject(g, `<< /Type /Pages /Parent ${this.pagesRoot} 0 R /Kids [${pages.map((p) => `${p} 0 R`).join(' ')}] /Count ${pages.length} >>`);
      kids.push(`${g} 0 R`);
    });
    w.writeObject(this.pagesRoot, `<< /Type /Pages /Kids [${kids.join(' ')}] /Count ${this.pageRefs.length} >>`);
    const outlines = writeOutline(w, args.outline, (i) => this.pageRef(i));
    await this.fonts.regular.writeObjects(w, args.subsets?.regular);
    await this.fonts.bold.writeObjects(w, args.subsets?.bold);
    const info = w.allocate();
    const date = pdfDate(args.info.creationDate);
    w.writeObject(
      info,
      `<< /Title ${pdfTextString(args.info.title)} /Producer ${pdfTextString('Dossier 基层行证据档案系统')}${date ? ` /CreationDate (${date})` : ''} >>`,
    );
    const catalog = w.allocate();
    const prefs = `/ViewerPreferences << /DisplayDocTitle true${args.info.duplex ? ' /Duplex /DuplexFlipLongEdge' : ''} >>`;
    w.writeObject(
      catalog,
      `<< /Type /Catalog /Pages ${this.pagesRoot} 0 R${outlines ? ` /Outlines ${outlines} 0 R /PageMode /UseOutlines` : ''} /Lang (zh-CN) ${prefs} >>`,
    );
    return w.finish({ root: catalog, info });
  }

  private stampContent(s: PageStamp, n: number, total: number): string {
    const k = stampScale(s.width, s.height);
    const size = 8 * k;
    const y = 15 * k;
    const margin = 30 * k;
    const font = this.fonts.regular;
    const right = `第 ${n} 页 / 共 ${total} 页`;
    const rx = s.width - margin - font.width(right, size);
    let out = s.restore ? '\nQ\n' : '';
    out += `q 0 g BT /${s.fontName} ${num(size)} Tf `;
    if (s.label) out += `1 0 0 1 ${num(margin)} ${num(y)} Tm ${font.encode(s.label)} Tj `;
    out += `1 0 0 1 ${num(rx)} ${num(y)} Tm ${font.encode(right)} Tj ET Q\n`;
    return out;
  }
}
