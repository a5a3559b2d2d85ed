import { describe, it, expect } from 'vitest';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import type { LevelRule } from '../../src/standards/standard-schema.ts';
import {
  parseStandardTable,
  type RowError,
  type TableImportMeta,
  type TableImportResult,
} from '../../src/standards/standard-table-import.ts';

const levels: LevelRule[] = [
  {
    id: 'basic',
    name: '基本标准',
    scope: { tier: 'basic' },
    conditions: [
      { kind: 'every', items: { tier: 'basic', core: true }, atLeast: 'B', label: '核心条款均达到 B' },
      { kind: 'share', items: { tier: 'basic' }, atLeast: 'C', minShare: 0.9, label: '90% 的基本条款达到 C' },
    ],
  },
  {
    id: 'recommended',
    name: '推荐标准',
    scope: {},
    conditions: [{ kind: 'every', items: {}, atLeast: 'C', label: '全部条款达到 C' }],
  },
];

const meta: TableImportMeta = {
  id: 'test-township-2023',
  title: '测试标准',
  institutionKind: 'township',
  edition: 2023,
  demonstration: true,
  levels,
};

const HEADER = '编号,标题,C级要求,B级要求,A级要求,核心,类别,佐证提示,关键词';

/** Physical rows: 1 header, 2 "1", 3 "1.1", 4 "1.1.1", 5–6 "1.1.2" (multi-line cell), 7 "2", 8 "2.1", 9 "2.1.1". */
const GOOD_LINES = [
  HEADER,
  '1,功能任务与资源配置,,,,,,,',
  '1.1,功能任务,,,,,,,',
  '1.1.1,设置与规模,"按规定设置科室, 布局合理",C 且 床位使用率≥60%,B 且 床位使用率≥75%,★,基本,"科室设置文件；床位统计表、照片",科室设置，床位 规模',
  '1.1.2, 人员配置 ,有专职人员,"B 级第一行\n第二行",A 级要求,,推荐标准,,',
  '2,基本医疗服务,,,,,,,',
  '2.1,医疗服务,,,,,,,',
  '2.1.1,门诊服务,C 要求,B 要求,A 要求,否,基本,,',
];

const enc = new TextEncoder();
function utf8(text: string, bom = false): Uint8Array {
  const body = enc.encode(text);
  if (!bom) return body;
  const out = new Uint8Array(body.length + 3);
  out.set([0xef, 0xbb, 0xbf]);
  out.set(body, 3);
  return out;
}
const csv = (lines: string[]): Uint8Array => utf8(lines.join('\r\n') + '\r\n');

function errorsOf(result: TableImportResult): RowError[] {
  if (result.ok) throw new Error(`expected failure, got ${result.standard.nodes.length} nodes`);
  return result.errors;
}

function okOf(result: TableImportResult) {
  if (!result.ok) throw new Error(`expected success, got:\n${result.errors.map((e) => e.message).join('\n')}`);
  return result;
}

/** A copy of GOOD_LINES with line `index` (0 = header) replaced. */
function withLine(index: number, line: string): string[] {
  const lines = [...GOOD_LINES];
  lines[index] = line;
  return lines;
}

function lcgBytes(n: number, seed: number, min = 0): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = min + ((x >>> 16) % (256 - min));
  }
  return out;
}

const EXPECTED_NODES = [
  { code: '1', title: '功能任务与资源配置' },
  { code: '1.1', title: '功能任务' },
  {
    code: '1.1.1',
    title: '设置与规模',
    requirements: { C: '按规定设置科室, 布局合理', B: 'C 且 床位使用率≥60%', A: 'B 且 床位使用率≥75%' },
    core: true,
    tier: 'basic',
    evidenceHints: ['科室设置文件', '床位统计表', '照片'],
    keywords: ['科室设置', '床位', '规模'],
  },
  {
    code: '1.1.2',
    title: '人员配置',
    requirements: { C: '有专职人员', B: 'B 级第一行\n第二行', A: 'A 级要求' },
    core: false,
    tier: 'recommended',
  },
  { code: '2', title: '基本医疗服务' },
  { code: '2.1', title: '医疗服务' },
  {
    code: '2.1.1',
    title: '门诊服务',
    requirements: { C: 'C 要求', B: 'B 要求', A: 'A 要求' },
    core: false,
    tier: 'basic',
  },
];

