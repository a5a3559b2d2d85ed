// Chinese + English OCR of page images with tesseract.js (WebAssembly, one worker thread per core), fully
// offline: the LSTM models are the `4.0.0_best_int` traineddata of the @tesseract.js-data/eng and
// @tesseract.js-data/chi_sim npm packages, read from disk (langPath is a local folder, never a URL), with
// tesseract.js' own cache off (`cacheMethod: 'none'` — its cache would otherwise win over langPath). The
// WebAssembly core comes from the tesseract.js-core package: in Node, tesseract.js 7.0.0 always loads the SIMD
// build with the legacy engine (tesseract-core-simd.wasm; its worker passes a boolean where getCore expects an
// OEM, so no option selects tesseract-core-simd-lstm.wasm). That is deliberate here: the LSTM-only build (tried
// through a custom workerPath) saves ~33 MB per worker and reads eng+chi_sim identically at the same speed, but
// it is not the same program — with chi_sim+eng it was 60 % slower and less accurate (CER 0.44 % against
// 0.29 % on bench:ocr's pages), and the native Tesseract it is compared with is a full build too. Nothing is
// fetched, at start or ever.
//
// Speed (measured for bench:ocr, see docs/BENCHMARKS.md): a worker spends ~99 % of a page inside Tesseract
// (handing it the PNG and decoding it there: ~12 ms of ~3 s); tesseract.js 7 returns only text and mean
// confidence unless asked for more (no hOCR/TSV/blocks are made). Per page and core the WebAssembly build takes
// ~1.5× native Tesseract's time: V8 runs it with 128-bit SIMD where native Tesseract uses AVX2 for its int8
// matrix products (native Tesseract held to its SSE4.1 code is slower than the WebAssembly build). The
// relaxed-SIMD core (behind --experimental-wasm-relaxed-simd in Node 20), --no-liftoff and --wasm-inlining made
// no measurable difference. What the app itself adds is prepareForOcr on the main thread (~110 ms CPU a page),
// which competes with the workers for the cores: the page is decoded once and analyse is kept cheap for that.
//
// Per page (recognize):
//  1. prepareForOcr: EXIF orientation applied, greyscale, downscaled so no side exceeds MAX_OCR_SIDE (a 600 dpi
//     A3 scan is 7000 px tall; Tesseract gains nothing above ~300 dpi and its time and memory grow with
//     pixels), a plausible dpi recorded, and a cheap look at a ≤ 1000 px copy (see analyse): too little ink →
//     blank, returned as '' at once without OCR; skew within ±5° → the page is levelled; row/column ink profiles
//     → whether text lines run across the image (horizontal) or down it (a page scanned sideways). Then the
//     ruled lines of forms are erased (rule-lines.ts): in mode 6 Tesseract reads a table's grid as noise and
//     loses its cells — on the demo sign-in sheet every name, and twice the time.
//  2. ocrWithOrientation: Tesseract's LSTM engine has no orientation detection of its own (OSD needs the legacy
//     engine plus osd.traineddata: @tesseract.js-data/osd would work, 4.3 MB more and ~0.35 s a page), so the
//     page is read in the orientation the ink profile suggests — as given when lines run across, turned 90°
//     when they run down — and, if the reading is not confident (< LOW_CONFIDENCE, or < GOOD_CONFIDENCE for a
//     turned image) and produced text-like output, turned with sharp and read again (across: 180°; down: 270°,
//     then 0° and 180°), keeping the most confident reading. Cost: an upright page 1 reading; a page turned
//     90° clockwise 2, 270° 1, upside down 2; an illegible page up to 2 (across) or 4 (unclear layout).
//     Readings of a wrongly turned page are not cheap: on bench:ocr's pages one takes 4–6 s against ~3 s for
//     the right way up (eng+chi_sim, one worker); its 4 turned pages of 20 (3 extra readings, all at the end of
//     the batch) cost ~25 % of the batch's throughput.
//  3. Noise words dropped (ocr-noise.ts: ruled lines and stamps read as Latin letters), then normaliseText:
//     Tesseract's spaces between Chinese characters removed, NFKC.
//
// Abort (job cancelled or lease lost): a queued page leaves the queue; a running page's worker is terminated
// (Tesseract cannot be interrupted mid-page) and replaced on next use. A worker that fails or exceeds
// pageTimeoutMs is replaced likewise. Workers start lazily, one per slot, and stay up until close().
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import sharp, { type Metadata } from 'sharp';
import Tesseract from 'tesseract.js';
import { MAX_IMAGE_PIXELS } from '../documents/inspect-file.ts';
import { countTextChars, normaliseText } from '../documents/normalise-text.ts';
import { textWithoutNoise } from './ocr-noise.ts';
import { eraseRuleLines } from './rule-lines.ts';

