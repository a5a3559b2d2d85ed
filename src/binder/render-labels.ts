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

  // The bottom block: box number, item range, retention period.
  const range = v.firstItem ? (v.firstItem === v.lastItem ? [v.firstItem] : [v.firstItem, '至', v.lastItem]) : ['—'];
  const bottomLines: { s: string; size: number; bold?: boolean; gray?: number }[] = [
    { s: '盒号', size: 9 * k, gray: 0.35 },
    { s: `${v.volumeNo} / ${count}`, size: 16 * k, bold: true },
    { s: '条款', size: 9 * k, gray: 0.35 },
    ...range.map((s) => ({ s, size: 11 * k })),
    { s: '保管期限', size: 9 * k, gray: 0.35 },
    { s: retention, size: 12 * k, bold: true },
  ];
  let by = y + 10;
  const positions: number[] = [];
  for (const line of [...bottomLines].reverse()) {
    positions.unshift(by + 2);
    by += line.size * 1.45;
  }
  bottomLines.forEach((line, i) => {
    const fitted = fitSize(m, line.s, line.size, width - 8, line.bold);
    page.ops.push({ t: 'text', x: cx, y: positions[i]!, s: line.s, size: fitted, bold: line.bold ?? false, gray: line.gray ?? 0, align: 'center' });
  });
  const bottom = by + 6;
  page.ops.push({ t: 'line', x1: x + 6, y1: bottom, x2: x + width - 6, y2: bottom, width: 0.5, gray: 0.3 });

  // The institution name, one character per line, as large as fits between the two blocks.
  const chars = [...plan.institutionName.replace(/\s+/g, '')];
  const room = top - bottom - 20;
  const levelSize = 10 * k;
  const nameRoom = room - levelSize * 2.5;
  const size = Math.max(5, Math.min(24 * k, width * 0.5, nameRoom / Math.max(1, chars.length) / 1.12));
  let ny = top - 10 - size;
  for (const ch of chars) {
    page.ops.push({ t: 'text', x: cx, y: ny, s: ch, size, bold: true, align: 'center' });
    ny -= size * 1.12;
  }
  page.ops.push({ t: 'text', x: cx, y: ny - levelSize * 0.6, s: plan.targetLevelLabel, size: fitSize(m, plan.targetLevelLabel, levelSize, width - 8), gray: 0.25, align: 'center' });
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
