// The CJK font of every binder PDF: Noto Sans SC from npm (never a system font), embedded as a Type0 /
// CIDFontType2 font that we write ourselves. pdf-lib's embedFont subsetting (@pdf-lib/fontkit) turns Noto Sans SC
// glyphs blank, so: text is encoded as we go with CIDs handed out in order of first use (content streams can be
// written before the character set is known); at the end harfbuzz (subset-font) subsets the font to exactly the
// characters used — by all volumes of a build together, so harfbuzz runs once per weight and build — fontkit reads
// the subset's cmap, and each document's CIDToGIDMap stream maps its CIDs to the subset's glyph ids. A ToUnicode
// CMap keeps the text searchable and copyable; widths come from the full font (the same as the subset's).
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { deflateSync } from 'node:zlib';
import type * as Fontkit from 'fontkit';
import type SubsetFont from 'subset-font';
import { num, type PdfStreamWriter } from './pdf-stream-writer.ts';

// Loaded with require: their CommonJS builds load in about half the time through tsx's ES module hooks.
const requireCjs = createRequire(import.meta.url);
const fontkit = requireCjs('fontkit') as typeof Fontkit;
const subsetFont = requireCjs('subset-font') as typeof SubsetFont;

export type FontWeight = 'regular' | 'bold';

const FONT_MODULES: Record<FontWeight, string> = {
  regular: '@expo-google-fonts/noto-sans-sc/400Regular/NotoSansSC_400Regular.ttf',
  bold: '@expo-google-fonts/noto-sans-sc/700Bold/NotoSansSC_700Bold.ttf',
};

/** Code points drawn in place of characters the font lacks (emoji, rare ideographs). */
const FALLBACK_CODE_POINTS = [0x25a1, 0x3f]; // □, ?

/** One font file, loaded once per process: metrics for layout, bytes for subsetting. */
export class FontProgram {
  private readonly advances = new Map<number, number>();
  private readonly drawables = new Map<number, number>();
  private readonly fallback: number;
  readonly scale: number;

  private constructor(
    readonly bytes: Buffer,
    readonly font: Fontkit.Font,
  ) {
    this.scale = 1000 / font.unitsPerEm;
    this.fallback = FALLBACK_CODE_POINTS.find((cp) => font.hasGlyphForCodePoint(cp)) ?? 0x20;
  }

  static async fromFile(path: string): Promise<FontProgram> {
    const bytes = await readFile(path);
    const font = fontkit.create(bytes);
    if (!('glyphForCodePoint' in font)) throw new Error(`${path} is a font collection`);
    return new FontProgram(bytes, font);
  }

  /** The code point actually drawn for `cp`: itself, a space for other white space, or the fallback box. */
  drawable(cp: number): number {
    if (cp === 0x09 || cp === 0x0a || cp === 0x0d || cp === 0x3000 || cp === 0xa0) return 0x20;
    if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) return -1;
    let d = this.drawables.get(cp);
    if (d === undefined) {
      d = this.font.hasGlyphForCodePoint(cp) ? cp : this.fallback;
      this.drawables.set(cp, d);
    }
    return d;
  }

  /** Advance width in thousandths of the font size. */
  advance(cp: number): number {
    let w = this.advances.get(cp);
    if (w === undefined) {
      const glyph = this.font.hasGlyphForCodePoint(cp) ? this.font.glyphForCodePoint(cp) : this.font.glyphForCodePoint(this.fallback);
      w = Math.round(glyph.advanceWidth * this.scale);
      this.advances.set(cp, w);
    }
    return w;
  }

  /** Width of `text` at `size` points. */
  width(text: string, size: number): number {
    let w = 0;
    for (const ch of text) {
      const cp = this.drawable(ch.codePointAt(0)!);
      if (cp >= 0) w += this.advance(cp);
    }
    return (w * size) / 1000;
  }
}

const programs = new Map<FontWeight, Promise<FontProgram>>();