describe('parseStandardTable — CSV', () => {
  it('imports a UTF-8 CSV with BOM', async () => {
    const r = okOf(await parseStandardTable(utf8(GOOD_LINES.join('\r\n'), true), 'std.csv', meta));
    expect(r.encoding).toBe('utf-8');
    expect(r.rowCount).toBe(7);
    expect(r.standard.format).toBe('dossier-standard/1');
    expect(r.standard.id).toBe('test-township-2023');
    expect(r.standard.grades).toEqual(['A', 'B', 'C', '未达标']);
    expect(r.standard.levels).toEqual(levels);
    expect(r.standard.nodes).toEqual(EXPECTED_NODES);
    expect(r.standard).not.toHaveProperty('notice');
  });

  it('imports the same CSV saved as GBK and reports gb18030', async () => {
    const bytes = new Uint8Array(iconv.encode(GOOD_LINES.join('\r\n'), 'gbk'));
    // Make sure the fixture really is not UTF-8.
    expect(() => new TextDecoder('utf-8', { fatal: true }).decode(bytes)).toThrow();
    const r = okOf(await parseStandardTable(bytes, 'std.csv', meta));
    expect(r.encoding).toBe('gb18030');
    expect(r.standard.nodes).toEqual(EXPECTED_NODES);
  });

  it('decides by content, not by file name, and copies meta including notice', async () => {
    const r = okOf(await parseStandardTable(csv(GOOD_LINES), 'standard.xlsx', { ...meta, notice: '演示内容' }));
    expect(r.encoding).toBe('utf-8');
    expect(r.standard.notice).toBe('演示内容');
  });

  it('accepts English headers, any column order, and tab-delimited text', async () => {
    const lines = [
      'tier\tcode\ttitle\trequirement_a\trequirement_b\trequirement_c\tCore\tkeywords\tevidence_hints',
      '\t1\t章\t\t\t\t\t\t',
      '\t1.1\t节\t\t\t\t\t\t',
      'recommended\t1.1.1\t条款\tA\tB\tC\tY\tk1;k2\th1;h2',
    ];
    const r = okOf(await parseStandardTable(utf8(lines.join('\n')), 'x.txt', meta));
    expect(r.standard.nodes[2]).toEqual({
      code: '1.1.1',
      title: '条款',
      requirements: { C: 'C', B: 'B', A: 'A' },
      core: true,
      tier: 'recommended',
      evidenceHints: ['h1', 'h2'],
      keywords: ['k1', 'k2'],
    });
  });

  it('accepts every documented 核心 spelling', async () => {
    for (const [value, core] of [
      ['★', true], ['是', true], ['Y', true], ['y', true], ['1', true], ['true', true], ['TRUE', true],
      ['', false], ['否', false], ['N', false], ['0', false], ['false', false],
    ] as const) {
      const r = okOf(await parseStandardTable(csv(withLine(7, `2.1.1,门诊服务,C,B,A,${value},基本,,`)), 'x.csv', meta));
      expect(r.standard.nodes[6]!.core, `核心=${value}`).toBe(core);
    }
  });

  it('orders codes naturally: 1.1.9 before 1.1.10 is fine', async () => {
    const lines = [HEADER, '1,章,,,,,,,', '1.1,节,,,,,,,'];
    for (let i = 1; i <= 12; i++) lines.push(`1.1.${i},条款${i},C,B,A,,基本,,`);
    const r = okOf(await parseStandardTable(csv(lines), 'x.csv', meta));
    expect(r.standard.nodes.map((n) => n.code).slice(-4)).toEqual(['1.1.9', '1.1.10', '1.1.11', '1.1.12']);
  });
});

