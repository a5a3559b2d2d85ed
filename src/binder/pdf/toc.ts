// The contents pages of a volume: chapter / section / item with the page each starts on, every entry a link.
// Laid out before the volume's pages are written (the number of contents pages must be known to number the rest)
// and rendered at the end, when the page numbers are: numbers sit in a fixed column so they never change the layout.
import { wrapText } from './text-layout.ts';
import { A4_HEIGHT, A4_WIDTH, CONTENT_WIDTH, MARGIN, newPage, type LaidPage, type Measures } from './sheet-layout.ts';

export interface TocEntry {
  level: 0 | 1 | 2;
  text: string;
  /** Key the page index is looked up by when rendering. */
  target: string;
}

interface PlacedEntry {
  entry: TocEntry;
  lines: string[];
  /** Baseline of each line. */
  ys: number[];
}

export interface TocLayout {
  pages: PlacedEntry[][];
  title: string;
}

const SIZE = [11.5, 10.5, 10] as const;
const LEADING = 17;
const INDENT = 18;
const NUMBER_COLUMN = 46;
const FIRST_TOP = A4_HEIGHT - MARGIN.top - 70;
const NEXT_TOP = A4_HEIGHT - MARGIN.top - 34;

// Wrapped lines per entry, per set of measures: volume planning lays out the contents many times over.
const wrapCache = new WeakMap<Measures, Map<string, string[]>>();

export function layoutToc(m: Measures, entries: TocEntry[], title: string): TocLayout {
  let cache = wrapCache.get(m);
  if (!cache) wrapCache.set(m, (cache = new Map()));
  const pages: PlacedEntry[][] = [[]];
  let y = FIRST_TOP;
  for (const entry of entries) {
    const bold = entry.level === 0;
    const indent = entry.level * INDENT;
    const before = entry.level === 0 ? 8 : 0;
    const key = `${entry.level}:${entry.text}`;
    let lines = cache.get(key);
    if (!lines) cache.set(key, (lines = wrapText(bold ? m.bold : m.regular, entry.text, SIZE[entry.level], CONTENT_WIDTH - indent - NUMBER_COLUMN - 12)));
    const height = before + lines.length * LEADING;
    if (y - height < MARGIN.bottom && pages[pages.length - 1]!.length > 0) {
      pages.push([]);
      y = NEXT_TOP;
    }
    y -= before;
    const ys = lines.map(() => (y -= LEADING) + 4);
    pages[pages.length - 1]!.push({ entry, lines, ys });
  }
  return { pages, title };
}

/**
 * The contents pages with page numbers: `pageOf(target)` gives the target's page index in the document (for the
 * link) and `printed(index)` the number printed for that page.
 */
export function renderToc(m: Measures, layout: TocLayout, pageOf: (target: string) => number, printed: (index: number) => number): LaidPage[] {
  const right = A4_WIDTH - MARGIN.right;
  return layout.pages.map((placed, pi) => {
    const page = newPage();
    page.links = [];
    if (pi === 0) {
      page.ops.push({ t: 'text', x: A4_WIDTH / 2 + (MARGIN.left - MARGIN.right) / 2, y: A4_HEIGHT - MARGIN.top - 26, s: '目　　录', size: 20, bold: true, align: 'center' });
      page.ops.push({ t: 'text', x: A4_WIDTH / 2 + (MARGIN.left - MARGIN.right) / 2, y: A4_HEIGHT - MARGIN.top - 46, s: layout.title, size: 10, gray: 0.4, align: 'center' });
    } else {
      page.ops.push({ t: 'text', x: MARGIN.left, y: A4_HEIGHT - MARGIN.top - 12, s: '目录（续）', size: 11, bold: true, gray: 0.3 });
    }
    for (const { entry, lines, ys } of placed) {
      const bold = entry.level === 0;
      const size = SIZE[entry.level];
      const x = MARGIN.left + entry.level * INDENT;
      lines.forEach((line, i) => page.ops.push({ t: 'text', x, y: ys[i]!, s: line, size, bold }));
      const index = pageOf(entry.target);
      const numberText = String(printed(index));
      const lastY = ys[ys.length - 1]!;
      const textEnd = x + (bold ? m.bold : m.regular).width(lines[lines.length - 1]!, size);
      const numberStart = right - (bold ? m.bold : m.regular).width(numberText, size);
      if (numberStart - textEnd > 12) {
        page.ops.push({ t: 'line', x1: textEnd + 4, y1: lastY + 1, x2: numberStart - 4, y2: lastY + 1, width: 0.7, gray: 0.45, dash: [0.7, 2.3] });
      }
      page.ops.push({ t: 'text', x: right, y: lastY, s: numberText, size, bold, align: 'right' });
      page.links!.push({ rect: [x - 2, lastY - 5, right + 2, ys[0]! + size + 1], page: index });
    }
    return page;
  });
}
