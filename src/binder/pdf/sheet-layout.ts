// Drawing and flowing text on the pages we make ourselves. Layout is done with font metrics only (so a sheet's
// page count is known before anything is written, e.g. to plan volumes); rendering turns the laid-out operations
// into content-stream text with the document's fonts. Black and greys only: the binder is printed in monochrome.
import { SHEET_FONT_BOLD, SHEET_FONT_REGULAR, type SheetPage } from './binder-document.ts';
import type { PdfFont } from './cjk-font.ts';
import { num } from './pdf-stream-writer.ts';
import { wrapText, type TextMeasure } from './text-layout.ts';

export const A4_WIDTH = 595.28;
export const A4_HEIGHT = 841.89;
/** Sheet margins; the left one leaves room for binding (25 mm). */
export const MARGIN = { left: 70.87, right: 56.69, top: 62, bottom: 56.69 } as const;
export const CONTENT_WIDTH = A4_WIDTH - MARGIN.left - MARGIN.right;

export interface Measures {
  regular: TextMeasure;
  bold: TextMeasure;
}

export type Op =
  | { t: 'text'; x: number; y: number; s: string; size: number; bold?: boolean; gray?: number; align?: 'left' | 'right' | 'center' }
  | { t: 'line'; x1: number; y1: number; x2: number; y2: number; width?: number; gray?: number; dash?: number[] }
  | { t: 'rect'; x: number; y: number; w: number; h: number; fill?: number; stroke?: number; width?: number };

export interface LaidPage {
  width: number;
  height: number;
  ops: Op[];
  links?: { rect: [number, number, number, number]; page: number }[];
}

export function newPage(width = A4_WIDTH, height = A4_HEIGHT): LaidPage {
  return { width, height, ops: [] };
}

/** The laid-out page as a sheet of content-stream text in the document's fonts. */
export function renderPage(page: LaidPage, fonts: { regular: PdfFont; bold: PdfFont }): SheetPage {
  let out = '';
  for (const op of page.ops) {
    if (op.t === 'text') {
      if (!op.s) continue;
      const font = op.bold ? fonts.bold : fonts.regular;
      let x = op.x;
      if (op.align === 'right') x -= font.width(op.s, op.size);
      else if (op.align === 'center') x -= font.width(op.s, op.size) / 2;
      out += `BT /${op.bold ? SHEET_FONT_BOLD : SHEET_FONT_REGULAR} ${num(op.size)} Tf ${num(op.gray ?? 0)} g 1 0 0 1 ${num(x)} ${num(op.y)} Tm ${font.encode(op.s)} Tj ET\n`;
    } else if (op.t === 'line') {
      out += `${num(op.width ?? 0.5)} w ${num(op.gray ?? 0)} G [${(op.dash ?? []).map(num).join(' ')}] 0 d ${num(op.x1)} ${num(op.y1)} m ${num(op.x2)} ${num(op.y2)} l S\n`;
    } else {
      const path = `${num(op.x)} ${num(op.y)} ${num(op.w)} ${num(op.h)} re`;
      if (op.fill !== undefined && op.stroke !== undefined) out += `${num(op.width ?? 0.5)} w [] 0 d ${num(op.fill)} g ${num(op.stroke)} G ${path} B\n`;
      else if (op.fill !== undefined) out += `${num(op.fill)} g ${path} f\n`;
      else out += `${num(op.width ?? 0.5)} w [] 0 d ${num(op.stroke ?? 0)} G ${path} S\n`;
    }
  }
  return { width: page.width, height: page.height, content: out, ...(page.links ? { links: page.links } : {}) };
}

/**
 * Text flowing down A4 pages: paragraphs are wrapped to the content width, a new page is started when the next
 * line does not fit, and every page after the first gets `continuation` at its top.
 */
export class Flow {
  readonly pages: LaidPage[] = [];
  y = 0;
  private page!: LaidPage;

  constructor(
    readonly measures: Measures,
    private readonly continuation: (page: LaidPage) => number = () => A4_HEIGHT - MARGIN.top,
  ) {
    this.page = newPage();
    this.pages.push(this.page);
    this.y = A4_HEIGHT - MARGIN.top;
  }

  get current(): LaidPage {
    return this.page;
  }

  newPage(): void {
    this.page = newPage();
    this.pages.push(this.page);
    this.y = this.continuation(this.page);
  }

  /** Makes sure `height` more points fit on this page, starting a new one if not. */
  ensure(height: number): void {
    if (this.y - height < MARGIN.bottom) this.newPage();
  }

  space(height: number): void {
    this.y -= height;
  }

  op(op: Op): void {
    this.page.ops.push(op);
  }

