// Intake of one uploaded file: detection by content, inspection/rejection, Office → PDF, thumbnails,
// display-name sanitising. Every fixture is generated here (nothing binary is committed), with names
// that lie about the content where that matters.
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import ExcelJS from 'exceljs';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configureOfficeConverter, convertToPdf, findOfficeBinary, officeAvailable, CONVERT_REASONS } from '../../src/adapters/office-converter.ts';
import { makeThumbnail } from '../../src/adapters/thumbnail.ts';
import { detectFileKind, FILE_KIND_LABELS, FILE_KIND_MIME_TYPES, type FileKind } from '../../src/documents/file-kind.ts';
import { inspectFile, REJECT, type Inspection } from '../../src/documents/inspect-file.ts';
import { sanitizeFileName } from '../../src/documents/safe-file-name.ts';
import { pngClaiming, zip } from '../helpers/fixture-files.ts';

const run = promisify(execFile);

async function hasTool(cmd: string, args: string[]): Promise<boolean> {
  try {
    await run(cmd, args);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code !== 'ENOENT';
  }
}

let dir: string;
const f = (name: string) => join(dir, name);
let hasQpdf = false;
let hasSoffice = false;
const allowNoSoffice = process.env['DOSSIER_ALLOW_NO_SOFFICE'] === '1';

// ------------------------------------------------------------------------------------------ fixture makers

async function makePdf(pages: number, options: { useObjectStreams?: boolean } = {}): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  const jpg = await sharp({ create: { width: 300, height: 200, channels: 3, background: '#3366cc' } }).jpeg().toBuffer();
  const img = await doc.embedJpg(jpg);
  for (let i = 0; i < pages; i++) {
    const page = doc.addPage([595.28, 841.89]); // A4
    page.drawText(`Evidence page ${i + 1}`, { x: 50, y: 760, size: 24, font });
    page.drawImage(img, { x: 50, y: 400, width: 300, height: 200 });
  }
  return doc.save(options);
}


const DOCX_PARTS = {
  '[Content_Types].xml':
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>' +
    '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
  '_rels/.rels':
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>',
  'word/document.xml':
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>' +
    '<w:p><w:r><w:t>基层行证据档案 — 测试文档</w:t></w:r></w:p><w:p><w:r><w:t>Second paragraph.</w:t></w:r></w:p></w:body></w:document>',
};

async function makeXlsx(path: string): Promise<void> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('自评表');
  ws.addRow(['条款', '等级']);
  ws.addRow(['1.1.1', 'A']);
  await wb.xlsx.writeFile(path);
}


interface CfbEntry {
  name: string;
  type: 1 | 2 | 5; // storage, stream, root
  left?: number;
  right?: number;
  child?: number;
}

/**
 * A minimal OLE2 compound file ([MS-CFB] v3, 512-byte sectors): sector 0 is the FAT, the directory follows
 * as a chain of sectors, and all streams are empty. Enough to exercise detection (not conversion).
 */
function makeCfb(entries: CfbEntry[]): Buffer {
  const NOSTREAM = 0xffffffff;
  const ENDOFCHAIN = 0xfffffffe;
  const dirSectors = Math.ceil(entries.length / 4);
  const header = Buffer.alloc(512);
  Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]).copy(header, 0);
  header.writeUInt16LE(0x3e, 24);
  header.writeUInt16LE(3, 26);
  header.writeUInt16LE(0xfffe, 28);
  header.writeUInt16LE(9, 30);
  header.writeUInt16LE(6, 32);
  header.writeUInt32LE(1, 44); // one FAT sector
  header.writeUInt32LE(1, 48); // directory starts at sector 1
  header.writeUInt32LE(4096, 56);
  header.writeUInt32LE(ENDOFCHAIN, 60);
  header.writeUInt32LE(ENDOFCHAIN, 68);
  for (let i = 0; i < 109; i++) header.writeUInt32LE(i === 0 ? 0 : 0xffffffff, 76 + i * 4);
  const fat = Buffer.alloc(512, 0xff);
  fat.writeUInt32LE(0xfffffffd, 0); // FATSECT
  for (let s = 1; s <= dirSectors; s++) fat.writeUInt32LE(s === dirSectors ? ENDOFCHAIN : s + 1, s * 4);
  const dir = Buffer.alloc(dirSectors * 512);
  entries.forEach((e, i) => {
    const off = i * 128;
    const name = Buffer.from(`${e.name}\0`, 'utf16le');
    name.copy(dir, off);
    dir.writeUInt16LE(name.length, off + 64);
    dir[off + 66] = e.type;
    dir[off + 67] = 1;
    dir.writeUInt32LE(e.left ?? NOSTREAM, off + 68);
    dir.writeUInt32LE(e.right ?? NOSTREAM, off + 72);
    dir.writeUInt32LE(e.child ?? NOSTREAM, off + 76);
    dir.writeUInt32LE(ENDOFCHAIN, off + 116);
  });
  return Buffer.concat([header, fat, dir]);
}