export interface OcrResult {
  /** Normalised text; '' for a blank page. */
  text: string;
  /** Tesseract's mean word confidence, 0–100; 0 for a blank page. */
  confidence: number;
  /** Degrees clockwise the image was turned to read it (90, 180, 270); absent when read as given. */
  rotated?: number;
  /** True when the page was judged blank from its pixels and not OCR'd. */
  blank?: boolean;
}

export interface OcrPool {
  /** OCR of one page image (PNG, JPEG, TIFF page… anything sharp reads). */
  recognize(image: Buffer, opts?: { signal?: AbortSignal }): Promise<OcrResult>;
  /** Terminates the workers; pending and later calls reject. */
  close(): Promise<void>;
  readonly size: number;
}

export interface OcrPoolOptions {
  /** Worker threads; default one per core. */
  workers?: number;
  /** A local folder holding eng.traineddata.gz and chi_sim.traineddata.gz; default: the npm packages' best_int. */
  langPath?: string;
  /** A page taking longer than this fails (and its worker is replaced). Default 180 s. */
  pageTimeoutMs?: number;
  /**
   * Tesseract languages, '+'-separated, primary first; default 'eng+chi_sim' (as the issue asks). bench:ocr also
   * measures 'chi_sim+eng', which reads bold Chinese headings better (eng first takes some for Latin letters).
   */
  langs?: string;
}

export const OCR_LANGS = ['eng', 'chi_sim'] as const;
/**
 * Tesseract settings (also given to native Tesseract by bench:ocr):
 *  - page segmentation mode 6, one uniform block of text: evidence pages are single-column regulations,
 *    registers and sign-in tables. Mode 3 (automatic layout) splits a column of row numbers or a table column
 *    into blocks of their own, reads them apart from their rows and sometimes as vertical text; on the
 *    benchmark pages it made 2.1 % character errors against 1.1 % for mode 6;
 *  - no inverted-text retry: Tesseract re-reads every low-confidence line as white-on-black, ~20 % of the
 *    time on the benchmark pages, never changing the result (white-on-black text is rare on evidence scans).
 */
export const TESSERACT_PARAMS = { tessedit_pageseg_mode: '6', tessedit_do_invert: '0' } as const;
/** Tesseract gains nothing from more than ~300 dpi on A4; bigger images only cost time and memory. */
export const MAX_OCR_SIDE = 4000;
/** Below this mean confidence the page may be rotated: other orientations are tried. */
export const LOW_CONFIDENCE = 50;
/** A rotated reading this confident is taken without trying the remaining orientations. */
export const GOOD_CONFIDENCE = 60;
/** A first reading with fewer characters than this is a picture, a stamp or a scrap — not a sideways page. */
const MIN_CHARS_FOR_ROTATION = 10;
/** Ink pixels (at analysis size) below which a page counts as blank: less than half of one character. */
const BLANK_MAX_INK = 30;
const ANALYSIS_SIDE = 1000;
/** Skew searched within ±MAX_SKEW_DEG in SKEW_STEP_DEG steps; levelled from MIN_DESKEW_DEG. */
const MAX_SKEW_DEG = 5;
const SKEW_STEP_DEG = 0.2;
const MIN_DESKEW_DEG = 0.4;
const DEFAULT_PAGE_TIMEOUT_MS = 180_000;

