// Suggested mapping between documents and dossier items (issue 4, item 4), without any external service.
//
// A document (its title plus the text of all pages of its current version) is matched against each item of a
// dossier: the item's keywords, its title, the material its evidence hints name, and its requirement texts
// (C/B/A). Chinese has no spaces, so everything is compared as CJK character bigrams (培训签到 → 培训 训签 签到)
// and Latin words; keywords are matched as whole substrings.
//
// Weights, strongest first: keyword hits; the item title against the document title; the evidence hints
// (材料类型) against the document title; item-title bigrams in the body; requirement-text bigrams in the body.
// Every keyword and bigram is weighted by its idf over the dossier's items — 制度, 管理, 记录 occur in dozens
// of items and say little; 手卫生, 抢救车, 医疗废物 occur in one or two and say a lot. Body matches are
// BM25-saturated and normalised by the document's length, so a 200-page compilation that mentions everything
// once does not outrank a one-page sign-in sheet about the item.
//
// `scoreItems` is the pure core (unit-tested against the labelled demo evidence, see
// test/unit/suggest-items.test.ts and bench/suggest.ts); the two database functions feed it.
import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import type { User } from '../db/schema.ts';
import { searchPages } from './page-index.ts';

export interface ItemForScoring {
  code: string;
  title: string;
  /** Requirement texts, e.g. [C, B, A]. */
  requirements: string[];
  keywords: string[];
  evidenceHints?: string[];
  core?: boolean;
}

export interface ItemSuggestion {
  itemCode: string;
  title: string;
  core: boolean;
  /** Larger is better; comparable between items for one document and between documents for one item. */
  score: number;
  /** Short Chinese explanations for the UI, e.g. "关键词：培训、签到". */
  reasons: string[];
}

export interface DocumentSuggestion {
  documentId: string;
  title: string;
  documentDate: string | null;
  kind: string;
  pageCount: number | null;
  score: number;
  reasons: string[];
}

// ---------------------------------------------------------------------------------------------------------
// Tunables. Changing them changes the figures of bench/suggest.ts: re-run it and the unit test.

export interface ScoringWeights {
  /** × Σ idf·(body saturation + title hit) / √(keyword count) — typically 0–4. */
  keyword: number;
  /** A keyword in the document title counts this much on top of its body hits. */
  keywordInTitle: number;
  /** × idf-weighted share of the item title's bigrams found in the document title (0–1). */
  title: number;
  /** × the best evidence hint's idf-weighted bigram share in the document title (0–1). */
  hint: number;
  /** × idf-weighted share of the item title's bigrams in the body, saturated (0–1). */
  titleInBody: number;
  /** × idf-weighted share of the requirement texts' bigrams in the body, saturated (0–1). */
  requirement: number;
  /** BM25 term-frequency saturation. */
  k1: number;
  /** BM25 length normalisation (0 = none, 1 = full). */
  b: number;
  /** The "average" document length in bigrams for the length normalisation (≈ one to two pages). */
  referenceLength: number;
}

export const DEFAULT_WEIGHTS: Readonly<ScoringWeights> = {
  keyword: 1.0,
  keywordInTitle: 1.5,
  title: 2.0,
  hint: 1.2,
  titleInBody: 0.8,
  requirement: 1.0,
  k1: 1.2,
  b: 0.75,
  referenceLength: 1000,
};
/** Suggestions below this are noise (a common bigram or two); the database functions leave them out. */
export const MIN_SUGGESTION_SCORE = 1.2;
/** Longer texts are scored on their beginning only: enough to know what a document is about, and bounded time. */
export const MAX_SCORED_CHARS = 200_000;

// ---------------------------------------------------------------------------------------------------------
// Text

