// Bulk import of institution profiles from a CSV file (one institution per row, Chinese column headers as
// in INSTITUTION_FIELDS). All-or-nothing: every problem in every row is reported with its row number
// (header = row 1), and nothing is written unless the whole file is valid.
import { parse as parseCsv } from 'csv-parse/sync';
import { recordAudit } from '../audit/audit-log.ts';
import { visibleRegionCodes } from '../auth/scope.ts';
import type { Db } from '../db/database.ts';
import type { Institution, User } from '../db/schema.ts';
import { newId, nowIso } from '../ids.ts';
import { inTransaction, isUniqueViolation } from './institution-repository.ts';
import {
  INSTITUTION_FIELD_LABELS,
  INSTITUTION_FIELDS,
  type InstitutionField,
  type InstitutionKind,
  type InstitutionValues,
  institutionSchema,
} from './institution-schema.ts';
import { columnLetter, decodeText } from '../imports/spreadsheet-text.ts';

export const MAX_IMPORT_BYTES = 2 * 1024 * 1024;
export const MAX_IMPORT_ROWS = 5000;

export interface ImportError {
  /** Row in the file (header = 1, first data row = 2); null for whole-file problems. */
  row: number | null;
  message: string;
}

export interface ParsedInstitutionRow {
  row: number;
  values: InstitutionValues;
}

export type ParseResult =
  | { ok: true; rows: ParsedInstitutionRow[]; encoding: 'utf-8' | 'gb18030' }
  /** `validRows`: the rows without a problem of their own, so that the database checks can report theirs too. */
  | { ok: false; errors: ImportError[]; validRows?: ParsedInstitutionRow[] };

export type ImportResult =
  | { ok: true; count: number; ids: string[]; encoding: 'utf-8' | 'gb18030' }
  | { ok: false; errors: ImportError[] };

const fileError = (message: string): { ok: false; errors: ImportError[] } => ({ ok: false, errors: [{ row: null, message }] });
const rowError = (row: number, message: string): ImportError => ({ row, message: `第 ${row} 行：${message}` });

// ---------------------------------------------------------------------------------------------------------
// Columns

/** Other spellings seen in provincial spreadsheets (the 推荐表 wording) and the English field names. */
const ALIASES: Partial<Record<InstitutionField, readonly string[]>> = {
  name: ['机构名称', '医疗机构执业许可证名称', '单位名称'],
  kind: ['机构类型', '类型'],
  county_code: ['县区代码', '县（区）代码', '区县代码', '县级区划代码', '县级行政区划代码'],
  address: ['地址', '单位地址', '机构地址'],
  legal_representative: ['法定代表人', '法人代表', '法人代表姓名', '法定代表人姓名'],
  phone: ['联系电话', '电话'],
  floor_area: ['房屋建筑面积', '建筑面积'],
  business_floor_area: ['业务用房面积', '业务用房建筑面积'],
  service_population: ['服务人口', '服务人口数', '服务（常住）人口数', '服务常住人口数'],
  staff_count: ['在岗职工数', '在岗职工'],
  health_technicians: ['卫生技术人员数', '卫生技术人员'],
  open_beds: ['开放床位数', '实际开放床位数'],
  devices_over_10k: ['万元以上设备台数'],
  yearly_visits: ['年门急诊人次', '年门急诊人次数', '年诊疗人次数'],
  yearly_discharges: ['年出院人次', '年出院人数'],
  featured_departments: ['特色科室', '特色科室或重点建设情况'],
  senior_physicians: ['副高及以上职称医师数', '副高以上职称医师数'],
  registered_gps: ['注册全科医生数'],
  common_diseases: ['常见病种数', '常见病多发病病种数'],
};

const REQUIRED: readonly InstitutionField[] = INSTITUTION_FIELDS.filter((f) => f.required).map((f) => f.key);

/** Headers compare without spaces, `_`/`-`, case, a trailing `*` or a trailing remark such as "（平方米）". */
function normalizeHeader(s: string): string {
  return s
    .replace(/[\u200B-\u200D\uFEFF]/g, '')
    .trim()
    .replace(/[*＊]+$/, '')
    .replace(/\s*[（(][^（()）]*[)）]\s*$/, '')
    .replace(/[*＊]+$/, '')
    .replace(/[\s_\-]+/g, '')
    .toLowerCase();
}

