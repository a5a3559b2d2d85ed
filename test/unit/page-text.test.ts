// Page text: PDF text layers (pdfjs) judged usable or garbage, pages rendered for OCR, and the OCR pool
// (tesseract.js, offline). Fixtures are made here: Chromium prints a Chinese page to PDF (text layer) and
// screenshots it (a "scan", embedded in a PDF with pdf-lib); sharp turns it; qpdf encrypts, and strips the
// ToUnicode maps from the born-digital PDF to make a real mojibake text layer.
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PDFDocument } from 'pdf-lib';
import { chromium } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyse, createOcrPool, prepareForOcr, type OcrPool } from '../../src/adapters/ocr.ts';
import { extractPageText, judgeTextLayer, openPdf, PDF_TEXT_ERRORS, PdfPasswordError, PdfReadError, renderPageForOcr } from '../../src/adapters/pdf-text.ts';
import { normaliseText } from '../../src/documents/normalise-text.ts';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const A4_200DPI = { width: 1654, height: 2339 };

const PAGE_TEXT = [
  '院感培训制度',
  '为加强医院感染管理，提高全院职工的院感防控意识，特制定本培训制度。',
  '一、培训对象：全院医务人员、后勤人员及新入职人员。',
  '二、培训内容：手卫生、消毒隔离、医疗废物管理、职业防护。',
  '三、门诊、病房每季度组织一次考核，成绩记入个人档案。',
];
const html = (fontPx: number, margin: number) =>
  `<html><body style="margin:${margin}px;font-family:'Noto Sans CJK SC';font-size:${fontPx}px;line-height:1.7;color:#111;background:#fff">` +
  `<h1 style="font-size:${Math.round(fontPx * 1.4)}px;margin:0 0 0.6em">${PAGE_TEXT[0]}</h1>` +
  PAGE_TEXT.slice(1)
    .map((t) => `<p style="margin:0 0 0.5em">${t}</p>`)
    .join('') +
  '</body></html>';

const squash = (s: string) => Array.from(normaliseText(s).replace(/\s+/g, ''));
function cer(truth: string, text: string): number {
  const a = squash(truth);
  const b = squash(text);
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length]! / a.length;
}

function run(cmd: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => execFile(cmd, args, { timeout: 60_000 }, (err) => (err ? reject(err) : resolve())));
}
const hasTool = (cmd: string) => run(cmd, ['--version']).then(() => true, () => false);