// Han characters as explicit ranges (radicals, 々 〇 〡–〩 〸–〻, Ext. A, unified, compatibility, Ext. B–G): what
// \p{Script=Han} matches, as plain ranges.
const HAN = String.raw`\u2E80-\u2FDF\u3005\u3007\u3021-\u3029\u3038-\u303B\u3400-\u4DBF\u4E00-\u9FFF\uF900-\uFAFF\u{20000}-\u{3134F}`;
const HAN_GAP = new RegExp(`(?<=[${HAN}])\\s+(?=[${HAN}])`, 'gu');
/** A CJK run, or a Latin word (letters first: bare numbers like dates and counts say nothing about an item). */
const RUN = new RegExp(`[${HAN}]+|[a-z][a-z0-9]*`, 'gu');
const HAN_CHAR = new RegExp(`[${HAN}]`, 'u');

/** NFKC, lower case, whitespace inside CJK runs removed (OCR line breaks). */
export function normalizeForScoring(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(HAN_GAP, '');
}

/** Bigrams of CJK runs (a one-character run counts as itself) and Latin words, in order, with repeats. */
function grams(normalized: string): string[] {
  const out: string[] = [];
  for (const m of normalized.matchAll(RUN)) {
    const run = m[0];
    if (!HAN_CHAR.test(run[0]!)) {
      if (run.length >= 2) out.push(run);
      continue;
    }
    const chars = Array.from(run);
    if (chars.length === 1) out.push(chars[0]!);
    for (let i = 0; i + 1 < chars.length; i++) out.push(chars[i]! + chars[i + 1]!);
  }
  return out;
}

/** Gram counts of a normalised text (only of the grams in `only`, when given) and the number of all its grams. */
function countGrams(normalized: string, only?: ReadonlySet<string>): { counts: Map<string, number>; total: number } {
  const counts = new Map<string, number>();
  let total = 0;
  const add = (g: string) => {
    total++;
    if (!only || only.has(g)) counts.set(g, (counts.get(g) ?? 0) + 1);
  };
  for (const m of normalized.matchAll(RUN)) {
    const run = m[0];
    if (!HAN_CHAR.test(run[0]!)) {
      if (run.length >= 2) add(run);
      continue;
    }
    const chars = Array.from(run);
    if (chars.length === 1) add(chars[0]!);
    for (let i = 0; i + 1 < chars.length; i++) add(chars[i]! + chars[i + 1]!);
  }
  return { counts, total };
}

function occurrences(haystack: string, needle: string, cap = 50): number {
  if (!needle) return 0;
  if (/^[a-z0-9]+$/.test(needle)) {
    // Latin keywords (DR, PDCA) as whole words only: "dr" must not match inside "address".
    const re = new RegExp(`(?<![a-z0-9])${needle}(?![a-z0-9])`, 'g');
    let n = 0;
    while (n < cap && re.exec(haystack)) n++;
    return n;
  }
  let n = 0;
  for (let i = haystack.indexOf(needle); i >= 0 && n < cap; i = haystack.indexOf(needle, i + needle.length)) n++;
  return n;
}

/** BM25 saturation of a term frequency in a document of `lengthFactor`, scaled to [0, 1). */
function saturate(tf: number, k1LengthFactor: number): number {
  if (tf <= 0) return 0;
  return tf / (tf + k1LengthFactor);
}

// ---------------------------------------------------------------------------------------------------------
// Items, prepared once per dossier

interface Phrase {
  text: string; // normalised
  label: string; // as written, for reasons
  grams: string[]; // unique
}

interface PreparedItem {
  item: ItemForScoring;
  index: number;
  keywords: { text: string; label: string; idf: number }[];
  keywordNorm: number;
  title: Phrase & { idfSum: number };
  hints: (Phrase & { idfSum: number })[];
  requirements: string[]; // normalised, for reasons
  requirementGrams: string[];
  requirementIdfSum: number;
  /** The grams whose body counts the score reads: the title's and the requirements'. */
  bodyGramsUsed: ReadonlySet<string>;
}

export interface ItemScorer {
  /** Every item with a positive score, best first (ties: standard order). */
  rank(docText: string, docTitle: string): ItemSuggestion[];
  /** One item's score for a document, or null for an unknown code. */
  scoreOne(docText: string, docTitle: string, itemCode: string): ItemSuggestion | null;
  readonly items: readonly ItemForScoring[];
}