export const OCR_ERRORS = {
  unavailable: 'OCR 引擎无法启动（识别模型缺失或损坏）',
  timeout: (s: number) => `页面文字识别超时（超过 ${s} 秒）`,
  closed: 'OCR 已停止',
  image: '页面图片无法读取，无法识别文字',
} as const;

export class OcrError extends Error {
  override name = 'OcrError';
  constructor(message: string, readonly detail?: string) {
    super(message);
  }
}

// ------------------------------------------------------------------------------------------------- pool

interface Slot {
  worker: Promise<Tesseract.Worker> | null;
  busy: boolean;
}

interface Waiter {
  resolve(slot: Slot): void;
  reject(reason: unknown): void;
  signal: AbortSignal | undefined;
  onAbort: () => void;
}

export function createOcrPool(options: OcrPoolOptions = {}): OcrPool {
  const size = Math.max(1, Math.floor(options.workers ?? os.availableParallelism()));
  const pageTimeoutMs = options.pageTimeoutMs ?? DEFAULT_PAGE_TIMEOUT_MS;
  const langCodes = (options.langs ?? OCR_LANGS.join('+')).split('+').filter(Boolean);
  const slots: Slot[] = Array.from({ length: size }, () => ({ worker: null, busy: false }));
  const waiters: Waiter[] = [];
  const prepSlots = semaphore(size + 1);
  let closed = false;
  let langDir: Promise<LangDir> | null = null;

  const langs = (): Promise<LangDir> => {
    langDir ??= options.langPath ? Promise.resolve({ dir: checkedLocalDir(options.langPath), cleanup: async () => {} }) : packagedLangDir(langCodes);
    return langDir;
  };

  async function spawn(): Promise<Tesseract.Worker> {
    const { dir } = await langs();
    try {
      const worker = await Tesseract.createWorker(langCodes.join('+'), Tesseract.OEM.LSTM_ONLY, {
        langPath: dir,
        gzip: true,
        cacheMethod: 'none',
        // Without an errorHandler tesseract.js rethrows a failed job inside its message listener, which would
        // be an uncaught exception in this process; the job's own promise rejects either way.
        errorHandler: () => undefined,
      });
      // debug_file: Tesseract's diagnostics ("Detected 8 diacritics", "Estimating resolution…") go nowhere
      // instead of this process' stdout.
      await worker.setParameters({
        ...TESSERACT_PARAMS,
        tessedit_pageseg_mode: TESSERACT_PARAMS.tessedit_pageseg_mode as Tesseract.PSM,
        debug_file: '/dev/null',
      });
      return worker;
    } catch (e) {
      throw new OcrError(OCR_ERRORS.unavailable, e instanceof Error ? e.message : String(e));
    }
  }

  function workerOf(slot: Slot): Promise<Tesseract.Worker> {
    if (!slot.worker) {
      const w: Promise<Tesseract.Worker> = spawn().then((worker) => {
        const thread = threadOf(worker);
        // An exception inside the thread (wasm abort, out of memory) is an 'error' event; unheard, it would crash
        // this process. 'exit' follows it: the slot then starts a new worker on next use.
        thread?.on('error', () => undefined);
        thread?.once('exit', () => {
          if (slot.worker === w) slot.worker = null;
        });
        return worker;
      });
      slot.worker = w;
      w.catch(() => {
        if (slot.worker === w) slot.worker = null; // the next page tries again
      });
    }
    return slot.worker;
  }

  /** Throws the worker away (terminating its thread, whatever it is doing); the slot respawns on next use. */
  function discard(slot: Slot): void {
    const w = slot.worker;
    slot.worker = null;
    w?.then((worker) => worker.terminate()).catch(() => undefined);
  }

  function acquire(signal: AbortSignal | undefined): Promise<Slot> {
    if (closed) return Promise.reject(new OcrError(OCR_ERRORS.closed));
    const free = slots.find((s) => !s.busy);
    if (free) {
      free.busy = true;
      return Promise.resolve(free);
    }
    return new Promise<Slot>((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        reject,
        signal,
        onAbort: () => {
          const i = waiters.indexOf(waiter);
          if (i >= 0) waiters.splice(i, 1);
          reject(signal!.reason);
        },
      };
      signal?.addEventListener('abort', waiter.onAbort, { once: true });
      waiters.push(waiter);
    });
  }

  function release(slot: Slot): void {
    const next = waiters.shift();
    if (next) {
      next.signal?.removeEventListener('abort', next.onAbort);
      next.resolve(slot); // handed over: stays busy
    } else slot.busy = false;
  }

  async function runOnSlot(slot: Slot, image: Buffer, signal: AbortSignal | undefined): Promise<RawOcr> {
    signal?.throwIfAborted();
    const worker = await workerOf(slot);
    signal?.throwIfAborted();
    return new Promise<RawOcr>((resolve, reject) => {
      let done = false;
      const finish = (fn: () => void) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        thread?.off('exit', onExit);
        fn();
      };
      const onAbort = () =>
        finish(() => {
          discard(slot);
          reject(signal!.reason);
        });
      const onExit = () => finish(() => reject(new OcrError(OCR_ERRORS.unavailable, 'OCR worker thread exited')));
      const timer = setTimeout(
        () =>
          finish(() => {
            discard(slot);
            reject(new OcrError(OCR_ERRORS.timeout(Math.round(pageTimeoutMs / 1000))));
          }),
        pageTimeoutMs,
      );
      // If the thread dies mid-page the job's promise would never settle.
      const thread = threadOf(worker);
      thread?.once('exit', onExit);
      signal?.addEventListener('abort', onAbort, { once: true });
      worker.recognize(image, {}, { text: true, blocks: true }).then(
        (r) => finish(() => resolve({ text: r.data.text ?? '', confidence: Number(r.data.confidence) || 0, cleanText: textWithoutNoise(r.data.blocks ?? []) })),
        (e: unknown) =>
          finish(() => {
            discard(slot);
            reject(new OcrError(OCR_ERRORS.image, e instanceof Error ? e.message : String(e)));
          }),
      );
    });
  }

  return {
    size,
    async recognize(image, opts = {}) {
      const { signal } = opts;
      signal?.throwIfAborted();
      if (closed) throw new OcrError(OCR_ERRORS.closed);
      // Bounded: each preparation holds a decoded page (tens of MB in libvips); a caller submitting a whole
      // document at once must not decode all of its pages together.
      await prepSlots.acquire(signal);
      let prepared: PreparedImage;
      try {
        prepared = await prepareForOcr(image);
      } finally {
        prepSlots.release();
      }
      if (prepared.blank) return { text: '', confidence: 0, blank: true };
      const slot = await acquire(signal);
      try {
        return await ocrWithOrientation(prepared, (png) => runOnSlot(slot, png, signal));
      } finally {
        release(slot);
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const w of waiters.splice(0)) {
        w.signal?.removeEventListener('abort', w.onAbort);
        w.reject(new OcrError(OCR_ERRORS.closed));
      }
      await Promise.all(
        slots.map(async (slot) => {
          const w = slot.worker;
          slot.worker = null;
          await w?.then((worker) => worker.terminate()).catch(() => undefined);
        }),
      );
      if (langDir) await (await langDir.catch(() => null))?.cleanup();
    },
  };
}

