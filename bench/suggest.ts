// npm run bench:suggest — quality of the suggested item mapping (src/search/suggest-items.ts) on the labelled demo
// evidence: 26 documents (src/demo/evidence/manifest.json: each document's items) with their text
// (src/demo/evidence/texts.json, from src/demo/make-demo-evidence-texts.ts), against the basic-tier items of
// standards/township-2023-demo.json (the demo dossier's items). Prints precision@3, recall@3 and hit@3 and writes the
// `## bench:suggest` section of docs/BENCHMARKS.md. test/unit/suggest-items.test.ts asserts a floor on the same figures.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createItemScorer, type ItemForScoring, type ItemSuggestion, type ScoringWeights } from '../src/search/suggest-items.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const EVIDENCE = path.join(ROOT, 'src', 'demo', 'evidence');

interface StandardJson {
  nodes: { code: string; title: string; requirements?: { C: string; B: string; A: string }; keywords?: string[]; evidenceHints?: string[]; core?: boolean; tier?: string }[];
}

/** The demo dossier's items: the basic tier of the demo standard, in file order. */
export function demoItems(): ItemForScoring[] {
  const std = JSON.parse(fs.readFileSync(path.join(ROOT, 'standards', 'township-2023-demo.json'), 'utf8')) as StandardJson;
  return std.nodes
    .filter((n) => n.code.split('.').length === 3 && n.tier === 'basic')
    .map((n) => ({
      code: n.code,
      title: n.title,
      requirements: n.requirements ? [n.requirements.C, n.requirements.B, n.requirements.A] : [],
      keywords: n.keywords ?? [],
      evidenceHints: n.evidenceHints ?? [],
      core: !!n.core,
    }));
}

export interface LabelledDoc {
  file: string;
  title: string;
  text: string;
  items: string[];
}

export function demoFixture(): LabelledDoc[] {
  const manifest = JSON.parse(fs.readFileSync(path.join(EVIDENCE, 'manifest.json'), 'utf8')) as { file: string; title: string; items: string[] }[];
  const texts = JSON.parse(fs.readFileSync(path.join(EVIDENCE, 'texts.json'), 'utf8')) as Record<string, string>;
  return manifest.map((m) => {
    const text = texts[m.file];
    if (text === undefined) throw new Error(`texts.json has no text for ${m.file}: run npx tsx src/demo/make-demo-evidence-texts.ts`);
    return { file: m.file, title: m.title, text, items: m.items };
  });
}

export interface SuggestEvaluation {
  k: number;
  documents: number;
  items: number;
  /** Mean over documents of |top-k ∩ labelled| / k. */
  precision: number;
  /** Mean over documents of |top-k ∩ labelled| / |labelled|. */
  recall: number;
  /** Share of documents with at least one labelled item in the top k. */
  hit: number;
  /** Share of documents whose first suggestion is labelled. */
  top1: number;
  /** The best precision@k reachable with these labels (documents have 1–2 labelled items). */
  maxPrecision: number;
  /** Mean time to score one document against all items, ms. */
  msPerDocument: number;
  perDocument: { file: string; title: string; labelled: string[]; top: ItemSuggestion[]; correct: number }[];
}

export function evaluateSuggestions(docs: LabelledDoc[], items: ItemForScoring[], k = 3, weights?: Partial<ScoringWeights>): SuggestEvaluation {
  const scorer = createItemScorer(items, weights);
  const perDocument: SuggestEvaluation['perDocument'] = [];
  const started = performance.now();
  for (const d of docs) {
    const top = scorer.rank(d.text, d.title).slice(0, k);
    perDocument.push({ file: d.file, title: d.title, labelled: d.items, top, correct: top.filter((s) => d.items.includes(s.itemCode)).length });
  }
  const ms = performance.now() - started;
  const mean = (f: (x: (typeof perDocument)[number]) => number) => perDocument.reduce((s, x) => s + f(x), 0) / perDocument.length;
  return {
    k,
    documents: docs.length,
    items: items.length,
    precision: mean((x) => x.correct / k),
    recall: mean((x) => x.correct / x.labelled.length),
    hit: mean((x) => (x.correct > 0 ? 1 : 0)),
    top1: mean((x) => (x.top[0] && x.labelled.includes(x.top[0].itemCode) ? 1 : 0)),
    maxPrecision: mean((x) => Math.min(k, x.labelled.length) / k),
    msPerDocument: ms / docs.length,
    perDocument,
  };
}

export function evaluateDemoFixture(k = 3, weights?: Partial<ScoringWeights>): SuggestEvaluation {
  return evaluateSuggestions(demoFixture(), demoItems(), k, weights);
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

export function formatEvaluation(e: SuggestEvaluation): string {
  return e.perDocument
    .map((d) => {
      const top = d.top.map((s) => `${d.labelled.includes(s.itemCode) ? '✓' : '·'}${s.itemCode}(${s.score.toFixed(2)})`).join(' ');
      return `${d.correct}/${d.labelled.length}  ${d.file.padEnd(58)} labelled ${d.labelled.join(',').padEnd(12)} top3 ${top}`;
    })
    .join('\n');
}

/** Floors asserted by the unit test; the section shows them as targets. */
export const FLOORS = { hit: 0.85, recall: 0.8, precision: 0.44 } as const;

async function main(): Promise<void> {
  const e = evaluateDemoFixture(3);
  console.log(formatEvaluation(e));
  const row = (name: string, value: string, target = '', ok?: boolean) => `| ${name} | ${value} | ${target} | ${ok === undefined ? '' : ok ? 'PASS' : 'FAIL'} |`;
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  const section = [
    '## bench:suggest',
    '',
    `Suggested mapping (precision@3): for each of the ${e.documents} labelled demo documents (src/demo/evidence/manifest.json, 1–2 items each;`,
    'text from src/demo/evidence/texts.json — scans as their rendered template text, i.e. perfect OCR; PDFs by pdftotext; Word/Excel via LibreOffice),',
    `the top 3 of \`scoreItems\` over the ${e.items} basic-tier items of standards/township-2023-demo.json, compared with the labelled items.`,
    `precision@3 cannot exceed ${pct(e.maxPrecision)} here: most documents prove only 1–2 items.`,
    '',
    '| Metric | Value | Target | Result |',
    '| --- | --- | --- | --- |',
    row('precision@3', pct(e.precision), `≥ ${pct(FLOORS.precision)} (max ${pct(e.maxPrecision)})`, e.precision >= FLOORS.precision),
    row('recall@3', pct(e.recall), `≥ ${pct(FLOORS.recall)}`, e.recall >= FLOORS.recall),
    row('hit@3 (≥ 1 labelled item in the top 3)', pct(e.hit), `≥ ${pct(FLOORS.hit)}`, e.hit >= FLOORS.hit),
    row('top-1 correct', pct(e.top1)),
    row('scoring time per document (all items)', `${e.msPerDocument.toFixed(2)} ms`),
    '',
    `Machine: ${os.cpus().length} × ${cpu}, Node ${process.version}. Date: ${new Date().toISOString().slice(0, 10)}.`,
    '',
  ].join('\n');
  console.log(`\nprecision@3 ${pct(e.precision)}  recall@3 ${pct(e.recall)}  hit@3 ${pct(e.hit)}  top-1 ${pct(e.top1)}  (max precision@3 ${pct(e.maxPrecision)})`);
  const { writeBenchSection } = await import('./bench-server.ts');
  writeBenchSection('suggest', section);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
