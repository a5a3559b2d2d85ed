// Page text from PDFs with pdfjs-dist (legacy build, the one meant for Node): the text layer of a page, judged
// usable or garbage, and a rendering of the page for OCR when it is garbage or missing.
//
//  - No network, ever: the bytes come from our own file reads (whole file up to WHOLE_FILE_BYTES, on-demand
//    ranges above that, so a 500 MB scan is not read just to learn its page count); CMaps, standard fonts,
//    ICC profiles and the JPX/JBIG2 wasm decoders come from the pdfjs-dist package folders (file paths, read
//    by pdfjs with fs). The CMaps matter: without them the text of CJK fonts using predefined CMaps
//    (UniGB-UCS2-H, GBK-EUC-H…) cannot be mapped to Unicode.
//  - Rendering uses the document's own canvasFactory (pdfjs creates it, backed by @napi-rs/canvas in Node),
//    so canvases are made, reset and destroyed the way pdfjs expects.
//  - pdfjs runs its "worker" in this thread in Node (fake worker): parsing and rendering a page block the event
//    loop for ~10–300 ms. Acceptable between job heartbeats (leases are 30 s); OCR itself runs in threads.
//  - Password-protected PDFs throw PdfPasswordError; unreadable ones PdfReadError (both: retrying won't help).
//  - The verdict is per page and about the text layer only: a page with a good text layer *and* a scanned
//    image (a typed cover sheet with a pasted-in scan) keeps its text layer; the image is not OCR'd.
//  - Every function here must be given a document opened by openPdf and not yet closed.
import { createRequire } from 'node:module';
import { open, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import type { PDFDocumentProxy, PDFPageProxy } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { MAX_IMAGE_PIXELS } from '../documents/inspect-file.ts';
import { countTextChars, foldCompatibilityIdeographs, normaliseText } from '../documents/normalise-text.ts';

type Pdfjs = typeof import('pdfjs-dist/legacy/build/pdf.mjs');

export const PDF_TEXT_ERRORS = {
  password: 'PDF 文件已加密（设置了打开密码），无法读取文字',
  unreadable: 'PDF 文件已损坏或不完整，无法读取文字',
} as const;

/** The PDF needs a user (open) password. */
export class PdfPasswordError extends Error {
  override name = 'PdfPasswordError';
  constructor() {
    super(PDF_TEXT_ERRORS.password);
  }
}

/** pdfjs could not parse the file (or the page). `detail` is pdfjs' own message, for logs. */
export class PdfReadError extends Error {
  override name = 'PdfReadError';
  constructor(readonly detail: string) {
    super(PDF_TEXT_ERRORS.unreadable);
  }
}

export interface PdfDocument {
  readonly pageCount: number;
  /** Same as pageCount (pdfjs' name). */
  readonly numPages: number;
  /** The pdfjs document, for anything not wrapped here. */
  readonly pdf: PDFDocumentProxy;
  /** Frees pdfjs' memory and closes the file. Safe to call twice. */
  close(): Promise<void>;
  /** Same as close() (pdfjs' name). */
  destroy(): Promise<void>;
}

export interface PageText {
  /** Normalised text (normaliseText), also when garbage. */
  text: string;
  /** Non-whitespace characters in `text`. */
  chars: number;
  /** True when the text layer should not be trusted: missing, too sparse, or mojibake → OCR the page instead. */
  garbage: boolean;
  /** Why it is garbage (absent when it is not). */
  reason?: GarbageReason;
}

export type GarbageReason = 'empty' | 'sparse' | 'mojibake';

/** Files up to this size are read whole; larger ones by ranges on demand. */
export const WHOLE_FILE_BYTES = 64 * 1024 * 1024;
/** No side of a page rendered for OCR exceeds this (a 1 m × 1 m drawing at 200 dpi would be 7874 px). */
export const MAX_RENDER_SIDE = 4000;
/** A text layer with fewer meaningful characters (letters, digits, ideographs) than this is OCR'd instead. */
export const MIN_MEANINGFUL_CHARS = 10;

const require = createRequire(import.meta.url);
const PDFJS_DIR = path.dirname(require.resolve('pdfjs-dist/package.json'));
const asset = (dir: string) => `${path.join(PDFJS_DIR, dir)}${path.sep}`;

let pdfjsPromise: Promise<Pdfjs> | null = null;
/** pdfjs is ~1 MB of JS (plus its worker): loaded on first use, not when the server starts. */
function loadPdfjs(): Promise<Pdfjs> {
  pdfjsPromise ??= import('pdfjs-dist/legacy/build/pdf.mjs');
  return pdfjsPromise;
}

export async function openPdf(file: string, options: { wholeFileBytes?: number } = {}): Promise<PdfDocument> {
  const pdfjs = await loadPdfjs();
  const fh = await open(file, 'r');
  let task: ReturnType<Pdfjs['getDocument']> | null = null;
  try {
    const { size } = await fh.stat();
    const common = {
      cMapUrl: asset('cmaps'),
      cMapPacked: true,
      standardFontDataUrl: asset('standard_fonts'),
      iccUrl: asset('iccs'),
      wasmUrl: asset('wasm'),
      useSystemFonts: false,
      disableFontFace: true,
      isEvalSupported: false,
      useWorkerFetch: false,
      enableXfa: false,
      stopAtErrors: false,
      // An embedded image larger than this is not drawn (a crafted 50 000 × 50 000 px image would take GBs).
      maxImageSize: MAX_IMAGE_PIXELS,
      verbosity: 0, // errors only: broken fonts in real-world PDFs would otherwise flood the log with warnings
    };
    if (size <= (options.wholeFileBytes ?? WHOLE_FILE_BYTES)) {
      const data = new Uint8Array(size);
      await readFully(fh, data, 0);
      await fh.close();
      task = pdfjs.getDocument({ ...common, data });
    } else {
      const transport = fileRangeTransport(pdfjs, fh, size);
      task = pdfjs.getDocument({ ...common, range: transport, disableAutoFetch: true, disableStream: true, rangeChunkSize: 1 << 20 });
    }
    const pdf = await task.promise;
    let closed = false;
    const close = async () => {
      if (closed) return;
      closed = true;
      await pdf.destroy().catch(() => undefined);
      await fh.close().catch(() => undefined);
    };
    return { pageCount: pdf.numPages, numPages: pdf.numPages, pdf, close, destroy: close };
  } catch (e) {
    await task?.destroy().catch(() => undefined);
    await fh.close().catch(() => undefined);
    throw translatePdfError(e);
  }
}

/** Number of pages (same as doc.pageCount; for callers that prefer a function). */
export function pageCount(doc: PdfDocument): number {
  return doc.pageCount;
}

/** The text layer of page `pageNo` (1-based), normalised, with a verdict on whether to trust it. */
export async function extractPageText(doc: PdfDocument, pageNo: number): Promise<PageText> {
  const page = await getPage(doc, pageNo);
  try {
    const content = await page.getTextContent();
    let raw = '';
    for (const item of content.items) {
      if (!('str' in item)) continue;
      raw += item.str;
      if (item.hasEOL) raw += '\n';
    }
    const text = normaliseText(raw);
    const reason = judgeTextLayer(raw);
    return reason ? { text, chars: countTextChars(text), garbage: true, reason } : { text, chars: countTextChars(text), garbage: false };
  } catch (e) {
    throw translatePdfError(e);
  } finally {
    page.cleanup();
  }
}

/**
 * Page `pageNo` as a greyscale PNG (with its dpi recorded) for OCR, at `dpi` — or less when a side would
 * exceed MAX_RENDER_SIDE pixels. White background; annotations (stamps, form values) drawn as displayed.
 */
export async function renderPageForOcr(doc: PdfDocument, pageNo: number, dpi = 200): Promise<Buffer> {
  const page = await getPage(doc, pageNo);
  const factory = doc.pdf.canvasFactory as CanvasFactory;
  let canvasAndContext: CanvasAndContext | null = null;
  try {
    const unit = page.getViewport({ scale: 1 }); // in points (1/72 in), /Rotate and /UserUnit applied
    let scale = dpi / 72;
    const longest = Math.max(unit.width, unit.height) * scale;
    if (longest > MAX_RENDER_SIDE) scale *= MAX_RENDER_SIDE / longest;
    const viewport = page.getViewport({ scale });
    const width = Math.max(1, Math.min(MAX_RENDER_SIDE, Math.round(viewport.width)));
    const height = Math.max(1, Math.min(MAX_RENDER_SIDE, Math.round(viewport.height)));
    canvasAndContext = factory.create(width, height);
    const { canvas, context } = canvasAndContext;
    await page.render({ canvas: canvas as never, canvasContext: context as never, viewport, background: 'rgb(255,255,255)' }).promise;
    const pixels = context.getImageData(0, 0, width, height).data;
    return await sharp(Buffer.from(pixels.buffer, pixels.byteOffset, pixels.byteLength), { raw: { width, height, channels: 4 } })
      .removeAlpha()
      .withDensity(scale * 72)
      .toColourspace('b-w')
      .png({ compressionLevel: 1 })
      .toBuffer();
  } catch (e) {
    throw translatePdfError(e);
  } finally {
    if (canvasAndContext) factory.destroy(canvasAndContext);
    page.cleanup();
  }
}

// ------------------------------------------------------------------------------------------------- garbage

/**
 * Why a text layer should not be used, or null when it is fine. `raw` is the text as extracted, before
 * normaliseText dropped control characters (their presence is itself a sign of a broken font mapping).
 *  - empty: nothing at all (a scan, or text drawn as paths);
 *  - sparse: fewer than MIN_MEANINGFUL_CHARS letters/digits/ideographs — a scan with a page number or a
 *    scanner app's watermark in its text layer; OCR reads the page properly;
 *  - mojibake: a font without a usable ToUnicode map. Symptoms: many U+FFFD / private-use / control /
 *    unassigned code points; Latin-1 accented letters where Chinese was meant ("ÅàÑµ¼Æ»®"); rare CJK extension
 *    or compatibility ideographs in bulk; or text that is mostly symbols ("!#$%&" glyph-id soup).
 */
export function judgeTextLayer(raw: string): GarbageReason | null {
  const s = foldCompatibilityIdeographs(raw);
  let total = 0; // non-whitespace code points
  let bad = 0; // U+FFFD, private use, controls, unassigned, lone surrogates
  let letters = 0; // \p{L} and \p{N}
  let han = 0;
  let rareHan = 0; // CJK extension A/B+ and compatibility ideographs
  let latinAccented = 0; // U+00C0–U+024F
  let symbols = 0; // \p{P} \p{S}, runs of one repeated character counted once (dot leaders, rules)
  let prev = '';
  for (const ch of s) {
    if (/\s/u.test(ch)) {
      prev = '';
      continue;
    }
    total++;
    const cp = ch.codePointAt(0)!;
    if (cp === 0xfffd || /[\p{Co}\p{Cc}\p{Cn}\p{Cs}]/u.test(ch)) bad++;
    else if (/[\p{L}\p{N}]/u.test(ch)) {
      letters++;
      if (/\p{Script=Han}/u.test(ch)) {
        han++;
        if ((cp >= 0x3400 && cp <= 0x4dbf) || cp >= 0x20000 || (cp >= 0xf900 && cp <= 0xfaff)) rareHan++;
      } else if (cp >= 0xc0 && cp <= 0x24f) latinAccented++;
    } else if (ch !== prev) symbols++;
    prev = ch;
  }
  if (total === 0) return 'empty';
  if (bad / total > 0.1) return 'mojibake';
  if (letters > 0 && latinAccented / letters > 0.3 && han / letters < 0.05) return 'mojibake';
  if (han >= 10 && rareHan / han > 0.3) return 'mojibake';
  if (total >= MIN_MEANINGFUL_CHARS && symbols > letters) return 'mojibake';
  if (letters < MIN_MEANINGFUL_CHARS) return 'sparse';
  return null;
}

// --------------------------------------------------------------------------------------------- internals

interface CanvasAndContext {
  canvas: unknown;
  context: { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } };
}
interface CanvasFactory {
  create(width: number, height: number): CanvasAndContext;
  destroy(canvasAndContext: CanvasAndContext): void;
}