const HEADER_LOOKUP = new Map<string, InstitutionField>();
for (const f of INSTITUTION_FIELDS) {
  for (const a of [f.label, f.key, ...(ALIASES[f.key] ?? [])]) HEADER_LOOKUP.set(normalizeHeader(a), f.key);
}

const EXPECTED = INSTITUTION_FIELDS.map((f) => f.label).join('、');

const KIND_TEXT: Record<string, InstitutionKind> = {
  乡镇卫生院: 'township',
  卫生院: 'township',
  中心卫生院: 'township',
  township: 'township',
  社区卫生服务中心: 'community',
  社区: 'community',
  community: 'community',
};


/** The CSV template offered for download: UTF-8 with BOM (so Excel opens it correctly) and the header row. */
export function institutionCsvTemplate(): string {
  return `\uFEFF${INSTITUTION_FIELDS.map((f) => f.label).join(',')}\r\n`;
}

// ---------------------------------------------------------------------------------------------------------
// Bytes → rows


interface CsvRecord {
  record: string[];
  info: { lines: number; empty_lines: number };
}

interface RawRow {
  row: number;
  cells: string[];
}

function readRows(text: string): { ok: true; rows: RawRow[] } | { ok: false; errors: ImportError[] } {
  const firstLine = text.split(/\r\n|\n|\r/).find((l) => l.trim() !== '') ?? '';
  const delimiter = firstLine.split('\t').length > firstLine.split(',').length ? '\t' : ',';
  let records: CsvRecord[];
  try {
    records = parseCsv(text, {
      delimiter,
      bom: true,
      info: true,
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: true,
      trim: true,
    }) as unknown as CsvRecord[];
  } catch (e) {
    const lines = (e as { lines?: unknown }).lines;
    const msg = e instanceof Error ? e.message : String(e);
    const hint = /quote/i.test(msg) ? '（通常是某个单元格的引号没有配对）' : '';
    return {
      ok: false,
      errors: [typeof lines === 'number' ? rowError(lines, `CSV 格式错误${hint}：${msg}`) : { row: null, message: `CSV 格式错误${hint}：${msg}` }],
    };
  }
  // info.lines is the line a record ends on; a record starts after the previous one plus skipped empty lines,
  // so a cell spanning several lines is reported at its first line.
  const rows: RawRow[] = [];
  let prevEnd = 0;
  let prevEmpty = 0;
  for (const { record, info } of records) {
    const start = prevEnd + 1 + (info.empty_lines - prevEmpty);
    prevEnd = info.lines;
    prevEmpty = info.empty_lines;
    const cells = record.map((t) => t.replace(/\r\n?/g, '\n').trim());
    if (cells.every((t) => t === '')) continue; // e.g. ",,,," lines Excel leaves below the data
    rows.push({ row: start, cells });
  }
  return { ok: true, rows };
}

function mapHeader(header: RawRow): { ok: true; columns: Map<InstitutionField, number> } | { ok: false; errors: ImportError[] } {
  const columns = new Map<InstitutionField, number>();
  const unknown: string[] = [];
  const duplicates: string[] = [];
  header.cells.forEach((text, i) => {
    if (text === '') return;
    const key = HEADER_LOOKUP.get(normalizeHeader(text));
    if (!key) unknown.push(`${columnLetter(i)} 列“${text}”`);
    else if (columns.has(key)) duplicates.push(`${INSTITUTION_FIELD_LABELS[key]}（${columnLetter(columns.get(key)!)} 列和 ${columnLetter(i)} 列）`);
    else columns.set(key, i);
  });
  const errors: ImportError[] = [];
  const missing = REQUIRED.filter((k) => !columns.has(k));
  if (missing.length) {
    errors.push(rowError(header.row, `缺少必需的列：${missing.map((k) => INSTITUTION_FIELD_LABELS[k]).join('、')}。第 1 行应为表头，可用的列为：${EXPECTED}`));
  }
  if (unknown.length) errors.push(rowError(header.row, `无法识别的列：${unknown.join('、')}。可用的列为：${EXPECTED}`));
  if (duplicates.length) errors.push(rowError(header.row, `列重复：${duplicates.join('、')}`));
  return errors.length ? { ok: false, errors } : { ok: true, columns };
}