/** The worker_threads Worker behind a tesseract.js worker (tesseract.js exposes it as `.worker`). */
function threadOf(worker: Tesseract.Worker): NodeJS.EventEmitter | undefined {
  return (worker as unknown as { worker?: NodeJS.EventEmitter }).worker;
}

function semaphore(limit: number): { acquire(signal?: AbortSignal): Promise<void>; release(): void } {
  let active = 0;
  const queue: { go: () => void; fail: (e: unknown) => void; signal: AbortSignal | undefined; onAbort: () => void }[] = [];
  return {
    acquire(signal) {
      signal?.throwIfAborted();
      if (active < limit) {
        active++;
        return Promise.resolve();
      }
      return new Promise<void>((resolve, reject) => {
        const entry = {
          go: () => {
            signal?.removeEventListener('abort', entry.onAbort);
            resolve();
          },
          fail: reject,
          signal,
          onAbort: () => {
            const i = queue.indexOf(entry);
            if (i >= 0) queue.splice(i, 1);
            reject(signal!.reason);
          },
        };
        signal?.addEventListener('abort', entry.onAbort, { once: true });
        queue.push(entry);
      });
    },
    release() {
      const next = queue.shift();
      if (next) next.go(); // the slot passes straight to the next caller
      else active--;
    },
  };
}