  /** A wrapped paragraph; returns the number of lines. */
  paragraph(text: string, opts: { size: number; bold?: boolean; gray?: number; indent?: number; width?: number; leading?: number; firstLineKeep?: number }): number {
    const measure = opts.bold ? this.measures.bold : this.measures.regular;
    const indent = opts.indent ?? 0;
    const width = opts.width ?? CONTENT_WIDTH - indent;
    const leading = opts.leading ?? opts.size * 1.6;
    const lines = wrapText(measure, text, opts.size, width);
    lines.forEach((line, i) => {
      this.ensure(i === 0 ? Math.max(leading, opts.firstLineKeep ?? 0) : leading);
      this.y -= leading;
      this.op({ t: 'text', x: MARGIN.left + indent, y: this.y + (leading - opts.size) / 2 + opts.size * 0.12, s: line, size: opts.size, bold: opts.bold ?? false, gray: opts.gray ?? 0 });
    });
    return lines.length;
  }

  /** A horizontal rule across the content width. */
  rule(opts: { gray?: number; width?: number; gap?: number } = {}): void {
    const gap = opts.gap ?? 6;
    this.ensure(gap * 2);
    this.y -= gap;
    this.op({ t: 'line', x1: MARGIN.left, y1: this.y, x2: A4_WIDTH - MARGIN.right, y2: this.y, width: opts.width ?? 0.5, gray: opts.gray ?? 0.5 });
    this.y -= gap;
  }

  /**
   * A table with wrapped cells; the header row is repeated on every page the table continues on. `widths` are
   * fractions of the content width (or points when any is > 1).
   */
  table(columns: string[], rows: string[][], opts: { size?: number; widths?: number[] } = {}): void {
    const size = opts.size ?? 9.5;
    const leading = size * 1.45;
    const pad = 4;
    const raw = opts.widths && opts.widths.length === columns.length ? opts.widths : columns.map(() => 1);
    const total = raw.reduce((a, b) => a + b, 0);
    const widths = raw.map((w) => (w / total) * CONTENT_WIDTH);
    const cellLines = (cells: string[], bold: boolean) =>
      columns.map((_, i) => wrapText(bold ? this.measures.bold : this.measures.regular, cells[i] ?? '', size, Math.max(8, widths[i]! - 2 * pad)));
    const drawRow = (lines: string[][], bold: boolean, shade: boolean) => {
      const h = Math.max(1, ...lines.map((l) => l.length)) * leading + pad;
      const top = this.y;
      if (shade) this.op({ t: 'rect', x: MARGIN.left, y: top - h, w: CONTENT_WIDTH, h, fill: 0.9 });
      let x = MARGIN.left;
      lines.forEach((cell, i) => {
        cell.forEach((line, k) => {
          this.op({ t: 'text', x: x + pad, y: top - pad / 2 - (k + 1) * leading + (leading - size) / 2 + size * 0.12, s: line, size, bold });
        });
        x += widths[i]!;
      });
      this.y -= h;
      this.op({ t: 'line', x1: MARGIN.left, y1: this.y, x2: MARGIN.left + CONTENT_WIDTH, y2: this.y, width: 0.4, gray: 0.55 });
      return h;
    };
    const header = cellLines(columns, true);
    const headerH = Math.max(...header.map((l) => l.length)) * leading + pad;
    this.ensure(headerH + leading + pad);
    drawRow(header, true, true);
    for (const row of rows) {
      const lines = cellLines(row, false);
      const h = Math.max(1, ...lines.map((l) => l.length)) * leading + pad;
      if (this.y - h < MARGIN.bottom) {
        this.newPage();
        drawRow(header, true, true);
      }
      // A row taller than a page is cut into page-sized pieces.
      if (this.y - h < MARGIN.bottom) {
        let rest = lines;
        while (rest.some((l) => l.length > 0)) {
          const fit = Math.max(1, Math.floor((this.y - MARGIN.bottom - pad) / leading));
          drawRow(rest.map((l) => l.slice(0, fit)), false, false);
          rest = rest.map((l) => l.slice(fit));
          if (rest.some((l) => l.length > 0)) {
            this.newPage();
            drawRow(header, true, true);
          }
        }
        continue;
      }
      drawRow(lines, false, false);
    }
  }
}

/** 1 → 一, 12 → 十二, 25 → 二十五 (chapter numbers); other codes are returned unchanged. */
export function chineseNumber(code: string): string {
  if (!/^\d{1,2}$/.test(code)) return code;
  const n = Number(code);
  const d = '零一二三四五六七八九';
  if (n < 10) return d[n]!;
  const tens = Math.floor(n / 10);
  const ones = n % 10;
  return `${tens === 1 ? '' : d[tens]}十${ones ? d[ones] : ''}`;
}

/** "第一章 功能任务与资源配置" for chapter 1 (or the code as it is when it is not a number). */
export function chapterHeading(code: string, title: string): string {
  return /^\d{1,2}$/.test(code) ? `第${chineseNumber(code)}章 ${title}` : `${code} ${title}`;
}