/** Root children linked as a right-leaning chain; `nested` puts extra streams inside a storage under root. */
function cfbWithRootStreams(rootNames: string[], nested: string[] = []): Buffer {
  const entries: CfbEntry[] = [{ name: 'Root Entry', type: 5, child: 1 }];
  const rootChildren = [...rootNames, ...(nested.length ? ['ObjectPool'] : [])];
  rootChildren.forEach((name, i) => {
    entries.push({
      name,
      type: name === 'ObjectPool' ? 1 : 2,
      right: i + 1 < rootChildren.length ? entries.length + 1 : undefined,
    });
  });
  if (nested.length) {
    const storage = entries.find((e) => e.name === 'ObjectPool')!;
    storage.child = entries.length;
    nested.forEach((name, i) => entries.push({ name, type: 2, right: i + 1 < nested.length ? entries.length + 1 : undefined }));
  }
  return makeCfb(entries);
}

// ----------------------------------------------------------------------------------------------- fixtures

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dossier-intake-'));
  [hasQpdf, hasSoffice] = await Promise.all([hasTool('qpdf', ['--version']), officeAvailable()]);

  const pdf = await makePdf(2);
  await writeFile(f('two-pages.pdf'), pdf);
  await writeFile(f('truncated.pdf'), pdf.subarray(0, Math.floor(pdf.length / 2)));
  await writeFile(f('scan-without-extension'), pdf);

  const jpeg = await sharp({ create: { width: 800, height: 600, channels: 3, background: { r: 200, g: 120, b: 40 } } }).jpeg().toBuffer();
  await writeFile(f('photo.jpg'), jpeg);
  await writeFile(f('photo-really.docx'), jpeg); // extension lies: it is a JPEG
  // A JPEG whose comment segment (within the first 1 KB) contains a PDF header: still a JPEG.
  const comment = Buffer.from('%PDF-1.7 not really', 'latin1');
  const com = Buffer.concat([Buffer.from([0xff, 0xfe, 0, comment.length + 2]), comment]);
  await writeFile(f('jpeg-with-pdf-comment.jpg'), Buffer.concat([jpeg.subarray(0, 2), com, jpeg.subarray(2)]));
  // Junk before the PDF header (some scanners and mail gateways add it): still a PDF.
  await writeFile(f('prefixed.pdf'), Buffer.concat([Buffer.from('\r\n\r\nJUNK\r\n'), pdf]));
  await writeFile(
    f('rotated.jpg'),
    await sharp({ create: { width: 800, height: 600, channels: 3, background: '#88aa22' } }).jpeg().withMetadata({ orientation: 6 }).toBuffer(),
  );
  await writeFile(
    f('cmyk.jpg'),
    await sharp({ create: { width: 1200, height: 900, channels: 3, background: '#cc3366' } }).toColourspace('cmyk').jpeg().toBuffer(),
  );
  await writeFile(
    f('deep.png'),
    await sharp({ create: { width: 640, height: 480, channels: 3, background: '#336699' } }).toColourspace('rgb16').png().toBuffer(),
  );
  await writeFile(f('image.png'), await sharp({ create: { width: 320, height: 200, channels: 4, background: '#00ff0080' } }).png().toBuffer());
  const pageImgs = await Promise.all(
    [0, 1, 2].map((i) => sharp({ create: { width: 400, height: 560, channels: 3, background: { r: 60 * i, g: 100, b: 200 } } }).png().toBuffer()),
  );
  // sharp can write a multi-page TIFF: join the pages as an "animated" image and save as TIFF.
  await sharp(pageImgs, { join: { animated: true } }).tiff().toFile(f('multi.tif'));
  await writeFile(f('bomb.png'), pngClaiming(100_000, 100_000));
  await writeFile(f('corrupt.jpg'), Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from('definitely not JPEG data '.repeat(40))]));

  await writeFile(f('empty.pdf'), Buffer.alloc(0));
  await writeFile(f('text-renamed.pdf'), '这只是一个文本文件，不是 PDF。\nJust text.\n');

  await writeFile(f('minimal.docx'), await zip(DOCX_PARTS));
  await makeXlsx(f('minimal.xlsx'));
  await writeFile(f('invoice.ofd'), await zip({ 'OFD.xml': '<?xml version="1.0" encoding="UTF-8"?><ofd:OFD xmlns:ofd="http://www.ofdspec.org/2016" Version="1.0"/>', 'Doc_0/Document.xml': '<x/>' }));
  await writeFile(f('slides.pptx'), await zip({ '[Content_Types].xml': '<Types/>', 'ppt/presentation.xml': '<p/>' }));
  await writeFile(f('truncated.docx'), (await readFile(f('minimal.docx'))).subarray(0, 200));

  await writeFile(f('crafted.doc'), cfbWithRootStreams(['\u0005SummaryInformation', '1Table', 'Data', 'CompObj', 'WordDocument']));
  await writeFile(f('crafted.xls'), cfbWithRootStreams(['\u0005SummaryInformation', 'Workbook']));
  await writeFile(f('crafted-excel95.xls'), cfbWithRootStreams(['Book']));
  await writeFile(f('doc-with-embedded-sheet.doc'), cfbWithRootStreams(['WordDocument', '1Table'], ['Workbook']));
  await writeFile(f('xls-with-embedded-doc.xls'), cfbWithRootStreams(['Workbook'], ['WordDocument']));
  await writeFile(f('encrypted.docx'), cfbWithRootStreams(['EncryptionInfo', 'EncryptedPackage']));
  await writeFile(f('powerpoint.ppt'), cfbWithRootStreams(['PowerPoint Document', 'Current User']));

  if (hasQpdf) {
    await run('qpdf', ['--encrypt', 'user', 'owner', '256', '--', f('two-pages.pdf'), f('user-password.pdf')]);
    await run('qpdf', ['--encrypt', '', 'owner', '256', '--print=none', '--', f('two-pages.pdf'), f('owner-password.pdf')]);
    // A linearized PDF keeps its catalog and page tree at the front, so poppler still "reads" it when the
    // tail is cut off — the dangerous kind of truncation.
    await run('qpdf', ['--linearize', f('two-pages.pdf'), f('linearized.pdf')]);
    const lin = await readFile(f('linearized.pdf'));
    await writeFile(f('linearized-truncated.pdf'), lin.subarray(0, Math.floor(lin.length * 0.9)));
  }
  const soffice = await findOfficeBinary();
  if (soffice) {
    // Real binary Office files, produced by LibreOffice itself.
    await run(soffice, ['--headless', '--norestore', '--convert-to', 'doc', '--outdir', dir, `-env:UserInstallation=file://${dir}/lo-profile`, f('minimal.docx')], { timeout: 120_000 });
    await run(soffice, ['--headless', '--norestore', '--convert-to', 'xls', '--outdir', dir, `-env:UserInstallation=file://${dir}/lo-profile`, f('minimal.xlsx')], { timeout: 120_000 });
  }
}, 240_000);

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