// ---------------------------------------------------------------------------------- language data on disk

interface LangDir {
  dir: string;
  cleanup(): Promise<void>;
}

const require = createRequire(import.meta.url);

/** Path of the packaged best_int model for a language (in node_modules). */
export function packagedTraineddata(lang: string): string {
  return path.join(path.dirname(require.resolve(`@tesseract.js-data/${lang}/package.json`)), '4.0.0_best_int', `${lang}.traineddata.gz`);
}

/**
 * tesseract.js reads every language from one folder (`${langPath}/${lang}.traineddata.gz`) but each language
 * is its own npm package: a folder in the temp directory links both files. It is named after the packages'
 * paths and shared by every pool and process of this installation, and never removed — so a killed process
 * leaves nothing behind. A folder of that name not owned by us, or one other users could write to, is not
 * trusted: a private one is made instead (and removed on close).
 */
async function packagedLangDir(langs: readonly string[]): Promise<LangDir> {
  const sources = langs.map((lang) => ({ lang, src: packagedTraineddata(lang) }));
  const key = createHash('sha256').update(sources.map((s) => s.src).join('\n')).digest('hex').slice(0, 16);
  const shared = path.join(os.tmpdir(), `dossier-tessdata-${key}`);
  try {
    await fs.mkdir(shared, { recursive: true, mode: 0o700 });
    const st = await fs.lstat(shared);
    const uid = process.getuid?.();
    if (!st.isDirectory() || (uid !== undefined && st.uid !== uid) || (st.mode & 0o022) !== 0) throw new Error('untrusted');
    await linkAll(shared, sources);
    return { dir: shared, cleanup: async () => {} };
  } catch {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'dossier-tessdata-'));
    try {
      await linkAll(dir, sources);
    } catch (e) {
      await fs.rm(dir, { recursive: true, force: true });
      throw new OcrError(OCR_ERRORS.unavailable, e instanceof Error ? e.message : String(e));
    }
    return { dir, cleanup: () => fs.rm(dir, { recursive: true, force: true }) };
  }
}

/** `${dir}/${lang}.traineddata.gz` → the package file, for each language; atomic, so concurrent callers agree. */
async function linkAll(dir: string, sources: { lang: string; src: string }[]): Promise<void> {
  for (const { lang, src } of sources) {
    const dest = path.join(dir, `${lang}.traineddata.gz`);
    if ((await fs.readlink(dest).catch(() => null)) === src) continue;
    const tmp = `${dest}.${process.pid}.${Math.random().toString(36).slice(2)}`;
    await fs.symlink(src, tmp).catch(() => fs.copyFile(src, tmp));
    await fs.rename(tmp, dest);
  }
}

function checkedLocalDir(langPath: string): string {
  // tesseract.js would fetch a URL (or, with no langPath, a CDN): only local folders are accepted here.
  if (/^[a-z][a-z0-9+.-]*:/i.test(langPath) && !/^[a-z]:[\\/]/i.test(langPath)) {
    throw new OcrError(OCR_ERRORS.unavailable, `langPath must be a local folder, not ${langPath}`);
  }
  return path.resolve(langPath);
}

