// Line breaking for mixed Chinese/Latin text by advance widths: a break is allowed between any two CJK
// characters and at spaces, Latin words and numbers stay together when they fit on a line, closing punctuation
// never starts a line and opening punctuation never ends one (the usual 避头尾 rules).

export interface TextMeasure {
  width(text: string, size: number): number;
}

// Characters that must not begin a line (they stick to what precedes them).
const NO_LINE_START = new Set([...'，。、；：？！）］｝〕〉》」』】〗”’…—～·%‰℃,.;:?!)]}%'].map((c) => c.codePointAt(0)!));
// Characters that must not end a line (they stick to what follows them).
const NO_LINE_END = new Set([...'（［｛〔〈《「『【〖“‘([{'].map((c) => c.codePointAt(0)!));

const isSpace = (cp: number) => cp === 0x20 || cp === 0x09 || cp === 0x3000 || cp === 0xa0;
/** Characters that form words with their neighbours (Latin letters, digits, ASCII symbols, Latin-1 letters). */
const isWordChar = (cp: number) => (cp > 0x20 && cp < 0x7f && !NO_LINE_START.has(cp) && !NO_LINE_END.has(cp)) || (cp >= 0xc0 && cp < 0x250);

const SPACE = ' ';

/** Splits a paragraph into unbreakable units (a word, a CJK character with its attached punctuation) and spaces. */
function units(paragraph: string): string[] {
  const out: string[] = [];
  let word = '';
  let glueNext = false;
  const push = (u: string) => {
    if (glueNext && out.length > 0 && out[out.length - 1] !== SPACE) out[out.length - 1] += u;
    else out.push(u);
    glueNext = false;
  };
  const endWord = () => {
    if (word) push(word);
    word = '';
  };
  for (const ch of paragraph) {
    const cp = ch.codePointAt(0)!;
    if (isSpace(cp)) {
      endWord();
      if (out.length > 0 && out[out.length - 1] !== SPACE) out.push(SPACE);
      glueNext = false;
    } else if (isWordChar(cp) || (word && cp > 0x20 && cp < 0x7f)) {
      word += ch;
    } else {
      endWord();
      if (NO_LINE_START.has(cp) && out.length > 0 && out[out.length - 1] !== SPACE) out[out.length - 1] += ch;
      else if (NO_LINE_END.has(cp)) {
        push(ch);
        glueNext = true;
      } else push(ch);
    }
  }
  endWord();
  while (out[out.length - 1] === SPACE) out.pop();
  return out;
}

/** Breaks `text` into lines no wider than `maxWidth` at `size` points; explicit newlines are kept. */
export function wrapText(measure: TextMeasure, text: string, size: number, maxWidth: number): string[] {
  const lines: string[] = [];
  const spaceWidth = measure.width(SPACE, size);
  for (const paragraph of text.replace(/\r\n?/g, '\n').split('\n')) {
    let line = '';
    let lineWidth = 0;
    let pendingSpace = false;
    for (const unit of units(paragraph)) {
      if (unit === SPACE) {
        pendingSpace = line.length > 0;
        continue;
      }
      const w = measure.width(unit, size);
      const gap = pendingSpace ? spaceWidth : 0;
      if (lineWidth + gap + w <= maxWidth) {
        line += (pendingSpace ? SPACE : '') + unit;
        lineWidth += gap + w;
      } else if (w <= maxWidth) {
        if (line) lines.push(line);
        line = unit;
        lineWidth = w;
      } else {
        // A unit wider than the line (a long URL or file name): break it between characters.
        if (pendingSpace && lineWidth + gap < maxWidth) {
          line += SPACE;
          lineWidth += gap;
        }
        for (const ch of unit) {
          const cw = measure.width(ch, size);
          if (lineWidth + cw > maxWidth && line) {
            lines.push(line);
            line = '';
            lineWidth = 0;
          }
          line += ch;
          lineWidth += cw;
        }
      }
      pendingSpace = false;
    }
    lines.push(line);
  }
  return lines;
}

/** The text cut to fit `maxWidth`, with an ellipsis when it was cut. */
export function fitText(measure: TextMeasure, text: string, size: number, maxWidth: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (measure.width(flat, size) <= maxWidth) return flat;
  const ellipsis = '…';
  const room = maxWidth - measure.width(ellipsis, size);
  let out = '';
  let w = 0;
  for (const ch of flat) {
    const cw = measure.width(ch, size);
    if (w + cw > room) break;
    out += ch;
    w += cw;
  }
  return out + ellipsis;
}
