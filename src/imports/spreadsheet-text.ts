// Reading spreadsheet exports from Chinese offices: text encodings (UTF-8 with or without BOM, or GBK/GB18030
// as Excel on Chinese Windows saves CSV) and Excel-style column letters for error messages.
import iconv from 'iconv-lite';

export type DecodedText = { text: string; encoding: 'utf-8' | 'gb18030' };

export function startsWith(bytes: Uint8Array, magic: readonly number[]): boolean {
  return bytes.byteLength >= magic.length && magic.every((b, i) => bytes[i] === b);
}

/** 0 → A, 25 → Z, 26 → AA: how Excel names columns, for error messages. */
export function columnLetter(index: number): string {
  let n = index + 1;
  let s = '';
  while (n > 0) {
    const r = (n - 1) % 26;
    s = String.fromCharCode(65 + r) + s;
    n = Math.floor((n - 1) / 26);
  }
  return s;
}

/**
 * A UTF-8 file with a few broken bytes (truncated, badly concatenated) would decode "successfully" as
 * GB18030 mojibake. When valid multi-byte UTF-8 sequences far outnumber the invalid bytes, say so instead.
 */
function utf8Damage(bytes: Uint8Array): { damaged: string } | null {
  let valid = 0;
  let invalid = 0;
  let firstBad = -1;
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i]!;
    const len = b < 0x80 ? 1 : b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
    let ok = len > 0 && i + len <= bytes.length;
    for (let k = 1; ok && k < len; k++) ok = (bytes[i + k]! & 0xc0) === 0x80;
    if (!ok) {
      invalid++;
      if (firstBad < 0) firstBad = i;
      i++;
    } else {
      if (len > 1) valid++;
      i += len;
    }
  }
  if (invalid === 0 || valid < invalid * 20) return null;
  let line = 1;
  for (let i = 0; i < firstBad; i++) if (bytes[i] === 0x0a) line++;
  return {
    damaged: `文件是 UTF-8 编码，但有 ${invalid} 处损坏的字节（第一处在第 ${line} 行附近），请检查该处文字后重新保存为 CSV（UTF-8）`,
  };
}

/**
 * Bytes → text: UTF-8 first (BOM stripped), then GB18030. `damaged` when the file is UTF-8 with a few broken
 * bytes; null when it is not text at all (UTF-16, binary, or full of control characters).
 */
export function decodeText(bytes: Uint8Array): DecodedText | { damaged: string } | null {
  let body = bytes;
  const utf8Bom = startsWith(body, [0xef, 0xbb, 0xbf]);
  if (utf8Bom) body = body.subarray(3);
  // UTF-16 (Excel's "Unicode text") and other binary data contain NUL bytes.
  if (body.includes(0)) return null;
  let text: string;
  let encoding: 'utf-8' | 'gb18030' = 'utf-8';
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    if (utf8Bom) return null; // says UTF-8 but is not: corrupt
    const damage = utf8Damage(body);
    if (damage) return damage;
    text = iconv.decode(Buffer.from(body.buffer, body.byteOffset, body.byteLength), 'gb18030');
    encoding = 'gb18030';
  }
  text = text.replace(/^\uFEFF/, '');
  if (text.includes('\uFFFD') || text.includes('\u0000')) return null;
  // Other control characters (besides tab / newline / CR) do not occur in text files.
  const controls = text.match(/[\u0001-\u0008\u000B\u000C\u000E-\u001F\u007F]/g)?.length ?? 0;
  if (controls > Math.max(2, text.length / 200)) return null;
  return { text, encoding };
}
