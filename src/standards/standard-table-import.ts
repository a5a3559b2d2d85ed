// Imports a capability standard from the spreadsheet provinces distribute (CSV or XLSX, one row per
// chapter / section / item; see standards/README.md for the columns). All-or-nothing: every problem in
// every row is collected and reported with its spreadsheet row number, and nothing is returned unless the
// whole file is valid. The format is decided by content (magic bytes), never by the file name.
import { parse as parseCsv } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import {
  codeDepth,
  GRADES,
  type InstitutionKind,
  type ItemTier,
  type LevelRule,
  type StandardFile,
  type StandardNode,
} from './standard-schema.ts';
import { type StandardProblem, structuralProblems, validateStandard } from './standard-validate.ts';
import { columnLetter, decodeText, startsWith } from '../imports/spreadsheet-text.ts';

export interface TableImportMeta {
  id: string;
  title: string;
  institutionKind: InstitutionKind;
  edition: number;
  demonstration: boolean;
  notice?: string;
  levels: LevelRule[];
}

/**
 * One problem. `row` is the physical spreadsheet row (header = 1, first data row = 2; for CSV the line a
 * record starts on); null for whole-file problems. Row messages already start with "第 N 行：".
 */
export interface RowError {
  row: number | null;
  message: string;
}

export type TableImportResult =
  | { ok: true; standard: StandardFile; rowCount: number; encoding: 'utf-8' | 'gb18030' | 'xlsx' }
  | { ok: false; errors: RowError[] };

export const MAX_FILE_BYTES = 20 * 1024 * 1024;
export const MAX_DATA_ROWS = 5000;
export const MAX_CELL_CHARS = 2000;
const MAX_TITLE_CHARS = 200; // standardNodeSchema: title max 200

export const MSG_OLD_XLS = '不支持旧版 .xls 文件，请在 Excel 中另存为 .xlsx 或 CSV（UTF-8）';
export const MSG_NOT_TEXT = '文件不是有效的 CSV 或 XLSX 文件（无法识别编码）';
const MSG_ENCRYPTED = '文件已加密（设置了打开密码），请在 Excel 中取消密码后另存为 .xlsx 或 CSV（UTF-8）';

// ---------------------------------------------------------------------------------------------------------
// Columns

type ColumnKey = 'code' | 'title' | 'reqC' | 'reqB' | 'reqA' | 'core' | 'tier' | 'evidenceHints' | 'keywords';

interface ColumnDef {
  key: ColumnKey;
  label: string;
  aliases: readonly string[];
}

const COLUMNS: readonly ColumnDef[] = [
  { key: 'code', label: '编号', aliases: ['编号', '条款编号', 'code'] },
  { key: 'title', label: '标题', aliases: ['标题', 'title'] },
  { key: 'reqC', label: 'C级要求', aliases: ['C级要求', 'requirement_c'] },
  { key: 'reqB', label: 'B级要求', aliases: ['B级要求', 'requirement_b'] },
  { key: 'reqA', label: 'A级要求', aliases: ['A级要求', 'requirement_a'] },
  { key: 'core', label: '核心', aliases: ['核心', '核心条款', 'core'] },
  { key: 'tier', label: '类别', aliases: ['类别', '标准类别', 'tier'] },
  { key: 'evidenceHints', label: '佐证提示', aliases: ['佐证提示', 'evidence_hints'] },
  { key: 'keywords', label: '关键词', aliases: ['关键词', 'keywords'] },
];
const COLUMN_BY_KEY = new Map(COLUMNS.map((c) => [c.key, c]));
const label = (key: ColumnKey): string => COLUMN_BY_KEY.get(key)!.label;

/** Headers are compared without case, spaces, `_`/`-`, a trailing `*` or a trailing "（必填）"-style remark. */
function normalizeHeader(s: string): string {
  return s
    .replace(/[\u200B-\u200D\uFEFF]/g, '')
    .trim()
    .replace(/[*＊]+$/, '')
    .replace(/\s*[（(][^（()）]*[)）]\s*$/, '')
    .replace(/[\s_\-]+/g, '')
    .toLowerCase();
}

const HEADER_LOOKUP = new Map<string, ColumnKey>();
for (const c of COLUMNS) for (const a of c.aliases) HEADER_LOOKUP.set(normalizeHeader(a), c.key);