function expectOk(i: Inspection): asserts i is Extract<Inspection, { ok: true }> {
  if (!i.ok) throw new Error(`expected ok, got rejection: ${i.reason}`);
}

// --------------------------------------------------------------------------------------------- detection

describe('detectFileKind', () => {
  it.each<[string, FileKind]>([
    ['two-pages.pdf', 'pdf'],
    ['scan-without-extension', 'pdf'],
    ['truncated.pdf', 'pdf'],
    ['photo.jpg', 'jpeg'],
    ['photo-really.docx', 'jpeg'],
    ['jpeg-with-pdf-comment.jpg', 'jpeg'],
    ['prefixed.pdf', 'pdf'],
    ['cmyk.jpg', 'jpeg'],
    ['image.png', 'png'],
    ['bomb.png', 'png'],
    ['multi.tif', 'tiff'],
    ['minimal.docx', 'docx'],
    ['minimal.xlsx', 'xlsx'],
    ['invoice.ofd', 'ofd'],
    ['crafted.doc', 'doc'],
    ['crafted.xls', 'xls'],
    ['crafted-excel95.xls', 'xls'],
    ['doc-with-embedded-sheet.doc', 'doc'],
    ['xls-with-embedded-doc.xls', 'xls'],
    ['encrypted.docx', 'unknown'],
    ['powerpoint.ppt', 'unknown'],
    ['slides.pptx', 'unknown'],
    ['truncated.docx', 'unknown'],
    ['empty.pdf', 'unknown'],
    ['text-renamed.pdf', 'unknown'],
  ])('%s → %s', async (name, kind) => {
    expect(await detectFileKind(f(name))).toBe(kind);
  });

  it('recognises DOC and XLS written by LibreOffice', async (ctx) => {
    if (!hasSoffice) return requireSoffice(ctx);
    expect(await detectFileKind(f('minimal.doc'))).toBe('doc');
    expect(await detectFileKind(f('minimal.xls'))).toBe('xls');
  });

  it('has a Chinese label and a MIME type for every kind', () => {
    expect(FILE_KIND_LABELS.pdf).toBe('PDF');
    expect(FILE_KIND_LABELS.jpeg).toBe('JPEG 图片');
    expect(FILE_KIND_LABELS.ofd).toBe('OFD 版式文件');
    expect(FILE_KIND_MIME_TYPES.docx).toBe('application/vnd.openxmlformats-officedocument.wordprocessingml.document');
    expect(FILE_KIND_MIME_TYPES.unknown).toBe('application/octet-stream');
    expect(Object.keys(FILE_KIND_LABELS).sort()).toEqual(Object.keys(FILE_KIND_MIME_TYPES).sort());
  });
});

