// The binder's pure parts: options parsing, line breaking, volume planning, page ranges, JPEG headers, the writer.
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_BINDER_OPTIONS, binderOptionsSchema, type BinderPlan, type PlanEvidence } from '../../src/binder/binder-types.ts';
import { selectPages } from '../../src/binder/evidence-pages.ts';
import { loadFontPrograms } from '../../src/binder/pdf/cjk-font.ts';
import { jpegInfo } from '../../src/binder/pdf/image-page.ts';
import { PdfStreamWriter, num, pdfDate, pdfTextString } from '../../src/binder/pdf/pdf-stream-writer.ts';
import type { Measures } from '../../src/binder/pdf/sheet-layout.ts';
import { wrapText } from '../../src/binder/pdf/text-layout.ts';
import { planVolumes } from '../../src/binder/plan-volumes.ts';

let m: Measures;
beforeAll(async () => {
  const p = await loadFontPrograms();
  m = { regular: p.regular, bold: p.bold };
});

describe('binderOptionsSchema', () => {
  it('fills in the defaults and reads form values', () => {
    expect(binderOptionsSchema.parse({})).toEqual(DEFAULT_BINDER_OPTIONS);
    expect(binderOptionsSchema.parse({ split: 'chapter', maxSheetsPerVolume: '150', numbering: '', duplex: 'on', includeMissingSheets: 'false', retentionPeriod: ' 永久 ' })).toEqual({
      ...DEFAULT_BINDER_OPTIONS,
      split: 'chapter',
      maxSheetsPerVolume: 150,
      duplex: true,
      includeMissingSheets: false,
      retentionPeriod: '永久',
    });
  });

  it('rejects bad values with Chinese messages', () => {
    const r = binderOptionsSchema.safeParse({ split: 'book', maxSheetsPerVolume: '2001', numbering: 'roman', duplex: 'perhaps' });
    expect(r.success).toBe(false);
    const messages = r.error!.issues.map((i) => i.message);
    expect(messages).toHaveLength(4);
    for (const msg of messages) expect(msg).toMatch(/[\u4e00-\u9fff]/);
    expect(binderOptionsSchema.safeParse({ maxSheetsPerVolume: '12.5' }).error!.issues[0]!.message).toBe('每册页数上限必须是整数');
  });
});

describe('wrapText', () => {
  it('breaks Chinese anywhere but never puts closing punctuation at a line start', () => {
    const text = '制定乡村一体化管理制度，对村卫生室实行行政、业务、药械、财务和绩效考核统一管理。每季度开展业务指导和督导考核，有记录、有反馈。';
    for (const width of [60, 80, 100, 130, 170]) {
      const lines = wrapText(m.regular, text, 10, width);
      expect(lines.join('')).toBe(text);
      for (const line of lines) {
        expect(m.regular.width(line, 10)).toBeLessThanOrEqual(width + 10.5); // one glued punctuation mark may overhang
        expect(line).not.toMatch(/^[，。、；：）]/);
      }
    }
  });

  it('keeps Latin words and numbers together and honours newlines', () => {
    const lines = wrapText(m.regular, '上传的文件 Infection-Control-Plan-2026.pdf 已经转换\n第二行', 10, 190);
    expect(lines.some((l) => l.includes('Infection-Control-Plan-2026.pdf'))).toBe(true);
    expect(lines[lines.length - 1]).toBe('第二行');
    // A word longer than the line is cut rather than overflowing.
    for (const l of wrapText(m.regular, 'x'.repeat(300), 10, 100)) expect(m.regular.width(l, 10)).toBeLessThanOrEqual(100);
  });
});