const REQUIRED_ALWAYS: readonly ColumnKey[] = ['code', 'title'];
/** Every standard needs at least one item, and every item needs these, so the columns must exist. */
const REQUIRED_FOR_ITEMS: readonly ColumnKey[] = ['reqC', 'reqB', 'reqA', 'tier'];
const ITEM_ONLY: readonly ColumnKey[] = ['reqC', 'reqB', 'reqA', 'core', 'tier', 'evidenceHints', 'keywords'];

const EXPECTED_HEADERS =
  '编号、标题、C级要求、B级要求、A级要求、核心、类别、佐证提示、关键词' +
  '（或英文 code、title、requirement_c、requirement_b、requirement_a、core、tier、evidence_hints、keywords）';

const CORE_TRUE = new Set(['★', '是', 'y', '1', 'true']);
const CORE_FALSE = new Set(['', '否', 'n', '0', 'false']);
const TIERS: Record<string, ItemTier> = {
  基本: 'basic',
  基本标准: 'basic',
  basic: 'basic',
  推荐: 'recommended',
  推荐标准: 'recommended',
  recommended: 'recommended',
};


// ---------------------------------------------------------------------------------------------------------
// Raw table (format-independent)

interface RawCell {
  text: string;
  /** XLSX: the cell held a number (so Excel may have turned "1.10" into 1.1). */
  numeric?: boolean;
  /** A reason the cell cannot be used at all, e.g. an Excel error value or a date in the code column. */
  problem?: string;
}

interface RawRow {
  row: number;
  cells: RawCell[];
}

type ReadResult = { ok: true; rows: RawRow[]; encoding: 'utf-8' | 'gb18030' | 'xlsx' } | { ok: false; errors: RowError[] };

const fileError = (message: string): { ok: false; errors: RowError[] } => ({ ok: false, errors: [{ row: null, message }] });
const rowMsg = (row: number, message: string): RowError => ({ row, message: `第 ${row} 行：${message}` });

function cleanText(s: string): string {
  return s.replace(/\r\n?/g, '\n').trim();
}

const isBlankRow = (cells: readonly RawCell[]): boolean => cells.every((c) => c.text === '' && !c.problem);

// ---------------------------------------------------------------------------------------------------------
// Entry point

export async function parseStandardTable(
  bytes: Uint8Array,
  fileName: string,
  meta: TableImportMeta,
): Promise<TableImportResult> {
  if (bytes.byteLength > MAX_FILE_BYTES) {
    return fileError(`文件过大（${(bytes.byteLength / 1024 / 1024).toFixed(1)} MB），上限为 20 MB`);
  }
  if (bytes.byteLength === 0) return fileError(`文件为空：${fileName}`);

  const read = await readTable(bytes);
  if (!read.ok) return read;
  const rows = read.rows.filter((r) => !isBlankRow(r.cells));
  if (rows.length === 0) return fileError(`文件中没有任何内容：${fileName}`);

  const [headerRow, ...dataRows] = rows as [RawRow, ...RawRow[]];
  const header = mapHeader(headerRow);
  if (!header.ok) return { ok: false, errors: header.errors };
  if (dataRows.length === 0) return { ok: false, errors: [rowMsg(headerRow.row, '表头下面没有任何数据行')] };
  if (dataRows.length > MAX_DATA_ROWS) {
    return fileError(`数据行过多（${dataRows.length} 行），一个标准最多 ${MAX_DATA_ROWS} 行`);
  }

  const errors: RowError[] = [];
  const nodes: StandardNode[] = [];
  const nodeRows: { row: number; numericCode: boolean }[] = [];
  for (const raw of dataRows) {
    const built = buildNode(raw, header.columns, header.width);
    errors.push(...built.errors);
    if (built.node) {
      nodes.push(built.node);
      nodeRows.push({ row: raw.row, numericCode: built.numericCode });
    }
  }

  const candidate = {
    format: 'dossier-standard/1' as const,
    id: meta.id,
    title: meta.title,
    institutionKind: meta.institutionKind,
    edition: meta.edition,
    demonstration: meta.demonstration,
    ...(meta.notice !== undefined ? { notice: meta.notice } : {}),
    grades: [...GRADES],
    levels: meta.levels,
    nodes,
  };

  if (nodes.length > 0) {
    const validation = validateStandard(candidate);
    if (validation.ok && errors.length === 0) {
      return { ok: true, standard: validation.standard, rowCount: dataRows.length, encoding: read.encoding };
    }
    if (!validation.ok) {
      // A schema failure (e.g. a bad id in meta) stops validateStandard before the structural checks; run
      // them here as well so the rows' problems are reported in the same pass (duplicates are dropped).
      const problems = [...validation.problems];
      try {
        problems.push(...structuralProblems(candidate as StandardFile));
      } catch {
        // candidate too malformed for the structural checks; the schema problems are enough
      }
      for (const p of problems) errors.push(problemToError(p, nodeRows));
    }
  }
  return { ok: false, errors: finishErrors(errors) };
}

