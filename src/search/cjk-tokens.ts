// CJK-aware tokens for full-text search, identical on SQLite (FTS5) and Postgres (tsvector).
//
// Chinese has no spaces, and FTS5's `trigram` tokenizer cannot match 2-character words (制度, 培训), so we
// turn text into tokens ourselves (docs/decisions/0006-cjk-search.md):
//   - a run of CJK characters → its overlapping bigrams and every character as a unigram
//     (培训签到 → 培训 训签 签到 + 培 训 签 到). Bigrams find words of 2+ characters; unigrams make a
//     one-character query (药, 年 in "2022年4月") an ordinary token lookup instead of a prefix scan.
//     On Postgres, bigram k and the unigram of character k share position k, so a word's bigrams stand
//     at consecutive positions (phrase search with <->).
//   - whitespace between two CJK characters is layout noise (OCR line breaks) and does not break a run;
//     punctuation does.
//   - a run of other letters/digits (and combining marks) → one lowercased word.
// A query word of n ≥ 2 CJK characters becomes its n−1 bigrams, which must stand together (a phrase);
// a one-character word is its unigram; words are ANDed.

/** The characters indexed as bigrams, as the inside of a regex character class (flag u). */
export const CJK_CLASS = String.raw`\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\u3005\u3007\u30FC`;
const CJK_CHAR = new RegExp(`[${CJK_CLASS}]`, 'u');
/** One CJK run (whitespace inside it allowed) or one word of other letters, digits and combining marks. */
const RUN = new RegExp(`[${CJK_CLASS}](?:\\s*[${CJK_CLASS}])*|(?:(?![${CJK_CLASS}])[\\p{L}\\p{N}\\p{M}])+`, 'gu');
/** In a query, whitespace separates words: 培训 制度 is two words (ANDed), 培训制度 one phrase. */
const QUERY_RUN = new RegExp(`[${CJK_CLASS}]+|(?:(?![${CJK_CLASS}])[\\p{L}\\p{N}\\p{M}])+`, 'gu');
const SPACE = /\s+/gu;
/** What a token may consist of: the index and the FTS/tsquery syntax never see anything else. */
const WORD_CHARS = /[^\p{L}\p{N}\p{M}]/gu;
/** Longer "words" (base64, OCR garbage) are not indexed: Postgres lexemes are limited to 2 KiB. */
const MAX_WORD = 100;
const MAX_QUERY_WORDS = 16;

export function normalizeText(text: string): string {
  return text.normalize('NFKC');
}

export function isCjk(ch: string): boolean {
  return CJK_CHAR.test(ch);
}

/** Tokens with their positions: one position per CJK character (its bigram and unigram) or per word. */
export function positionedTokens(text: string): [token: string, pos: number][] {
  const out: [string, number][] = [];
  let pos = 0;
  for (const m of normalizeText(text).matchAll(RUN)) {
    const run = m[0];
    if (!isCjk(String.fromCodePoint(run.codePointAt(0)!))) {
      // Lowercasing can introduce combining marks (İ → i̇); drop anything the index would treat as a separator.
      const w = run.toLowerCase().replace(WORD_CHARS, '');
      if (w && w.length <= MAX_WORD) out.push([w, ++pos]);
      continue;
    }
    const chars = Array.from(run.replace(SPACE, ''));
    for (let i = 0; i < chars.length; i++) {
      pos++;
      if (i + 1 < chars.length) out.push([chars[i]! + chars[i + 1]!, pos]);
      out.push([chars[i]!, pos]);
    }
  }
  return out;
}

/** The token stream stored in the index for a page of text (space-separated). */
export function tokensForIndex(text: string): string {
  return positionedTokens(text)
    .map(([t]) => t)
    .join(' ');
}

