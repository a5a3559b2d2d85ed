// Before and after Tesseract on forms: ruled lines erased from the page image, noise words dropped from the
// reading (src/adapters/rule-lines.ts, src/adapters/ocr-noise.ts).
import { describe, expect, it } from 'vitest';
import { isNoiseWord, textWithoutNoise } from '../../src/adapters/ocr-noise.ts';
import { eraseRuleLines } from '../../src/adapters/rule-lines.ts';

describe('isNoiseWord', () => {
  it('keeps Chinese words however unsure Tesseract is', () => {
    expect(isNoiseWord({ text: '据', confidence: 0 })).toBe(false);
    expect(isNoiseWord({ text: '签到表', confidence: 12 })).toBe(false);
    expect(isNoiseWord({ text: 'A级', confidence: 5 })).toBe(false);
  });
  it('drops unsure Latin fragments and table rules, keeps sure Latin words', () => {
    for (const text of ['[ww', 'wm', 'ETEEOEREIIICIICIT', 'Be']) expect(isNoiseWord({ text, confidence: 45 }), text).toBe(true);
    for (const text of ['|', '[|', '=', '__']) expect(isNoiseWord({ text, confidence: 95 }), text).toBe(true);
    expect(isNoiseWord({ text: 'Dossier', confidence: 93 })).toBe(false);
    expect(isNoiseWord({ text: '(Dossier)', confidence: 88 })).toBe(false);
    expect(isNoiseWord({ text: '  ', confidence: 99 })).toBe(true);
  });
  it('keeps numbers, dates, times and punctuation read with fair confidence', () => {
    for (const text of ['26', '2025.6.12', '14:30', '36.5', '98%', '(3)', '、', '：', ')']) {
      expect(isNoiseWord({ text, confidence: 40 }), text).toBe(false);
      expect(isNoiseWord({ text, confidence: 10 }), text).toBe(true);
    }
  });
});

describe('textWithoutNoise', () => {
  const words = (...ws: [string, number][]) => ws.map(([text, confidence]) => ({ text, confidence }));
  it('rebuilds lines and paragraphs from the kept words; lines left empty disappear', () => {
    const blocks = [
      {
        paragraphs: [
          { lines: [{ words: words(['2025', 92], ['年', 87], ['签到表', 90]) }, { words: words(['[ww', 40], ['|', 80], ['em', 30]) }] },
          { lines: [{ words: words(['李建国', 91], ['wm', 20], ['87', 88]) }] },
        ],
      },
      { paragraphs: [{ lines: [{ words: words(['=', 60]) }] }] },
    ] as unknown as Parameters<typeof textWithoutNoise>[0];
    expect(textWithoutNoise(blocks)).toBe('2025 年 签到表\n\n李建国 87');
  });
  it('is empty for a page of noise', () => {
    expect(textWithoutNoise([{ paragraphs: [{ lines: [{ words: words(['ee', 10]) }] }] }] as unknown as Parameters<typeof textWithoutNoise>[0])).toBe('');
  });
});

describe('eraseRuleLines', () => {
  /** A white page with a 3-row, 3-column grid (2 px rules) and a "character" (an 18 px square with strokes) in a cell. */
  function formPage() {
    const width = 600;
    const height = 400;
    const px = new Uint8Array(width * height).fill(235);
    const set = (x: number, y: number, v = 20) => (px[y * width + x] = v);
    for (const y of [50, 51, 150, 151, 250, 251, 350, 351]) for (let x = 50; x < 551; x++) set(x, y);
    for (const x of [50, 51, 250, 251, 450, 451, 550, 551]) for (let y = 50; y < 352; y++) set(x, y);
    // Anti-aliased edge above the first rule.
    for (let x = 50; x < 551; x++) set(x, 49, 180);
    // The character: a box outline and a cross, 18 × 18, inside the first cell.
    for (let i = 0; i < 18; i++) {
      set(100 + i, 90);
      set(100 + i, 107);
      set(100, 90 + i);
      set(117, 90 + i);
      set(100 + i, 98);
      set(108, 90 + i);
    }
    return { px, width, height };
  }

  it('erases the grid and its anti-aliased edge, and leaves the character alone', () => {
    const { px, width, height } = formPage();
    const before = px.slice();
    const erased = eraseRuleLines(px, width, height);
    expect(erased).toBeGreaterThan(0);
    const dark = (x: number, y: number) => px[y * width + x]! < 140;
    for (const [x, y] of [[60, 50], [300, 151], [250, 200], [551, 300], [450, 60]] as const) expect(dark(x, y), `${x},${y}`).toBe(false);
    expect(px[49 * width + 300]).toBe(255);
    for (let y = 85; y < 115; y++) for (let x = 95; x < 125; x++) expect(px[y * width + x], `${x},${y}`).toBe(before[y * width + x]);
  });

  it('leaves a page without rules as it is', () => {
    const { px, width, height } = formPage();
    const text = new Uint8Array(width * height).fill(235);
    for (let y = 90; y < 108; y++) for (let x = 100; x < 118; x++) text[y * width + x] = px[y * width + x]!;
    const copy = text.slice();
    expect(eraseRuleLines(text, width, height)).toBe(0);
    expect(Buffer.from(text).equals(Buffer.from(copy))).toBe(true);
  });
});