// ------------------------------------------------------------------------------ preparation and rotation

export type TextLayout = 'horizontal' | 'vertical' | 'unknown';

export interface PreparedImage {
  /** Greyscale PNG, at most MAX_OCR_SIDE on its longer side, dpi recorded when known. */
  png: Buffer;
  width: number;
  height: number;
  blank: boolean;
  layout: TextLayout;
  /** Degrees the page was found skewed by (and levelled by turning it −skew); 0 when level. */
  skew: number;
}

/** One reading of an image by some engine: raw text and a 0–100 confidence. */
export interface RawOcr {
  text: string;
  confidence: number;
  /** The text without noise words (see ocr-noise.ts), where the engine reports word confidences: what is kept. */
  cleanText?: string;
}

export async function prepareForOcr(image: Buffer): Promise<PreparedImage> {
  let meta: Metadata;
  try {
    meta = await sharp(image, { limitInputPixels: MAX_IMAGE_PIXELS }).metadata();
  } catch (e) {
    throw new OcrError(OCR_ERRORS.image, e instanceof Error ? e.message : String(e));
  }
  const swap = (meta.orientation ?? 1) >= 5; // EXIF orientations 5–8 are turned by 90°
  const w0 = (swap ? meta.height : meta.width) ?? 1;
  const h0 = (swap ? meta.width : meta.height) ?? 1;
  const scale = Math.min(1, MAX_OCR_SIDE / Math.max(w0, h0));
  const width = Math.max(1, Math.round(w0 * scale));
  const height = Math.max(1, Math.round(h0 * scale));
  try {
    // Decoded once: grey pixels with the EXIF turn applied, transparency on white, downscaled when huge. The PNG
    // for the engine, the small copy for analyse and the levelled page all start from them (decoding a page's
    // PNG or JPEG is the costliest step here, and every millisecond on this thread is taken from the workers).
    let decode = sharp(image, { limitInputPixels: MAX_IMAGE_PIXELS }).rotate().flatten({ background: '#ffffff' }).greyscale();
    if (scale < 1) decode = decode.resize(width, height, { kernel: 'lanczos3' });
    const grey = await decode.toColourspace('b-w').raw().toBuffer({ resolveWithObject: true });
    const pixels = () => sharp(grey.data, { raw: { width: grey.info.width, height: grey.info.height, channels: grey.info.channels } });
    const density = ocrDensity(meta, Math.max(width, height), scale);
    const aScale = Math.min(1, ANALYSIS_SIDE / Math.max(w0, h0));
    const small = await pixels()
      .resize(Math.max(1, Math.round(w0 * aScale)), Math.max(1, Math.round(h0 * aScale)))
      .median(3)
      .toColourspace('b-w')
      .raw()
      .toBuffer({ resolveWithObject: true });
    const { blank, layout, skew } = analyse(small.data, small.info.width, small.info.height);
    // Deskewed here, before any engine sees it: Tesseract copes with a little skew, but reads a page levelled
    // by ±2° noticeably better (measured by bench:ocr) and the ink profiles above are only clear when level.
    const levelled = !blank && Math.abs(skew) >= MIN_DESKEW_DEG;
    const page = levelled
      ? await pixels().rotate(-skew, { background: '#ffffff' }).toColourspace('b-w').removeAlpha().raw().toBuffer({ resolveWithObject: true })
      : grey;
    const { width: pw, height: ph, channels } = page.info;
    // Level rules only: erased once the page is straight.
    if (!blank && channels === 1) eraseRuleLines(page.data, pw, ph);
    const png = await sharp(page.data, { raw: { width: pw, height: ph, channels } })
      .withDensity(density)
      .toColourspace('b-w')
      .png({ compressionLevel: 1 })
      .toBuffer();
    return { png, width: pw, height: ph, blank, layout, skew: levelled ? skew : 0 };
  } catch (e) {
    throw new OcrError(OCR_ERRORS.image, e instanceof Error ? e.message : String(e));
  }
}

