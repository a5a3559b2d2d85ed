// Second intake step, after detectFileKind: can we actually use this file? Decides accept/reject with a
// message the uploader can act on, and records page count / size for the dossier view. Cheap by design:
// PDFs are read by `pdfinfo` (which parses the xref and page tree, not page content), images by sharp's
// header-only metadata() — nothing is decoded, so a decompression bomb is measured, not allocated.
import { execFile, type ExecFileException } from 'node:child_process';
import { open, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import sharp, { type Metadata } from 'sharp';
import { readOle2RootStreams, type FileKind } from './file-kind.ts';

// Uploads are one-off inputs: libvips' operation/file cache would only keep descriptors of temp files
// open after the upload route has moved or deleted them.
sharp.cache(false);

export type Inspection =
  | { ok: true; pageCount: number | null; width?: number; height?: number; printable: boolean; note?: string }
  | { ok: false; reason: string };

/** Per page. 80 MP is ~A3 at 600 dpi; a decoded RGBA page that size is already ~320 MB. */
export const MAX_IMAGE_PIXELS = 80_000_000;
/** A scanned TIFF with more pages than this is a mistake or an attack; each page's header is checked. */
export const MAX_IMAGE_PAGES = 2000;
const PDFINFO_TIMEOUT_MS = 30_000;
/** Where to look for the trailing %%EOF marker (see isPdfTruncated). */
const PDF_TAIL_BYTES = 8192;

export const REJECT = {
  empty: '文件为空（0 字节）',
  pdfCorrupt: 'PDF 文件已损坏或不完整，无法读取',
  pdfTimeout: 'PDF 文件读取超时，文件可能已损坏，请检查后重新上传',
  pdfEncrypted: 'PDF 文件已加密（设置了打开密码），请去除密码后重新上传',
  pdfToolMissing: '服务器缺少 PDF 工具（poppler-utils），请联系管理员',
  imageCorrupt: '图片文件已损坏，无法读取',
  officeEncrypted: 'Office 文档已加密（设置了打开密码），请去除密码后重新上传',
  unsupported: '不支持的文件类型。支持：PDF、JPEG、PNG、TIFF、Word（DOC/DOCX）、Excel（XLS/XLSX）、OFD',
} as const;

export function imageTooLargeReason(width: number, height: number): string {
  return `图片尺寸过大（${width}×${height} 像素），请降低分辨率后重新上传`;
}

export async function inspectFile(path: string, kind: FileKind): Promise<Inspection> {
  const { size } = await stat(path);
  if (size === 0) return { ok: false, reason: REJECT.empty };
  switch (kind) {
    case 'pdf':
      return inspectPdf(path, size);
    case 'jpeg':
    case 'png':
    case 'tiff':
      return inspectImage(path);
    case 'docx':
    case 'doc':
    case 'xlsx':
    case 'xls':
      // Page count and printability are only known once LibreOffice has converted it (office-converter.ts).
      return { ok: true, pageCount: null, printable: true };
    case 'ofd':
      return { ok: true, pageCount: null, printable: false, note: 'OFD 版式文件已保存，暂不支持打印转换' };
    case 'unknown':
      // A password-protected DOCX/XLSX is not a ZIP but an OLE2 file with an EncryptedPackage stream; telling
      // the user "unsupported type" for their .docx would be baffling.
      if ((await readOle2RootStreams(path))?.some((n) => n.toLowerCase() === 'encryptedpackage')) {
        return { ok: false, reason: REJECT.officeEncrypted };
      }
      return { ok: false, reason: REJECT.unsupported };
  }
}

// ---------------------------------------------------------------------------------------------------- PDF

interface ExecResult {
  error: ExecFileException | null;
  stdout: string;
  stderr: string;
}

function run(cmd: string, args: string[], timeoutMs: number): Promise<ExecResult> {
  return new Promise((done) => {
    // execFile, never a shell: the path is passed as one argv element. LC_ALL=C keeps the output parseable.
    execFile(
      cmd,
      args,
      { timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 1024 * 1024, env: { ...process.env, LC_ALL: 'C' } },
      (error, stdout, stderr) => done({ error, stdout: String(stdout), stderr: String(stderr) }),
    );
  });
}

async function inspectPdf(path: string, size: number): Promise<Inspection> {
  // An absolute path can never be mistaken for an option, whatever the temp file is called.
  const { error, stdout, stderr } = await run('pdfinfo', [resolve(path)], PDFINFO_TIMEOUT_MS);
  if (error) {
    if (error.code === 'ENOENT') return { ok: false, reason: REJECT.pdfToolMissing };
    if (error.killed || error.signal) return { ok: false, reason: REJECT.pdfTimeout };
    if (/Incorrect password/i.test(stderr)) return { ok: false, reason: REJECT.pdfEncrypted };
    return { ok: false, reason: REJECT.pdfCorrupt };
  }
  const pages = Number(/^Pages:\s+(\d+)/m.exec(stdout)?.[1] ?? 0);
  if (!pages) return { ok: false, reason: REJECT.pdfCorrupt };
  if (await isPdfTruncated(path, size, stderr)) return { ok: false, reason: REJECT.pdfCorrupt };

  const result: Inspection & { ok: true } = { ok: true, pageCount: pages, printable: true };
  // First page size in PostScript points (1/72 in), as displayed (after /Rotate).
  const sizeMatch = /^Page size:\s+([\d.]+) x ([\d.]+) pts/m.exec(stdout);
  if (sizeMatch) {
    const rot = Number(/^Page rot:\s+(\d+)/m.exec(stdout)?.[1] ?? 0);
    const [w, h] = [Math.round(Number(sizeMatch[1])), Math.round(Number(sizeMatch[2]))];
    [result.width, result.height] = rot % 180 === 90 ? [h, w] : [w, h];
  }
  // "Encrypted: yes (print:no copy:yes …)" with no password prompt = owner password only. It opens fine, so
  // accept it; but honour a print restriction rather than silently stripping it when printing the dossier.
  const enc = /^Encrypted:\s+yes(?:\s*\(([^)]*)\))?/m.exec(stdout);
  if (enc) {
    const printAllowed = !/\bprint:no\b/.test(enc[1] ?? '');
    result.printable = printAllowed;
    result.note = printAllowed
      ? 'PDF 设置了权限密码（可正常打开和打印），已接受'
      : 'PDF 设置了权限密码且禁止打印，已保存；如需打印，请上传未限制打印的版本';
  }
  return result;
}

