// The one text normaliser for page text (PDF text layers and OCR output) and, so that both sides agree, for
// search queries:
//  - NFKC: full-width ASCII → ASCII (，→ ,  （→ (  ０→0), ideographic space → space, and the Kangxi radicals
//    (U+2F00…) that many Chinese PDF generators emit for common characters (⼯ ⼈ ⾼) → the ordinary ideographs;
//  - control characters (NUL is not even storable in Postgres text), zero-width characters, soft hyphens dropped;
//  - whitespace between CJK characters removed: Tesseract separates every recognised "word" of Chinese with a
//    space ("院 感 培训 制度"), and line wraps split words across lines ("管理办\n法"). Precisely:
//      · spaces/tabs are removed between two CJK characters and between a CJK character and punctuation
//        on either side ("管理 , 提高" → "管理,提高");
//      · a line break is removed between two Han characters (a wrapped line), kept otherwise ("制度。\n一、");
//    Spaces between CJK and Latin letters or digits are kept ("2022 年 4 月" stays as it is): they are often
//    real in born-digital text, so a search index should not depend on their presence either way;
//  - runs of spaces collapsed to one, lines trimmed, blank lines collapsed to one, the whole trimmed.

/** Han ideographs, kana, bopomofo and the CJK symbols & punctuation block (、。《》「」【】…). */
const CJK = String.raw`\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Bopomofo}\u3001-\u303F\u30FC`;
/** Punctuation that may hug a CJK character: ASCII punctuation, general punctuation (“” ‘’ — …), CJK brackets. */
const PUNCT = String.raw`\p{P}\p{S}`;

const SPACE_BETWEEN_CJK = new RegExp(`(?<=[${CJK}])[ \\t]+(?=[${CJK}${PUNCT}])|(?<=[${PUNCT}])[ \\t]+(?=[${CJK}])`, 'gu');
const WRAP_BETWEEN_HAN = /(?<=\p{Script=Han})[ \t]*\n[ \t]*(?=\p{Script=Han})/gu;
// C0/C1 controls except \t and \n; zero-width space/joiners, word joiner, BOM, soft hyphen.
const INVISIBLE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u00AD\u200B-\u200D\u2060\uFEFF]/g;

export function normaliseText(s: string): string {
  let t = s.normalize('NFKC').replace(/\r\n?|[\u2028\u2029\u0085]/g, '\n').replace(INVISIBLE, '');
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
