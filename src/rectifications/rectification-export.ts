// The 自评整改档案表 (seed 004 附件3, "服务能力达标、升级自评整改档案表") as an XLSX workbook, and the same columns for
// the printable HTML view. The notice names the per-shortfall fields — item, problem, measures, responsible person,
// deadline, progress — but its table body is not in the seed text, so the column set below follows those fields in
// the notice's order, with 序号 first and the evidence, source and remarks the system keeps after them.
import ExcelJS from 'exceljs';
import {
  overdueDays,
  RECTIFICATION_SOURCE_LABELS,
  RECTIFICATION_STATUS_LABELS,
  dateInChina,
  type RectificationRow,
} from './rectification-repository.ts';

export const FORM_TITLE = '服务能力达标、升级自评整改档案表';

export interface ExportColumn {
  header: string;
  /** Excel column width in characters. */
  width: number;
  value: (r: RectificationRow, index: number, today: string) => string;
}

export function remarkOf(r: RectificationRow, today: string): string {
  const days = overdueDays(r, today);
  return days > 0 ? `已逾期 ${days} 天` : '';
}

export const EXPORT_COLUMNS: ExportColumn[] = [
  { header: '序号', width: 5, value: (_r, i) => String(i + 1) },
  { header: '条款编号', width: 10, value: (r) => `${r.item_core ? '★' : ''}${r.item_code}` },
  { header: '条款名称', width: 20, value: (r) => r.item_title ?? '' },
  { header: '存在问题', width: 30, value: (r) => r.problem },
  { header: '整改措施', width: 30, value: (r) => r.measures },
  { header: '责任人', width: 9, value: (r) => r.responsible },
  { header: '整改时限', width: 12, value: (r) => r.deadline ?? '' },
  { header: '整改状态', width: 10, value: (r) => RECTIFICATION_STATUS_LABELS[r.status] },
  { header: '完成时间', width: 12, value: (r) => (r.completed_at ? dateInChina(r.completed_at) : '') },
  { header: '佐证材料', width: 22, value: (r) => r.evidence.map((e) => e.title + (e.trashed_at ? '（已移入回收站）' : '')).join('\n') },
  { header: '问题来源', width: 9, value: (r) => RECTIFICATION_SOURCE_LABELS[r.source] },
  { header: '备注', width: 10, value: (r, _i, today) => remarkOf(r, today) },
];

export interface ExportInput {
  institutionName: string;
  year: number;
  targetLevelLabel: string;
  rows: RectificationRow[];
  today: string;
}

export function exportTitle(input: Pick<ExportInput, 'institutionName' | 'year'>): string {
  return `${input.institutionName}${input.year}年度${FORM_TITLE}`;
}

export function exportFileName(input: Pick<ExportInput, 'institutionName' | 'year'>): string {
  return `${input.institutionName}-${input.year}年度自评整改档案表.xlsx`;
}

/** Lines a text needs in a column `width` characters wide (a CJK character takes two). */
export function wrappedLines(text: string, width: number): number {
  const usable = Math.max(1, width - 1);
  let total = 0;
  for (const line of text.split('\n')) {
    let units = 0;
    for (const ch of line) units += /[\u0000-\u00ff]/.test(ch) ? 1.1 : 2;
    total += Math.max(1, Math.ceil(units / usable));
  }
  return total;
}

const THIN = { style: 'thin' as const, color: { argb: 'FF000000' } };
const BORDER = { top: THIN, left: THIN, bottom: THIN, right: THIN };
const FONT = '宋体';

export async function buildRectificationWorkbook(input: ExportInput): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = '基层行证据档案系统';
  wb.created = new Date();
  const last = EXPORT_COLUMNS.length;
  const ws = wb.addWorksheet('自评整改档案表', {
    pageSetup: {
      paperSize: 9, // A4
      orientation: 'landscape',
      fitToPage: true,
      fitToWidth: 1,
      fitToHeight: 0, // as many pages down as needed
      horizontalCentered: true,
      margins: { left: 0.4, right: 0.4, top: 0.5, bottom: 0.6, header: 0.3, footer: 0.3 },
      printTitlesRow: '3:3', // the header row repeats on every printed page
    },
    headerFooter: { oddFooter: '&C第 &P 页，共 &N 页' },
    views: [{ state: 'frozen', ySplit: 3 }],
  });
  ws.columns = EXPORT_COLUMNS.map((c) => ({ width: c.width }));

  ws.mergeCells(1, 1, 1, last);
  const title = ws.getCell(1, 1);
  title.value = exportTitle(input);
  title.font = { name: FONT, size: 16, bold: true };
  title.alignment = { horizontal: 'center', vertical: 'middle' };
  ws.getRow(1).height = 30;

  ws.mergeCells(2, 1, 2, last);
  const sub = ws.getCell(2, 1);
  sub.value = `机构名称：${input.institutionName}　　年度：${input.year}　　评价等级：${input.targetLevelLabel}　　共 ${input.rows.length} 条　　导出日期：${input.today}`;
  sub.font = { name: FONT, size: 10 };
  sub.alignment = { horizontal: 'left', vertical: 'middle' };
  ws.getRow(2).height = 20;

  const header = ws.getRow(3);
  EXPORT_COLUMNS.forEach((c, i) => {
    const cell = header.getCell(i + 1);
    cell.value = c.header;
    cell.font = { name: FONT, size: 11, bold: true };
    cell.alignment = { horizontal: 'center', vertical: 'middle', wrapText: true };
    cell.border = BORDER;
    cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFE7EBEF' } };
  });
  header.height = 22;

  input.rows.forEach((r, i) => {
    const row = ws.getRow(4 + i);
    const overdue = overdueDays(r, input.today) > 0;
    let lines = 1;
    EXPORT_COLUMNS.forEach((c, j) => {
      const cell = row.getCell(j + 1);
      const value = c.value(r, i, input.today);
      lines = Math.max(lines, wrappedLines(value, c.width));
      cell.value = value;
      cell.font = { name: FONT, size: 10, color: overdue && (c.header === '整改时限' || c.header === '备注') ? { argb: 'FFB42318' } : undefined };
      const centred = ['序号', '条款编号', '责任人', '整改时限', '整改状态', '完成时间', '问题来源'].includes(c.header);
      cell.alignment = { vertical: 'top', horizontal: centred ? 'center' : 'left', wrapText: true };
      cell.border = BORDER;
    });
    // Not every spreadsheet program grows a row for wrapped text on opening (LibreOffice keeps the default
    // height), so the height is set from an estimate of the wrapped lines.
    row.height = Math.min(409, lines * 13.5 + 4);
  });

  // exceljs declares its own global Buffer interface; the runtime value is a Node Buffer.
  return Buffer.from((await wb.xlsx.writeBuffer()) as unknown as ArrayBuffer);
}