let dir: string;
let hasChromium = false;
let hasQpdf = false;
let scanPng: Buffer;
let pool: OcrPool;
const f = (name: string) => path.join(dir, name);

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'dossier-page-text-'));
  [hasChromium, hasQpdf] = await Promise.all([fs.access(CHROMIUM).then(() => true, () => false), hasTool('qpdf')]);
  pool = createOcrPool({ workers: 2 });

  const blank = await PDFDocument.create();
  blank.addPage([595, 842]);
  await fs.writeFile(f('blank.pdf'), await blank.save());
  await fs.writeFile(f('not-a.pdf'), '%PDF-1.7\nthis is not a PDF at all\n');
  if (!hasChromium) return;

  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
  });
  try {
    const page = await browser.newPage({ viewport: A4_200DPI });
    // Born-digital: printed to PDF by Chromium, text layer with embedded Noto Sans CJK subsets.
    await page.setContent(html(19, 72), { waitUntil: 'load' });
    await fs.writeFile(f('born-digital.pdf'), await page.pdf({ format: 'A4' }));
    // A scan: the same text as pixels at 200 dpi (≈ 11 pt body text), embedded as the only content of a PDF page.
    await page.setContent(html(31, 190), { waitUntil: 'load' });
    scanPng = Buffer.from(await page.screenshot({ type: 'png', clip: { x: 0, y: 0, ...A4_200DPI } }));
  } finally {
    await browser.close();
  }
  const scanned = await PDFDocument.create();
  const image = await scanned.embedPng(scanPng);
  scanned.addPage([595, 842]).drawImage(image, { x: 0, y: 0, width: 595, height: 842 });
  await fs.writeFile(f('scanned.pdf'), await scanned.save());

  if (hasQpdf) {
    await run('qpdf', ['--encrypt', 'user', 'owner', '256', '--', f('born-digital.pdf'), f('user-password.pdf')]);
    await run('qpdf', ['--encrypt', '', 'owner', '256', '--', f('born-digital.pdf'), f('owner-password.pdf')]);
    // Mojibake: the same PDF with every /ToUnicode map removed; pdfjs then maps glyph codes to whatever
    // characters they happen to be (rare ideographs, shifted Latin letters).
    await run('qpdf', ['--qdf', '--object-streams=disable', f('born-digital.pdf'), f('qdf.pdf')]);
    const qdf = await fs.readFile(f('qdf.pdf'), 'latin1');
    await fs.writeFile(f('no-tounicode.qdf.pdf'), qdf.replace(/\/ToUnicode \d+ 0 R/g, ''), 'latin1');
    await run('fix-qdf', [f('no-tounicode.qdf.pdf'), f('no-tounicode.pdf')]).catch(async () => {
      // fix-qdf writes to stdout when given no output file on some qpdf versions
      await new Promise<void>((resolve, reject) => {
        const child = spawn('fix-qdf', [f('no-tounicode.qdf.pdf')]);
        const out: Buffer[] = [];
        child.stdout.on('data', (d: Buffer) => out.push(d));
        child.on('error', reject);
        child.on('close', (code) => (code === 0 ? fs.writeFile(f('no-tounicode.pdf'), Buffer.concat(out)).then(resolve, reject) : reject(new Error(`fix-qdf ${code}`))));
      });
    });
  }
}, 60_000);

afterAll(async () => {
  await pool?.close();
  if (dir) await fs.rm(dir, { recursive: true, force: true });
});

describe('normaliseText', () => {
  it('removes the spaces Tesseract puts between Chinese characters and applies NFKC', () => {
    expect(normaliseText('院 感 培训 制度\n\n为 加 强 医 院 感染 管理 ， 提 高')).toBe('院感培训制度\n\n为加强医院感染管理,提高');
    expect(normaliseText('Training  record\t2022-04')).toBe('Training record 2022-04');
    expect(normaliseText('２０２２年４月（第１期）')).toBe('2022年4月(第1期)');
  });
  it('joins lines wrapped inside a word, keeps other line breaks', () => {
    expect(normaliseText('根据《医院感染管理办\n法》，特制定本制度。\n一、培训对象')).toBe('根据《医院感染管理办法》,特制定本制度。\n一、培训对象');
  });
  it('maps Kangxi and supplementary radicals that PDF text layers use to ordinary ideographs', () => {
    expect(normaliseText('⼯作⼈员 ⻔诊 ⻓期 ⻝品')).toBe('工作人员门诊长期食品');
  });
  it('drops control and zero-width characters (NUL cannot be stored in Postgres text)', () => {
    expect(normaliseText('培\u0000训\u200b制\u00ad度')).toBe('培训制度');
  });
});

describe('judgeTextLayer (garbage heuristics on strings)', () => {
  it('accepts real Chinese and English text', () => {
    expect(judgeTextLayer('为加强医院感染管理，提高全院职工的院感防控意识，特制定本培训制度。')).toBeNull();
    expect(judgeTextLayer('Training record of the infection control department, April 2022')).toBeNull();
    expect(judgeTextLayer('目录\n第一章 总则 ........................................ 1\n第二章 培训 ........................................ 3')).toBeNull();
  });
  it('flags empty and nearly empty layers for OCR', () => {
    expect(judgeTextLayer('')).toBe('empty');
    expect(judgeTextLayer('  \n ')).toBe('empty');
    expect(judgeTextLayer('第 3 页')).toBe('sparse');
  });
  it('flags mojibake', () => {
    expect(judgeTextLayer('\ufffd\ufffd\ufffd培训\ufffd\ufffd\ufffd制度\ufffd\ufffd\ufffd\ufffd\ufffd')).toBe('mojibake');
    expect(judgeTextLayer('\ue001\ue002\ue003\ue004\ue005\ue006\ue007\ue008\ue009\ue00a\ue00b')).toBe('mojibake');
    expect(judgeTextLayer('ÅàÑµ¼Æ»®ÖÆ¶È ÎªÁË¼ÓÇ¿Ò½Ôº¸ÐÈ¾¹ÜÀí')).toBe('mojibake'); // GBK read as Latin-1
    expect(judgeTextLayer('!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~!#%&*+=?@^~ ab')).toBe('mojibake');
    expect(judgeTextLayer('㓸阪⯆䈲䍠⵴䚊刌䬠䄄氳䫝䙬䩺㲋儗㵒霅𦉫⹖亍⪍')).toBe('mojibake'); // rare ideographs in bulk
  });
});