describe('parseStandardTable — header problems', () => {
  it('reports missing required columns once, on row 1, listing the expected headers', async () => {
    const lines = ['编号,C级要求,B级要求,A级要求,核心', '1,,,,', '1.1,,,,'];
    const errors = errorsOf(await parseStandardTable(csv(lines), 'x.csv', meta));
    expect(errors).toHaveLength(1);
    expect(errors[0]!.row).toBe(1);
    expect(errors[0]!.message).toContain('缺少必需的列');
    expect(errors[0]!.message).toContain('标题');
    expect(errors[0]!.message).toContain('类别');
    expect(errors[0]!.message).not.toContain('缺少必需的列：编号');
    expect(errors[0]!.message).toContain('佐证提示'); // the list of expected headers
  });

  it('rejects unknown columns (typos) and names them', async () => {
    const errors = errorsOf(await parseStandardTable(csv(withLine(0, HEADER + ',备注,关健词')), 'x.csv', meta));
    expect(errors).toHaveLength(1);
    expect(errors[0]!.row).toBe(1);
    expect(errors[0]!.message).toContain('无法识别的列');
    expect(errors[0]!.message).toContain('备注');
    expect(errors[0]!.message).toContain('关健词');
  });

  it('rejects a column given twice', async () => {
    const errors = errorsOf(await parseStandardTable(csv(withLine(0, HEADER + ',title')), 'x.csv', meta));
    expect(errors[0]!.message).toContain('列重复');
  });
});

