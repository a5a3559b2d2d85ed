// Evidence PDF pages copied into a binder volume as they are: pdf-lib parses the source (object streams expanded),
// and for each page the objects reachable from its resources and contents are written to the volume with new
// numbers (one map per source and volume, so shared fonts and images are written once); stream bytes are copied
// unchanged. The new page is the displayed page — crop box, /Rotate and /UserUnit applied — shrunk a little
// towards the top so that the stamp band at the bottom stays free: its content is wrapped as
// [q <matrix> cm <crop clip> | original streams … | printable annotation appearances | Q + stamp].
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  EncryptedPDFError,
  ParseSpeeds,
  PDFArray,
  PDFBool,
  PDFDict,
  PDFDocument,
  PDFHexString,
  PDFName,
  PDFNumber,
  PDFRef,
  PDFStream,
  PDFString,
  type PDFContext,
  type PDFObject,
} from 'pdf-lib';
import { stampBand, type BinderDocument } from './binder-document.ts';
import { num, type PdfStreamWriter } from './pdf-stream-writer.ts';

export const PDF_REASONS = {
  unreadable: '文件无法读取',
  corrupt: 'PDF 文件已损坏，无法读取',
  encrypted: 'PDF 文件已加密，无法导入',
  noPages: 'PDF 文件没有页面',
} as const;

type Box = [number, number, number, number];

export interface SourcePage {
  dict: PDFDict;
  resources: PDFObject | undefined;
  /** The visible area (crop box within the media box), in default user space. */
  crop: Box;
  rotate: 0 | 90 | 180 | 270;
  userUnit: number;
}

export interface SourcePdf {
  context: PDFContext;
  pages: SourcePage[];
}

export type SourceLoad = { ok: true; source: SourcePdf } | { ok: false; reason: string };

const N = {
  Type: PDFName.of('Type'),
  Page: PDFName.of('Page'),
  Pages: PDFName.of('Pages'),
  Catalog: PDFName.of('Catalog'),
  Kids: PDFName.of('Kids'),
  Parent: PDFName.of('Parent'),
  Resources: PDFName.of('Resources'),
  MediaBox: PDFName.of('MediaBox'),
  CropBox: PDFName.of('CropBox'),
  Rotate: PDFName.of('Rotate'),
  UserUnit: PDFName.of('UserUnit'),
  Contents: PDFName.of('Contents'),
  Length: PDFName.of('Length'),
  Font: PDFName.of('Font'),
  XObject: PDFName.of('XObject'),
  Group: PDFName.of('Group'),
  Annots: PDFName.of('Annots'),
  Subtype: PDFName.of('Subtype'),
  F: PDFName.of('F'),
  AP: PDFName.of('AP'),
  AS: PDFName.of('AS'),
  NKey: PDFName.of('N'),
  Rect: PDFName.of('Rect'),
  BBox: PDFName.of('BBox'),
  Matrix: PDFName.of('Matrix'),
  Link: PDFName.of('Link'),
  Popup: PDFName.of('Popup'),
};

/**
 * Reads and parses a PDF; failures come back as a Chinese reason for the placeholder sheet. An encrypted PDF that
 * opens without a password (only "permissions" set, common for official documents) is decrypted by qpdf first.
 */
export async function loadSourcePdf(path: string, preloaded?: Buffer | null): Promise<SourceLoad> {
  let bytes: Buffer;
  try {
    // A Buffer (not a plain Uint8Array): pdf-lib's slices of it are views, so streams are not copied.
    bytes = preloaded ?? (await readFile(path));
  } catch {
    return { ok: false, reason: PDF_REASONS.unreadable };
  }
  if (bytes.subarray(0, 1024).indexOf('%PDF-') < 0) return { ok: false, reason: PDF_REASONS.corrupt };
  let parsed = await parse(bytes);
  if (parsed === 'encrypted') {
    const plain = await decryptWithoutPassword(path);
    parsed = plain ? await parse(plain) : 'encrypted';
    if (parsed === 'encrypted') return { ok: false, reason: PDF_REASONS.encrypted };
  }
  if (parsed === 'corrupt') return { ok: false, reason: PDF_REASONS.corrupt };
  const doc = parsed;
  const context = doc.context;
  const catalog = context.lookup(context.trailerInfo.Root);
  let pages: SourcePage[] = [];
  if (catalog instanceof PDFDict) {
    try {
      pages = collectPages(context, catalog.get(N.Pages));
    } catch {
      pages = [];
    }
  }
  // A broken page tree: take the page objects in file order, attributes inherited through /Parent.
  if (pages.length === 0) pages = scanPages(context);
  if (pages.length === 0) return { ok: false, reason: catalog instanceof PDFDict ? PDF_REASONS.noPages : PDF_REASONS.corrupt };
  return { ok: true, source: { context, pages } };
}