describe('PDF text layer', () => {
  it('extracts and normalises the Chinese text layer of a born-digital PDF', async (ctx) => {
    if (!hasChromium) return ctx.skip();
    const doc = await openPdf(f('born-digital.pdf'));
    try {
      expect(doc.pageCount).toBe(1);
      const page = await extractPageText(doc, 1);
      expect(page.garbage).toBe(false);
      expect(page.text).toContain('院感培训制度');
      expect(page.text).toContain('医疗废物管理');
      expect(page.text).toContain('门诊'); // Noto's text layer says ⻔ (U+2ED4): folded
      expect(page.text).not.toMatch(/[\u2e80-\u2fdf]/u);
      expect(page.text).not.toMatch(/\p{Script=Han} \p{Script=Han}/u);
      expect(page.chars).toBeGreaterThan(80);
      expect(cer(PAGE_TEXT.join(''), page.text)).toBeLessThan(0.01);
    } finally {
      await doc.close();
    }
  });

  it('reads large files by ranges with the same result', async (ctx) => {
    if (!hasChromium) return ctx.skip();
    const doc = await openPdf(f('born-digital.pdf'), { wholeFileBytes: 1024 });
    try {
      expect((await extractPageText(doc, 1)).text).toContain('院感培训制度');
    } finally {
      await doc.close();
    }
  });

  it('judges a scanned page (image only) and a blank page as needing OCR', async (ctx) => {
    if (!hasChromium) return ctx.skip();
    for (const name of ['scanned.pdf', 'blank.pdf']) {
      const doc = await openPdf(f(name));
      try {
        expect(await extractPageText(doc, 1)).toEqual({ text: '', chars: 0, garbage: true, reason: 'empty' });
      } finally {
        await doc.close();
      }
    }
  });

  it('judges a text layer without ToUnicode maps (mojibake) as garbage', async (ctx) => {
    if (!hasChromium || !hasQpdf) return ctx.skip();
    const doc = await openPdf(f('no-tounicode.pdf'));
    try {
      const page = await extractPageText(doc, 1);
      expect(page.text).not.toContain('培训');
      expect(page.garbage).toBe(true);
      expect(page.reason).toBe('mojibake');
    } finally {
      await doc.close();
    }
  });

  it('refuses a password-protected PDF with a clear message, opens an owner-password-only one', async (ctx) => {
    if (!hasChromium || !hasQpdf) return ctx.skip();
    const err = await openPdf(f('user-password.pdf')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PdfPasswordError);
    expect((err as Error).message).toBe('PDF 文件已加密（设置了打开密码），无法读取文字');
    expect(PDF_TEXT_ERRORS.password).toBe((err as Error).message);
    const doc = await openPdf(f('owner-password.pdf'));
    try {
      expect((await extractPageText(doc, 1)).text).toContain('院感培训制度');
    } finally {
      await doc.close();
    }
  });

  it('rejects a file that is not a PDF with PdfReadError', async () => {
    await expect(openPdf(f('not-a.pdf'))).rejects.toBeInstanceOf(PdfReadError);
  });

  it('renders a page for OCR at 200 dpi as a greyscale PNG, huge pages scaled to ≤ 4000 px', async () => {
    const doc = await openPdf(f('blank.pdf'));
    try {
      const png = await renderPageForOcr(doc, 1);
      const meta = await sharp(png).metadata();
      expect([meta.format, meta.width, meta.height, meta.channels]).toEqual(['png', 1653, 2339, 1]);
      expect(Math.round(meta.density ?? 0)).toBe(200);
    } finally {
      await doc.close();
    }
    const huge = await PDFDocument.create();
    huge.addPage([14_400, 7200]); // 200 × 100 inches, pdf-lib allows it; the PDF limit is 14 400 pt
    await fs.writeFile(f('huge.pdf'), await huge.save());
    const big = await openPdf(f('huge.pdf'));
    try {
      const meta = await sharp(await renderPageForOcr(big, 1, 300)).metadata();
      expect(meta.width).toBe(4000);
      expect(meta.height).toBe(2000);
    } finally {
      await big.close();
    }
  });
});