describe('parseStandardTable — row problems', () => {
  it('reports duplicate codes with the row number', async () => {
    const lines = [...GOOD_LINES, '2.1.1,门诊服务又一次,C,B,A,,基本,,'];
    const errors = errorsOf(await parseStandardTable(csv(lines), 'x.csv', meta));
    expect(errors).toEqual([{ row: 10, message: '第 10 行：编号 2.1.1 重复' }]);
  });

  it('reports a child listed before its parent', async () => {
    // "2.1" and "2" swapped: 2.1 is on row 7, its parent 2 only on row 8.
    const lines = [...GOOD_LINES];
    lines[5] = '2.1,医疗服务,,,,,,,';
    lines[6] = '2,基本医疗服务,,,,,,,';
    const errors = errorsOf(await parseStandardTable(csv(lines), 'x.csv', meta));
    expect(errors.some((e) => e.row === 7 && e.message.includes('2.1 的上级 2 不存在或排在其后'))).toBe(true);
    expect(errors.some((e) => e.row === 8 && e.message.includes('应排在'))).toBe(true);
  });

  it('reports a missing parent', async () => {
    const lines = GOOD_LINES.filter((_, i) => i !== 6); // drop section 2.1 (row 8)
    const errors = errorsOf(await parseStandardTable(csv(lines), 'x.csv', meta));
    // Row 8: the 1.1.2 row spans physical lines 5–6.
    expect(errors).toEqual([{ row: 8, message: '第 8 行：编号 2.1.1 的上级 2.1 不存在或排在其后' }]);
  });

  it('reports out-of-order codes', async () => {
    const lines = [HEADER, '1,章,,,,,,,', '1.1,节,,,,,,,', '1.1.10,十,C,B,A,,基本,,', '1.1.9,九,C,B,A,,基本,,'];
    const errors = errorsOf(await parseStandardTable(csv(lines), 'x.csv', meta));
    expect(errors).toHaveLength(1);
    expect(errors[0]!.row).toBe(5);
    expect(errors[0]!.message).toContain('编号 1.1.9 应排在 1.1.10 之前');
  });

  it('requires 类别 on items', async () => {
    const errors = errorsOf(await parseStandardTable(csv(withLine(7, '2.1.1,门诊服务,C,B,A,,,,')), 'x.csv', meta));
    expect(errors).toHaveLength(1);
    expect(errors[0]!.row).toBe(9);
    expect(errors[0]!.message).toContain('类别');
  });

  it('rejects an unknown 类别', async () => {
    const errors = errorsOf(await parseStandardTable(csv(withLine(7, '2.1.1,门诊服务,C,B,A,,可选,,')), 'x.csv', meta));
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toContain('“类别”的“可选”无法识别');
  });

  it('rejects a bad 核心 value', async () => {
    const errors = errorsOf(await parseStandardTable(csv(withLine(7, '2.1.1,门诊服务,C,B,A,√,基本,,')), 'x.csv', meta));
    expect(errors).toHaveLength(1);
    expect(errors[0]!.row).toBe(9);
    expect(errors[0]!.message).toMatch(/^第 9 行：“核心”一栏的“√”无法识别/);
  });

  it('requires all three requirement levels on items', async () => {
    const errors = errorsOf(await parseStandardTable(csv(withLine(7, '2.1.1,门诊服务,C,,,,基本,,')), 'x.csv', meta));
    expect(errors).toEqual([{ row: 9, message: '第 9 行：条款 2.1.1 缺少 B级要求、A级要求' }]);
  });

  it('rejects item fields on chapters and sections', async () => {
    const errors = errorsOf(await parseStandardTable(csv(withLine(2, '1.1,功能任务,,,,★,基本,,')), 'x.csv', meta));
    expect(errors).toHaveLength(1);
    expect(errors[0]!.row).toBe(3);
    expect(errors[0]!.message).toContain('1.1 是节');
    expect(errors[0]!.message).toContain('核心、类别');
  });

  it('rejects malformed codes with a clear message', async () => {
    for (const bad of ['1.2.3.4', '一', '1.', '1,1', '0.1', '01']) {
      const line = bad.includes(',') ? `"${bad}",功能任务,,,,,,,` : `${bad},功能任务,,,,,,,`;
      const errors = errorsOf(await parseStandardTable(csv(withLine(2, line)), 'x.csv', meta));
      expect(errors.some((e) => e.row === 3 && e.message.includes('格式不正确')), bad).toBe(true);
    }
  });

  it('rejects an empty 编号 and an empty 标题', async () => {
    const lines = [...GOOD_LINES];
    lines[2] = ',功能任务,,,,,,,';
    lines[3] = '1.1.1,,C,B,A,,基本,,';
    const errors = errorsOf(await parseStandardTable(csv(lines), 'x.csv', meta));
    expect(errors.some((e) => e.row === 3 && e.message.includes('编号为空'))).toBe(true);
    expect(errors.some((e) => e.row === 4 && e.message.includes('1.1.1 的标题为空'))).toBe(true);
  });

  it('rejects cells longer than 2,000 characters', async () => {
    const long = '长'.repeat(2001);
    const errors = errorsOf(await parseStandardTable(csv(withLine(7, `2.1.1,门诊服务,${long},B,A,,基本,,`)), 'x.csv', meta));
    expect(errors).toHaveLength(1);
    expect(errors[0]!.row).toBe(9);
    expect(errors[0]!.message).toContain('超过 2000 字');
  });

  it('rejects content in cells beyond the header', async () => {
    const errors = errorsOf(await parseStandardTable(csv(withLine(7, '2.1.1,门诊服务,C,B,A,,基本,,,多出来的')), 'x.csv', meta));
    expect(errors).toEqual([{ row: 9, message: '第 9 行：J 列没有表头，但填写了内容' }]);
  });

  it('numbers rows physically: blank lines and multi-line cells count', async () => {
    // Blank lines before rows 4 and 11, and a three-line cell on the 1.1.2 row; every data row but one is bad.
    const lines = [
      HEADER,
      '1,功能任务与资源配置,,,,,,,',
      '',
      '1.1,功能任务,,,,★,,,', // row 4: section with 核心
      '1.1.1,设置与规模,C,B,A,★,基本,,', // row 5: fine
      '1.1.2,人员配置,"一\n二\n三",B,A,坏,基本,,', // rows 6–8: bad 核心
      ',,,,,,,,', // row 9: only separators, skipped
      '',
      '2,基本医疗服务,,,,,基本,,', // row 11: chapter with 类别
      '2.1,医疗服务,,,,,,,提示', // row 12: section with 关键词
      '2.1.1,门诊服务,C,B,A,坏,基本,,', // row 13: bad 核心
    ];
    const errors = errorsOf(await parseStandardTable(utf8(lines.join('\n')), 'x.csv', meta));
    expect(errors.map((e) => e.row)).toEqual([4, 6, 11, 12, 13]);
    for (const e of errors) expect(e.message.startsWith(`第 ${e.row} 行：`)).toBe(true);
  });

  it('counts a CRLF inside a quoted cell as one line, and whitespace-only lines as lines', async () => {
    const lines = [
      HEADER,
      '1,章,,,,,,,',
      '1.1,节,,,,,,,',
      '1.1.1,条款,"第一行\r\n第二行\r\n第三行",B,A,,基本,,', // rows 4–6
      '   ', // row 7
      '1.1.2,条款,C,B,A,坏,基本,,', // row 8
    ];
    const errors = errorsOf(await parseStandardTable(csv(lines), 'x.csv', meta));
    expect(errors.map((e) => e.row)).toEqual([8]);
  });

  it('reports every bad row, not just the first, sorted by row', async () => {
    const lines = [
      HEADER,
      '1,章,,,,,,,',
      '1.1,节,,,,,,,',
      '1.1.1,条款一,C,B,A,x,基本,,', // 4: bad 核心
      '1.1.1,条款一重复,C,B,A,,基本,,', // 5: duplicate
      '1.1.2,条款二,C,B,A,,,,', // 6: no 类别
      '1.3.1,条款三,C,B,A,,基本,,', // 7: parent 1.3 missing
      '1.x,坏编号,,,,,,,', // 8: bad code
      '1.4,节四,C,,,,,,', // 9: section with a requirement
    ];
    const errors = errorsOf(await parseStandardTable(csv(lines), 'x.csv', meta));
    expect(errors.map((e) => e.row)).toEqual([4, 5, 6, 7, 8, 9]);
    for (const e of errors) expect(e.message.startsWith(`第 ${e.row} 行：`)).toBe(true);
  });

  it('reports bad meta as whole-file errors together with the row errors', async () => {
    const errors = errorsOf(
      await parseStandardTable(csv(withLine(7, '2.1.1,门诊服务,C,B,A,x,基本,,')), 'x.csv', { ...meta, id: 'Bad ID' }),
    );
    expect(errors[0]!.row).toBeNull();
    expect(errors[0]!.message).toContain('标准编号');
    expect(errors.some((e) => e.row === 9)).toBe(true);
  });

  it('reports a standard without any item', async () => {
    const errors = errorsOf(await parseStandardTable(csv([HEADER, '1,章,,,,,,,', '1.1,节,,,,,,,']), 'x.csv', meta));
    expect(errors).toEqual([{ row: null, message: '标准中没有任何条款' }]);
  });

  it('reports an unclosed quote as a CSV format error', async () => {
    const errors = errorsOf(await parseStandardTable(csv(withLine(7, '2.1.1,"门诊服务,C,B,A,,基本,,')), 'x.csv', meta));
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toContain('CSV 格式错误');
  });
});

