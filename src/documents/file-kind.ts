// What an uploaded file really is, decided from its bytes — never from its name or the browser's MIME type,
// both of which the uploader controls. Reads only small, bounded parts of the file so that a 500 MB upload
// costs a few KB of I/O: the first 8 KB for magic bytes, a ZIP's central directory (via yauzl, which seeks
// to the end record and never inflates anything), or an OLE2 compound file's directory sectors.
import { open, type FileHandle } from 'node:fs/promises';
import yauzl from 'yauzl';

export type FileKind = 'pdf' | 'jpeg' | 'png' | 'tiff' | 'docx' | 'doc' | 'xlsx' | 'xls' | 'ofd' | 'unknown';

/** The kinds a person can filter by (library and search offer the same list). */
export const FILTER_FILE_KINDS = ['pdf', 'jpeg', 'png', 'tiff', 'docx', 'doc', 'xlsx', 'xls', 'ofd'] as const satisfies readonly FileKind[];

export const FILE_KIND_LABELS: Record<FileKind, string> = {
  pdf: 'PDF',
  jpeg: 'JPEG 图片',
  png: 'PNG 图片',
  tiff: 'TIFF 图片',
  docx: 'Word 文档（DOCX）',
  doc: 'Word 文档（DOC）',
  xlsx: 'Excel 表格（XLSX）',
  xls: 'Excel 表格（XLS）',
  ofd: 'OFD 版式文件',
  unknown: '未知类型',
};

export const FILE_KIND_MIME_TYPES: Record<FileKind, string> = {
  pdf: 'application/pdf',
  jpeg: 'image/jpeg',
  png: 'image/png',
  tiff: 'image/tiff',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  doc: 'application/msword',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  xls: 'application/vnd.ms-excel',
  ofd: 'application/ofd',
  unknown: 'application/octet-stream',
};

/** Canonical extension (no dot) per kind: used for download names and for the copy LibreOffice needs. */
export const FILE_KIND_EXTENSIONS: Record<FileKind, string> = {
  pdf: 'pdf',
  jpeg: 'jpg',
  png: 'png',
  tiff: 'tif',
  docx: 'docx',
  doc: 'doc',
  xlsx: 'xlsx',
  xls: 'xls',
  ofd: 'ofd',
  unknown: 'bin',
};

const HEAD_BYTES = 8192;
/** A ZIP with more entries than this is not a plausible office document; stop listing rather than walk it all. */
const MAX_ZIP_ENTRIES = 20_000;

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const OLE2_SIGNATURE = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);

