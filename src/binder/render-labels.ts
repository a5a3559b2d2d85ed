// Printable labels for the archive boxes of one build: an A4 box cover per volume (institution, year, level,
// 盒号 X/Y, item range, page count, retention period), then spine labels — for each volume one strip for a
// 5 cm and one for a 3 cm box spine, 270 mm long, two volumes per A4 sheet, with dashed cut lines. Spine text
// runs top to bottom the way box spines are written (the institution name one character per line).
import type { BinderPlan } from './binder-types.ts';
import { BinderDocument } from './pdf/binder-document.ts';
import { loadFontPrograms } from './pdf/cjk-font.ts';
import { PdfStreamWriter } from './pdf/pdf-stream-writer.ts';
import { A4_HEIGHT, A4_WIDTH, newPage, renderPage, type LaidPage, type Measures } from './pdf/sheet-layout.ts';
import { standardLabel } from './pdf/sheets.ts';
import { wrapText } from './pdf/text-layout.ts';

export interface LabelVolume {
  volumeNo: number;
  firstItem: string;
  lastItem: string;
  pageCount: number;
}

export interface RenderLabelsArgs {
  plan: BinderPlan;
  retentionPeriod: string;
  volumes: LabelVolume[];
  path: string;
}

const MM = 72 / 25.4;
const SPINE_LENGTH = 270 * MM;

function itemRange(v: LabelVolume): string {
  if (!v.firstItem) return '—';
  return v.firstItem === v.lastItem ? v.firstItem : `${v.firstItem} — ${v.lastItem}`;
}

function boxCover(m: Measures, plan: BinderPlan, v: LabelVolume, count: number, retention: string): LaidPage {
  const page = newPage();
  const left = 25 * MM;
  const right = A4_WIDTH - 20 * MM;
  const cx = (left + right) / 2;
  page.ops.push({ t: 'rect', x: left, y: 20 * MM, w: right - left, h: A4_HEIGHT - 40 * MM, stroke: 0, width: 1.5 });
  page.ops.push({ t: 'rect', x: left + 5, y: 20 * MM + 5, w: right - left - 10, h: A4_HEIGHT - 40 * MM - 10, stroke: 0.4, width: 0.5 });
  page.ops.push({ t: 'text', x: cx, y: A4_HEIGHT - 55 * MM, s: '优质服务基层行活动', size: 16, gray: 0.25, align: 'center' });
  page.ops.push({ t: 'text', x: cx, y: A4_HEIGHT - 75 * MM, s: '评价佐证材料', size: 30, bold: true, align: 'center' });
  let y = A4_HEIGHT - 105 * MM;
  for (const line of wrapText(m.bold, plan.institutionName, 24, right - left - 60)) {
    page.ops.push({ t: 'text', x: cx, y, s: line, size: 24, bold: true, align: 'center' });
    y -= 34;
  }
  const rows: [string, string][] = [
    ['年　　度', `${plan.year}年度`],
    ['评价等级', plan.targetLevelLabel],
    ['能力标准', standardLabel(plan)],
    ['盒　　号', `${v.volumeNo} / ${count}`],
    ['条款范围', itemRange(v)],
    ['页　　数', `${v.pageCount} 页`],
    ['保管期限', retention],
  ];
  y = Math.min(y - 40, A4_HEIGHT - 150 * MM);
  const labelX = left + 30 * MM;
  const valueX = labelX + 32 * MM;
  for (const [label, value] of rows) {
    page.ops.push({ t: 'text', x: labelX, y, s: `${label}：`, size: 15, bold: true });
    for (const line of wrapText(m.regular, value, 15, right - 15 * MM - valueX)) {
      page.ops.push({ t: 'text', x: valueX, y, s: line, size: 15 });
      y -= 22;
    }
    page.ops.push({ t: 'line', x1: valueX - 4, y1: y + 16, x2: right - 15 * MM, y2: y + 16, width: 0.4, gray: 0.5 });
    y -= 14;
  }
  return page;
}