describe('parseStandardTable — files that are not standards', () => {
  it('rejects old .xls files by their OLE2 header, whatever the name', async () => {
    const bytes = new Uint8Array(2048);
    bytes.set([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);
    const errors = errorsOf(await parseStandardTable(bytes, 'standard.csv', meta));
    expect(errors).toEqual([{ row: null, message: '不支持旧版 .xls 文件，请在 Excel 中另存为 .xlsx 或 CSV（UTF-8）' }]);
  });

  it('explains password-protected workbooks (also OLE2) separately', async () => {
    const bytes = new Uint8Array(2048);
    bytes.set([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);
    bytes.set(new Uint8Array(Buffer.from('EncryptionInfo', 'utf16le')), 1024);
    const errors = errorsOf(await parseStandardTable(bytes, 'standard.xlsx', meta));
    expect(errors[0]!.message).toContain('已加密');
  });

  it('rejects random binary data', async () => {
    for (const [seed, min] of [[1, 0], [7, 0], [42, 1], [99, 0x80]] as const) {
      const errors = errorsOf(await parseStandardTable(lcgBytes(4096, seed, min), 'x.csv', meta));
      expect(errors, `seed ${seed}`).toEqual([{ row: null, message: '文件不是有效的 CSV 或 XLSX 文件（无法识别编码）' }]);
    }
  });

  it('rejects UTF-16 text', async () => {
    const bytes = new Uint8Array(Buffer.from('\ufeff' + GOOD_LINES.join('\r\n'), 'utf16le'));
    const errors = errorsOf(await parseStandardTable(bytes, 'x.csv', meta));
    expect(errors[0]!.message).toBe('文件不是有效的 CSV 或 XLSX 文件（无法识别编码）');
  });

  it('does not turn a slightly damaged UTF-8 file into GB18030 mojibake', async () => {
    const good = csv(GOOD_LINES);
    const bytes = new Uint8Array(good.length + 1);
    const cut = good.indexOf(0x0a) + 1 + 2; // inside row 2, after "1,"
    bytes.set(good.subarray(0, cut));
    bytes[cut] = 0xe5; // a lone lead byte
    bytes.set(good.subarray(cut), cut + 1);
    const errors = errorsOf(await parseStandardTable(bytes, 'x.csv', meta));
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toContain('UTF-8');
    expect(errors[0]!.message).toContain('第 2 行附近');
  });

  it('rejects a ZIP that is not a workbook', async () => {
    const bytes = lcgBytes(1024, 3);
    bytes.set([0x50, 0x4b, 0x03, 0x04]);
    const errors = errorsOf(await parseStandardTable(bytes, 'x.xlsx', meta));
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toContain('无法读取 XLSX 文件');
  });

  it('rejects an empty file', async () => {
    for (const bytes of [new Uint8Array(0), utf8('', true), utf8('\r\n\r\n  \n')]) {
      const errors = errorsOf(await parseStandardTable(bytes, 'x.csv', meta));
      expect(errors).toHaveLength(1);
      expect(errors[0]!.row).toBeNull();
      expect(errors[0]!.message).toContain('为空');
    }
  });

  it('rejects a header-only file', async () => {
    const errors = errorsOf(await parseStandardTable(csv([HEADER, ',,,,,,,,']), 'x.csv', meta));
    expect(errors).toEqual([{ row: 1, message: '第 1 行：表头下面没有任何数据行' }]);
  });

  it('rejects files over 20 MB', async () => {
    const errors = errorsOf(await parseStandardTable(new Uint8Array(20 * 1024 * 1024 + 1), 'x.csv', meta));
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toContain('文件过大');
  });

  it('rejects more than 5,000 data rows', async () => {
    const lines = [HEADER, '1,章,,,,,,,', '1.1,节,,,,,,,'];
    for (let i = 1; i <= 4999; i++) lines.push(`1.1.${i},条款,C,B,A,,基本,,`);
    const errors = errorsOf(await parseStandardTable(csv(lines), 'x.csv', meta));
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toContain('数据行过多');
    lines.pop();
    okOf(await parseStandardTable(csv(lines), 'x.csv', meta));
  });
});

describe('parseStandardTable — XLSX', () => {
  const XLSX_HEADER = ['编号', '标题', 'C级要求', 'B级要求', 'A级要求', '核心', '类别', '佐证提示', '关键词'];

  async function workbook(build: (ws: ExcelJS.Worksheet) => void): Promise<Uint8Array> {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('条款');
    build(ws);
    wb.addWorksheet('说明').addRow(['这张表不应被读取']);
    return new Uint8Array(await wb.xlsx.writeBuffer());
  }

  it('imports a workbook built with exceljs', async () => {
    const bytes = await workbook((ws) => {
      ws.addRow(XLSX_HEADER);
      ws.addRow(['1', '功能任务与资源配置']);
      ws.mergeCells('B2:I2'); // chapter title spread across the row
      ws.addRow(['1.1', '功能任务']);
      ws.addRow(['1.1.1', '设置与规模', 'C 要求', 'B 要求', 'A 要求', '★', '基本', '文件；照片', '科室 床位']);
      ws.addRow([
        '1.1.2',
        { richText: [{ text: '人员' }, { text: '配置', font: { bold: true } }] },
        '一行\n二行',
        'B',
        'A',
        true, // Excel boolean TRUE
        '推荐',
        null,
        null,
      ]);
    });
    const r = okOf(await parseStandardTable(bytes, 'upload.bin', meta));
    expect(r.encoding).toBe('xlsx');
    expect(r.rowCount).toBe(4);
    expect(r.standard.nodes).toEqual([
      { code: '1', title: '功能任务与资源配置' },
      { code: '1.1', title: '功能任务' },
      {
        code: '1.1.1',
        title: '设置与规模',
        requirements: { C: 'C 要求', B: 'B 要求', A: 'A 要求' },
        core: true,
        tier: 'basic',
        evidenceHints: ['文件', '照片'],
        keywords: ['科室', '床位'],
      },
      {
        code: '1.1.2',
        title: '人员配置',
        requirements: { C: '一行\n二行', B: 'B', A: 'A' },
        core: true,
        tier: 'recommended',
      },
    ]);
  });

  it('reads numeric codes as displayed: 1.1 formatted "0.00" is 1.10', async () => {
    const bytes = await workbook((ws) => {
      ws.addRow(XLSX_HEADER);
      ws.addRow([1, '章']);
      for (let i = 1; i <= 10; i++) {
        const row = ws.addRow([Number(`1.${i}`), `节${i}`]);
        if (i === 10) row.getCell(1).numFmt = '0.00';
      }
      ws.addRow(['1.10.1', '条款', 'C', 'B', 'A', '', '基本']);
    });
    const r = okOf(await parseStandardTable(bytes, 'x.xlsx', meta));
    expect(r.standard.nodes.map((n) => n.code)).toEqual([
      '1', '1.1', '1.2', '1.3', '1.4', '1.5', '1.6', '1.7', '1.8', '1.9', '1.10', '1.10.1',
    ]);
  });

  it('explains the 1.10 → 1.1 trap when a numeric code collides', async () => {
    const bytes = await workbook((ws) => {
      ws.addRow(XLSX_HEADER);
      ws.addRow([1, '章']);
      for (let i = 1; i <= 10; i++) ws.addRow([Number(`1.${i}`), `节${i}`]); // 1.10 becomes 1.1
      ws.addRow(['1.1.1', '条款', 'C', 'B', 'A', '', '基本']);
    });
    const errors = errorsOf(await parseStandardTable(bytes, 'x.xlsx', meta));
    const dup = errors.find((e) => e.row === 12);
    expect(dup?.message).toContain('编号 1.1 重复');
    expect(dup?.message).toContain('文本');
  });

  it('reports row numbers of the sheet, including empty rows, and Excel-specific cell problems', async () => {
    const bytes = await workbook((ws) => {
      ws.getRow(1).values = XLSX_HEADER;
      ws.getRow(2).values = ['1', '章'];
      ws.getRow(3).values = ['1.1', '节'];
      // rows 4–5 empty
      ws.getRow(6).values = ['1.1.1', '条款', 'C', 'B', 'A', '', '基本'];
      ws.getRow(7).values = [new Date(Date.UTC(2003, 1, 1)), '日期编号'];
      ws.getRow(8).values = ['1.1.2', '条款', { error: '#N/A' }, 'B', 'A', '', '基本'];
      ws.getRow(9).values = ['1.1.3', '条款', 'C', 'B', 'A', '', '基本', '', '', '多余'];
    });
    const errors = errorsOf(await parseStandardTable(bytes, 'x.xlsx', meta));
    expect(errors.map((e) => e.row)).toEqual([7, 8, 9]);
    expect(errors[0]!.message).toContain('日期');
    expect(errors[1]!.message).toContain('#N/A');
    expect(errors[2]!.message).toContain('J 列没有表头');
  });

  it('reports missing and unknown columns in a workbook', async () => {
    const bytes = await workbook((ws) => {
      ws.addRow(['编号', '名称', 'C级要求', 'B级要求', 'A级要求', '类别']);
      ws.addRow(['1', '章']);
    });
    const errors = errorsOf(await parseStandardTable(bytes, 'x.xlsx', meta));
    expect(errors.map((e) => e.row)).toEqual([1, 1]);
    expect(errors[0]!.message).toContain('缺少必需的列：标题');
    expect(errors[1]!.message).toContain('名称');
  });

  it('rejects an empty workbook and a header-only workbook', async () => {
    const empty = await workbook(() => {});
    expect(errorsOf(await parseStandardTable(empty, 'x.xlsx', meta))[0]!.row).toBeNull();
    const headerOnly = await workbook((ws) => ws.addRow(XLSX_HEADER));
    expect(errorsOf(await parseStandardTable(headerOnly, 'x.xlsx', meta))).toEqual([
      { row: 1, message: '第 1 行：表头下面没有任何数据行' },
    ]);
  });
});