const unique = <T,>(xs: Iterable<T>): T[] => [...new Set(xs)];

function idfOf(df: number, n: number): number {
  // BM25's idf, floored: a term in every item weighs ~0, a term in one item of 66 about 4.
  return Math.max(0.01, Math.log((n + 1) / (df + 0.5)));
}

/** Prepares the items of one dossier: idf of every keyword and bigram over those items. */
export function createItemScorer(items: readonly ItemForScoring[], weights: Partial<ScoringWeights> = {}): ItemScorer {
  const w = { ...DEFAULT_WEIGHTS, ...weights };
  const n = items.length;
  const itemTexts = items.map((it) =>
    normalizeForScoring([it.title, ...it.keywords, ...(it.evidenceHints ?? []), ...it.requirements].join('\n')),
  );
  const gramDf = new Map<string, number>();
  for (const text of itemTexts) for (const g of new Set(grams(text))) gramDf.set(g, (gramDf.get(g) ?? 0) + 1);
  const gramIdf = (g: string) => idfOf(gramDf.get(g) ?? 0, n);
  const keywordIdf = new Map<string, number>();
  for (const k of unique(items.flatMap((it) => it.keywords.map((x) => normalizeForScoring(x).trim()).filter(Boolean)))) {
    keywordIdf.set(k, idfOf(itemTexts.filter((t) => occurrences(t, k, 1) > 0).length, n));
  }
  const phrase = (text: string) => {
    const norm = normalizeForScoring(text);
    const gs = unique(grams(norm));
    return { text: norm, label: text.trim(), grams: gs, idfSum: gs.reduce((s, g) => s + gramIdf(g), 0) };
  };
  const prepared: PreparedItem[] = items.map((item, index) => {
    const keywords: PreparedItem['keywords'] = [];
    for (const label of item.keywords) {
      const text = normalizeForScoring(label).trim();
      if (text && !keywords.some((k) => k.text === text)) keywords.push({ text, label: label.trim(), idf: keywordIdf.get(text)! });
    }
    const requirements = item.requirements.map((r) => normalizeForScoring(r).replace(/^在[abc]基础上[,，]?/u, ''));
    const requirementGrams = unique(requirements.flatMap(grams));
    const title = phrase(item.title);
    return {
      item,
      index,
      keywords,
      keywordNorm: Math.sqrt(Math.max(1, keywords.length)),
      title,
      hints: (item.evidenceHints ?? []).map(phrase).filter((h) => h.grams.length > 0),
      requirements,
      requirementGrams,
      requirementIdfSum: requirementGrams.reduce((s, g) => s + gramIdf(g), 0),
      bodyGramsUsed: new Set([...title.grams, ...requirementGrams]),
    };
  });
  const byCode = new Map(prepared.map((p) => [p.item.code, p]));

  /** What the scoring needs of a document; `only`: count just these grams (scoring a single item). */
  function features(docText: string, docTitle: string, only?: ReadonlySet<string>) {
    const title = normalizeForScoring(docTitle);
    const body = `${title}\n${normalizeForScoring(docText.length > MAX_SCORED_CHARS ? docText.slice(0, MAX_SCORED_CHARS) : docText)}`;
    const { counts: bodyGrams, total: length } = countGrams(body, only);
    const lengthFactor = w.k1 * (1 - w.b + (w.b * length) / w.referenceLength);
    const keywordHits = new Map<string, number>();
    return {
      title,
      body,
      bodyGrams,
      titleGrams: new Set(grams(title)),
      lengthFactor,
      hits(k: string) {
        let v = keywordHits.get(k);
        if (v === undefined) keywordHits.set(k, (v = occurrences(body, k)));
        return v;
      },
    };
  }
  type Features = ReturnType<typeof features>;

  function score(p: PreparedItem, f: Features): ItemSuggestion {
    const reasons: string[] = [];
    // Keywords
    let kw = 0;
    const kwHits: { text: string; label: string; w: number }[] = [];
    for (const k of p.keywords) {
      const inTitle = f.title.includes(k.text) ? 1 : 0;
      const tf = f.hits(k.text);
      const v = k.idf * (saturate(tf, f.lengthFactor) + w.keywordInTitle * inTitle);
      if (v > 0) kwHits.push({ text: k.text, label: k.label, w: v });
      kw += v;
    }
    kw /= p.keywordNorm;
    // Item title against the document title, and in the body
    let titleHit = 0;
    let titleBody = 0;
    for (const g of p.title.grams) {
      const idf = gramIdf(g);
      if (f.titleGrams.has(g)) titleHit += idf;
      titleBody += idf * saturate(f.bodyGrams.get(g) ?? 0, f.lengthFactor);
    }
    const titleShare = p.title.idfSum > 0 ? titleHit / p.title.idfSum : 0;
    const titleBodyShare = p.title.idfSum > 0 ? titleBody / p.title.idfSum : 0;
    // Evidence hints (the kind of material) against the document title
    let hintShare = 0;
    let bestHint = '';
    for (const h of p.hints) {
      if (h.idfSum <= 0) continue;
      let hit = 0;
      for (const g of h.grams) if (f.titleGrams.has(g)) hit += gramIdf(g);
      const share = hit / h.idfSum;
      if (share > hintShare) [hintShare, bestHint] = [share, h.label];
    }
    // Requirement texts in the body
    let req = 0;
    for (const g of p.requirementGrams) req += gramIdf(g) * saturate(f.bodyGrams.get(g) ?? 0, f.lengthFactor);
    const reqShare = p.requirementIdfSum > 0 ? req / p.requirementIdfSum : 0;

    const total = w.keyword * kw + w.title * titleShare + w.hint * hintShare + w.titleInBody * titleBodyShare + w.requirement * reqShare;

    if (kwHits.length) {
      kwHits.sort((a, b) => b.w - a.w);
      reasons.push(`关键词：${kwHits.slice(0, 4).map((h) => h.label).join('、')}`);
    }
    const shown = new Set(kwHits.map((h) => h.text));
    if (titleShare >= 0.3) {
      const parts = matchedSegments(p.title.text, (g) => f.titleGrams.has(g)).filter((s) => !shown.has(s));
      if (parts.length) reasons.push(`标题相近：${parts.slice(0, 3).join('、')}`);
      parts.forEach((s) => shown.add(s));
    }
    if (hintShare >= 0.5) reasons.push(`材料类型：${bestHint}`);
    if (w.requirement * reqShare >= 0.1) {
      const segs = unique(p.requirements.flatMap((r) => matchedSegments(r, (g) => f.bodyGrams.has(g))))
        .filter((s) => !shown.has(s) && ![...shown].some((x) => x.includes(s) || s.includes(x)))
        .map((s) => ({ s, mass: grams(s).reduce((a, g) => a + gramIdf(g), 0) }))
        .filter((x) => x.mass >= 1.5)
        .sort((a, b) => b.mass - a.mass || compareStrings(a.s, b.s));
      if (segs.length) reasons.push(`要求相关：${segs.slice(0, 3).map((x) => x.s).join('、')}`);
    }
    return { itemCode: p.item.code, title: p.item.title, core: !!p.item.core, score: round(total), reasons };
  }

  return {
    items,
    rank(docText, docTitle) {
      if (!docText.trim() && !docTitle.trim()) return [];
      const f = features(docText, docTitle);
      return prepared
        .map((p) => ({ p, s: score(p, f) }))
        .filter((x) => x.s.score > 0)
        .sort((a, b) => b.s.score - a.s.score || a.p.index - b.p.index)
        .map((x) => x.s);
    },
    scoreOne(docText, docTitle, itemCode) {
      const p = byCode.get(itemCode);
      if (!p) return null;
      return score(p, features(docText, docTitle, p.bodyGramsUsed));
    },
  };
}

