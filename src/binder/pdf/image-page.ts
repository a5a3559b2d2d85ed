// Image evidence on A4 pages (portrait or landscape after the image's own orientation), fitted within the margins
// above the stamp band. A plain 8-bit gray/RGB JPEG goes in as it is (DCTDecode, its EXIF orientation applied by
// the placement matrix); anything else — CMYK or 12-bit JPEG, PNG (16-bit, alpha, palette), TIFF pages, WebP —
// is decoded by sharp and re-encoded as an 8-bit sRGB or gray JPEG, flattened on white, at most 3508 px a side.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { SHEET_FONT_REGULAR, stampBand, type BinderDocument } from './binder-document.ts';
import { num } from './pdf-stream-writer.ts';

export const IMAGE_REASONS = {
  unreadable: '文件无法读取',
  corrupt: '图片文件已损坏或格式不支持，无法读取',
  noPages: '图片文件没有可显示的页面',
} as const;

const MAX_INPUT_PIXELS = 200_000_000;
const MAX_SIDE = 3508; // A4 at 300 dpi
export const A4: [number, number] = [595.28, 841.89];

export interface PreparedImage {
  width: number;
  height: number;
  components: 1 | 3;
  /** The JPEG bytes, or the JPEG file to copy them from when it is written (plain JPEGs are never held in memory). */
  jpeg: Uint8Array | { path: string; size: number };
  /** EXIF orientation (1–8) still to apply when drawing. */
  orientation: number;
}

export type ImageLoad = { ok: true; pageCount: number; page(index: number): Promise<PreparedImage> } | { ok: false; reason: string };

interface JpegInfo {
  sof: number;
  precision: number;
  width: number;
  height: number;
  components: number;
  orientation: number;
}

/** Reads the JPEG markers up to the frame header: size, components, precision, process, EXIF orientation. */
export function jpegInfo(b: Uint8Array): JpegInfo | null {
  if (b.length < 4 || b[0] !== 0xff || b[1] !== 0xd8) return null;
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let orientation = 1;
  let i = 2;
  while (i + 4 <= b.length) {
    if (b[i] !== 0xff) return null;
    const marker = b[i + 1]!;
    if (marker === 0xff) {
      i++;
      continue;
    }
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      i += 2;
      continue;
    }
    const len = view.getUint16(i + 2);
    if (len < 2 || i + 2 + len > b.length) return null;
    const isSof = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isSof) {
      if (len < 8) return null;
      return {
        sof: marker,
        precision: b[i + 4]!,
        height: view.getUint16(i + 5),
        width: view.getUint16(i + 7),
        components: b[i + 9]!,
        orientation,
      };
    }
    if (marker === 0xe1 && len >= 16) orientation = exifOrientation(view, i + 4, i + 2 + len) ?? orientation;
    if (marker === 0xda || marker === 0xd9) return null;
    i += 2 + len;
  }
  return null;
}

function exifOrientation(view: DataView, start: number, end: number): number | null {
  // "Exif\0\0" then a TIFF header.
  if (view.getUint32(start) !== 0x45786966 || view.getUint16(start + 4) !== 0) return null;
  const tiff = start + 6;
  if (tiff + 8 > end) return null;
  const order = view.getUint16(tiff);
  const le = order === 0x4949;
  if (!le && order !== 0x4d4d) return null;
  const ifd = tiff + view.getUint32(tiff + 4, le);
  if (ifd + 2 > end) return null;
  const count = view.getUint16(ifd, le);
  for (let k = 0; k < count; k++) {
    const e = ifd + 2 + k * 12;
    if (e + 12 > end) return null;
    if (view.getUint16(e, le) === 0x0112) {
      const v = view.getUint16(e + 8, le);
      return v >= 1 && v <= 8 ? v : null;
    }
  }
  return null;
}

/** A JPEG a PDF viewer decodes as it is: baseline/extended/progressive, 8-bit, gray or YCbCr/RGB. */
function isPlainJpeg(info: JpegInfo | null): info is JpegInfo {
  return !!info && [0xc0, 0xc1, 0xc2].includes(info.sof) && info.precision === 8 && (info.components === 1 || info.components === 3) && info.width > 0 && info.height > 0;
}

/** The first `max` bytes of a file and its size. */
function readHead(path: string, max: number): { head: Buffer; size: number } {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const head = Buffer.allocUnsafe(Math.min(size, max));
    const n = readSync(fd, head, 0, head.length, 0);
    return { head: head.subarray(0, n), size };
  } finally {
    closeSync(fd);
  }
}

const HEAD_BYTES = 128 * 1024;