async function getPage(doc: PdfDocument, pageNo: number): Promise<PDFPageProxy> {
  if (!Number.isInteger(pageNo) || pageNo < 1 || pageNo > doc.pageCount) {
    throw new RangeError(`page ${pageNo} is outside 1–${doc.pageCount}`);
  }
  try {
    return await doc.pdf.getPage(pageNo);
  } catch (e) {
    throw translatePdfError(e);
  }
}

function translatePdfError(e: unknown): Error {
  if (e instanceof PdfPasswordError || e instanceof PdfReadError || e instanceof RangeError) return e;
  const name = (e as { name?: string } | null)?.name;
  const message = e instanceof Error ? e.message : String(e);
  if (name === 'PasswordException') return new PdfPasswordError();
  if (name === 'InvalidPDFException' || name === 'FormatError' || name === 'UnknownErrorException') return new PdfReadError(message);
  return e instanceof Error ? e : new Error(message);
}

async function readFully(fh: FileHandle, into: Uint8Array, position: number): Promise<void> {
  for (let done = 0; done < into.length; ) {
    const { bytesRead } = await fh.read(into, done, into.length - done, position + done);
    if (bytesRead === 0) throw new PdfReadError('file shrank while being read');
    done += bytesRead;
  }
}

/** Feeds pdfjs the byte ranges it asks for, read from the open file. */
function fileRangeTransport(pdfjs: Pdfjs, fh: FileHandle, size: number): InstanceType<Pdfjs['PDFDataRangeTransport']> {
  const transport = new pdfjs.PDFDataRangeTransport(size, null);
  transport.requestDataRange = (begin: number, end: number) => {
    const chunk = new Uint8Array(Math.max(0, Math.min(end, size) - begin));
    // pdfjs has no error path for a range (null would throw inside it and leave the request hanging): on a read
    // error (EIO) it gets the zero-filled chunk, fails to parse it, and the call fails with PdfReadError.
    const deliver = () => transport.onDataRange(begin, chunk);
    readFully(fh, chunk, begin).then(deliver, deliver);
  };
  return transport;
}