function buildRow(raw: RawRow, columns: Map<InstitutionField, number>, width: number): { values?: InstitutionValues; errors: ImportError[] } {
  const errors: ImportError[] = [];
  const known = new Set(columns.values());
  for (let i = 0; i < Math.max(width, raw.cells.length); i++) {
    if (!known.has(i) && (raw.cells[i] ?? '') !== '') errors.push(rowError(raw.row, `${columnLetter(i)} 列没有表头，但填写了内容`));
  }
  const input: Record<string, string> = {};
  for (const [key, i] of columns) input[key] = raw.cells[i] ?? '';

  const kindText = (input['kind'] ?? '').replace(/\s+/g, '');
  const kind = KIND_TEXT[kindText.toLowerCase()];
  if (kindText === '') errors.push(rowError(raw.row, '机构类型不能为空（乡镇卫生院 或 社区卫生服务中心）'));
  else if (!kind) errors.push(rowError(raw.row, `机构类型“${input['kind']}”无法识别，应为 乡镇卫生院 或 社区卫生服务中心`));

  const parsed = institutionSchema.safeParse({ ...input, kind: kind ?? 'township' });
  if (!parsed.success) {
    const seen = new Set<PropertyKey>();
    for (const issue of parsed.error.issues) {
      const field = issue.path[0];
      if (field === undefined || seen.has(field)) continue;
      seen.add(field);
      errors.push(rowError(raw.row, issue.message));
    }
  }
  return parsed.success && errors.length === 0 ? { values: parsed.data, errors } : { errors };
}

/** Parses and validates a file without the database: encoding, header, every row, duplicates within the file. */
export function parseInstitutionCsv(bytes: Uint8Array): ParseResult {
  if (bytes.byteLength > MAX_IMPORT_BYTES) {
    return fileError(`文件过大（${(bytes.byteLength / 1024 / 1024).toFixed(1)} MB），上限为 2 MB`);
  }
  if (bytes.byteLength === 0) return fileError('文件为空');
  const decoded = decodeText(bytes);
  if (!decoded) return fileError('无法识别文件编码：请上传 CSV 文件（UTF-8 或 GBK 编码；Excel 中可“另存为 CSV UTF-8”）');
  if ('damaged' in decoded) return fileError(decoded.damaged);
  const read = readRows(decoded.text);
  if (!read.ok) return read;
  if (read.rows.length === 0) return fileError('文件中没有任何内容');

  const [headerRow, ...dataRows] = read.rows as [RawRow, ...RawRow[]];
  const header = mapHeader(headerRow);
  if (!header.ok) return header;
  if (dataRows.length === 0) return { ok: false, errors: [rowError(headerRow.row, '表头下面没有任何数据行')] };
  if (dataRows.length > MAX_IMPORT_ROWS) return fileError(`数据行过多（${dataRows.length} 行），一次最多导入 ${MAX_IMPORT_ROWS} 行`);

  const errors: ImportError[] = [];
  const rows: ParsedInstitutionRow[] = [];
  const firstSeen = new Map<string, number>();
  for (const raw of dataRows) {
    const built = buildRow(raw, header.columns, headerRow.cells.length);
    errors.push(...built.errors);
    if (!built.values) continue;
    const key = `${built.values.county_code}\u0000${built.values.name}`;
    const earlier = firstSeen.get(key);
    if (earlier !== undefined) {
      errors.push(rowError(raw.row, `与第 ${earlier} 行重复：同一县区（${built.values.county_code}）内机构名称“${built.values.name}”出现了两次`));
      continue;
    }
    firstSeen.set(key, raw.row);
    rows.push({ row: raw.row, values: built.values });
  }
  if (errors.length) return { ok: false, errors: sortErrors(errors), validRows: rows };
  return { ok: true, rows, encoding: decoded.encoding };
}

function sortErrors(errors: ImportError[]): ImportError[] {
  return errors
    .map((e, i) => ({ e, i }))
    .sort((a, b) => (a.e.row ?? 0) - (b.e.row ?? 0) || a.i - b.i)
    .map(({ e }) => e);
}

// ---------------------------------------------------------------------------------------------------------
// Into the database

