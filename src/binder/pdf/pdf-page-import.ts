// Evidence PDF pages copied into a binder volume as they are: for each page the objects reachable from its
// resources and contents are written to the volume with new numbers (one map per source and volume, so shared
// fonts and images are written once); stream bytes are copied unchanged. The new page is the displayed page —
// crop box, /Rotate and /UserUnit applied — shrunk a little towards the top so that the stamp band at the bottom
// stays free: its content is wrapped as
// [q <matrix> cm <crop clip> | original streams … | printable annotation appearances | Q + stamp].
import { PDFArray, PDFBool, PDFDict, PDFHexString, PDFName, PDFNumber, PDFRef, PDFStream, PDFString, type PDFContext, type PDFObject } from './pdf-lib-bundle.ts';
import { stampBand, type BinderDocument } from './binder-document.ts';
import { N, numberOf, resolve, toBox, type SourcePage, type SourcePdf } from './pdf-source.ts';
import { num, type PdfStreamWriter } from './pdf-stream-writer.ts';

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