// -------------------------------------------------------------------------------------------- inspection

describe('inspectFile', () => {
  it('rejects a zero-byte file whatever its kind', async () => {
    expect(await inspectFile(f('empty.pdf'), 'unknown')).toEqual({ ok: false, reason: '文件为空（0 字节）' });
    expect(await inspectFile(f('empty.pdf'), 'pdf')).toEqual({ ok: false, reason: '文件为空（0 字节）' });
  });

  it('reads page count and page size of a PDF', async () => {
    const i = await inspectFile(f('two-pages.pdf'), 'pdf');
    expectOk(i);
    expect(i).toMatchObject({ pageCount: 2, width: 595, height: 842, printable: true });
    expect(i.note).toBeUndefined();
    expect(await inspectFile(f('prefixed.pdf'), 'pdf')).toMatchObject({ ok: true, pageCount: 2 });
  });

  it('rejects a truncated PDF', async () => {
    expect(await inspectFile(f('truncated.pdf'), 'pdf')).toEqual({ ok: false, reason: 'PDF 文件已损坏或不完整，无法读取' });
  });

  it('rejects a text file that only claims to be a PDF', async () => {
    const kind = await detectFileKind(f('text-renamed.pdf'));
    expect(await inspectFile(f('text-renamed.pdf'), kind)).toEqual({
      ok: false,
      reason: '不支持的文件类型。支持：PDF、JPEG、PNG、TIFF、Word（DOC/DOCX）、Excel（XLS/XLSX）、OFD',
    });
    // Even if a caller trusted the name, pdfinfo would not.
    expect(await inspectFile(f('text-renamed.pdf'), 'pdf')).toEqual({ ok: false, reason: REJECT.pdfCorrupt });
  });

  it('rejects a PDF with an open (user) password', async (ctx) => {
    if (!hasQpdf) return ctx.skip();
    expect(await inspectFile(f('user-password.pdf'), 'pdf')).toEqual({
      ok: false,
      reason: 'PDF 文件已加密（设置了打开密码），请去除密码后重新上传',
    });
  });

  it('accepts an owner-password-only PDF, noting the print restriction', async (ctx) => {
    if (!hasQpdf) return ctx.skip();
    const i = await inspectFile(f('owner-password.pdf'), 'pdf');
    expectOk(i);
    expect(i.pageCount).toBe(2);
    expect(i.printable).toBe(false);
    expect(i.note).toContain('权限密码');
  });

  it('rejects a truncated linearized PDF that poppler would still open', async (ctx) => {
    if (!hasQpdf) return ctx.skip();
    expectOk(await inspectFile(f('linearized.pdf'), 'pdf'));
    expect(await inspectFile(f('linearized-truncated.pdf'), 'pdf')).toEqual({ ok: false, reason: REJECT.pdfCorrupt });
  });

  it('reports a missing pdfinfo instead of accepting the PDF', async () => {
    const savedPath = process.env['PATH'];
    process.env['PATH'] = join(dir, 'no-tools-here');
    try {
      expect(await inspectFile(f('two-pages.pdf'), 'pdf')).toEqual({ ok: false, reason: '服务器缺少 PDF 工具（poppler-utils），请联系管理员' });
    } finally {
      process.env['PATH'] = savedPath;
    }
  });

  it('reads image dimensions from the header', async () => {
    expect(await inspectFile(f('photo.jpg'), 'jpeg')).toEqual({ ok: true, pageCount: 1, width: 800, height: 600, printable: true });
    expect(await inspectFile(f('image.png'), 'png')).toMatchObject({ ok: true, pageCount: 1, width: 320, height: 200 });
    // EXIF orientation 6: stored 800×600, displayed 600×800.
    expect(await inspectFile(f('rotated.jpg'), 'jpeg')).toMatchObject({ ok: true, width: 600, height: 800 });
  });

  it('counts the pages of a multi-page TIFF', async () => {
    expect(await inspectFile(f('multi.tif'), 'tiff')).toMatchObject({ ok: true, pageCount: 3, width: 400, height: 560, printable: true });
  });

  it('rejects a 100000×100000 PNG from its header without allocating it', async () => {
    const rssBefore = process.memoryUsage().rss;
    const started = Date.now();
    expect(await inspectFile(f('bomb.png'), 'png')).toEqual({
      ok: false,
      reason: '图片尺寸过大（100000×100000 像素），请降低分辨率后重新上传',
    });
    expect(Date.now() - started).toBeLessThan(2000);
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(200 * 1024 * 1024);
  });

  it('rejects a corrupt image', async () => {
    expect(await inspectFile(f('corrupt.jpg'), 'jpeg')).toEqual({ ok: false, reason: '图片文件已损坏，无法读取' });
  });

  it('accepts office documents with the page count left for conversion', async () => {
    for (const [name, kind] of [['minimal.docx', 'docx'], ['minimal.xlsx', 'xlsx'], ['crafted.doc', 'doc'], ['crafted.xls', 'xls']] as const) {
      expect(await inspectFile(f(name), kind)).toEqual({ ok: true, pageCount: null, printable: true });
    }
  });

  it('accepts OFD as not printable', async () => {
    expect(await inspectFile(f('invoice.ofd'), 'ofd')).toEqual({ ok: true, pageCount: null, printable: false, note: 'OFD 版式文件已保存，暂不支持打印转换' });
  });

  it('explains a password-protected DOCX instead of calling it an unsupported type', async () => {
    expect(await inspectFile(f('encrypted.docx'), 'unknown')).toEqual({ ok: false, reason: REJECT.officeEncrypted });
    expect(await inspectFile(f('powerpoint.ppt'), 'unknown')).toEqual({ ok: false, reason: REJECT.unsupported });
  });
});