export async function detectFileKind(path: string): Promise<FileKind> {
  const head = await readHead(path, HEAD_BYTES);
  if (head.length === 0) return 'unknown';

  // Exact magic at offset 0 first, so that e.g. a JPEG whose EXIF comment says "%PDF-" stays a JPEG.
  if (head.length >= 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'jpeg';
  if (startsWith(head, PNG_SIGNATURE)) return 'png';
  // Classic TIFF ("II*\0" / "MM\0*") and BigTIFF (43 instead of 42).
  if (startsWith(head, Buffer.from('II*\0', 'latin1')) || startsWith(head, Buffer.from('MM\0*', 'latin1'))) return 'tiff';
  if (startsWith(head, Buffer.from('II+\0', 'latin1')) || startsWith(head, Buffer.from('MM\0+', 'latin1'))) return 'tiff';
  if (startsWith(head, Buffer.from('PK\x03\x04', 'latin1'))) return detectZipKind(path);
  if (startsWith(head, OLE2_SIGNATURE)) return detectOle2Kind(path);
  // PDF readers (and the spec's implementation notes) accept junk before the header within the first 1 KB;
  // some scanners and mail gateways do prepend bytes, so search rather than require offset 0.
  if (head.subarray(0, 1024).includes('%PDF-', 0, 'latin1')) return 'pdf';
  return 'unknown';
}

async function readHead(path: string, bytes: number): Promise<Buffer> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(bytes);
    const { bytesRead } = await fh.read(buf, 0, bytes, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

function startsWith(buf: Buffer, prefix: Buffer): boolean {
  return buf.length >= prefix.length && buf.subarray(0, prefix.length).equals(prefix);
}

// ---------------------------------------------------------------------------------------------- ZIP (OOXML, OFD)

/**
 * DOCX/XLSX/OFD are all ZIPs; the member names decide. OPC part names are case-insensitive, so compare
 * lower-cased. A ZIP we cannot open (truncated: no end-of-central-directory record) is 'unknown'.
 */
async function detectZipKind(path: string): Promise<FileKind> {
  let names: string[];
  try {
    names = await listZipEntries(path, MAX_ZIP_ENTRIES);
  } catch {
    return 'unknown';
  }
  const lower = new Set(names.map((n) => n.replace(/\\/g, '/').toLowerCase()));
  if (lower.has('word/document.xml')) return 'docx';
  if (lower.has('xl/workbook.xml')) return 'xlsx';
  // GB/T 33190: the package entry file OFD.xml sits at the container root.
  if (lower.has('ofd.xml')) return 'ofd';
  return 'unknown';
}

/** Entry names from the central directory only: nothing is extracted or inflated. */
function listZipEntries(path: string, max: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    // decodeStrings:false — yauzl would otherwise *error* on names like "../x" or "/x", and we only want to
    // look, never extract. The names we care about are ASCII, so latin1 decoding is exact for them.
    yauzl.open(path, { lazyEntries: true, autoClose: false, decodeStrings: false, validateEntrySizes: false }, (err, zip) => {
      if (err || !zip) return reject(err ?? new Error('zip open failed'));
      const names: string[] = [];
      const finish = (e?: Error) => {
        zip.close();
        if (e) reject(e);
        else resolve(names);
      };
      zip.on('error', finish);
      zip.on('end', () => finish());
      zip.on('entry', (entry: yauzl.Entry) => {
        const raw = (entry as unknown as { fileNameRaw?: Buffer }).fileNameRaw ?? (entry.fileName as unknown as Buffer);
        names.push(Buffer.isBuffer(raw) ? raw.toString('latin1') : String(raw));
        if (names.length >= max) finish();
        else zip.readEntry();
      });
      zip.readEntry();
    });
  });
}

// ---------------------------------------------------------------------------------------------- OLE2 (DOC, XLS)

/**
 * .doc and .xls are both OLE2 compound files; the root storage's stream names tell them apart
 * ("WordDocument" vs "Workbook", or "Book" for Excel 5/95). Only *root* children count: a Word document
 * with an embedded Excel chart carries a nested "Workbook" stream, and vice versa.
 */
async function detectOle2Kind(path: string): Promise<FileKind> {
  let names: string[] | null = await readOle2RootStreams(path);
  // Fallback for a directory our strict reader rejects but that may still be fine for LibreOffice:
  // look for the UTF-16LE names in the first 512 KB (where small files keep their directory).
  if (names === null) names = await scanForOle2Names(path);
  const set = new Set(names.map((n) => n.toLowerCase()));
  if (set.has('worddocument')) return 'doc';
  if (set.has('workbook') || set.has('book')) return 'xls';
  // Everything else (PowerPoint, Outlook .msg, password-protected DOCX/XLSX — which are OLE2 files holding an
  // "EncryptedPackage" stream — MSI…) is not something we accept.
  return 'unknown';
}

const ENDOFCHAIN = 0xfffffffe;
const MAX_SECTOR_ID = 0xfffffffa;
/** 512-byte sectors hold 4 directory entries; 4096 sectors × 4 = 16k entries is far beyond any real doc/xls. */
const MAX_DIRECTORY_SECTORS = 4096;

/**
 * Names of the streams/storages directly under the root of an OLE2 compound file ([MS-CFB]), or null when
 * the file is not a well-formed compound file. Reads the header, the FAT sectors needed to follow the
 * directory chain, and the directory sectors — positional reads only, a few KB for a typical document.
 * Exported so intake can recognise a password-protected DOCX/XLSX ("EncryptedPackage") and say so.
 */
export async function readOle2RootStreams(path: string): Promise<string[] | null> {
  const fh = await open(path, 'r');
  try {
    return await readOle2RootStreamsFrom(fh);
  } catch {
    return null;
  } finally {
    await fh.close();
  }
}