/**
 * A user query as groups of tokens: one group per query word (a CJK run or a Latin/digit word). The tokens of
 * a group must stand together (a phrase), and all groups must match. A CJK word of n ≥ 2 characters gives its
 * n−1 bigrams; a single CJK character gives itself (its unigram). Punctuation, FTS operators and quotes are
 * separators, so they can never reach the search engine; a query of only those gives [].
 */
export function queryTokens(q: string): string[][] {
  const groups: string[][] = [];
  const seen = new Set<string>();
  for (const m of normalizeText(q).slice(0, 500).matchAll(QUERY_RUN)) {
    const run = m[0];
    let tokens: string[];
    if (isCjk(String.fromCodePoint(run.codePointAt(0)!))) {
      const chars = Array.from(run);
      tokens = chars.length === 1 ? chars : chars.slice(0, -1).map((c, i) => c + chars[i + 1]!);
    } else {
      const w = run.toLowerCase().replace(WORD_CHARS, '');
      tokens = w && w.length <= MAX_WORD ? [w] : [];
    }
    if (!tokens.length) continue;
    const key = tokens.join(' ');
    if (seen.has(key)) continue;
    seen.add(key);
    groups.push(tokens);
    if (groups.length >= MAX_QUERY_WORDS) break;
  }
  return groups;
}

/** The text a group stands for, for highlighting: 培训 训签 签到 → 培训签到. */
export function groupSurface(group: string[]): string {
  if (group.length === 1 || !isCjk(group[0]!.charAt(0))) return group[0]!;
  return group[0]! + group.slice(1).map((t) => Array.from(t).slice(1).join('')).join('');
}

/** A token as an FTS5 string literal: never an operator, column filter or prefix. */
export function ftsLiteral(token: string): string {
  return `"${token.replace(/"/g, '""')}"`;
}

/**
 * A plain FTS5 MATCH expression of query groups, or null when nothing is searchable: each group one quoted
 * phrase, ANDed (`"培训 训签 签到" AND "制度"`). For an index with positions (detail=full); the app's index
 * has none and builds its expressions in page-index.ts from the same quoted literals.
 */
export function ftsMatchExpression(groups: string[][]): string | null {
  if (!groups.length) return null;
  return groups.map((g) => ftsLiteral(g.join(' '))).join(' AND ');
}

/** A token as a quoted tsvector/tsquery lexeme: taken as it is, never parsed as an operator. */
export const tsLexeme = (t: string) => `'${t.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;

/**
 * The tsvector with positions that migration 0004 stored in pages.tokens, as a literal ('培训':1 '培':1 '训签':2 …);
 * since migration 0006 the app indexes Postgres pages in page_terms (page-index.ts) and this is used only to test
 * that migration's conversion. Built from our own tokens so that
 * no text-search parser or dictionary can split or change them. Positions above 16383 are clamped by Postgres;
 * at most 256 positions are kept per lexeme, and lexemes up to ~900 kB (a tsvector holds at most 1 MiB).
 */
export function tsVectorLiteral(text: string): string {
  const positions = new Map<string, number[]>();
  for (const [t, p] of positionedTokens(text)) {
    const pos = Math.min(p, 16383);
    const list = positions.get(t);
    if (!list) positions.set(t, [pos]);
    else if (list.length < 256 && list.at(-1) !== pos) list.push(pos);
  }
  // A tsvector holds at most 1 MiB: a freakishly long page keeps its first lexemes.
  const parts: string[] = [];
  let bytes = 0;
  for (const [t, p] of positions) {
    const part = `${tsLexeme(t)}:${p.join(',')}`;
    bytes += Buffer.byteLength(part) + 1;
    if (bytes > 900_000) break;
    parts.push(part);
  }
  return parts.join(' ');
}

/** A tsquery literal: a group's tokens joined with <-> (adjacent), groups with &. */
export function tsQueryLiteral(groups: string[][]): string | null {
  if (!groups.length) return null;
  return groups.map((g) => (g.length === 1 ? tsLexeme(g[0]!) : `(${g.map(tsLexeme).join(' <-> ')})`)).join(' & ');
}
