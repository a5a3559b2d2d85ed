// Writes src/demo/evidence/texts.json ({ file: text }): the text of each committed demo evidence file, the labelled
// fixture for the suggested-mapping scorer (test/unit/suggest-items.test.ts, bench/suggest.ts). A dev tool only.
// Run:  npx tsx src/demo/make-demo-evidence-texts.ts
//
// Where the text comes from, per kind of file:
//  - scans (.jpg/.png/.tif and image-only .pdf) and the notice-board photo: the HTML the generator
//    (make-demo-evidence.ts) rendered into those images, re-derived by evaluating the generator's template part
//    (everything before its `main`) and turning the HTML into text. The generator draws all its random names
//    and numbers from one seeded PRNG in the same order, so the text is exactly what the images show — i.e. a
//    perfect OCR; real OCR text is noisier.
//  - born-digital PDFs: `pdftotext` (poppler-utils) of the committed file, page by page.
//  - DOCX/XLSX: LibreOffice → PDF (as the app does on upload), then `pdftotext`.
// Text is normalised like the page index stores it: NFKC, whitespace between CJK characters removed.
// Needs esbuild (installed with tsx), poppler-utils and LibreOffice. The generator itself is not changed or run.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { transform } from 'esbuild';

const HERE = dirname(fileURLToPath(import.meta.url));
const EVIDENCE = join(HERE, 'evidence');
const GENERATOR = join(HERE, 'make-demo-evidence.ts');

type Manifest = { file: string; title: string; items: string[] }[];
type Templates = { scans: { file: string; pages: string[] }[]; PHOTO: { file: string }; photoHtml: string };

/** The generator's templates without running it: its source up to `main`, compiled, imported from a data: URL. */
async function loadTemplates(): Promise<Templates> {
  const source = readFileSync(GENERATOR, 'utf8');
  const cut = source.indexOf('// ---------- main ----------');
  if (cut < 0) throw new Error('make-demo-evidence.ts: no "// ---------- main ----------" marker; update this script');
  const head = `${source.slice(0, cut)}\nexport { scans, PHOTO, photoHtml };\n`;
  const { code } = await transform(head, { loader: 'ts', format: 'esm', target: 'es2022' });
  // A data: module cannot resolve bare specifiers or use its own URL as a file path: give it absolute ones.
  const resolved = code
    .replace(/from\s+["']([^"'.][^"']*)["']/g, (m, spec: string) => (spec.startsWith('node:') ? m : `from ${JSON.stringify(import.meta.resolve(spec))}`))
    .replaceAll('import.meta.url', JSON.stringify(pathToFileURL(GENERATOR).href));
  return (await import(`data:text/javascript;base64,${Buffer.from(resolved).toString('base64')}`)) as Templates;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

/** Visible text of rendered HTML: styles dropped, cells and blocks separated, entities decoded. */
export function htmlToText(html: string): string {
  return html
    .replace(/<style[\s\S]*?<\/style>/gi, '')
    .replace(/<(?:br|\/p|\/div|\/h\d|\/tr|\/li|\/table)\b[^>]*>/gi, '\n')
    .replace(/<\/(?:td|th)>/gi, ' ')
    .replace(/<[^>]+>/g, '')
    .replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (m, e: string) =>
      e[0] === '#' ? String.fromCodePoint(parseInt(e.slice(e[1] === 'x' || e[1] === 'X' ? 2 : 1), e[1] === 'x' || e[1] === 'X' ? 16 : 10)) : (ENTITIES[e.toLowerCase()] ?? m),
    );
}

const CJK = String.raw`\p{Script=Han}\u3000-\u303F\uFF00-\uFFEF`;
const CJK_GAP = new RegExp(`(?<=[${CJK}])[ \\t\\u00A0]+(?=[${CJK}])`, 'gu');

/** NFKC, whitespace inside CJK runs removed, runs of spaces and blank lines collapsed. */
export function normalisePageText(text: string): string {
  return text
    .normalize('NFKC')
    .replace(CJK_GAP, '')
    .replace(/[ \t\u00A0]+/g, ' ')
    .replace(/ *\n[\s]*/g, '\n')
    .trim();
}

function pdfText(file: string): string {
  const out = execFileSync('pdftotext', ['-enc', 'UTF-8', file, '-'], { encoding: 'utf8', maxBuffer: 64 << 20 });
  return out
    .split('\f')
    .map(normalisePageText)
    .filter(Boolean)
    .join('\n\n');
}

function officeText(file: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'dossier-demo-texts-'));
  try {
    // A private LibreOffice profile: a shared one blocks when another soffice runs.
    execFileSync('soffice', [`-env:UserInstallation=${pathToFileURL(join(dir, 'profile')).href}`, '--headless', '--convert-to', 'pdf', '--outdir', dir, file], {
      stdio: 'ignore',
      timeout: 180_000,
    });
    const pdf = join(dir, file.split('/').pop()!.replace(/\.[^.]+$/, '.pdf'));
    return pdfText(pdf);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const manifest = JSON.parse(readFileSync(join(EVIDENCE, 'manifest.json'), 'utf8')) as Manifest;
  const t = await loadTemplates();
  const rendered = new Map<string, string[]>(t.scans.map((s) => [s.file, s.pages]));
  rendered.set(t.PHOTO.file, [t.photoHtml]);
  const texts: Record<string, string> = {};
  for (const e of manifest) {
    const path = join(EVIDENCE, e.file);
    const ext = e.file.split('.').pop()!.toLowerCase();
    let text: string;
    let how: string;
    if (rendered.has(e.file)) {
      text = rendered.get(e.file)!.map((p) => normalisePageText(htmlToText(p))).join('\n\n');
      how = 'template';
    } else if (ext === 'pdf') {
      text = pdfText(path);
      how = 'pdftotext';
    } else if (ext === 'docx' || ext === 'xlsx' || ext === 'doc' || ext === 'xls') {
      text = officeText(path);
      how = 'soffice+pdftotext';
    } else throw new Error(`${e.file}: no way to get its text`);
    if (text.length < 50) throw new Error(`${e.file}: only ${text.length} characters of text`);
    texts[e.file] = text;
    console.log(`${e.file.padEnd(58)} ${how.padEnd(18)} ${text.length} chars`);
  }
  const out = join(EVIDENCE, 'texts.json');
  writeFileSync(out, `${JSON.stringify(texts, null, 1)}\n`);
  console.log(`${Object.keys(texts).length} texts → ${out}`);
}

await main();