async function readOle2RootStreamsFrom(fh: FileHandle): Promise<string[] | null> {
  const { size } = await fh.stat();
  const header = await readAt(fh, 0, 512);
  if (header.length < 512 || !startsWith(header, OLE2_SIGNATURE)) return null;
  const sectorShift = header.readUInt16LE(30);
  if (sectorShift !== 9 && sectorShift !== 12) return null;
  const sectorSize = 1 << sectorShift;
  const idsPerSector = sectorSize / 4;
  const firstDirSector = header.readUInt32LE(48);
  let nextDifatSector = header.readUInt32LE(68);

  const sectorOffset = (id: number) => (id + 1) * sectorSize; // the header occupies "sector -1"
  // DIFAT: locations of the FAT sectors. 109 live in the header; more in a chain of DIFAT sectors, which we
  // only read if the directory chain actually needs a FAT sector that far out (files > ~7 MB).
  const difat: number[] = [];
  for (let i = 0; i < 109; i++) difat.push(header.readUInt32LE(76 + i * 4));
  const fatCache = new Map<number, Buffer>();

  async function fatSector(index: number): Promise<Buffer> {
    while (index >= difat.length) {
      if (nextDifatSector > MAX_SECTOR_ID) throw new Error('DIFAT chain ended');
      const buf = await readAt(fh, sectorOffset(nextDifatSector), sectorSize);
      if (buf.length < sectorSize) throw new Error('truncated DIFAT');
      for (let i = 0; i < idsPerSector - 1; i++) difat.push(buf.readUInt32LE(i * 4));
      nextDifatSector = buf.readUInt32LE(sectorSize - 4);
    }
    const id = difat[index]!;
    if (id > MAX_SECTOR_ID) throw new Error('missing FAT sector');
    let buf = fatCache.get(id);
    if (!buf) {
      buf = await readAt(fh, sectorOffset(id), sectorSize);
      if (buf.length < sectorSize) throw new Error('truncated FAT');
      fatCache.set(id, buf);
    }
    return buf;
  }

  // Walk the directory chain, collecting 128-byte entries.
  const entries: { name: string; left: number; right: number; child: number }[] = [];
  const seen = new Set<number>();
  let sector = firstDirSector;
  while (sector !== ENDOFCHAIN) {
    if (sector > MAX_SECTOR_ID || seen.has(sector) || seen.size >= MAX_DIRECTORY_SECTORS) return null;
    if (sectorOffset(sector) + sectorSize > size) return null;
    seen.add(sector);
    const buf = await readAt(fh, sectorOffset(sector), sectorSize);
    for (let off = 0; off + 128 <= buf.length; off += 128) {
      const nameLen = Math.min(buf.readUInt16LE(off + 64), 64);
      const name = buf.subarray(off, off + Math.max(0, nameLen - 2)).toString('utf16le');
      entries.push({ name, left: buf.readUInt32LE(off + 68), right: buf.readUInt32LE(off + 72), child: buf.readUInt32LE(off + 76) });
    }
    const fat = await fatSector(Math.floor(sector / idsPerSector));
    sector = fat.readUInt32LE((sector % idsPerSector) * 4);
  }

  const root = entries[0];
  if (!root) return null;
  // The root's children form a red-black tree linked through left/right sibling ids; visit it iteratively
  // with a seen-set so a malicious cycle cannot loop forever.
  const names: string[] = [];
  const stack = [root.child];
  const visited = new Set<number>();
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (id > MAX_SECTOR_ID || id >= entries.length || visited.has(id)) continue;
    visited.add(id);
    const e = entries[id]!;
    names.push(e.name);
    stack.push(e.left, e.right);
  }
  return names;
}

async function readAt(fh: FileHandle, position: number, length: number): Promise<Buffer> {
  const buf = Buffer.alloc(length);
  const { bytesRead } = await fh.read(buf, 0, length, position);
  return buf.subarray(0, bytesRead);
}

const OLE2_SCAN_BYTES = 512 * 1024;

async function scanForOle2Names(path: string): Promise<string[]> {
  const head = await readHead(path, OLE2_SCAN_BYTES);
  return ['WordDocument', 'Workbook', 'Book'].filter((n) => head.includes(Buffer.from(`${n}\0`, 'utf16le')));
}
