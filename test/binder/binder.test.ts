// The binder end to end on generated evidence: structure (qpdf), bookmarks, contents page numbers against where
// items really start, stamps, visible glyphs (rendered pixels), determinism, volume splitting, duplex, and the
// broken inputs replaced by placeholders.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PDFDict, PDFDocument, PDFName, PDFRef, PDFArray, type PDFObject } from 'pdf-lib';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_BINDER_OPTIONS, type BinderOptions, type BinderPlan, type RenderBinderResult } from '../../src/binder/binder-types.ts';
import { renderBinder } from '../../src/binder/render-binder.ts';
import { renderSummaryPdf } from '../../src/binder/render-summary.ts';
import { makeFixtures, run, textPdf, type Fixtures } from './binder-fixtures.ts';

let dir: string;
let fx: Fixtures;
let builds = 0;
let renders = 0;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'binder-test-'));
  fx = await makeFixtures(dir);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function build(
  options: Partial<BinderOptions> = {},
  plan: BinderPlan = fx.plan,
  onProgress?: (done: number, total: number) => void,
): Promise<RenderBinderResult> {
  const outDir = path.join(dir, `out-${++builds}`);
  return renderBinder({ plan, options: { ...DEFAULT_BINDER_OPTIONS, ...options }, open: fx.open, outDir, ...(onProgress ? { onProgress } : {}) });
}

async function pageText(file: string, page: number, crop?: { x: number; y: number; w: number; h: number }): Promise<string> {
  const args = ['-f', String(page), '-l', String(page), '-layout'];
  if (crop) args.push('-x', String(Math.round(crop.x)), '-y', String(Math.round(crop.y)), '-W', String(Math.round(crop.w)), '-H', String(Math.round(crop.h)));
  const { stdout } = await run('pdftotext', [...args, file, '-']);
  return stdout;
}

async function allPagesText(file: string): Promise<string[]> {
  const { stdout } = await run('pdftotext', ['-layout', file, '-']);
  return stdout.split('\f').slice(0, -1);
}

interface Bookmark {
  title: string;
  page: number;
  children: Bookmark[];
}

/** The outline tree with each bookmark's target page (1-based), read with pdf-lib. */
async function bookmarks(file: string): Promise<Bookmark[]> {
  const doc = await PDFDocument.load(await readFile(file));
  const pageNo = new Map<PDFRef, number>(doc.getPages().map((p, i) => [p.ref, i + 1]));
  const ctx = doc.context;
  const decode = (o: PDFObject | undefined) => {
    const hex = o?.toString().slice(1, -1) ?? '';
    const bytes = Buffer.from(hex, 'hex');
    return bytes.subarray(2).swap16().toString('utf16le');
  };
  const level = (first: PDFObject | undefined): Bookmark[] => {
    const out: Bookmark[] = [];
    for (let ref = first; ref instanceof PDFRef; ) {
      const node = ctx.lookup(ref, PDFDict);
      const dest = node.lookup(PDFName.of('Dest'), PDFArray);
      out.push({ title: decode(node.get(PDFName.of('Title'))), page: pageNo.get(dest.get(0) as PDFRef) ?? -1, children: level(node.get(PDFName.of('First'))) });
      ref = node.get(PDFName.of('Next'));
    }
    return out;
  };
  const outlines = doc.catalog.lookupMaybe(PDFName.of('Outlines'), PDFDict);
  return outlines ? level(outlines.get(PDFName.of('First'))) : [];
}

/** Text without white space (pdftotext spaces CJK text unpredictably). */
const flat = (t: string) => t.replace(/\s+/g, '');

const flatten = (b: Bookmark[]): Bookmark[] => b.flatMap((x) => [x, ...flatten(x.children)]);