export async function loadImage(path: string, preloaded?: Buffer | null): Promise<ImageLoad> {
  let bytes: Buffer | null = preloaded ?? null;
  let size: number;
  let head: Buffer;
  try {
    if (bytes) ({ head, size } = { head: bytes, size: bytes.length });
    else ({ head, size } = readHead(path, HEAD_BYTES));
  } catch {
    return { ok: false, reason: IMAGE_REASONS.unreadable };
  }
  let info = jpegInfo(head);
  if (!info && !bytes && head.length < size && head[0] === 0xff && head[1] === 0xd8) {
    // The frame header lies beyond the first bytes (a large EXIF block): look at the whole file.
    bytes = await readFile(path).catch(() => null);
    info = bytes ? jpegInfo(bytes) : null;
  }
  if (isPlainJpeg(info)) {
    const jpeg = bytes ?? { path, size };
    const img: PreparedImage = { width: info.width, height: info.height, components: info.components as 1 | 3, jpeg, orientation: info.orientation };
    return { ok: true, pageCount: 1, page: async () => img };
  }
  try {
    bytes ??= await readFile(path);
  } catch {
    return { ok: false, reason: IMAGE_REASONS.unreadable };
  }
  const all = bytes;
  let pageCount: number;
  const sharp = await loadSharp();
  try {
    const meta = await sharp(bytes, { limitInputPixels: MAX_INPUT_PIXELS }).metadata();
    if (!meta.width || !meta.height) return { ok: false, reason: IMAGE_REASONS.corrupt };
    pageCount = meta.format === 'tiff' || meta.format === 'gif' || meta.format === 'webp' || meta.format === 'heif' ? (meta.pages ?? 1) : 1;
  } catch {
    return { ok: false, reason: IMAGE_REASONS.corrupt };
  }
  if (pageCount < 1) return { ok: false, reason: IMAGE_REASONS.noPages };
  return { ok: true, pageCount, page: (index) => reencode(all, index, pageCount > 1) };
}

/** sharp is loaded only when an image needs converting (plain JPEGs, the usual scans, never do). */
async function loadSharp() {
  return (await import('sharp')).default;
}

async function reencode(bytes: Buffer, page: number, paged: boolean): Promise<PreparedImage> {
  const sharp = await loadSharp();
  const input = () => sharp(bytes, { limitInputPixels: MAX_INPUT_PIXELS, ...(paged ? { page } : {}) });
  const meta = await input().metadata();
  const colour = (meta.channels ?? 3) - (meta.hasAlpha ? 1 : 0);
  const gray = colour === 1 || meta.space === 'b-w' || meta.space === 'grey16';
  let pipeline = input()
    .rotate()
    .flatten({ background: '#ffffff' })
    .resize({ width: MAX_SIDE, height: MAX_SIDE, fit: 'inside', withoutEnlargement: true });
  pipeline = gray ? pipeline.toColourspace('b-w') : pipeline.toColourspace('srgb');
  const { data, info } = await pipeline.jpeg({ quality: 88 }).toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, components: info.channels === 1 ? 1 : 3, jpeg: data, orientation: 1 };
}

type Matrix = [number, number, number, number, number, number];

/** Unit-square image space (u,v) → displayed box (X,Y) ∈ [0,1]² for each EXIF orientation, as [α β γ δ ε ζ]: X = αu+βv+γ, Y = δu+εv+ζ. */
const ORIENT: Record<number, Matrix> = {
  1: [1, 0, 0, 0, 1, 0],
  2: [-1, 0, 1, 0, 1, 0],
  3: [-1, 0, 1, 0, -1, 1],
  4: [1, 0, 0, 0, -1, 1],
  5: [0, -1, 1, -1, 0, 1],
  6: [0, 1, 0, -1, 0, 1],
  7: [0, 1, 0, 1, 0, 0],
  8: [0, -1, 1, 1, 0, 0],
};

const MARGIN = { left: 42, right: 28, top: 28, bottomAboveBand: 10 };

/** Writes the image as the next page of the document: A4 in the image's orientation, fitted and centred. */
export function writeImagePage(doc: BinderDocument, img: PreparedImage, label: string): void {
  const w = doc.writer;
  const swapped = img.orientation >= 5;
  const dw = swapped ? img.height : img.width;
  const dh = swapped ? img.width : img.height;
  const [pw, ph] = dw > dh ? [A4[1], A4[0]] : A4;
  const bottom = stampBand(pw, ph) + MARGIN.bottomAboveBand;
  const boxW = pw - MARGIN.left - MARGIN.right;
  const boxH = ph - MARGIN.top - bottom;
  const scale = Math.min(boxW / dw, boxH / dh);
  const sw = dw * scale;
  const sh = dh * scale;
  const x = MARGIN.left + (boxW - sw) / 2;
  const y = bottom + (boxH - sh) / 2;
  const [al, be, ga, de, ep, ze] = ORIENT[img.orientation] ?? ORIENT[1]!;
  const m: Matrix = [sw * al, sh * de, sw * be, sh * ep, x + sw * ga, y + sh * ze];

  const slot = doc.nextPage();
  const image = w.allocate();
  const content = w.allocate();
  const stamp = doc.stampPage(slot.index, { width: pw, height: ph, fontName: SHEET_FONT_REGULAR, restore: false, label });
  w.writeObject(
    slot.ref,
    `<< /Type /Page /Parent ${doc.parentOf(slot.index)} 0 R /MediaBox [0 0 ${num(pw)} ${num(ph)}] ` +
      `/Resources << /XObject << /Im0 ${image} 0 R >> /Font << /${SHEET_FONT_REGULAR} ${doc.fonts.regular.ref} 0 R >> >> ` +
      `/Contents [${content} 0 R ${stamp} 0 R] >>`,
  );
  w.writeStream(content, '', `q ${m.map(num).join(' ')} cm /Im0 Do Q\n`);
  const dict = `/Type /XObject /Subtype /Image /Width ${img.width} /Height ${img.height} /ColorSpace /${img.components === 1 ? 'DeviceGray' : 'DeviceRGB'} /BitsPerComponent 8 /Filter /DCTDecode `;
  if (img.jpeg instanceof Uint8Array) {
    w.writeStream(image, dict, img.jpeg);
  } else {
    w.beginObject(image);
    w.put(`<<${dict}/Length ${img.jpeg.size}>>\nstream\n`);
    w.putFile(img.jpeg.path, img.jpeg.size);
    w.put('\nendstream');
    w.endObject();
  }
}
