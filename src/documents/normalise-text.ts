// The one text normaliser for page text (PDF text layers and OCR output) and, so that both sides agree, for
// search queries:
//  - NFKC: full-width ASCII → ASCII (，→ ,  （→ (  ０→0), ideographic space → space, and the Kangxi radicals
//    (U+2F00…) that many Chinese PDF generators emit for common characters (⼯ ⼈ ⾼) → the ordinary ideographs;
//    likewise, by a table, the CJK Radicals Supplement characters NFKC leaves alone (⻔ → 门, ⻓ → 长);
//  - control characters (NUL is not even storable in Postgres text), zero-width characters, soft hyphens dropped;
//  - whitespace between CJK characters removed: Tesseract separates every recognised "word" of Chinese with a
//    space ("院 感 培训 制度"), and line wraps split words across lines ("管理办\n法"). Precisely:
//      · spaces/tabs are removed between two CJK characters and between a CJK character and punctuation
//        on either side ("管理 , 提高" → "管理,提高");
//      · a line break is removed between two Han characters (a wrapped line), kept otherwise ("制度。\n一、");
//    Spaces between CJK and Latin letters or digits are kept ("2022 年 4 月" stays as it is): they are often
//    real in born-digital text, so a search index should not depend on their presence either way;
//  - runs of spaces collapsed to one, lines trimmed, blank lines collapsed to one, the whole trimmed.

/**
 * CJK Radicals Supplement (U+2E81–U+2EF3) → the unified ideograph each stands for, from the Unicode Character
 * Database's EquivalentUnifiedIdeograph.txt; '-' where there is none (U+2E9A is unassigned). NFKC maps the
 * Kangxi radicals (U+2F00…) but not these, and PDF producers do emit them for ordinary text: a Noto Sans CJK
 * PDF printed by Chromium says ⻔诊 for 门诊 and ⻓ for 长 in its text layer, which no search would find.
 */
const RADICALS_SUPPLEMENT_TARGETS = [
  '5382 4e5b 4e5a 4e59 4ebb 5182 20628 5200 5202 535c 353e 5c0f 5c0f 5140 5c23 5c22 21bc2 5df3 5e7a 5f51',
  '5f50 5fc4 5fc3 624c 6535 - 65e1 65e5 6708 6b7a 6bcd 6c11 6c35 6c3a 706c 722b 722b 4e2c 725b 72ad 738b',
  '24d14 76ee 793a 793b 25ad7 7cf9 7e9f 7f53 7f52 34c1 5197 2626b 7f8a 2634c 2634b 8002 8080 807f 8089',
  '26951 8279 8279 8279 864e 8864 8980 897f 89c1 89d2 278b2 8ba0 8d1d 27fb7 8f66 8fb6 8fb6 8fb6 9091',
  '9485 9577 9578 957f 95e8 28e0f 961d 96e8 9752 97e6 9875 98ce 98de 98df 2967f 98e0 9963 29810 9a6c',
  '9aa8 9b3c 9c7c 9e1f 5364 9ea6 9ec4 9efe 6589 9f50 6b6f 9f7f 7adc 9f99 9f9c 4e80 9f9f',
].join(' ');
const RADICALS = new Map<string, string>(
  RADICALS_SUPPLEMENT_TARGETS.split(' ').flatMap((hex, i) => (hex === '-' ? [] : [[String.fromCodePoint(0x2e81 + i), String.fromCodePoint(parseInt(hex, 16))]])),
);
const RADICAL_CHARS = /[\u2E81-\u2EF3]/g;

/** Han ideographs, kana, bopomofo and the CJK symbols & punctuation block (、。《》「」【】…). */
const CJK = String.raw`\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Bopomofo}\u3001-\u303F\u30FC`;
/** Punctuation that may hug a CJK character: ASCII punctuation, general punctuation (“” ‘’ — …), CJK brackets. */
const PUNCT = String.raw`\p{P}\p{S}`;

const SPACE_BETWEEN_CJK = new RegExp(`(?<=[${CJK}])[ \\t]+(?=[${CJK}${PUNCT}])|(?<=[${PUNCT}])[ \\t]+(?=[${CJK}])`, 'gu');
const WRAP_BETWEEN_HAN = /(?<=\p{Script=Han})[ \t]*\n[ \t]*(?=\p{Script=Han})/gu;
// C0/C1 controls except \t and \n; zero-width space/joiners, word joiner, BOM, soft hyphen.
const INVISIBLE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u00AD\u200B-\u200D\u2060\uFEFF]/g;

/** NFKC plus the Radicals Supplement table: every radical-as-character becomes its ordinary ideograph. */
export function foldCompatibilityIdeographs(s: string): string {
  return s.replace(RADICAL_CHARS, (c) => RADICALS.get(c) ?? c).normalize('NFKC');
}

export function normaliseText(s: string): string {
  let t = foldCompatibilityIdeographs(s).replace(/\r\n?|[\u2028\u2029\u0085]/g, '\n').replace(INVISIBLE, '');
  t = t.replace(/[^\S\n]+/g, ' '); // every other kind of horizontal whitespace → one plain space
  t = t.replace(SPACE_BETWEEN_CJK, '').replace(WRAP_BETWEEN_HAN, '');
  return t
    .split('\n')
    .map((line) => line.trim())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** Characters that carry text: everything but whitespace. */
export function countTextChars(s: string): number {
  let n = 0;
  for (const ch of s) if (!/\s/u.test(ch)) n++;
  return n;
}