/** The process-wide font programs (read from node_modules once). */
export function loadFontProgram(weight: FontWeight): Promise<FontProgram> {
  let p = programs.get(weight);
  if (!p) {
    const file = requireCjs.resolve(FONT_MODULES[weight]);
    p = FontProgram.fromFile(file);
    p.catch(() => programs.delete(weight));
    programs.set(weight, p);
  }
  return p;
}

export interface FontPrograms {
  regular: FontProgram;
  bold: FontProgram;
}

export async function loadFontPrograms(): Promise<FontPrograms> {
  const [regular, bold] = await Promise.all([loadFontProgram('regular'), loadFontProgram('bold')]);
  return { regular, bold };
}

// Tables a PDF renderer never reads from an embedded TrueType font (layout is done by us).
const DROP_TABLES = ['GSUB', 'GPOS', 'GDEF', 'BASE', 'STAT', 'vhea', 'vmtx', 'VORG', 'DSIG', 'gasp', 'prep', 'fpgm', 'cvt ', 'hdmx', 'kern', 'meta'];

/** One font as used by one output PDF: hands out CIDs while content is written, writes the font objects at the end. */
export class PdfFont {
  private readonly cidOf = new Map<number, number>();
  private readonly codePoints: number[] = [0];

  constructor(
    readonly program: FontProgram,
    /** Object number of the Type0 font dictionary (allocated now, written by writeObjects). */
    readonly ref: number,
  ) {}

  /** `text` as a hex string operand for Tj (Identity-H, two bytes per character). */
  encode(text: string): string {
    let hex = '<';
    for (const ch of text) {
      const cp = this.program.drawable(ch.codePointAt(0)!);
      if (cp < 0) continue;
      let cid = this.cidOf.get(cp);
      if (cid === undefined) {
        cid = this.codePoints.length;
        if (cid > 0xffff) throw new Error('too many distinct characters for one font');
        this.codePoints.push(cp);
        this.cidOf.set(cp, cid);
      }
      hex += HEX4[cid] ?? cid.toString(16).padStart(4, '0');
    }
    return `${hex}>`;
  }

  width(text: string, size: number): number {
    return this.program.width(text, size);
  }

  /** The code points encoded so far (at least a space). */
  usedCodePoints(): number[] {
    if (this.codePoints.length === 1) this.encode(' ');
    return this.codePoints.slice(1);
  }

  /**
   * Writes Type0, CIDFont, descriptor, FontFile2 and the CID maps, with `subset` (made by makeSubset for these code
   * points or a superset of them: the volumes of one build share one subset) or a subset made now.
   */
  async writeObjects(writer: PdfStreamWriter, shared?: FontSubset): Promise<void> {
    const used = this.usedCodePoints();
    const subset = shared ?? (await makeSubset(this.program, used));
    const cidToGid = Buffer.alloc(2 * this.codePoints.length);
    const widths: string[] = [];
    for (let cid = 1; cid < this.codePoints.length; cid++) {
      const cp = this.codePoints[cid]!;
      const gid = subset.gidOf(cp);
      if (gid === 0 && cp !== 0x20) throw new Error(`subset lacks U+${cp.toString(16)}`);
      cidToGid.writeUInt16BE(gid, 2 * cid);
      widths.push(String(this.program.advance(cp)));
    }

    const font = this.program.font;
    const s = this.program.scale;
    const tag = subset.tag;
    const baseName = `/${tag}+${font.postscriptName.replace(/[^A-Za-z0-9-]/g, '')}`;
    const [cidFont, descriptor, fontFile, cidMap, toUnicode] = [0, 0, 0, 0, 0].map(() => writer.allocate()) as [number, number, number, number, number];

    writer.writeObject(
      this.ref,
      `<< /Type /Font /Subtype /Type0 /BaseFont ${baseName} /Encoding /Identity-H /DescendantFonts [${cidFont} 0 R] /ToUnicode ${toUnicode} 0 R >>`,
    );
    writer.writeObject(
      cidFont,
      `<< /Type /Font /Subtype /CIDFontType2 /BaseFont ${baseName} /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> ` +
        `/FontDescriptor ${descriptor} 0 R /DW 1000 /W [1 [${widths.join(' ')}]] /CIDToGIDMap ${cidMap} 0 R >>`,
    );
    const b = font.bbox;
    writer.writeObject(
      descriptor,
      `<< /Type /FontDescriptor /FontName ${baseName} /Flags 4 /FontBBox [${[b.minX, b.minY, b.maxX, b.maxY].map((v) => num(v * s)).join(' ')}] ` +
        `/ItalicAngle 0 /Ascent ${num(font.ascent * s)} /Descent ${num(font.descent * s)} /CapHeight ${num((font.capHeight || font.ascent) * s)} ` +
        `/StemV ${font.postscriptName.includes('Bold') ? 120 : 80} /FontFile2 ${fontFile} 0 R >>`,
    );
    writer.writeStream(fontFile, `/Filter /FlateDecode /Length1 ${subset.length}`, subset.deflated);
    writer.writeStream(cidMap, '/Filter /FlateDecode', deflateSync(cidToGid));
    writer.writeStream(toUnicode, '/Filter /FlateDecode', deflateSync(Buffer.from(toUnicodeCMap(this.codePoints), 'latin1')));
  }
}