function problemToError(
  p: StandardProblem,
  nodeRows: readonly { row: number; numericCode: boolean }[],
): RowError {
  if (p.nodeIndex !== undefined && nodeRows[p.nodeIndex]) {
    const { row, numericCode } = nodeRows[p.nodeIndex]!;
    let message = p.message;
    if (p.field && !['code', 'title', 'requirements', 'core', 'tier'].includes(p.field)) message = `[${p.field}] ${message}`;
    if (numericCode && p.field === 'code') {
      message += `（该编号单元格是数字格式，Excel 会把 1.10 存成 1.1，请把编号列设为“文本”格式后重新填写）`;
    }
    return rowMsg(row, message);
  }
  const FIELD_LABELS: Record<string, string> = {
    id: '标准编号（id）',
    title: '标准名称',
    institutionKind: '机构类型',
    edition: '版本年份',
    demonstration: '演示标记',
    notice: '说明',
    levels: '评价等级规则（levels）',
    grades: '评分等级',
    nodes: '条款',
  };
  const head = p.field?.split('.')[0];
  const where = head ? (FIELD_LABELS[head] ?? head) : '';
  return { row: null, message: where && head !== 'nodes' ? `标准信息 ${where}${p.field !== head ? `（${p.field}）` : ''}：${p.message}` : p.message };
}