describe('planVolumes', () => {
  const ev = (key: string, pages: number): PlanEvidence => ({ key, title: key, fileName: `${key}.pdf`, pageFrom: null, pageTo: null, estimatedPages: pages });
  const plan = (items: PlanEvidence[][]): BinderPlan => ({
    institutionName: '测试卫生院',
    year: 2026,
    targetLevelLabel: '基本标准',
    standardTitle: '标准',
    standardEdition: 2023,
    demonstration: false,
    dateLabel: '2026年1月1日',
    creationDate: '2026-01-01T00:00:00Z',
    chapters: [{ code: '1', title: '章', sections: [{ code: '1.1', title: '节', items: items.map((evidence, i) => ({ code: `1.1.${i + 1}`, title: '条款', core: false, requirement: '', selfGrade: null, narrative: '', evidence })) }] }],
  });

  it('keeps items whole and volumes within the limit', () => {
    const volumes = planVolumes(plan([[ev('a', 40)], [ev('b', 40)], [ev('c', 40)], [ev('d', 40)]]), { ...DEFAULT_BINDER_OPTIONS, maxSheetsPerVolume: 100 }, m);
    expect(volumes.map((v) => v.parts.map((p) => p.item.code))).toEqual([['1.1.1', '1.1.2'], ['1.1.3', '1.1.4']]);
    for (const v of volumes) expect(v.estimatedPages).toBeLessThanOrEqual(100);
  });

  it('cuts an item over the limit at document boundaries, and inside a document only when it alone is too big', () => {
    const volumes = planVolumes(plan([[ev('a', 100), ev('b', 150), ev('c', 200), ev('d', 700)]]), { ...DEFAULT_BINDER_OPTIONS, maxSheetsPerVolume: 300 }, m);
    const slices = volumes.map((v) => v.parts.flatMap((p) => p.slices.map((s) => `${p.item.evidence[s.evidenceIndex]!.key}${s.from || s.to !== null ? `[${s.from},${s.to ?? ''})` : ''}`)));
    expect(slices[0]).toEqual(['a', 'b']);
    expect(slices[1]).toEqual(['c']);
    expect(slices.slice(2).flat().join(' ')).toMatch(/^d\[0,\d+\) d\[\d+,\d+\) d\[\d+,\d*\)$/);
    for (const v of volumes) expect(v.estimatedPages).toBeLessThanOrEqual(300);
    expect(volumes.every((v) => v.parts.every((p) => p.partCount === volumes.length))).toBe(true);
  });

  it('duplex: every volume estimate is even, as the built volume is (closing blank verso)', () => {
    for (const pages of [1, 2, 3, 4]) {
      const volumes = planVolumes(plan([[ev('a', pages)], [ev('b', 2)]]), { ...DEFAULT_BINDER_OPTIONS, duplex: true }, m);
      for (const v of volumes) expect(v.estimatedPages % 2, `${pages} pages`).toBe(0);
    }
  });
});

describe('selectPages', () => {
  const e = (pageFrom: number | null, pageTo: number | null): PlanEvidence => ({ key: 'k', title: 't', fileName: 'f', pageFrom, pageTo, estimatedPages: 3 });
  it('takes the range, clamped to the document, and says when it clamped', () => {
    expect(selectPages(e(null, null), 3)).toEqual({ pages: [0, 1, 2], note: null });
    expect(selectPages(e(2, 3), 3)).toEqual({ pages: [1, 2], note: null });
    expect(selectPages(e(2, 9), 3).pages).toEqual([1, 2]);
    expect(selectPages(e(2, 9), 3).note).toContain('超出');
    expect(selectPages(e(7, 9), 3).pages).toEqual([2]);
  });
});

describe('jpegInfo', () => {
  it('reads size, components and the EXIF orientation', async () => {
    const jpeg = await sharp({ create: { width: 64, height: 32, channels: 3, background: '#808080' } }).jpeg().withMetadata({ orientation: 6 }).toBuffer();
    expect(jpegInfo(jpeg)).toMatchObject({ width: 64, height: 32, components: 3, precision: 8, orientation: 6, sof: 0xc0 });
    const cmyk = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#808080' } }).toColourspace('cmyk').jpeg().toBuffer();
    expect(jpegInfo(cmyk)?.components).toBe(4);
    expect(jpegInfo(Buffer.from('not a jpeg'))).toBeNull();
  });
});

describe('PdfStreamWriter', () => {
  it('writes objects in any order with a correct xref and a content-derived /ID', async () => {
    const make = async (body: string) => {
      const { writer, bytes } = PdfStreamWriter.inMemory();
      const [catalog, pages, page] = [writer.allocate(), writer.allocate(), writer.allocate()];
      writer.writeObject(page, `<< /Type /Page /Parent ${pages} 0 R /MediaBox [0 0 100 100] >>`);
      writer.writeObject(catalog, `<< /Type /Catalog /Pages ${pages} 0 R /X (${body}) >>`);
      writer.writeObject(pages, `<< /Type /Pages /Kids [${page} 0 R] /Count 1 >>`);
      await writer.finish({ root: catalog });
      return Buffer.from(bytes()).toString('latin1');
    };
    const a = await make('a');
    for (const [n, offset] of [...a.matchAll(/(\d{10}) 00000 n/g)].map((x, i) => [i + 1, Number(x[1])] as const)) expect(a.slice(offset).startsWith(`${n} 0 obj`)).toBe(true);
    const xref = Number(/startxref\n(\d+)/.exec(a)![1]);
    expect(a.slice(xref).startsWith('xref\n0 4\n')).toBe(true);
    expect(await make('a')).toBe(a);
    expect(/\/ID \[<(\w+)>/.exec(await make('b'))![1]).not.toBe(/\/ID \[<(\w+)>/.exec(a)![1]);
  });

  it('refuses to finish with an object allocated but never written', async () => {
    const { writer } = PdfStreamWriter.inMemory();
    const root = writer.allocate();
    writer.allocate();
    writer.writeObject(root, '<< /Type /Catalog >>');
    await expect(writer.finish({ root })).rejects.toThrow(/never written/);
  });

  it('formats numbers, dates and text strings', () => {
    expect(num(1 / 3)).toBe('0.333');
    expect(num(-0.0001)).toBe('0');
    expect(pdfDate('2026-11-20T08:00:00Z')).toBe('D:20261120080000Z');
    expect(pdfTextString('目录')).toBe('<FEFF76EE5F55>');
  });
});