/** A TrueType subset of a font program: its bytes (deflated, for FontFile2) and the glyph id of each code point. */
export interface FontSubset {
  length: number;
  deflated: Buffer;
  tag: string;
  gidOf(cp: number): number;
}

/** harfbuzz (subset-font) cuts the font down to `codePoints`; fontkit reads the subset's cmap for the glyph ids. */
export async function makeSubset(program: FontProgram, codePoints: number[]): Promise<FontSubset> {
  const unique = [...new Set(codePoints.length > 0 ? codePoints : [0x20])].sort((a, b) => a - b);
  const bytes = await subsetFont(program.bytes, String.fromCodePoint(...unique), {
    noLayoutClosure: true,
    noHinting: true,
    dropTables: DROP_TABLES,
  } as Parameters<typeof subsetFont>[2]);
  const parsed = fontkit.create(bytes);
  if (!('glyphForCodePoint' in parsed)) throw new Error('subset is not a single font');
  const gids = new Map<number, number>(unique.map((cp) => [cp, parsed.glyphForCodePoint(cp).id]));
  return { length: bytes.length, deflated: deflateSync(bytes), tag: subsetTag(program.font.postscriptName, unique), gidOf: (cp) => gids.get(cp) ?? 0 };
}

const HEX4: string[] = Array.from({ length: 4096 }, (_, i) => i.toString(16).padStart(4, '0'));

/** Six capital letters derived from the characters used, as PDF subset names require. */
function subsetTag(name: string, used: number[]): string {
  const digest = createHash('sha256').update(name).update(Uint32Array.from(used)).digest();
  let tag = '';
  for (let i = 0; i < 6; i++) tag += String.fromCharCode(65 + (digest[i]! % 26));
  return tag;
}

function utf16Hex(cp: number): string {
  const s = String.fromCodePoint(cp);
  let hex = '';
  for (let i = 0; i < s.length; i++) hex += s.charCodeAt(i).toString(16).padStart(4, '0');
  return hex;
}

function toUnicodeCMap(codePoints: number[]): string {
  const lines = [
    '/CIDInit /ProcSet findresource begin',
    '12 dict begin',
    'begincmap',
    '/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def',
    '/CMapName /Adobe-Identity-UCS def',
    '/CMapType 2 def',
    '1 begincodespacerange',
    '<0000> <FFFF>',
    'endcodespacerange',
  ];
  for (let start = 1; start < codePoints.length; start += 100) {
    const end = Math.min(codePoints.length, start + 100);
    lines.push(`${end - start} beginbfchar`);
    for (let cid = start; cid < end; cid++) lines.push(`<${cid.toString(16).padStart(4, '0')}> <${utf16Hex(codePoints[cid]!)}>`);
    lines.push('endbfchar');
  }
  lines.push('endcmap', 'CMapName currentdict /CMap defineresource pop', 'end', 'end');
  return lines.join('\n');
}