// -------------------------------------------------------------------------------------------- conversion

/** LibreOffice is required (CI installs it): without it these tests fail unless DOSSIER_ALLOW_NO_SOFFICE=1. */
function requireSoffice(ctx: { skip: () => void }): void {
  if (allowNoSoffice) return ctx.skip();
  throw new Error('LibreOffice (soffice) is not installed; install it or set DOSSIER_ALLOW_NO_SOFFICE=1 to skip');
}

async function pdfPages(path: string): Promise<number> {
  const { stdout } = await run('pdfinfo', [path]);
  return Number(/^Pages:\s+(\d+)/m.exec(stdout)?.[1] ?? 0);
}

describe('convertToPdf', () => {
  it.for<[string, FileKind]>([
    ['minimal.docx', 'docx'],
    ['minimal.xlsx', 'xlsx'],
    ['minimal.doc', 'doc'],
    ['minimal.xls', 'xls'],
  ])('converts %s to a PDF', { timeout: 120_000 }, async ([name, kind], ctx) => {
    if (!hasSoffice) return requireSoffice(ctx);
    // A temp name without extension, as the upload route stores it: conversion must not depend on the name.
    const input = f(`upload-${kind}`);
    await copyFile(f(name), input);
    const out = f(`converted-${kind}`);
    const result = await convertToPdf(input, kind, out);
    if (!result.ok) throw new Error(`conversion failed: ${result.reason} ${result.detail ?? ''}`);
    expect(result.pdfPath).toBe(join(out, `upload-${kind}.pdf`));
    expect(await detectFileKind(result.pdfPath)).toBe('pdf');
    expect(await pdfPages(result.pdfPath)).toBeGreaterThanOrEqual(1);
  });

  it('runs conversions through the queue and leaves no temp profile behind', async (ctx) => {
    if (!hasSoffice) return requireSoffice(ctx);
    const leftovers = () => readdirSync(tmpdir()).filter((n) => n.startsWith('dossier-lo-'));
    const before = new Set(leftovers());
    const results = await Promise.all([
      convertToPdf(f('minimal.docx'), 'docx', f('queued-1')),
      convertToPdf(f('minimal.xlsx'), 'xlsx', f('queued-2')),
    ]);
    expect(results.map((r) => r.ok)).toEqual([true, true]);
    expect(leftovers().filter((n) => !before.has(n))).toEqual([]);
  }, 120_000);

  it('kills LibreOffice on timeout', async (ctx) => {
    if (!hasSoffice) return requireSoffice(ctx);
    const ipcSockets = () => readdirSync('/tmp').filter((n) => n.startsWith('OSL_PIPE_'));
    const socketsBefore = new Set(ipcSockets());
    const result = await convertToPdf(f('minimal.docx'), 'docx', f('timed-out'), { timeoutMs: 300 });
    expect(result).toMatchObject({ ok: false, reason: CONVERT_REASONS.timeout(1) });
    // Nothing from that process group may survive: no soffice still running on a dossier-lo- profile.
    await new Promise((r) => setTimeout(r, 300));
    const survivors = readdirSync('/proc')
      .filter((p) => /^\d+$/.test(p))
      .filter((p) => {
        try {
          return readFileSync(`/proc/${p}/cmdline`, 'utf8').includes('dossier-lo-');
        } catch {
          return false;
        }
      });
    expect(survivors).toEqual([]);
    // …and the killed soffice's IPC socket was removed.
    expect(ipcSockets().filter((n) => !socketsBefore.has(n))).toEqual([]);
    expect(existsSync(join(f('timed-out'), 'minimal.pdf'))).toBe(false);
  }, 60_000);

  it('reports a broken document as a failed conversion', async (ctx) => {
    if (!hasSoffice) return requireSoffice(ctx);
    const result = await convertToPdf(f('crafted.doc'), 'doc', f('broken'));
    expect(result).toMatchObject({ ok: false, reason: CONVERT_REASONS.failed });
  }, 120_000);

  it('reports a missing LibreOffice as missingTool', async () => {
    configureOfficeConverter({ binary: join(dir, 'no-such-soffice') });
    try {
      expect(await officeAvailable()).toBe(false);
      expect(await convertToPdf(f('minimal.docx'), 'docx', f('never'))).toEqual({
        ok: false,
        reason: '服务器未安装 LibreOffice，文档已保存但未转换（未转换）',
        missingTool: true,
      });
    } finally {
      configureOfficeConverter({ binary: null });
    }
  });

  it('returns a failure rather than throwing when the input is missing', async (ctx) => {
    if (!hasSoffice) return requireSoffice(ctx);
    expect(await convertToPdf(f('does-not-exist.docx'), 'docx', f('never'))).toMatchObject({ ok: false, reason: CONVERT_REASONS.failed });
  });

  it('refuses kinds that are not office documents', async () => {
    expect(await convertToPdf(f('two-pages.pdf'), 'pdf', f('never'))).toMatchObject({ ok: false, reason: CONVERT_REASONS.unsupported });
  });
});

