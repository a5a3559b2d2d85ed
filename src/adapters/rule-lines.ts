// Ruled lines of forms and tables (签到表, 台账, 登记表) erased before OCR. Tesseract reads a page as one block
// of text (page segmentation mode 6, see ocr.ts), and in that mode it does not remove a table's grid first:
// the rules cut every row into fragments it reads as Latin noise ("[ww | em | w= |"), and the names and
// figures in the cells are lost. A rule is a run of dark pixels far longer than any stroke of a character;
// erasing such runs, row by row and column by column, leaves the cells' text standing on white.

/** Darker than this (0–255) is ink. */
const INK = 140;
/** Next to an erased run, pixels darker than this are the rule's anti-aliased edge and are erased too. */
const EDGE = 210;

/**
 * Erases horizontal and vertical rules in an 8-bit one-channel image, in place. A rule is a straight run of ink
 * at least `minRun` pixels long (default: 1/12 of the page width, ~17 mm on A4 — four or more characters).
 * Returns the number of runs erased.
 */
export function eraseRuleLines(pixels: Uint8Array, width: number, height: number, minRun = Math.max(40, Math.round(width / 12))): number {
  // Found on the untouched image first, erased after: a horizontal rule must not break a vertical one apart.
  const runs: { at: number; from: number; to: number; across: boolean }[] = [];
  for (let y = 0; y < height; y++) {
    const row = y * width;
    let start = -1;
    for (let x = 0; x <= width; x++) {
      const ink = x < width && pixels[row + x]! < INK;
      if (ink && start < 0) start = x;
      else if (!ink && start >= 0) {
        if (x - start >= minRun) runs.push({ at: y, from: start, to: x, across: true });
        start = -1;
      }
    }
  }
  for (let x = 0; x < width; x++) {
    let start = -1;
    for (let y = 0; y <= height; y++) {
      const ink = y < height && pixels[y * width + x]! < INK;
      if (ink && start < 0) start = y;
      else if (!ink && start >= 0) {
        if (y - start >= minRun) runs.push({ at: x, from: start, to: y, across: false });
        start = -1;
      }
    }
  }
  for (const r of runs) {
    if (r.across) {
      const row = r.at * width;
      for (let x = r.from; x < r.to; x++) {
        pixels[row + x] = 255;
        if (r.at > 0 && pixels[row - width + x]! < EDGE) pixels[row - width + x] = 255;
        if (r.at + 1 < height && pixels[row + width + x]! < EDGE) pixels[row + width + x] = 255;
      }
    } else {
      for (let y = r.from; y < r.to; y++) {
        const i = y * width + r.at;
        pixels[i] = 255;
        if (r.at > 0 && pixels[i - 1]! < EDGE) pixels[i - 1] = 255;
        if (r.at + 1 < width && pixels[i + 1]! < EDGE) pixels[i + 1] = 255;
      }
    }
  }
  return runs.length;
}