/**
 * The dpi to record in the PNG given to Tesseract, which sizes its noise and blob limits by it. libvips always
 * writes one (72 when it knows none), and 72 is what most cameras and many scanners claim whatever the truth;
 * so a recorded density is believed only from 100 dpi up, otherwise the image is assumed to show an A4 page
 * (long side 11.69 in), which is what evidence scans and photos are.
 */
function ocrDensity(meta: Metadata, longestPx: number, scale: number): number {
  if (meta.resolutionUnit && meta.density && meta.density >= 100 && meta.density <= 1200) return meta.density * scale;
  return Math.min(600, Math.max(100, longestPx / 11.69));
}

/**
 * Ink statistics of a small greyscale copy. Ink = darker than the page's mean by 50 levels (pale print on
 * white still counts; paper texture does not, after the median filter removed speckles).
 *  - blank: fewer than BLANK_MAX_INK ink pixels.
 *  - skew: lines of text make the ink's projection peaky (lines) and empty (gaps) along the lines' direction.
 *    For angles within ±MAX_SKEW_DEG the ink is projected both onto rows (y − x·tan a) and onto columns
 *    (x + y·tan a); the angle with the peakiest projection (largest sum of squared bin counts) is the skew.
 *  - layout: in the deskewed projections, horizontal lines of text leave empty rows between them (≈ 30–50 %),
 *    while the columns across them are rarely empty; a page turned by 90° shows the opposite.
 */
export function analyse(pixels: Buffer, width: number, height: number): { blank: boolean; layout: TextLayout; skew: number } {
  const n = width * height;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += pixels[i]!;
  const threshold = Math.max(20, sum / n - 50);
  let ink = 0;
  for (let i = 0; i < n; i++) if (pixels[i]! < threshold) ink++;
  if (ink < BLANK_MAX_INK) return { blank: true, layout: 'unknown', skew: 0 };
  // Ink coordinates, at most ~60k of them (every k-th ink pixel), for the projections.
  const step = Math.max(1, Math.floor(ink / 60_000));
  const xs = new Float64Array(Math.ceil(ink / step));
  const ys = new Float64Array(xs.length);
  let m = 0;
  for (let i = 0, seen = 0; i < n; i++) {
    if (pixels[i]! >= threshold) continue;
    if (seen++ % step === 0 && m < xs.length) {
      xs[m] = i % width;
      ys[m] = Math.floor(i / width);
      m++;
    }
  }
  const extent = width + height;
  // Both projections at once for each angle (one pass over the points), into integer bins; Math.round(b) + extent
  // is computed as ⌊b + extent + ½⌋ (b + extent > 0 here). 51 angles × 60k points: ~15 ms.
  const rowBins = new Int32Array(2 * extent + 2);
  const colBins = new Int32Array(2 * extent + 2);
  const project = (deg: number): void => {
    rowBins.fill(0);
    colBins.fill(0);
    const t = Math.tan((deg * Math.PI) / 180);
    const offset = extent + 0.5;
    for (let i = 0; i < m; i++) {
      const x = xs[i]!;
      const y = ys[i]!;
      rowBins[(y - x * t + offset) | 0]!++;
      colBins[(x + y * t + offset) | 0]!++;
    }
  };
  const peakiness = (b: Int32Array) => {
    let s2 = 0;
    for (let i = 0; i < b.length; i++) s2 += b[i]! * b[i]!;
    return s2;
  };
  let rowSkew = 0;
  let colSkew = 0;
  let rowScore = -1;
  let colScore = -1;
  for (let deg = -MAX_SKEW_DEG; deg <= MAX_SKEW_DEG + 1e-9; deg += SKEW_STEP_DEG) {
    project(deg);
    const rs = peakiness(rowBins);
    const cs = peakiness(colBins);
    if (rs > rowScore) (rowScore = rs), (rowSkew = deg);
    if (cs > colScore) (colScore = cs), (colSkew = deg);
  }
  rowSkew = Math.round(rowSkew * 100) / 100;
  colSkew = Math.round(colSkew * 100) / 100;
  const emptyShare = (b: Int32Array, across: number): number => {
    let first = 0;
    let last = b.length - 1;
    while (first < last && b[first] === 0) first++;
    while (last > first && b[last] === 0) last--;
    const noise = Math.max(1, (across * 0.003) / step);
    let empty = 0;
    for (let i = first; i <= last; i++) if (b[i]! <= noise) empty++;
    return empty / (last - first + 1);
  };
  project(rowSkew);
  const rowGap = emptyShare(rowBins, width);
  project(colSkew);
  const colGap = emptyShare(colBins, height);
  const layout: TextLayout = rowGap >= 0.15 && rowGap > 2 * colGap ? 'horizontal' : colGap >= 0.15 && colGap > 2 * rowGap ? 'vertical' : 'unknown';
  // Rows: lines y = x·tan(a) + c run down to the right by a (clockwise): turning by −a levels them. Columns
  // x = −y·tan(a) + c lean the same way: again −a.
  return { blank: false, layout, skew: layout === 'vertical' ? colSkew : rowSkew };
}