// -------------------------------------------------------------------------------------------- thumbnails

describe('makeThumbnail', () => {
  async function thumb(name: string, kind: FileKind) {
    const out = f(`thumbs/${name}.png`);
    await mkdir(f('thumbs'), { recursive: true });
    const ok = await makeThumbnail(f(name), kind, out);
    return { ok, meta: ok ? await sharp(out).metadata() : null };
  }

  it('renders the first page of a PDF into a 400 px box', async () => {
    const { ok, meta } = await thumb('two-pages.pdf', 'pdf');
    expect(ok).toBe(true);
    expect(meta).toMatchObject({ format: 'png', height: 400 });
    expect(meta!.width).toBeLessThanOrEqual(400);
    expect(meta!.width).toBeGreaterThan(250); // A4 portrait: ~283
  });

  it('scales a JPEG down to 400 px wide', async () => {
    const { ok, meta } = await thumb('photo.jpg', 'jpeg');
    expect(ok).toBe(true);
    expect(meta).toMatchObject({ format: 'png', width: 400, height: 300 });
  });

  it('applies EXIF orientation, converts CMYK and 16-bit to 8-bit sRGB', async () => {
    expect((await thumb('rotated.jpg', 'jpeg')).meta).toMatchObject({ width: 300, height: 400 });
    for (const [name, kind] of [['cmyk.jpg', 'jpeg'], ['deep.png', 'png']] as const) {
      const { ok, meta } = await thumb(name, kind);
      expect(ok).toBe(true);
      expect(meta).toMatchObject({ format: 'png', space: 'srgb', depth: 'uchar', width: 400 });
    }
  });

  it('uses the first page of a multi-page TIFF', async () => {
    expect((await thumb('multi.tif', 'tiff')).meta).toMatchObject({ width: 286, height: 400 });
  });

  it('returns false, never throws, for bombs, corrupt files and unsupported kinds', async () => {
    const started = Date.now();
    expect((await thumb('bomb.png', 'png')).ok).toBe(false);
    expect(Date.now() - started).toBeLessThan(2000);
    expect((await thumb('corrupt.jpg', 'jpeg')).ok).toBe(false);
    expect((await thumb('truncated.pdf', 'pdf')).ok).toBe(false);
    expect((await thumb('minimal.docx', 'docx')).ok).toBe(false);
    expect(await makeThumbnail(f('does-not-exist.jpg'), 'jpeg', f('thumbs/x.png'))).toBe(false);
    expect(existsSync(f('thumbs/bomb.png.png'))).toBe(false);
    // No temp files left beside the targets.
    expect(readdirSync(f('thumbs')).filter((n) => n.includes('.tmp-'))).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------- file names

describe('sanitizeFileName', () => {
  it.each([
    ['../../etc/passwd', 'passwd'],
    ['a\u0000b.pdf', 'ab.pdf'],
    ['C:\\x\\y.pdf', 'y.pdf'],
    ['C:y.pdf', 'y.pdf'],
    ['folder/sub\\自评报告.docx', '自评报告.docx'],
    // "invoice‮fdp.exe" displays as "invoiceexe.pdf"; without the override it is honestly an .exe.
    ['invoice\u202Efdp.exe', 'invoicefdp.exe'],
    ['\u2066签名\u2069.pdf', '签名.pdf'],
    ['报告..pdf', '报告.pdf'],
    ['  ..第一章   \t 制度.pdf. ', '第一章 制度.pdf'],
    ['line\nbreak\r.pdf', 'linebreak.pdf'],
    ['cafe\u0301.pdf', 'café.pdf'],
    ['', '未命名文件'],
    ['..', '未命名文件'],
    ['/', '未命名文件'],
    ['\u202E', '未命名文件'],
  ])('%j → %j', (input, expected) => {
    expect(sanitizeFileName(input)).toBe(expected);
  });

  it('limits a 300-character name to 120 characters, keeping the extension', () => {
    const out = sanitizeFileName(`${'a'.repeat(296)}.pdf`);
    expect(out).toHaveLength(120);
    expect(out.endsWith('.pdf')).toBe(true);
    const cjk = sanitizeFileName(`${'证'.repeat(300)}.docx`);
    expect(Array.from(cjk)).toHaveLength(120);
    expect(cjk.endsWith('.docx')).toBe(true);
  });

  it('never splits a surrogate pair when truncating', () => {
    const out = sanitizeFileName(`${'😀'.repeat(200)}.png`);
    expect(Array.from(out)).toHaveLength(120);
    expect(out.endsWith('.png')).toBe(true);
    expect(out).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/);
  });
});
