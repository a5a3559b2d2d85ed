// Reading an evidence PDF for the binder: pdf-lib parses it (object streams expanded; the parser reads objects
// in file order, so a broken xref table does not matter), then the page tree is walked with the inheritable
// attributes (Resources, MediaBox, CropBox, Rotate) passed down. Broken inputs come back as a Chinese reason:
// corrupt, encrypted (unless it opens without a password — then qpdf decrypts it first), or without pages.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EncryptedPDFError, ParseSpeeds, PDFArray, PDFDict, PDFDocument, PDFName, PDFNumber, PDFRef, type PDFContext, type PDFObject } from './pdf-lib-bundle.ts';

export const PDF_REASONS = {
  unreadable: '文件无法读取',
  corrupt: 'PDF 文件已损坏，无法读取',
  encrypted: 'PDF 文件已加密，无法导入',
  noPages: 'PDF 文件没有页面',
} as const;

export type Box = [number, number, number, number];

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

export const N = {
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

export function resolve(context: PDFContext, obj: PDFObject | undefined): PDFObject | undefined {
  for (let i = 0; obj instanceof PDFRef && i < 8; i++) obj = context.lookup(obj);
  return obj instanceof PDFRef ? undefined : obj;
}

export function numberOf(context: PDFContext, obj: PDFObject | undefined): number | undefined {
  const v = resolve(context, obj);
  return v instanceof PDFNumber && Number.isFinite(v.asNumber()) ? v.asNumber() : undefined;
}

export function toBox(context: PDFContext, obj: PDFObject | undefined): Box | undefined {
  const arr = resolve(context, obj);
  if (!(arr instanceof PDFArray) || arr.size() !== 4) return undefined;
  const v = arr.asArray().map((o) => numberOf(context, o));
  if (v.some((x) => x === undefined)) return undefined;
  const [a, b, c, d] = v as number[] as Box;
  return [Math.min(a, c), Math.min(b, d), Math.max(a, c), Math.max(b, d)];
}
