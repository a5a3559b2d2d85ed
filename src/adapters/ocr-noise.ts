// Tesseract reads the ruled lines, stamps and handwriting of a scanned form (签到表, 台账) as Latin "words":
// "[ww | em | w= |", "ETEEOEREIIICIICIT". Stored as page text they fill search snippets with noise and the index
// with junk tokens. Tesseract's own word confidences tell them apart: such words have no Chinese character and
// low confidence, while real Latin text on these pages (dates, numbers, "Dossier") is read with high confidence.
// Chinese words are always kept, however unsure — a doubtful character is still better found than lost.
import type Tesseract from 'tesseract.js';

/** A word without a Han character is kept only when Tesseract is at least this sure of it… */
export const MIN_LATIN_WORD_CONFIDENCE = 70;
/** …or, for a number, a date, a time or punctuation (、 ： ）), this sure: noise is rarely all digits, and
 *  Tesseract is often unsure of punctuation it reads right. */
export const MIN_NUMBER_CONFIDENCE = 30;
const NUMBER_OR_PUNCTUATION = /^(?:[(（]?\d+(?:[.,:/%-]\d+)*[%)）]?|\p{P}+)$/u;
const HAN = /\p{Script=Han}/u;
/** Table rules and box edges read as characters. */
const RULE_MARKS = /^[|[\]{}_=]+$/;

export function isNoiseWord(word: { text: string; confidence: number }): boolean {
  const text = word.text.trim();
  if (!text) return true;
  if (HAN.test(text)) return false;
  if (RULE_MARKS.test(text)) return true;
  return word.confidence < (NUMBER_OR_PUNCTUATION.test(text) ? MIN_NUMBER_CONFIDENCE : MIN_LATIN_WORD_CONFIDENCE);
}

type Blocks = Pick<Tesseract.Block, 'paragraphs'>[];

/**
 * The page text from Tesseract's word list without noise words: words of a line joined by spaces, lines by
 * newlines, paragraphs by a blank line (the layout of Tesseract's own text output); lines left empty dropped.
 */
export function textWithoutNoise(blocks: Blocks): string {
  const paragraphs: string[] = [];
  for (const block of blocks) {
    for (const paragraph of block.paragraphs) {
      const lines = paragraph.lines.map((line) => line.words.filter((w) => !isNoiseWord(w)).map((w) => w.text.trim()).join(' ')).filter(Boolean);
      if (lines.length > 0) paragraphs.push(lines.join('\n'));
    }
  }
  return paragraphs.join('\n\n');
}