/** One spine strip, `width` points wide, with its lower-left corner at (x, y). */
function spine(page: LaidPage, m: Measures, plan: BinderPlan, v: LabelVolume, count: number, retention: string, x: number, y: number, width: number): void {
  const h = SPINE_LENGTH;
  const cx = x + width / 2;
  const k = width / (50 * MM); // 1 for the 5 cm strip
  page.ops.push({ t: 'rect', x, y, w: width, h, stroke: 0, width: 0.6 });
  // Cut marks beyond the corners (dashed lines continue the edges).
  for (const [x1, y1, x2, y2] of [
    [x, y + h, x, y + h + 12],
    [x + width, y + h, x + width, y + h + 12],
    [x, y, x, y - 12],
    [x + width, y, x + width, y - 12],
  ] as const) {
    page.ops.push({ t: 'line', x1, y1, x2, y2, width: 0.4, gray: 0.4, dash: [2, 2] });
  }
  let top = y + h - 14 * k - 8;
  page.ops.push({ t: 'text', x: cx, y: top, s: `${plan.year}年度`, size: 14 * k, bold: true, align: 'center' });
  top -= 10 * k;
  page.ops.push({ t: 'line', x1: x + 6, y1: top, x2: x + width - 6, y2: top, width: 0.5, gray: 0.3 });

  // The bottom block: box number, item range, retention period — each a small grey label over its value.
  const t = Math.max(k, 0.75);
  const range = v.firstItem ? (v.firstItem === v.lastItem ? [v.firstItem] : [v.firstItem, '至', v.lastItem]) : ['—'];
  const groups: { label: string; values: string[]; size: number }[] = [
    { label: '盒号', values: [`${v.volumeNo} / ${count}`], size: 18 * t },
    { label: '条款', values: range, size: 11.5 * t },
    { label: '保管期限', values: [retention], size: 13 * t },
  ];
  let by = y + 12;
  for (const g of [...groups].reverse()) {
    for (const value of [...g.values].reverse()) {
      page.ops.push({ t: 'text', x: cx, y: by, s: value, size: fitSize(m, value, g.size, width - 8, true), bold: true, align: 'center' });
      by += g.size * 1.25;
    }
    const labelSize = 8.5 * t;
    page.ops.push({ t: 'text', x: cx, y: by, s: g.label, size: fitSize(m, g.label, labelSize, width - 8), gray: 0.4, align: 'center' });
    by += labelSize + 10 * t;
  }
  const bottom = by + 6;
  page.ops.push({ t: 'line', x1: x + 6, y1: bottom, x2: x + width - 6, y2: bottom, width: 0.5, gray: 0.3 });

  // The institution name, one character per line, as large as fits between the two blocks.
  const chars = [...plan.institutionName.replace(/\s+/g, '')];
  // Stacked: 10 pt gap, n characters at 1.12 × size each, the level label (1.6 × its size), 8 pt gap.
  const levelSize = 10 * Math.max(k, 0.75);
  const room = top - bottom - 10 - 8 - levelSize * 1.6;
  const size = Math.max(5, Math.min(width * 0.55, room / (Math.max(1, chars.length) * 1.12)));
  let ny = top - 10 - size;
  for (const ch of chars) {
    page.ops.push({ t: 'text', x: cx, y: ny, s: ch, size, bold: true, align: 'center' });
    ny -= size * 1.12;
  }
  const level = plan.targetLevelLabel;
  page.ops.push({ t: 'text', x: cx, y: ny + size * 1.12 - size * 0.12 - levelSize * 1.6, s: level, size: fitSize(m, level, levelSize, width - 8), gray: 0.25, align: 'center' });
}

function fitSize(m: Measures, text: string, size: number, width: number, bold = false): number {
  const w = (bold ? m.bold : m.regular).width(text, size);
  return w <= width ? size : (size * width) / w;
}

export async function renderLabels(args: RenderLabelsArgs): Promise<void> {
  const programs = await loadFontPrograms();
  const m: Measures = { regular: programs.regular, bold: programs.bold };
  const writer = await PdfStreamWriter.toFile(args.path);
  const doc = new BinderDocument(writer, programs);
  const count = args.volumes.length;
  try {
    for (const v of args.volumes) doc.addSheet(renderPage(boxCover(m, args.plan, v, count, args.retentionPeriod), doc.fonts), null);
    const w5 = 50 * MM;
    const w3 = 30 * MM;
    const gap = 8 * MM;
    const pairWidth = w5 + gap + w3;
    const startX = (A4_WIDTH - (2 * pairWidth + gap * 1.5)) / 2;
    const y = (A4_HEIGHT - SPINE_LENGTH) / 2;
    for (let i = 0; i < args.volumes.length; i += 2) {
      const page = newPage();
      args.volumes.slice(i, i + 2).forEach((v, j) => {
        const x = startX + j * (pairWidth + gap * 1.5);
        spine(page, m, args.plan, v, count, args.retentionPeriod, x, y, w5);
        spine(page, m, args.plan, v, count, args.retentionPeriod, x + w5 + gap, y, w3);
        page.ops.push({ t: 'text', x: x + w5 / 2, y: y - 22, s: '5 cm 盒脊', size: 7, gray: 0.45, align: 'center' });
        page.ops.push({ t: 'text', x: x + w5 + gap + w3 / 2, y: y - 22, s: '3 cm 盒脊', size: 7, gray: 0.45, align: 'center' });
      });
      page.ops.push({ t: 'text', x: A4_WIDTH / 2, y: A4_HEIGHT - 16, s: '盒脊标签：沿虚线裁下，按档案盒宽度选用 5 cm 或 3 cm 标签', size: 8, gray: 0.45, align: 'center' });
      doc.addSheet(renderPage(page, doc.fonts), null);
    }
    await doc.finish({
      numbering: { number: (i) => i + 1, total: doc.pageCount },
      outline: [],
      info: { title: `${args.plan.institutionName} ${args.plan.year}年度评价佐证材料 档案盒标签`, creationDate: args.plan.creationDate },
    });
  } catch (err) {
    await writer.abort();
    throw err;
  }
}