/** Dark pixels (< 128) in a region of a page rendered at 50 dpi; region in fractions of the page. */
async function darkPixels(file: string, page: number, region: { left: number; top: number; width: number; height: number }): Promise<number> {
  const root = path.join(dir, `render-${++renders}`);
  await run('pdftoppm', ['-f', String(page), '-l', String(page), '-r', '50', '-gray', '-png', '-singlefile', file, root]);
  const img = sharp(await readFile(`${root}.png`));
  const { width = 0, height = 0 } = await img.metadata();
  const { data } = await img
    .extract({ left: Math.floor(region.left * width), top: Math.floor(region.top * height), width: Math.floor(region.width * width), height: Math.floor(region.height * height) })
    .greyscale()
    .raw()
    .toBuffer({ resolveWithObject: true });
  let dark = 0;
  for (const v of data) if (v < 128) dark++;
  return dark;
}

const ITEMS = ['1.1.1', '1.1.2', '1.2.1', '1.2.2', '2.1.1', '2.1.2', '2.2.1', '2.2.2'];

describe('binder, default options', () => {
  let result: RenderBinderResult;
  let file: string;
  let texts: string[];

  beforeAll(async () => {
    result = await build();
    file = result.volumes[0]!.path;
    texts = await allPagesText(file);
  });

  it('builds one volume that qpdf finds clean, and a labels PDF', async () => {
    expect(result.volumes).toHaveLength(1);
    for (const f of [file, result.labelsPath]) {
      const { stdout } = await run('qpdf', ['--check', f]);
      expect(stdout).toContain('No syntax or stream encoding errors');
    }
    expect(result.volumes[0]).toMatchObject({ volumeNo: 1, firstItem: '1.1.1', lastItem: '2.2.2', pageCount: texts.length });
    expect(result.pageCount).toBe(texts.length);
  });

  it('has one bookmark per chapter, section and item, each pointing where it starts', async () => {
    const marks = await bookmarks(file);
    expect(marks.map((m) => m.title)).toEqual(['第一章 功能任务与资源配置', '第二章 基本医疗和公共卫生服务']);
    expect(flatten(marks)).toHaveLength(2 + 4 + 8);
    const items = flatten(marks).filter((m) => m.children.length === 0);
    expect(items.map((m) => m.title.replace('★', '').split(' ')[0])).toEqual(ITEMS);
    for (const m of items) expect(flat(texts[m.page - 1]!)).toContain(`条款${m.title.replace('★', '').split(' ')[0]}`);
    for (const ch of marks) expect(flat(texts[ch.page - 1]!)).toContain(flat(ch.title));
  });

  it('lists each item in the contents with the page its header sheet is on', async () => {
    const toc = texts.filter((t) => /目\s*录/.test(t)).join('\n');
    expect(toc).toContain('第一章');
    for (const code of ITEMS) {
      const line = toc.split('\n').find((l) => new RegExp(`^\\s*★?${code.replace(/\./g, '\\.')} `).test(l));
      expect(line, code).toBeDefined();
      const page = Number(/(\d+)\s*$/.exec(line!)![1]);
      const header = new RegExp(`条款${code.replace(/\./g, '\\.')}(?![\\d.])`);
      expect(flat(texts[page - 1]!), `${code} → page ${page}`).toMatch(header);
      // … and it is the first page of that item: the page before belongs to something else.
      expect(flat(texts[page - 2]!)).not.toMatch(header);
    }
    // Contents entries are links.
    const doc = await PDFDocument.load(await readFile(file));
    const annots = doc.getPage(1).node.lookupMaybe(PDFName.of('Annots'), PDFArray);
    expect(annots?.size()).toBe(2 + 4 + 8);
  });

  it('prints the cover with the institution and stamps every page "第 N 页 / 共 M 页"', async () => {
    expect(texts[0]).toContain('修武县郇封镇卫生院');
    expect(texts[0]).toContain('2026年度');
    expect(flat(texts[0]!)).toContain('第1册/共1册');
    expect(texts[0]).toContain('演示内容');
    const m = texts.length;
    texts.forEach((t, i) => expect(flat(t)).toContain(`第${i + 1}页/共${m}页`));
  });

  it('draws visible glyphs (not blank subset glyphs): cover title and the stamp band have ink', async () => {
    expect(await darkPixels(file, 1, { left: 0.2, top: 0.12, width: 0.6, height: 0.12 })).toBeGreaterThan(200);
    const evidencePage = texts.findIndex((t) => t.includes('PORTRAIT-MARK')) + 1;
    expect(evidencePage).toBeGreaterThan(0);
    expect(await darkPixels(file, evidencePage, { left: 0.6, top: 0.964, width: 0.4, height: 0.036 })).toBeGreaterThan(20);
    expect(await darkPixels(file, evidencePage, { left: 0, top: 0.964, width: 0.3, height: 0.036 })).toBeGreaterThan(10);
  });

  it('imports evidence pages in item order, honouring page ranges, rotation, landscape and crop boxes', async () => {
    const where = (mark: string) => texts.findIndex((t) => t.includes(mark)) + 1;
    const order = ['PORTRAIT-MARK', 'LANDSCAPE-MARK', 'ROTATE-MARK', 'CROP-MARK', 'THREE-P2', 'THREE-P3', 'INHERITED-MARK', 'RESTRICTED-MARK'].map(where);
    expect(order.every((p) => p > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(where('THREE-P1')).toBe(0);
    const doc = await PDFDocument.load(await readFile(file));
    const size = (p: number) => doc.getPage(p - 1).getSize();
    expect(size(where('LANDSCAPE-MARK')).width).toBeGreaterThan(size(where('LANDSCAPE-MARK')).height);
    expect(size(where('ROTATE-MARK')).width).toBeGreaterThan(size(where('ROTATE-MARK')).height); // /Rotate 90 of a portrait page shows landscape
    expect(size(where('CROP-MARK'))).toEqual({ width: 460, height: 220 });
    expect(size(where('INHERITED-MARK'))).toEqual({ width: 400, height: 300 });
    // Images: JPEG, 16-bit PNG, CMYK JPEG and both TIFF pages each on an A4 page.
    const imagePages = texts.map((t, i) => (/条款(1\.1\.1|2\.1\.1)/.test(flat(t)) && flat(t).replace(/第\d+页\/共\d+页|条款[\d.]+/g, '') === '' ? i + 1 : 0)).filter(Boolean);
    expect(imagePages).toHaveLength(1 + 1 + 1 + 2);
    for (const p of imagePages) expect(Math.round(Math.min(size(p).width, size(p).height))).toBe(595);
  });

  it('prints what filled-in form fields show, without copying annotations', async () => {
    const p = texts.findIndex((t) => t.includes('FORM-MARK')) + 1;
    expect(texts[p - 1]).toContain('FILLED-VALUE');
    const doc = await PDFDocument.load(await readFile(file));
    expect(doc.getPage(p - 1).node.get(PDFName.of('Annots'))).toBeUndefined();
  });

  it('keeps the stamp band clear of the imported content (the page is shrunk above it)', async () => {
    const p = texts.findIndex((t) => t.includes('PORTRAIT-MARK')) + 1;
    expect(texts[p - 1]).toContain('PORTRAIT-MARK BOTTOM');
    const band = await pageText(file, p, { x: 0, y: 841.89 - 30, w: 595.28, h: 30 });
    expect(band).not.toContain('BOTTOM');
    expect(flat(band)).toMatch(/条款1\.1\.1第\d+页/);
    // The black bar the source draws along its bottom edge ends up above the band: between the two parts of the
    // stamp the band is blank, just above it there is ink.
    expect(await darkPixels(file, p, { left: 0.3, top: 0.966, width: 0.35, height: 0.034 })).toBe(0);
    expect(await darkPixels(file, p, { left: 0.3, top: 0.94, width: 0.35, height: 0.026 })).toBeGreaterThan(50);
  });

  it('replaces broken and unprintable evidence by placeholder sheets and reports them', async () => {
    expect(Object.fromEntries(result.replaced.map((r) => [r.key, r.reason]))).toEqual(fx.broken);
    for (const [key, reason] of Object.entries(fx.broken)) {
      const title = result.replaced.find((r) => r.key === key)!.title;
      const page = texts.find((t) => t.includes('此佐证材料无法打印') && t.includes(title));
      expect(page, key).toBeDefined();
      expect(page!.replace(/\s+/g, '')).toContain(reason.replace(/\s+/g, ''));
    }
  });

  it('adds a "缺少佐证材料" sheet for an item without evidence', () => {
    const header = texts.findIndex((t) => /条款1\.2\.2(?![\d.])/.test(flat(t)) && t.includes('评价要求'));
    expect(texts[header + 1]).toContain('缺少佐证材料');
  });

  it('is deterministic: the same plan and options give byte-identical files', async () => {
    const again = await build();
    expect(again.volumes[0]!.sha256).toBe(result.volumes[0]!.sha256);
    expect(Buffer.compare(await readFile(again.volumes[0]!.path), await readFile(file))).toBe(0);
    expect(Buffer.compare(await readFile(again.labelsPath), await readFile(result.labelsPath))).toBe(0);
    const { stdout } = await run('pdfinfo', [file]);
    expect(stdout).toMatch(/CreationDate:\s+\S.*2026/);
  });
});

describe('binder volumes', () => {
  it('splits by a page limit without cutting items, each volume with its own cover and contents', async () => {
    const result = await build({ maxSheetsPerVolume: 12 });
    expect(result.volumes.length).toBeGreaterThan(1);
    const seen: string[] = [];
    for (const v of result.volumes) {
      expect(v.pageCount).toBeLessThanOrEqual(12);
      const texts = await allPagesText(v.path);
      expect(flat(texts[0]!)).toContain(`第${v.volumeNo}册/共${result.volumes.length}册`);
      expect(texts[1]).toContain('目');
      texts.forEach((t, i) => expect(flat(t)).toContain(`第${i + 1}页/共${v.pageCount}页`));
      const marks = flatten(await bookmarks(v.path)).filter((m) => m.children.length === 0);
      seen.push(...marks.map((m) => m.title.replace('★', '').split(' ')[0]!));
      expect(marks[0]!.title).toContain(v.firstItem);
      expect(marks[marks.length - 1]!.title).toContain(v.lastItem);
    }
    expect(seen).toEqual(ITEMS); // every item exactly once, in order
    const labels = await allPagesText(result.labelsPath);
    expect(flat(labels[0]!)).toContain(`1/${result.volumes.length}`);
    expect(labels.join('\n')).toContain('30年');
  });

  it('splits by chapter (and leaves out the "缺少佐证材料" sheets when asked to)', async () => {
    const result = await build({ split: 'chapter', includeMissingSheets: false });
    expect(result.volumes.map((v) => [v.firstItem, v.lastItem])).toEqual([
      ['1.1.1', '1.2.2'],
      ['2.1.1', '2.2.2'],
    ]);
    const texts = (await Promise.all(result.volumes.map((v) => allPagesText(v.path)))).flat();
    expect(texts.some((t) => t.includes('缺少佐证材料'))).toBe(false);
    expect(texts.some((t) => /条款1\.2\.2(?![\d.])/.test(flat(t)) && t.includes('本条款没有关联佐证材料'))).toBe(true);
  });

  it('cuts an item bigger than the limit on its own, and only that item', async () => {
    const plan: BinderPlan = structuredClone(fx.plan);
    plan.chapters[0]!.sections[0]!.items[1]!.evidence.push({ key: 'thirty', title: '三十页的台账', fileName: 'thirty.pdf', pageFrom: null, pageTo: null, estimatedPages: 30 });
    const result = await build({ maxSheetsPerVolume: 15 }, plan);
    const holding = result.volumes.filter((v) => v.firstItem === '1.1.2' || v.lastItem === '1.1.2');
    expect(holding.length).toBeGreaterThan(2);
    const pages: number[] = [];
    for (const v of result.volumes) {
      expect(v.pageCount).toBeLessThanOrEqual(15);
      (await allPagesText(v.path)).forEach((t) => {
        const m = /THIRTY-P(\d+)\b/.exec(t);
        if (m) pages.push(Number(m[1]));
      });
    }
    expect(pages).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    // Other items are still whole: each appears in exactly one volume.
    const items = (await Promise.all(result.volumes.map((v) => bookmarks(v.path)))).flatMap((b) => flatten(b).filter((m) => m.children.length === 0));
    const codes = items.map((m) => m.title.replace('★', '').split(' ')[0]!);
    for (const code of ITEMS.filter((c) => c !== '1.1.2')) expect(codes.filter((c) => c === code)).toHaveLength(1);
  });

  it('duplex: each chapter divider on an odd page, even page counts; continuous numbering across volumes', async () => {
    const result = await build({ duplex: true, numbering: 'continuous', split: 'chapter', missingReport: true });
    expect(result.volumes).toHaveLength(2);
    const total = result.pageCount;
    let offset = 0;
    for (const v of result.volumes) {
      expect(v.pageCount % 2).toBe(0);
      const marks = await bookmarks(v.path);
      for (const ch of marks) expect(ch.page % 2, ch.title).toBe(1);
      const texts = await allPagesText(v.path);
      texts.forEach((t, i) => expect(flat(t)).toContain(`第${offset + i + 1}页/共${total}页`));
      if (v.volumeNo === 1) {
        expect(texts[2]).toContain('缺少佐证材料的条款');
        expect(texts[2]).toContain('1.2.2');
      }
      offset += v.pageCount;
    }
  });
});

describe('binder robustness', () => {
  it('streams a source of thousands of pages', async () => {
    const big = path.join(dir, 'big.pdf');
    await textPdf(big, Array.from({ length: 2000 }, (_, i) => ({ size: [595.28, 841.89] as [number, number], text: `BIG-P${i + 1}` })));
    const plan: BinderPlan = {
      ...fx.plan,
      chapters: [{ code: '1', title: '大文件', sections: [{ code: '1.1', title: '台账', items: [{ ...fx.plan.chapters[0]!.sections[0]!.items[0]!, evidence: [{ key: 'big', title: '两千页台账', fileName: 'big.pdf', pageFrom: 1500, pageTo: 2000, estimatedPages: 2000 }] }] }] }],
    };
    const progress: [number, number][] = [];
    const result = await build({ maxSheetsPerVolume: 2000 }, plan, (done, total) => void progress.push([done, total]));
    expect(result.volumes).toHaveLength(1);
    // Progress: the estimated total throughout, about every 50 pages, ending at the total.
    const total = progress[0]![1];
    expect(total).toBeGreaterThanOrEqual(501);
    expect(progress.every(([, t]) => t === total)).toBe(true);
    expect(progress.length).toBeGreaterThanOrEqual(10);
    expect(progress.length).toBeLessThanOrEqual(Math.ceil(total / 50) + 1);
    expect(progress[progress.length - 1]).toEqual([total, total]);
    const v = result.volumes[0]!;
    const texts = await allPagesText(v.path);
    expect(texts.filter((t) => /BIG-P\d+/.test(t))).toHaveLength(501);
    expect(texts.some((t) => t.includes('BIG-P1500 '))).toBe(true);
    await run('qpdf', ['--check', v.path]);
  });

  it('clamps a page range beyond the document and notes it', async () => {
    const plan: BinderPlan = structuredClone(fx.plan);
    plan.chapters = [plan.chapters[0]!];
    plan.chapters[0]!.sections[1]!.items[0]!.evidence[1]!.pageTo = 9;
    const result = (await build({}, plan)) as RenderBinderResult & { adjusted: { key: string; reason: string }[] };
    expect(result.adjusted).toEqual([expect.objectContaining({ key: 'three' })]);
    const texts = await allPagesText(result.volumes[0]!.path);
    expect(texts.filter((t) => /THREE-P[23]/.test(t))).toHaveLength(2);
  });

  it('renders a summary PDF with searchable Chinese text', async () => {
    const bytes = await renderSummaryPdf({
      title: '评审意见汇总',
      subtitle: '修武县郇封镇卫生院 · 2026年度',
      creationDate: '2026-11-20T08:00:00Z',
      sections: [
        { heading: '总体意见', paragraphs: ['材料齐全，建议通过。'] },
        { heading: '问题清单', table: { columns: ['条款', '问题'], widths: [1, 4], rows: Array.from({ length: 60 }, (_, i) => [`1.1.${i + 1}`, '签到表缺少日期']) } },
      ],
    });
    const file = path.join(dir, 'summary.pdf');
    await import('node:fs/promises').then((fs) => fs.writeFile(file, bytes));
    await run('qpdf', ['--check', file]);
    const texts = await allPagesText(file);
    expect(texts.length).toBeGreaterThan(1);
    expect(texts[0]).toContain('评审意见汇总');
    expect(texts.join('\n')).toContain('1.1.60');
    expect(Buffer.compare(Buffer.from(bytes), Buffer.from(await renderSummaryPdf({ title: '评审意见汇总', subtitle: '修武县郇封镇卫生院 · 2026年度', creationDate: '2026-11-20T08:00:00Z', sections: [{ heading: '总体意见', paragraphs: ['材料齐全，建议通过。'] }, { heading: '问题清单', table: { columns: ['条款', '问题'], widths: [1, 4], rows: Array.from({ length: 60 }, (_, i) => [`1.1.${i + 1}`, '签到表缺少日期']) } }] })))).toBe(0);
  });
});

describe('binder with a preface', () => {
  const summary = (rows: number) =>
    renderSummaryPdf({
      title: '审核摘要',
      subtitle: '修武县郇封镇卫生院 · 2026年度',
      creationDate: '2026-11-20T08:00:00Z',
      stamps: false,
      sections: [{ heading: '条款评审', table: { columns: ['条款', '评审意见'], widths: [1, 4], rows: Array.from({ length: rows }, (_, i) => [`9.9.${i + 1}`, 'PREFACE-ROW 签到表缺少日期']) } }],
    });

  async function prefaceFile(name: string, rows: number): Promise<{ file: string; pages: number }> {
    const file = path.join(dir, name);
    await import('node:fs/promises').then(async (fs) => fs.writeFile(file, await summary(rows)));
    const { stdout } = await run('pdfinfo', [file]);
    return { file, pages: Number(/Pages:\s+(\d+)/.exec(stdout)![1]) };
  }

  it('binds the preface after the cover, stamped with its title, first in bookmarks and contents', async () => {
    const { file: pre, pages: n } = await prefaceFile('preface.pdf', 60);
    expect(n).toBeGreaterThan(1);
    const result = await renderBinder({ plan: fx.plan, options: DEFAULT_BINDER_OPTIONS, open: fx.open, outDir: path.join(dir, `out-${++builds}`), preface: { path: pre, title: '审核摘要' } });
    expect(result.volumes).toHaveLength(1);
    const file = result.volumes[0]!.path;
    const { stdout } = await run('qpdf', ['--check', file]);
    expect(stdout).toContain('No syntax or stream encoding errors');
    const texts = await allPagesText(file);
    const m = texts.length;
    expect(result.pageCount).toBe(m);
    expect(texts[0]).toContain('评价佐证材料');
    for (let i = 1; i <= n; i++) {
      expect(texts[i]).toContain('PREFACE-ROW');
      // One stamp: the binder's, with the preface's title as its label (the summary was rendered without).
      expect(flat(texts[i]!)).toContain(`审核摘要第${i + 1}页/共${m}页`);
      expect(flat(texts[i]!).match(/第\d+页\/共\d+页/g)).toHaveLength(1);
      const band = await pageText(file, i + 1, { x: 0, y: 841.89 - 30, w: 595.28, h: 30 });
      expect(flat(band)).toContain('审核摘要');
    }
    expect(texts[1]).toContain('审核摘要');
    expect(texts[n + 1]).toMatch(/目\s*录/);
    expect(texts.slice(0, n + 1).some((t) => /目\s*录/.test(t))).toBe(false);
    const first = texts[n + 1]!.split('\n').find((l) => l.includes('第一章'))!;
    const prefaceLine = texts[n + 1]!.split('\n').find((l) => /^\s*审核摘要\b/.test(l) || /^\s*审核摘要\s/.test(l));
    expect(prefaceLine).toBeDefined();
    expect(Number(/(\d+)\s*$/.exec(prefaceLine!)![1])).toBe(2);
    expect(texts[n + 1]!.indexOf(prefaceLine!)).toBeLessThan(texts[n + 1]!.indexOf(first));
    const marks = await bookmarks(file);
    expect(marks[0]).toMatchObject({ title: '审核摘要', page: 2, children: [] });
    expect(marks.slice(1).map((b) => b.title)).toEqual(['第一章 功能任务与资源配置', '第二章 基本医疗和公共卫生服务']);
    expect(flatten(marks)).toHaveLength(1 + 2 + 4 + 8);
    const doc = await PDFDocument.load(await readFile(file));
    expect(doc.getPage(n + 1).node.lookupMaybe(PDFName.of('Annots'), PDFArray)?.size()).toBe(1 + 2 + 4 + 8);
    // Cover and contents count the preface: items still start where the contents say.
    for (const code of ITEMS) {
      const line = texts[n + 1]!.split('\n').find((l) => new RegExp(`^\\s*★?${code.replace(/\./g, '\\.')} `).test(l))!;
      const page = Number(/(\d+)\s*$/.exec(line)![1]);
      expect(flat(texts[page - 1]!)).toMatch(new RegExp(`条款${code.replace(/\./g, '\\.')}(?![\\d.])`));
    }
    // Deterministic.
    const again = await renderBinder({ plan: fx.plan, options: DEFAULT_BINDER_OPTIONS, open: fx.open, outDir: path.join(dir, `out-${++builds}`), preface: { path: pre, title: '审核摘要' } });
    expect(again.volumes[0]!.sha256).toBe(result.volumes[0]!.sha256);
  });

  it('counts the preface in the estimates: exact totals, volume 1 within the limit, duplex on right-hand pages', async () => {
    const { file: pre, pages: n } = await prefaceFile('preface-short.pdf', 40);
    // Evidence whose page estimates are right (chapter 1): the estimated total is the real one.
    const plan: BinderPlan = { ...structuredClone(fx.plan), chapters: [structuredClone(fx.plan.chapters[0]!)] };
    const totals: number[] = [];
    const exact = await renderBinder({ plan, options: DEFAULT_BINDER_OPTIONS, open: fx.open, outDir: path.join(dir, `out-${++builds}`), preface: { path: pre, title: '审核摘要' }, onProgress: (_, t) => void totals.push(t) });
    expect(totals.at(-1)).toBe(exact.pageCount);

    const split = await renderBinder({ plan, options: { ...DEFAULT_BINDER_OPTIONS, maxSheetsPerVolume: n + 8 }, open: fx.open, outDir: path.join(dir, `out-${++builds}`), preface: { path: pre, title: '审核摘要' } });
    expect(split.volumes.length).toBeGreaterThan(1);
    for (const v of split.volumes) expect(v.pageCount).toBeLessThanOrEqual(n + 8);
    const second = await allPagesText(split.volumes[1]!.path);
    expect(second.some((t) => t.includes('PREFACE-ROW'))).toBe(false);
    expect((await bookmarks(split.volumes[1]!.path))[0]!.title).not.toBe('审核摘要');

    const duplex = await renderBinder({ plan, options: { ...DEFAULT_BINDER_OPTIONS, duplex: true }, open: fx.open, outDir: path.join(dir, `out-${++builds}`), preface: { path: pre, title: '审核摘要' } });
    const file = duplex.volumes[0]!.path;
    const marks = await bookmarks(file);
    expect(marks[0]).toMatchObject({ title: '审核摘要', page: 3 });
    for (const ch of marks.slice(1)) expect(ch.page % 2, ch.title).toBe(1);
    const texts = await allPagesText(file);
    const toc = texts.findIndex((t) => /目\s*录/.test(t));
    expect(toc % 2).toBe(0); // 0-based index: the contents start on a right-hand page
    await run('qpdf', ['--check', file]);
  });
});