async function parse(bytes: Buffer): Promise<PDFDocument | 'encrypted' | 'corrupt'> {
  try {
    return await PDFDocument.load(bytes, { updateMetadata: false, parseSpeed: ParseSpeeds.Fastest, throwOnInvalidObject: false });
  } catch (err) {
    // Encrypted object streams make pdf-lib fail before it looks at /Encrypt.
    if (err instanceof EncryptedPDFError || bytes.lastIndexOf('/Encrypt') >= 0) return 'encrypted';
    return 'corrupt';
  }
}

/** The PDF decrypted by qpdf when its user password is empty; null when a password is needed (or qpdf fails). */
async function decryptWithoutPassword(path: string): Promise<Buffer | null> {
  const dir = await mkdtemp(join(tmpdir(), 'binder-decrypt-'));
  try {
    const out = join(dir, 'plain.pdf');
    const code = await new Promise<number>((resolve) => {
      execFile('qpdf', ['--decrypt', '--', path, out], { timeout: 120_000 }, (err) => resolve(err ? (typeof err.code === 'number' ? err.code : -1) : 0));
    });
    // 3 = done with warnings.
    return code === 0 || code === 3 ? await readFile(out).catch(() => null) : null;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

interface Inherited {
  resources: PDFObject | undefined;
  media: PDFObject | undefined;
  crop: PDFObject | undefined;
  rotate: PDFObject | undefined;
}

function collectPages(context: PDFContext, root: PDFObject | undefined): SourcePage[] {
  const pages: SourcePage[] = [];
  const seen = new Set<PDFDict>();
  const walk = (obj: PDFObject | undefined, inh: Inherited, depth: number) => {
    const node = resolve(context, obj);
    if (!(node instanceof PDFDict) || seen.has(node) || depth > 64) return;
    seen.add(node);
    const here: Inherited = {
      resources: node.get(N.Resources) ?? inh.resources,
      media: node.get(N.MediaBox) ?? inh.media,
      crop: node.get(N.CropBox) ?? inh.crop,
      rotate: node.get(N.Rotate) ?? inh.rotate,
    };
    const kids = resolve(context, node.get(N.Kids));
    const type = node.get(N.Type);
    if (type === N.Page || (type !== N.Pages && !(kids instanceof PDFArray))) {
      pages.push(sourcePage(context, node, here));
    } else if (kids instanceof PDFArray) {
      for (const kid of kids.asArray()) walk(kid, here, depth + 1);
    }
  };
  walk(root, { resources: undefined, media: undefined, crop: undefined, rotate: undefined }, 0);
  return pages;
}

function scanPages(context: PDFContext): SourcePage[] {
  const found = context
    .enumerateIndirectObjects()
    .filter(([, o]) => o instanceof PDFDict && o.get(N.Type) === N.Page)
    .sort(([a], [b]) => a.objectNumber - b.objectNumber);
  return found.map(([, o]) => {
    const dict = o as PDFDict;
    const inh: Inherited = { resources: undefined, media: undefined, crop: undefined, rotate: undefined };
    const chain: PDFDict[] = [];
    for (let d: PDFObject | undefined = dict; d instanceof PDFDict && chain.length < 64 && !chain.includes(d); d = resolve(context, d.get(N.Parent))) chain.push(d);
    for (const d of chain.reverse()) {
      inh.resources = d.get(N.Resources) ?? inh.resources;
      inh.media = d.get(N.MediaBox) ?? inh.media;
      inh.crop = d.get(N.CropBox) ?? inh.crop;
      inh.rotate = d.get(N.Rotate) ?? inh.rotate;
    }
    return sourcePage(context, dict, inh);
  });
}

function sourcePage(context: PDFContext, dict: PDFDict, inh: Inherited): SourcePage {
  let media = toBox(context, inh.media);
  if (!media || media[2] - media[0] < 1 || media[3] - media[1] < 1) media = [0, 0, 612, 792];
  let crop = toBox(context, inh.crop) ?? media;
  crop = [Math.max(crop[0], media[0]), Math.max(crop[1], media[1]), Math.min(crop[2], media[2]), Math.min(crop[3], media[3])];
  if (crop[2] - crop[0] < 1 || crop[3] - crop[1] < 1) crop = media;
  const r = numberOf(context, inh.rotate) ?? 0;
  const rotate = ((((Math.round(r / 90) * 90) % 360) + 360) % 360) as 0 | 90 | 180 | 270;
  const uu = numberOf(context, dict.get(N.UserUnit));
  return { dict, resources: inh.resources, crop, rotate, userUnit: uu && uu > 0 && uu < 100 ? uu : 1 };
}

function resolve(context: PDFContext, obj: PDFObject | undefined): PDFObject | undefined {
  for (let i = 0; obj instanceof PDFRef && i < 8; i++) obj = context.lookup(obj);
  return obj instanceof PDFRef ? undefined : obj;
}

function numberOf(context: PDFContext, obj: PDFObject | undefined): number | undefined {
  const v = resolve(context, obj);
  return v instanceof PDFNumber && Number.isFinite(v.asNumber()) ? v.asNumber() : undefined;
}

function toBox(context: PDFContext, obj: PDFObject | undefined): Box | undefined {
  const arr = resolve(context, obj);
  if (!(arr instanceof PDFArray) || arr.size() !== 4) return undefined;
  const v = arr.asArray().map((o) => numberOf(context, o));
  if (v.some((x) => x === undefined)) return undefined;
  const [a, b, c, d] = v as number[] as Box;
  return [Math.min(a, c), Math.min(b, d), Math.max(a, c), Math.max(b, d)];
}

type Matrix = [number, number, number, number, number, number];

/** m1 then m2 (PDF row-vector convention: the result is m1 × m2). */
function multiply(m1: Matrix, m2: Matrix): Matrix {
  const [a, b, c, d, e, f] = m1;
  const [A, B, C, D, E, F] = m2;
  return [a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F];
}

export interface ImportedGeometry {
  width: number;
  height: number;
  /** Maps the source page's user space onto the new page (rotation, user unit, shrink above the stamp band). */
  matrix: Matrix;
}

/** The new page's size and the matrix that shows the source page upright, shrunk above the stamp band. */
export function importedGeometry(page: SourcePage): ImportedGeometry {
  const [x0, y0, x1, y1] = page.crop;
  const u = page.userUnit;
  // Default user space → display space with the origin at the displayed lower-left corner.
  const rot: Record<SourcePage['rotate'], Matrix> = {
    0: [1, 0, 0, 1, -x0, -y0],
    90: [0, -1, 1, 0, -y0, x1],
    180: [-1, 0, 0, -1, x1, y1],
    270: [0, 1, -1, 0, y1, -x0],
  };
  const cw = (x1 - x0) * u;
  const ch = (y1 - y0) * u;
  const width = page.rotate % 180 === 0 ? cw : ch;
  const height = page.rotate % 180 === 0 ? ch : cw;
  const band = stampBand(width, height);
  const s = (height - band) / height;
  const shrink: Matrix = [s, 0, 0, s, (width - s * width) / 2, band];
  return { width, height, matrix: multiply(multiply(rot[page.rotate], [u, 0, 0, u, 0, 0]), shrink) };
}

const STAMP_FONT = 'DossierStamp';
const ANNOT_PREFIX = 'DossierAnnot';

/** Copies pages of one source into one binder document. Make a new one per (source, document) pair. */
export class PageImporter {
  private readonly copied = new Map<PDFRef, string>();
  private queue: [PDFRef, number][] = [];
  private readonly prefixes = new Map<string, number>();

  constructor(
    private readonly source: SourcePdf,
    private readonly doc: BinderDocument,
  ) {}

  private get writer(): PdfStreamWriter {
    return this.doc.writer;
  }

  /** Writes source page `index` (0-based) as the next page of the document, stamped with `label`. */
  importPage(index: number, label: string): void {
    const page = this.source.pages[index];
    if (!page) throw new Error(`source has no page ${index}`);
    const ctx = this.source.context;
    const g = importedGeometry(page);
    const slot = this.doc.nextPage();

    const [x0, y0, x1, y1] = page.crop;
    const prefixText = `q ${g.matrix.map(num).join(' ')} cm ${num(x0)} ${num(y0)} ${num(x1 - x0)} ${num(y1 - y0)} re W n\n`;
    let prefix = this.prefixes.get(prefixText);
    if (prefix === undefined) {
      prefix = this.writer.allocate();
      this.writer.writeStream(prefix, '', prefixText);
      this.prefixes.set(prefixText, prefix);
    }
    const contents = [`${prefix} 0 R`, ...this.contentRefs(page.dict.get(N.Contents))];

    const resources = resolve(ctx, page.resources);
    const resDict = resources instanceof PDFDict ? resources : undefined;
    const annots = this.printableAnnotations(page.dict, resDict);
    if (annots.content) {
      const ref = this.writer.allocate();
      this.writer.writeStream(ref, '', annots.content);
      contents.push(`${ref} 0 R`);
    }
    const fontName = uniqueName(ctx, resDict, N.Font, STAMP_FONT);
    const stamp = this.doc.stampPage(slot.index, { width: g.width, height: g.height, fontName, restore: true, label });
    contents.push(`${stamp} 0 R`);

    let res = '<<';
    if (resDict) {
      for (const [k, v] of resDict.entries()) {
        if (k === N.Font || (k === N.XObject && annots.xobjects.length > 0)) continue;
        res += `${k.asString()} ${this.direct(v)} `;
      }
    }
    res += `/Font ${this.mergedSubdict(resDict, N.Font, [[fontName, `${this.doc.fonts.regular.ref} 0 R`]])} `;
    if (annots.xobjects.length > 0) res += `/XObject ${this.mergedSubdict(resDict, N.XObject, annots.xobjects)} `;
    res += '>>';

    const group = page.dict.get(N.Group);
    this.writer.writeObject(
      slot.ref,
      `<< /Type /Page /Parent ${this.doc.parentOf(slot.index)} 0 R /MediaBox [0 0 ${num(g.width)} ${num(g.height)}] /Resources ${res} ` +
        `/Contents [${contents.join(' ')}]${group ? ` /Group ${this.direct(group)}` : ''} >>`,
    );
    this.flush();
  }

  private contentRefs(obj: PDFObject | undefined): string[] {
    const ctx = this.source.context;
    let items: PDFObject[] = [];
    if (obj instanceof PDFRef) {
      const target = ctx.lookup(obj);
      if (target instanceof PDFStream) items = [obj];
      else if (target instanceof PDFArray) items = target.asArray();
    } else if (obj instanceof PDFArray) items = obj.asArray();
    return items.filter((o): o is PDFRef => o instanceof PDFRef && ctx.lookup(o) instanceof PDFStream).map((r) => this.ref(r));
  }

  /** A copy of resources[key] (a dict of named resources) with extra entries. */
  private mergedSubdict(res: PDFDict | undefined, key: PDFName, extra: [string, string][]): string {
    const sub = res ? resolve(this.source.context, res.get(key)) : undefined;
    let out = '<<';
    if (sub instanceof PDFDict) for (const [k, v] of sub.entries()) out += `${k.asString()} ${this.direct(v)} `;
    for (const [name, value] of extra) out += `/${name} ${value} `;
    return `${out}>>`;
  }

  /**
   * Annotations are not copied (links and form fields would point into the source), but what they print — stamps,
   * filled-in form values, signatures — is drawn from their normal appearance, as a viewer prints it (PDF 12.5.5).
   */
  private printableAnnotations(pageDict: PDFDict, res: PDFDict | undefined): { content: string; xobjects: [string, string][] } {
    const ctx = this.source.context;
    const annots = resolve(ctx, pageDict.get(N.Annots));
    const out = { content: '', xobjects: [] as [string, string][] };
    if (!(annots instanceof PDFArray)) return out;
    let n = 0;
    for (const a of annots.asArray()) {
      const annot = resolve(ctx, a);
      if (!(annot instanceof PDFDict)) continue;
      const subtype = annot.get(N.Subtype);
      if (subtype === N.Link || subtype === N.Popup) continue;
      const flags = numberOf(ctx, annot.get(N.F)) ?? 0;
      if ((flags & 2) !== 0 || (flags & 4) === 0) continue; // hidden, or not meant to print
      const ap = resolve(ctx, annot.get(N.AP));
      if (!(ap instanceof PDFDict)) continue;
      let normal = ap.get(N.NKey);
      const states = resolve(ctx, normal);
      if (states instanceof PDFDict && !(states instanceof PDFStream)) {
        const as = annot.get(N.AS);
        normal = as instanceof PDFName ? states.get(as) : undefined;
      }
      if (!(normal instanceof PDFRef)) continue;
      const form = ctx.lookup(normal);
      if (!(form instanceof PDFStream)) continue;
      const rect = toBox(ctx, annot.get(N.Rect));
      const bbox = toBox(ctx, form.dict.get(N.BBox));
      if (!rect || !bbox) continue;
      const m = matrixOf(ctx, form.dict.get(N.Matrix));
      const corners = [
        [bbox[0], bbox[1]],
        [bbox[2], bbox[1]],
        [bbox[0], bbox[3]],
        [bbox[2], bbox[3]],
      ].map(([x, y]) => [m[0] * x! + m[2] * y! + m[4], m[1] * x! + m[3] * y! + m[5]] as const);
      const bx0 = Math.min(...corners.map((c) => c[0]));
      const bx1 = Math.max(...corners.map((c) => c[0]));
      const by0 = Math.min(...corners.map((c) => c[1]));
      const by1 = Math.max(...corners.map((c) => c[1]));
      if (bx1 - bx0 < 1e-3 || by1 - by0 < 1e-3) continue;
      const sx = (rect[2] - rect[0]) / (bx1 - bx0);
      const sy = (rect[3] - rect[1]) / (by1 - by0);
      const name = uniqueName(ctx, res, N.XObject, `${ANNOT_PREFIX}${n++}`);
      out.xobjects.push([name, this.ref(normal)]);
      out.content += `q ${num(sx)} 0 0 ${num(sy)} ${num(rect[0] - sx * bx0)} ${num(rect[1] - sy * by0)} cm /${name} Do Q\n`;
    }
    if (out.content) out.content = `\n${out.content}`;
    return out;
  }

  private ref(r: PDFRef): string {
    let s = this.copied.get(r);
    if (s === undefined) {
      const target = this.source.context.lookup(r);
      // Never follow references back into the page tree (e.g. a /P or /Parent): that would copy the whole source.
      if (target === undefined || (target instanceof PDFDict && isStructural(target.get(N.Type)))) s = 'null';
      else {
        const n = this.writer.allocate();
        s = `${n} 0 R`;
        this.queue.push([r, n]);
      }
      this.copied.set(r, s);
    }
    return s;
  }

  private direct(obj: PDFObject): string {
    if (obj instanceof PDFRef) return this.ref(obj);
    if (obj instanceof PDFName || obj instanceof PDFNumber) return obj.toString();
    if (obj instanceof PDFStream) return 'null'; // streams are never direct objects
    if (obj instanceof PDFDict) {
      let s = '<<';
      for (const [k, v] of obj.entries()) s += `${k.asString()} ${this.direct(v)} `;
      return `${s}>>`;
    }
    if (obj instanceof PDFArray) {
      let s = '[';
      for (const v of obj.asArray()) s += `${this.direct(v)} `;
      return `${s}]`;
    }
    if (obj instanceof PDFString || obj instanceof PDFHexString || obj instanceof PDFBool) return obj.toString();
    return 'null';
  }

  /** Writes every object reached so far, and what those reach in turn. */
  private flush(): void {
    const w = this.writer;
    while (this.queue.length > 0) {
      const batch = this.queue;
      this.queue = [];
      for (const [ref, n] of batch) {
        const obj = this.source.context.lookup(ref)!;
        if (obj instanceof PDFStream) {
          const data = obj.getContents();
          let dict = '<<';
          for (const [k, v] of obj.dict.entries()) if (k !== N.Length) dict += `${k.asString()} ${this.direct(v)} `;
          w.beginObject(n);
          w.put(`${dict}/Length ${data.length}>>\nstream\n`);
          w.put(data);
          w.put('\nendstream');
          w.endObject();
        } else {
          w.writeObject(n, this.direct(obj));
        }
      }
    }
  }
}

function isStructural(type: PDFObject | undefined): boolean {
  return type === N.Page || type === N.Pages || type === N.Catalog;
}

function matrixOf(context: PDFContext, obj: PDFObject | undefined): Matrix {
  const arr = resolve(context, obj);
  if (arr instanceof PDFArray && arr.size() === 6) {
    const v = arr.asArray().map((o) => numberOf(context, o));
    if (v.every((x) => x !== undefined)) return v as Matrix;
  }
  return [1, 0, 0, 1, 0, 0];
}

/** `base`, or `base` with a number, whichever is not yet a key of resources[key]. */
function uniqueName(context: PDFContext, res: PDFDict | undefined, key: PDFName, base: string): string {
  const sub = res ? resolve(context, res.get(key)) : undefined;
  if (!(sub instanceof PDFDict)) return base;
  let name = base;
  for (let i = 1; sub.has(PDFName.of(name)); i++) name = `${base}_${i}`;
  return name;
}