/**
 * Poppler is forgiving: a truncated PDF whose catalog and page tree happen to sit early in the file
 * (linearized "fast web view" files, many scanner outputs) is silently reconstructed and reports its full
 * page count, with the missing tail simply gone. A complete file ends with "%%EOF"; treat "no %%EOF near the
 * end" *and* "poppler had to complain" as an incomplete upload. Requiring both spares the odd file with
 * harmless trailing bytes that poppler reads cleanly.
 */
async function isPdfTruncated(path: string, size: number, pdfinfoStderr: string): Promise<boolean> {
  if (!/Error/i.test(pdfinfoStderr)) return false;
  const fh = await open(path, 'r');
  try {
    const len = Math.min(size, PDF_TAIL_BYTES);
    const tail = Buffer.alloc(len);
    await fh.read(tail, 0, len, size - len);
    return !tail.includes('%%EOF', 0, 'latin1');
  } finally {
    await fh.close();
  }
}

// ------------------------------------------------------------------------------------------------- images

async function inspectImage(path: string): Promise<Inspection> {
  // limitInputPixels:false only because we enforce our own limit with a better message; metadata() never
  // decodes pixels, so nothing large is allocated either way.
  let meta: Metadata;
  try {
    meta = await sharp(path, { limitInputPixels: false }).metadata();
  } catch {
    return { ok: false, reason: REJECT.imageCorrupt };
  }
  if (!meta.width || !meta.height) return { ok: false, reason: REJECT.imageCorrupt };
  if (meta.width * meta.height > MAX_IMAGE_PIXELS) return { ok: false, reason: imageTooLargeReason(meta.width, meta.height) };

  const pages = meta.pages ?? 1;
  if (pages > MAX_IMAGE_PAGES) return { ok: false, reason: `图片页数过多（${pages} 页），请拆分后重新上传` };
  // Pages of a TIFF can differ in size (and a bomb could hide on page 2): check every page's header.
  for (let page = 1; page < pages; page++) {
    let m: Metadata;
    try {
      m = await sharp(path, { limitInputPixels: false, page }).metadata();
    } catch {
      return { ok: false, reason: REJECT.imageCorrupt };
    }
    if (!m.width || !m.height) return { ok: false, reason: REJECT.imageCorrupt };
    if (m.width * m.height > MAX_IMAGE_PIXELS) return { ok: false, reason: imageTooLargeReason(m.width, m.height) };
  }
  // Report the size as it will display, i.e. after EXIF orientation (a phone photo stored landscape, shot portrait).
  const width = meta.autoOrient?.width ?? meta.width;
  const height = meta.autoOrient?.height ?? meta.height;
  return { ok: true, pageCount: pages, width, height, printable: true };
}