const CHUNK = 200;

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Checks the rows against the database: counties exist, are in the account's scope, names are not taken. */
async function databaseErrors(db: Db, user: User, rows: readonly ParsedInstitutionRow[]): Promise<ImportError[]> {
  const errors: ImportError[] = [];
  const codes = [...new Set(rows.map((r) => r.values.county_code))];
  const regions = new Map<string, { level: string; visible: boolean }>();
  for (const part of chunks(codes, CHUNK)) {
    const found = await db.selectFrom('regions').select(['code', 'level']).where('code', 'in', part).execute();
    for (const r of found) regions.set(r.code, { level: r.level, visible: false });
    const visible = await db.selectFrom('regions').select('code').where('code', 'in', part).where('code', 'in', visibleRegionCodes(db, user)).execute();
    for (const v of visible) {
      const r = regions.get(v.code);
      if (r) r.visible = true;
    }
  }

  const candidates: ParsedInstitutionRow[] = [];
  for (const r of rows) {
    const code = r.values.county_code;
    const region = regions.get(code);
    if (!region) errors.push(rowError(r.row, `县区代码“${code}”在行政区划中不存在`));
    else if (region.level !== 'county') errors.push(rowError(r.row, `县区代码“${code}”不是县级行政区划（应填写县、区、县级市的代码）`));
    else if (!region.visible) errors.push(rowError(r.row, `县区代码“${code}”不在您的管理范围内`));
    else candidates.push(r);
  }

  const taken = new Set<string>();
  for (const part of chunks(candidates, CHUNK)) {
    const found = await db
      .selectFrom('institutions')
      .select(['county_code', 'name'])
      .where('county_code', 'in', [...new Set(part.map((r) => r.values.county_code))])
      .where('name', 'in', [...new Set(part.map((r) => r.values.name))])
      .execute();
    for (const f of found) taken.add(`${f.county_code}\u0000${f.name}`);
  }
  for (const r of candidates) {
    if (taken.has(`${r.values.county_code}\u0000${r.values.name}`)) {
      errors.push(rowError(r.row, `系统中已有该机构：县区“${r.values.county_code}”内已存在名为“${r.values.name}”的机构`));
    }
  }
  return errors;
}

/**
 * Parses the file and, only if every row is valid, inserts all institutions in one transaction and records
 * an `institution.import` audit entry in it. Nothing is written when any row has a problem.
 */
export async function importInstitutions(db: Db, user: User, bytes: Uint8Array, opts: { ip?: string } = {}): Promise<ImportResult> {
  const parsed = parseInstitutionCsv(bytes);
  if (!parsed.ok) {
    // Every problem at once: the rows that parsed are checked against the database as well (read only).
    const more = parsed.validRows?.length ? await databaseErrors(db, user, parsed.validRows) : [];
    return { ok: false, errors: sortErrors([...parsed.errors, ...more]) };
  }
  const ownTransaction = !db.isTransaction;
  try {
    return await inTransaction(db, async (trx): Promise<ImportResult> => {
      const errors = await databaseErrors(trx, user, parsed.rows);
      if (errors.length) return { ok: false, errors: sortErrors(errors) };
      const now = nowIso();
      const records: Institution[] = parsed.rows.map((r) => ({ id: newId('i'), ...r.values, created_at: now, updated_at: now }));
      // ~22 columns a row: 50 rows keeps a statement well under SQLite's and Postgres's parameter limits.
      for (const part of chunks(records, 50)) await trx.insertInto('institutions').values(part).execute();
      await recordAudit(trx, {
        actorId: user.id,
        ip: opts.ip ?? '',
        action: 'institution.import',
        subjectType: 'institution',
        subjectId: 'import',
        detail: { count: records.length, encoding: parsed.encoding },
      });
      return { ok: true, count: records.length, ids: records.map((r) => r.id), encoding: parsed.encoding };
    });
  } catch (err) {
    // Someone added one of these institutions between the check and the insert. The throw rolled our
    // transaction back; inside a caller's transaction the caller must see the error and roll back itself.
    if (ownTransaction && isUniqueViolation(err)) {
      return fileError('导入期间有人添加了同名机构，本次导入未写入任何数据，请重新导入');
    }
    throw err;
  }
}