/** Whole-file errors first, then by row; exact duplicates dropped. */
function finishErrors(errors: RowError[]): RowError[] {
  const seen = new Set<string>();
  const unique = errors.filter((e) => {
    const k = `${e.row}\u0000${e.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
  return unique
    .map((e, i) => ({ e, i }))
    .sort((a, b) => (a.e.row ?? 0) - (b.e.row ?? 0) || a.i - b.i)
    .map(({ e }) => e);
}

// ---------------------------------------------------------------------------------------------------------
// Header

type HeaderResult = { ok: true; columns: Map<ColumnKey, number>; width: number } | { ok: false; errors: RowError[] };

function mapHeader(header: RawRow): HeaderResult {
  const columns = new Map<ColumnKey, number>();
  const unknown: string[] = [];
  const duplicates: string[] = [];
  header.cells.forEach((cell, i) => {
    if (cell.text === '') return;
    const key = HEADER_LOOKUP.get(normalizeHeader(cell.text));
    if (!key) unknown.push(`${columnLetter(i)} 列“${cell.text}”`);
    else if (columns.has(key)) duplicates.push(`${label(key)}（${columnLetter(columns.get(key)!)} 列和 ${columnLetter(i)} 列）`);
    else columns.set(key, i);
  });
  const errors: RowError[] = [];
  const missing = [...REQUIRED_ALWAYS, ...REQUIRED_FOR_ITEMS].filter((k) => !columns.has(k));
  if (missing.length) {
    errors.push(
      rowMsg(header.row, `缺少必需的列：${missing.map(label).join('、')}。第 1 行应为表头，可用的列为：${EXPECTED_HEADERS}`),
    );
  }
  if (unknown.length) {
    errors.push(rowMsg(header.row, `无法识别的列：${unknown.join('、')}。可用的列为：${EXPECTED_HEADERS}`));
  }
  if (duplicates.length) errors.push(rowMsg(header.row, `列重复：${duplicates.join('、')}`));
  if (errors.length) return { ok: false, errors };
  return { ok: true, columns, width: header.cells.length };
}

// ---------------------------------------------------------------------------------------------------------
// Rows → nodes

const CODE_SHAPE = /^\d+(\.\d+){0,2}$/;

function toHalfWidth(s: string): string {
  return s.replace(/[０-９]/g, (d) => String.fromCharCode(d.charCodeAt(0) - 0xff10 + 0x30)).replace(/．/g, '.');
}

function splitList(text: string, separators: RegExp): string[] {
  const out: string[] = [];
  for (const part of text.split(separators)) {
    const t = part.trim();
    if (t && !out.includes(t)) out.push(t);
  }
  return out;
}

function buildNode(
  raw: RawRow,
  columns: Map<ColumnKey, number>,
  width: number,
): { node: StandardNode | null; numericCode: boolean; errors: RowError[] } {
  const { row } = raw;
  const errors: RowError[] = [];
  const err = (m: string): void => {
    errors.push(rowMsg(row, m));
  };
  const cellAt = (i: number): RawCell => raw.cells[i] ?? { text: '' };
  const get = (key: ColumnKey): RawCell => {
    const i = columns.get(key);
    return i === undefined ? { text: '' } : cellAt(i);
  };

  // Cells outside the known columns (under an empty header, or beyond the header).
  const known = new Set(columns.values());
  for (let i = 0; i < Math.max(width, raw.cells.length); i++) {
    if (known.has(i)) continue;
    if (cellAt(i).text !== '' || cellAt(i).problem) err(`${columnLetter(i)} 列没有表头，但填写了内容`);
  }
  for (const [key, i] of columns) {
    const cell = cellAt(i);
    if (cell.problem) err(`“${label(key)}”${cell.problem}`);
    if (cell.text.length > MAX_CELL_CHARS) err(`“${label(key)}”超过 ${MAX_CELL_CHARS} 字（${cell.text.length} 字）`);
  }

  // 编号
  const codeCell = get('code');
  const numericCode = codeCell.numeric === true;
  const code = toHalfWidth(codeCell.text).replace(/\s+/g, '');
  let codeOk = false;
  if (codeCell.problem) {
    // already reported
  } else if (code === '') {
    err('编号为空');
  } else if (!CODE_SHAPE.test(code)) {
    err(`编号“${codeCell.text}”格式不正确，应为 1、1.2 或 1.2.3 这样用点分隔的数字`);
  } else if (code.split('.').some((part) => /^0/.test(part))) {
    err(`编号“${code}”格式不正确：各级序号从 1 开始，且不能以 0 开头`);
  } else {
    codeOk = true;
  }

  // 标题
  let title = get('title').text;
  if (get('title').problem) {
    title = '-';
  } else if (title === '') {
    err(codeOk ? `${code} 的标题为空` : '标题为空');
    title = '-';
  } else if (title.length > MAX_TITLE_CHARS) {
    err(`标题超过 ${MAX_TITLE_CHARS} 字（${title.length} 字）`);
    title = title.slice(0, MAX_TITLE_CHARS);
  }

  if (!codeOk) return { node: null, numericCode, errors };

  if (codeDepth(code) < 3) {
    const filled = ITEM_ONLY.filter((k) => columns.has(k) && get(k).text !== '');
    if (filled.length) {
      err(`${code} 是${codeDepth(code) === 1 ? '章' : '节'}，只能填写编号和标题，不能填写：${filled.map(label).join('、')}`);
    }
    return { node: { code, title }, numericCode, errors };
  }

  // Item
  const reqs = { C: get('reqC').text, B: get('reqB').text, A: get('reqA').text };
  const missingReqs = (['reqC', 'reqB', 'reqA'] as const).filter((k) => get(k).text === '' && !get(k).problem);
  if (missingReqs.length) err(`条款 ${code} 缺少 ${missingReqs.map(label).join('、')}`);

  const coreText = get('core').text;
  let core = false;
  if (CORE_TRUE.has(coreText.toLowerCase())) core = true;
  else if (!CORE_FALSE.has(coreText.toLowerCase())) {
    err(`“核心”一栏的“${coreText}”无法识别：核心条款填 ★（或 是、Y、1、true），非核心条款留空（或 否、N、0、false）`);
  }

  const tierText = get('tier').text;
  let tier: ItemTier = 'basic';
  if (get('tier').problem) {
    // already reported
  } else if (tierText === '') err(`条款 ${code} 未填写“类别”（基本 或 推荐）`);
  else {
    const t = TIERS[tierText.replace(/\s+/g, '').toLowerCase()];
    if (t) tier = t;
    else err(`“类别”的“${tierText}”无法识别，应为 基本 或 推荐（也可写 基本标准、推荐标准、basic、recommended）`);
  }

  const evidenceHints = splitList(get('evidenceHints').text, /[；;、\n]/);
  const keywords = splitList(get('keywords').text, /[，,、；;\s]+/);

  const node: StandardNode = {
    code,
    title,
    requirements: { C: reqs.C || '-', B: reqs.B || '-', A: reqs.A || '-' },
    core,
    tier,
    ...(evidenceHints.length ? { evidenceHints } : {}),
    ...(keywords.length ? { keywords } : {}),
  };
  return { node, numericCode, errors };
}

// ---------------------------------------------------------------------------------------------------------
// Reading bytes


/** Searches for an ASCII string stored as UTF-16LE (OLE2 directory entry names). */
function containsUtf16(bytes: Uint8Array, ascii: string): boolean {
  const needle = Buffer.from(ascii, 'utf16le');
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).includes(needle);
}

async function readTable(bytes: Uint8Array): Promise<ReadResult> {
  if (startsWith(bytes, [0x50, 0x4b, 0x03, 0x04])) return readXlsx(bytes);
  if (startsWith(bytes, [0xd0, 0xcf, 0x11, 0xe0])) {
    // Password-protected .xlsx files are also OLE2 containers; say so instead of blaming .xls.
    return fileError(containsUtf16(bytes, 'EncryptionInfo') ? MSG_ENCRYPTED : MSG_OLD_XLS);
  }
  return readCsv(bytes);
}



/** Excel in some setups saves "text (tab delimited)"; choose tab when the first line has tabs and no commas. */
function guessDelimiter(text: string): string {
  const firstLine = text.split(/\r\n|\n|\r/).find((l) => l.trim() !== '') ?? '';
  const tabs = firstLine.split('\t').length - 1;
  const commas = firstLine.split(',').length - 1;
  return tabs > commas ? '\t' : ',';
}

interface CsvRawRecord {
  record: string[];
  raw: string;
}
const LEADING_EMPTY_LINE = /^[ \t]*(?:\r\n|\r|\n)/;
const LINE_BREAK = /\r\n|\r|\n/g;

function readCsv(bytes: Uint8Array): ReadResult {
  const decoded = decodeText(bytes);
  if (!decoded) return fileError(MSG_NOT_TEXT);
  if ('damaged' in decoded) return fileError(decoded.damaged);
  const { text, encoding } = decoded;
  if (text.trim() === '') return fileError('文件为空');

  let records: CsvRawRecord[];
  try {
    records = parseCsv(text, {
      delimiter: guessDelimiter(text),
      bom: false,
      raw: true,
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: true,
      trim: true,
    }) as unknown as CsvRawRecord[];
  } catch (e) {
    // csv-parse's line numbers drift with CRLF inside quoted cells, so they are only a hint here.
    const lines = (e as { lines?: unknown }).lines;
    const msg = e instanceof Error ? e.message : String(e);
    const quote = /quote/i.test(msg) ? '，通常是某个单元格的引号没有配对' : '';
    const near = typeof lines === 'number' ? `（大约在第 ${lines} 行${quote}）` : quote ? `（${quote.slice(1)}）` : '';
    return fileError(`CSV 格式错误${near}：${msg}`);
  }

  // Row = the text line a record starts on. csv-parse's info.lines is the line a record ENDS on, and it
  // counts a CRLF inside a quoted cell as two lines, so lines are counted here from each record's raw text,
  // which also holds the empty lines skipped before it.
  const rows: RawRow[] = [];
  let linesBefore = 0;
  for (const { record, raw } of records) {
    let skipped = 0;
    let rest = raw;
    for (let m = LEADING_EMPTY_LINE.exec(rest); m; m = LEADING_EMPTY_LINE.exec(rest)) {
      skipped++;
      rest = rest.slice(m[0].length);
    }
    rows.push({ row: linesBefore + skipped + 1, cells: record.map((t) => ({ text: cleanText(t) })) });
    linesBefore += raw.match(LINE_BREAK)?.length ?? 0;
  }
  return { ok: true, rows, encoding };
}

async function readXlsx(bytes: Uint8Array): Promise<ReadResult> {
  const workbook = new ExcelJS.Workbook();
  try {
    // exceljs declares its own global `interface Buffer extends ArrayBuffer`, which clashes with
    // @types/node's generic Buffer; the runtime accepts any Node Buffer.
    const data = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    await workbook.xlsx.load(data as unknown as Parameters<typeof workbook.xlsx.load>[0]);
  } catch (e) {
    return fileError(`无法读取 XLSX 文件（文件可能已损坏，或不是 Excel 工作簿）：${e instanceof Error ? e.message : String(e)}`);
  }
  const sheet = workbook.worksheets[0];
  if (!sheet) return fileError('XLSX 文件中没有工作表');
  if (sheet.actualRowCount > MAX_DATA_ROWS + 1) {
    return fileError(`数据行过多（约 ${sheet.actualRowCount - 1} 行），一个标准最多 ${MAX_DATA_ROWS} 行`);
  }
  const rows: RawRow[] = [];
  sheet.eachRow({ includeEmpty: false }, (row, rowNumber) => {
    const cells: RawCell[] = [];
    for (let c = 1; c <= row.cellCount; c++) cells.push(xlsxCell(row.getCell(c)));
    rows.push({ row: rowNumber, cells });
  });
  return { ok: true, rows, encoding: 'xlsx' };
}

/**
 * The text of a cell as the user sees it. exceljs's `cell.text` is `String(value)` — it ignores number
 * formats (1.1 formatted "0.00" shows as 1.10 in Excel but `text` is "1.1"), gives "" for a formula whose
 * result is 0 and stringifies dates in the local time zone — so values are converted here.
 */
function xlsxCell(cell: ExcelJS.Cell): RawCell {
  // exceljs returns the master's value for every cell of a merged range. A range merged across columns
  // (e.g. a chapter title spread over B:I) belongs to its first column only; a range merged down rows
  // (e.g. 类别 "基本" for a block of items) applies to each row.
  if (cell.isMerged && cell.master !== cell && cell.master.fullAddress.col !== cell.fullAddress.col) return { text: '' };
  return valueToCell(cell.value, cell.numFmt);
}

function valueToCell(value: ExcelJS.CellValue, numFmt: string | undefined): RawCell {
  if (value === null || value === undefined) return { text: '' };
  if (typeof value === 'string') return { text: cleanText(value) };
  if (typeof value === 'number') return { text: formatNumber(value, numFmt), numeric: true };
  if (typeof value === 'boolean') return { text: value ? 'true' : 'false' };
  if (value instanceof Date) {
    return { text: '', problem: '被 Excel 识别成了日期，请把这一列设为“文本”格式后重新填写' };
  }
  if ('error' in value) return { text: '', problem: `是 Excel 错误值 ${value.error}` };
  if ('richText' in value) return { text: cleanText(value.richText.map((r) => r.text).join('')) };
  if ('formula' in value || 'sharedFormula' in value) {
    if (value.result === undefined) return { text: '', problem: '是公式但没有计算结果，请在 Excel 中打开并保存后再导入' };
    return valueToCell(value.result, numFmt);
  }
  if ('hyperlink' in value) {
    const t: unknown = value.text;
    if (typeof t === 'string') return { text: cleanText(t) };
    if (t && typeof t === 'object' && 'richText' in t) {
      return { text: cleanText((t as { richText: { text: string }[] }).richText.map((r) => r.text).join('')) };
    }
    return { text: '' };
  }
  return { text: '' };
}

function formatNumber(n: number, numFmt: string | undefined): string {
  // Fixed decimals such as "0.00" or "#,##0.0" (without thousands separators in the output: codes are small).
  const fixed = /^[#,0]*0\.(0+)$/.exec(numFmt ?? '');
  if (fixed) return n.toFixed(fixed[1]!.length);
  // "General": Excel shows at most 15 significant digits (1.1000000000000001 → 1.1).
  return String(Number(n.toPrecision(15)));
}