export interface OrientationStep {
  /** Degrees clockwise to turn the prepared image before reading it. */
  angle: number;
  /** A reading at least this confident ends the search. */
  accept: number;
}

/** The orientations to try for a page, in order (see the header for why these). */
export function orientationPlan(layout: TextLayout): OrientationStep[] {
  const upright = { angle: 0, accept: LOW_CONFIDENCE };
  const turned = (angle: number) => ({ angle, accept: GOOD_CONFIDENCE });
  if (layout === 'vertical') return [turned(90), turned(270), upright, turned(180)];
  if (layout === 'horizontal') return [upright, turned(180)];
  return [upright, turned(180), turned(90), turned(270)];
}

/** Whether the search may stop after the reading of `step`, the `index`-th of the plan. */
export function orientationSettled(step: OrientationStep, index: number, reading: { text: string; confidence: number }): boolean {
  if (reading.confidence >= step.accept) return true;
  // A first, upright reading with hardly any text: a picture, a stamp or a scrap, not a sideways page.
  return index === 0 && step.angle === 0 && countTextChars(reading.text) < MIN_CHARS_FOR_ROTATION;
}

export async function rotateForOcr(png: Buffer, angle: number): Promise<Buffer> {
  return angle === 0 ? png : sharp(png).rotate(angle).png({ compressionLevel: 1 }).toBuffer();
}

/** The best of the readings made (highest confidence), as the caller's result. */
export function bestReading(readings: { text: string; confidence: number; angle: number }[]): OcrResult {
  let best = readings[0];
  for (const r of readings) if (best && r.confidence > best.confidence) best = r;
  if (!best || !best.text) return { text: '', confidence: 0 };
  return best.angle ? { text: best.text, confidence: best.confidence, rotated: best.angle } : { text: best.text, confidence: best.confidence };
}

/**
 * Reads a prepared image with `read` (any engine), turning it when the first reading looks like a rotated
 * page (see the header). The benchmark gives native Tesseract the same plan through the functions above.
 */
export async function ocrWithOrientation(prepared: PreparedImage, read: (png: Buffer) => Promise<RawOcr>): Promise<OcrResult> {
  // Orientation is judged on the whole reading (as for any engine); the text kept is the one without noise words.
  const readings: { text: string; confidence: number; angle: number }[] = [];
  for (const [i, step] of orientationPlan(prepared.layout).entries()) {
    const raw = await read(await rotateForOcr(prepared.png, step.angle));
    readings.push({ text: normaliseText(raw.cleanText ?? raw.text), confidence: raw.confidence, angle: step.angle });
    if (orientationSettled(step, i, { text: normaliseText(raw.text), confidence: raw.confidence })) break;
  }
  return bestReading(readings);
}