describe('OCR pool', () => {
  it('reads a scanned page rendered from its PDF', async (ctx) => {
    if (!hasChromium) return ctx.skip();
    const doc = await openPdf(f('scanned.pdf'));
    let png: Buffer;
    try {
      png = await renderPageForOcr(doc, 1);
    } finally {
      await doc.close();
    }
    const result = await pool.recognize(png);
    expect(result.text).toContain('培训');
    expect(result.text).toContain('制度');
    expect(result.text).not.toMatch(/\p{Script=Han} \p{Script=Han}/u);
    expect(result.confidence).toBeGreaterThan(70);
    expect(result.rotated).toBeUndefined();
    expect(cer(PAGE_TEXT.join(''), result.text)).toBeLessThan(0.05);
  }, 60_000);

  it('reads the cells of a ruled form (a sign-in sheet) instead of noise from its grid', async () => {
    const scan = await fs.readFile(path.join(ROOT, 'src/demo/evidence/02-ganran-peixun-qiandao-2025q2.jpg'));
    const result = await pool.recognize(scan);
    for (const name of ['李建国', '刘秀英', '周海涛', '林雪梅', '冯淑珍']) expect(result.text).toContain(name);
    for (const word of ['院感培训签到表', '门诊楼三楼会议室', '2025.6.12']) expect(result.text).toContain(word);
    // No table rules read as text, no lines of Latin noise.
    expect(result.text).not.toMatch(/[|[\]]/);
    for (const line of result.text.split('\n')) expect(line, line).toMatch(/\p{Script=Han}|^\d[\d.:\s]*$|^$/u);
    expect(result.confidence).toBeGreaterThan(70);
  }, 60_000);

  it('finds the orientation of a page scanned sideways and reads it', async (ctx) => {
    if (!hasChromium) return ctx.skip();
    const sideways = await sharp(scanPng).rotate(90).png().toBuffer();
    expect((await prepareForOcr(sideways)).layout).toBe('vertical');
    const result = await pool.recognize(sideways);
    expect(result.rotated).toBe(270);
    expect(result.text).toContain('培训');
    expect(cer(PAGE_TEXT.join(''), result.text)).toBeLessThan(0.05);
  }, 60_000);

  it('returns a blank page at once without OCR, also when it is huge and speckled', async () => {
    const speckled = await sharp({ create: { width: 6000, height: 8500, channels: 3, background: '#f4f4f0' } })
      .composite([{ input: { create: { width: 3, height: 3, channels: 3, background: '#555' } }, left: 3000, top: 4000 }])
      .png()
      .toBuffer();
    const t0 = performance.now();
    expect(await pool.recognize(speckled)).toEqual({ text: '', confidence: 0, blank: true });
    expect(performance.now() - t0).toBeLessThan(5000);
    const doc = await openPdf(f('blank.pdf'));
    try {
      expect(await pool.recognize(await renderPageForOcr(doc, 1))).toEqual({ text: '', confidence: 0, blank: true });
    } finally {
      await doc.close();
    }
  });

  it('downscales huge images before OCR and levels skewed ones', async (ctx) => {
    if (!hasChromium) return ctx.skip();
    const huge = await sharp(scanPng).resize(5000).png().toBuffer();
    const prepared = await prepareForOcr(huge);
    expect(Math.max(prepared.width, prepared.height)).toBeLessThanOrEqual(4000);
    const skewed = await sharp(scanPng).rotate(-2, { background: '#ffffff' }).png().toBuffer();
    expect((await prepareForOcr(skewed)).skew).toBeCloseTo(-2, 0);
    const small = await sharp(scanPng).resize(800).greyscale().raw().toBuffer({ resolveWithObject: true });
    expect(analyse(small.data, small.info.width, small.info.height)).toMatchObject({ blank: false, layout: 'horizontal', skew: 0 });
  });

  it('honours an abort signal for a queued page', async () => {
    const controller = new AbortController();
    controller.abort(new Error('job cancelled'));
    await expect(pool.recognize(scanPng ?? Buffer.from(''), { signal: controller.signal })).rejects.toThrow('job cancelled');
  });

  it('gives up a page in progress as soon as its job is aborted, then carries on with a fresh worker', async (ctx) => {
    if (!hasChromium) return ctx.skip();
    const controller = new AbortController();
    const page = pool.recognize(scanPng, { signal: controller.signal });
    setTimeout(() => controller.abort(new Error('lease lost')), 400);
    await expect(page).rejects.toThrow('lease lost');
    const again = await pool.recognize(scanPng);
    expect(again.text).toContain('培训');
  }, 60_000);

  it('rejects an unreadable image with a message for users', async () => {
    await expect(pool.recognize(Buffer.from('not an image'))).rejects.toThrow('页面图片无法读取');
  });

  it('never touches the network: a worker process with fetch, sockets and DNS disabled still reads a page', async (ctx) => {
    if (!hasChromium) return ctx.skip();
    // --require preloads run in worker threads too, so tesseract.js' workers get the same guard.
    await fs.writeFile(
      f('no-network.cjs'),
      `const net = require('node:net'); const dns = require('node:dns');
       const deny = (what) => { process.stderr.write('NETWORK-ATTEMPT ' + what + '\\n'); throw new Error('network disabled: ' + what); };
       globalThis.fetch = async (url) => deny('fetch ' + url);
       // Unix sockets stay allowed: tsx talks to its own loader over one.
       const connect = net.Socket.prototype.connect;
       net.Socket.prototype.connect = function (...args) {
         const o = Array.isArray(args[0]) ? args[0][0] : args[0];
         if (typeof o === 'string' || (o && typeof o.path === 'string')) return connect.apply(this, args);
         deny('connect ' + JSON.stringify(o));
       };
       dns.lookup = () => deny('dns.lookup');
       process.stderr.write('NETWORK-GUARD ' + (require('node:worker_threads').isMainThread ? 'main' : 'worker') + '\\n');`,
    );
    const crop = await sharp(scanPng).extract({ left: 0, top: 0, width: 1654, height: 700 }).png().toBuffer();
    await fs.writeFile(f('crop.png'), crop);
    await fs.writeFile(
      f('offline.mts'),
      `import fs from 'node:fs';
       import { createOcrPool } from ${JSON.stringify(path.join(ROOT, 'src/adapters/ocr.ts'))};
       const pool = createOcrPool({ workers: 1 });
       const r = await pool.recognize(fs.readFileSync(${JSON.stringify(f('crop.png'))}));
       await pool.close();
       process.stdout.write(JSON.stringify(r));`,
    );
    const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, ['--require', f('no-network.cjs'), '--import', 'tsx', f('offline.mts')], { cwd: ROOT, env: { ...process.env, NODE_OPTIONS: '' } });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d));
      child.stderr.on('data', (d: Buffer) => (stderr += d));
      child.on('close', (c) => resolve({ code: c, stdout, stderr }));
    });
    expect(stderr).toContain('NETWORK-GUARD worker'); // the guard is in the worker threads too, not just the main one
    expect(stderr).not.toContain('NETWORK-ATTEMPT');
    expect(code).toBe(0);
    expect((JSON.parse(stdout) as { text: string }).text).toContain('培训');
  }, 60_000);
});