/** Every item with a positive score for the document, best first. */
export function scoreItems(docText: string, docTitle: string, items: readonly ItemForScoring[], weights?: Partial<ScoringWeights>): ItemSuggestion[] {
  return createItemScorer(items, weights).rank(docText, docTitle);
}

const round = (x: number) => Math.round(x * 1000) / 1000;
/** Code-unit order: the same on every machine (localeCompare depends on the ICU locale). */
const compareStrings = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Function characters a shown reason should neither start nor end with: a stretch that runs across a word
 * boundary ("负责制和" → "制和") is trimmed to its words, and a lone fragment disappears.
 */
const PARTICLES = new Set(Array.from('和与及或并等的之对在按由为了是其'));

/** Maximal stretches (≥ 2 CJK characters) of `text` covered by bigrams accepted by `has`, particles trimmed. */
function matchedSegments(text: string, has: (g: string) => boolean): string[] {
  const out: string[] = [];
  const push = (chars: string[]) => {
    let a = 0;
    let b = chars.length;
    while (a < b && PARTICLES.has(chars[a]!)) a++;
    while (b > a && PARTICLES.has(chars[b - 1]!)) b--;
    if (b - a >= 2) out.push(chars.slice(a, b).join(''));
  };
  for (const m of text.matchAll(new RegExp(`[${HAN}]+`, 'gu'))) {
    const chars = Array.from(m[0]);
    let start = -1;
    for (let i = 0; i + 1 < chars.length; i++) {
      const hit = has(chars[i]! + chars[i + 1]!);
      if (hit && start < 0) start = i;
      if (!hit && start >= 0) {
        push(chars.slice(start, i + 1));
        start = -1;
      }
    }
    if (start >= 0) push(chars.slice(start));
  }
  return unique(out);
}

// ---------------------------------------------------------------------------------------------------------
// Database

/** Pages read per document for scoring. */
const MAX_SCORED_PAGES = 300;
/** Documents fully scored for one item, after the keyword pre-filter. */
const MAX_CANDIDATES = 200;

function parseList(json: string): string[] {
  try {
    const v = JSON.parse(json) as unknown;
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}

/** The dossier's items with what the scorer needs, in standard order. */
export async function dossierItemsForScoring(db: Db, dossierId: string): Promise<ItemForScoring[]> {
  const rows = await db
    .selectFrom('dossier_items')
    .innerJoin('dossiers', 'dossiers.id', 'dossier_items.dossier_id')
    .innerJoin('standard_nodes', (j) =>
      j.onRef('standard_nodes.standard_id', '=', 'dossiers.standard_id').onRef('standard_nodes.code', '=', 'dossier_items.item_code'),
    )
    .select([
      'standard_nodes.code',
      'standard_nodes.title',
      'standard_nodes.requirement_c',
      'standard_nodes.requirement_b',
      'standard_nodes.requirement_a',
      'standard_nodes.keywords',
      'standard_nodes.evidence_hints',
      'standard_nodes.core',
    ])
    .where('dossier_items.dossier_id', '=', dossierId)
    .orderBy('standard_nodes.position')
    .execute();
  return rows.map((r) => ({
    code: r.code,
    title: r.title,
    requirements: [r.requirement_c, r.requirement_b, r.requirement_a].filter(Boolean),
    keywords: parseList(r.keywords),
    evidenceHints: parseList(r.evidence_hints),
    core: !!Number(r.core),
  }));
}

/**
 * Scorers of recently used dossiers: preparing 300 items (idf of every keyword and bigram) takes tens of ms, and
 * a dossier's items do not change. Keyed by dossier, checked against the items themselves.
 */
const scorerCache = new Map<string, { key: string; scorer: ItemScorer }>();
const SCORER_CACHE_SIZE = 32;

function scorerFor(dossierId: string, items: ItemForScoring[]): ItemScorer {
  const key = JSON.stringify(items);
  const hit = scorerCache.get(dossierId);
  scorerCache.delete(dossierId);
  const entry = hit && hit.key === key ? hit : { key, scorer: createItemScorer(items) };
  scorerCache.set(dossierId, entry);
  if (scorerCache.size > SCORER_CACHE_SIZE) scorerCache.delete(scorerCache.keys().next().value!);
  return entry.scorer;
}

/** Page texts of versions, joined per version in page order (capped). */
async function versionTexts(db: Db, versionIds: string[]): Promise<Map<string, string>> {
  const out = new Map<string, string[]>();
  for (let i = 0; i < versionIds.length; i += 200) {
    const chunk = versionIds.slice(i, i + 200);
    const rows = await db
      .selectFrom('pages')
      .select(['version_id', 'page_no', 'text'])
      .where('version_id', 'in', chunk)
      .where('page_no', '<=', MAX_SCORED_PAGES)
      .orderBy('version_id')
      .orderBy('page_no')
      .execute();
    for (const r of rows) {
      const list = out.get(r.version_id) ?? [];
      list.push(r.text ?? '');
      out.set(r.version_id, list);
    }
  }
  return new Map([...out].map(([v, pages]) => [v, pages.join('\n').slice(0, MAX_SCORED_CHARS)]));
}

/**
 * The items of a dossier a document most likely proves, best first; items the document is already linked to
 * in this dossier are left out, and so are weak matches (score < MIN_SUGGESTION_SCORE). Scope checks (may the
 * user see the document and the dossier) are the caller's; a document of another institution gives [].
 */
export async function suggestItemsForDocument(
  db: Db,
  args: { documentId: string; dossierId: string; limit?: number; minScore?: number },
): Promise<ItemSuggestion[]> {
  const limit = args.limit ?? 3;
  const doc = await db
    .selectFrom('documents')
    .innerJoin('dossiers', 'dossiers.institution_id', 'documents.institution_id')
    .select(['documents.title', 'documents.current_version_id'])
    .where('documents.id', '=', args.documentId)
    .where('dossiers.id', '=', args.dossierId)
    .executeTakeFirst();
  if (!doc) return [];
  const [items, linked, texts] = await Promise.all([
    dossierItemsForScoring(db, args.dossierId),
    db.selectFrom('item_evidence').select('item_code').where('dossier_id', '=', args.dossierId).where('document_id', '=', args.documentId).execute(),
    doc.current_version_id ? versionTexts(db, [doc.current_version_id]) : Promise.resolve(new Map<string, string>()),
  ]);
  const skip = new Set(linked.map((l) => l.item_code));
  const text = doc.current_version_id ? (texts.get(doc.current_version_id) ?? '') : '';
  return scorerFor(args.dossierId, items)
    .rank(text, doc.title)
    .filter((s) => !skip.has(s.itemCode) && s.score >= (args.minScore ?? MIN_SUGGESTION_SCORE))
    .slice(0, limit);
}

const likePattern = (s: string) => `%${s.replace(/[\\%_]/g, (m) => `\\${m}`)}%`;

/** Pages read per document by the LIKE pre-filter (without a user): bounds the scan for very long documents. */
const LIKE_SCAN_PAGES = 50;
/** Pages taken per term from the page index (its maximum page size). */
const INDEX_HITS_PER_TERM = 100;

/**
 * The institution's documents (not in the recycle bin, not yet linked to the item) that most likely prove one
 * item of a dossier, best first. A pre-filter keeps the documents whose title or page text contains one of the
 * item's keywords or evidence hints — through the page index (searchPages, one query per term) when `user` is
 * given, else one LIKE pass over the institution's pages — at most MAX_CANDIDATES of them, most matching pages
 * first; those are then scored in full. Scope checks are the caller's (`user` only narrows the index queries).
 */
export async function suggestDocumentsForItem(
  db: Db,
  args: { dossierId: string; itemCode: string; limit?: number; minScore?: number; user?: User },
): Promise<DocumentSuggestion[]> {
  const limit = args.limit ?? 5;
  const dossier = await db.selectFrom('dossiers').select(['id', 'institution_id']).where('id', '=', args.dossierId).executeTakeFirst();
  if (!dossier) return [];
  const items = await dossierItemsForScoring(db, dossier.id);
  const item = items.find((i) => i.code === args.itemCode);
  if (!item) return [];
  const scorer = scorerFor(dossier.id, items);

  // Pre-filter terms: keywords and hints, or the title's bigrams for an item without keywords.
  let terms = unique([...item.keywords, ...(item.evidenceHints ?? [])].map((t) => normalizeForScoring(t).trim()).filter((t) => t.length >= 2));
  if (!terms.length) terms = unique(grams(normalizeForScoring(item.title)).filter((g) => g.length >= 2));
  terms = terms.slice(0, 12);
  if (!terms.length) return [];

  const linkedIds = db.selectFrom('item_evidence').select('document_id').where('dossier_id', '=', dossier.id).where('item_code', '=', item.code);
  const titleHits = await db
    .selectFrom('documents')
    .select('documents.id')
    .where('documents.institution_id', '=', dossier.institution_id)
    .where('documents.trashed_at', 'is', null)
    .where('documents.id', 'not in', linkedIds)
    .where((eb) => eb.or(terms.map((t) => sql<boolean>`documents.title like ${likePattern(t)} escape '\\'`)))
    .orderBy('documents.updated_at', 'desc')
    .orderBy('documents.id')
    .limit(MAX_CANDIDATES)
    .execute();

  // Documents by number of matching pages.
  const pageHits = new Map<string, number>();
  if (args.user) {
    for (const term of terms) {
      const result = await searchPages(db, args.user, { q: term, limit: INDEX_HITS_PER_TERM });
      for (const h of result.hits) pageHits.set(h.documentId, (pageHits.get(h.documentId) ?? 0) + 1);
    }
  } else {
    const anyTerm = sql.join(
      terms.map((t) => sql`pages.text like ${likePattern(t)} escape '\\'`),
      sql` or `,
    );
    const rows = await db
      .selectFrom('documents')
      .innerJoin('pages', 'pages.version_id', 'documents.current_version_id')
      .select(['documents.id', (eb) => eb.fn.countAll<number>().as('n')])
      .where('documents.institution_id', '=', dossier.institution_id)
      .where('documents.trashed_at', 'is', null)
      .where('documents.id', 'not in', linkedIds)
      .where('pages.page_no', '<=', LIKE_SCAN_PAGES)
      .where(sql<boolean>`(${anyTerm})`)
      .groupBy('documents.id')
      .execute();
    for (const r of rows) pageHits.set(r.id, Number(r.n));
  }
  const byHits = [...pageHits].sort((a, b) => b[1] - a[1] || compareStrings(a[0], b[0])).map(([id]) => id);
  const ids = unique([...titleHits.map((r) => r.id), ...byHits]).slice(0, MAX_CANDIDATES);
  if (!ids.length) return [];

  const docs = await db
    .selectFrom('documents')
    .innerJoin('document_versions', 'document_versions.id', 'documents.current_version_id')
    .select(['documents.id', 'documents.title', 'documents.document_date', 'documents.current_version_id', 'document_versions.kind', 'document_versions.page_count'])
    .where('documents.id', 'in', ids)
    .where('documents.institution_id', '=', dossier.institution_id)
    .where('documents.trashed_at', 'is', null)
    .where('documents.id', 'not in', linkedIds)
    .execute();
  const texts = await versionTexts(
    db,
    docs.map((d) => d.current_version_id!),
  );
  const min = args.minScore ?? MIN_SUGGESTION_SCORE;
  return docs
    .map((d) => ({ d, s: scorer.scoreOne(texts.get(d.current_version_id!) ?? '', d.title, item.code)! }))
    .filter((x) => x.s.score >= min)
    .sort((a, b) => b.s.score - a.s.score || compareStrings(a.d.title, b.d.title) || compareStrings(a.d.id, b.d.id))
    .slice(0, limit)
    .map(({ d, s }) => ({
      documentId: d.id,
      title: d.title,
      documentDate: d.document_date,
      kind: d.kind,
      pageCount: d.page_count,
      score: s.score,
      reasons: s.reasons,
    }));
}
