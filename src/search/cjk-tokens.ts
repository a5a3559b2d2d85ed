// CJK-aware tokens for full-text search, identical on SQLite (FTS5) and Postgres (tsvector 'simple').
//
// Chinese has no spaces, and FTS5's `trigram` tokenizer cannot match 2-character words (制度, 培训), so we
// turn text into a space-separated token stream ourselves (docs/decisions/0006-cjk-search.md):
//   - a run of CJK characters → overlapping bigrams, plus the run's last character as a unigram
//     (培训签到 → 培训 训签 签到 到; a lone character 年 → 年). The trailing unigram lets a one-character
//     query match as a prefix (药 → tokens starting with 药: every 药 is either the first character of a
//     bigram or the last character of its run).
//   - whitespace between two CJK characters is layout noise (OCR line breaks) and does not break a run;
//     punctuation does.
//   - a run of other letters/digits → one lowercased word.
// A query word becomes the same tokens and must match as a phrase (consecutive positions), so 签到表格
// matches only where the four characters are adjacent; words are ANDed.

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

export function normalizeText(text: string): string {
  return text.normalize('NFKC');
}

function isCjk(ch: string): boolean {
  return CJK_CHAR.test(ch);
}

/** The tokens of one run as matched by RUN or QUERY_RUN. */
function runTokens(run: string): string[] {
  const first = String.fromCodePoint(run.codePointAt(0)!);
  if (!isCjk(first)) {
    // Lowercasing can introduce combining marks (İ → i̇); drop anything the index would treat as a separator.
    const w = run.toLowerCase().replace(WORD_CHARS, '');
    return w && w.length <= MAX_WORD ? [w] : [];
  }
  const chars = Array.from(run.replace(SPACE, ''));
  const out: string[] = [];
  for (let i = 0; i + 1 < chars.length; i++) out.push(chars[i]! + chars[i + 1]!);
  out.push(chars[chars.length - 1]!);
  return out;
}

/** The token stream stored in the index for a page of text. */
export function tokensForIndex(text: string): string {
  const out: string[] = [];
  for (const m of normalizeText(text).matchAll(RUN)) for (const t of runTokens(m[0])) out.push(t);
  return out.join(' ');
}

/**
 * A user query as groups of tokens: one group per query word (a CJK run or a Latin/digit word); the tokens
 * of a group must appear consecutively (a phrase), and all groups must match. A CJK word of n ≥ 2
 * characters gives its n−1 bigrams (the trailing unigram is left out: the word may continue in the text);
 * a single CJK character gives [char], matched as a prefix (see isPrefixGroup). Punctuation, FTS operators
 * and quotes are separators, so they can never reach the search engine; a query of only those gives [].
 */
export function queryTokens(q: string): string[][] {
  const groups: string[][] = [];
  const seen = new Set<string>();
  for (const m of normalizeText(q).slice(0, 500).matchAll(QUERY_RUN)) {
    let tokens = runTokens(m[0]);
    if (tokens.length > 1 && isCjk(tokens[0]!.charAt(0))) tokens = tokens.slice(0, -1);
    if (!tokens.length) continue;
    const key = tokens.join(' ');
    if (seen.has(key)) continue;
    seen.add(key);
    groups.push(tokens);
    if (groups.length >= 16) break;
  }
  return groups;
}

/** A one-character CJK group matches every token starting with that character. */
export function isPrefixGroup(group: string[]): boolean {
  return group.length === 1 && Array.from(group[0]!).length === 1 && isCjk(group[0]!);
}

/** The text a group stands for, for highlighting: 培训 训签 签到 → 培训签到. */
export function groupSurface(group: string[]): string {
  if (!isCjk(group[0]!.charAt(0)) || group.length === 1) return group[0]!;
  return group[0]! + group.slice(1).map((t) => Array.from(t).slice(1).join('')).join('');
}

/** A token as an FTS5 string literal: never an operator, column filter or prefix. */
export function ftsLiteral(token: string): string {
  return `"${token.replace(/"/g, '""')}"`;
}

/**
 * The FTS5 MATCH expression of query groups (column `tokens`), or null when nothing is searchable:
 * `tokens : ("培训 训签 签到" AND "制度" AND "药"*)`. Each group is one quoted phrase.
 */
export function ftsMatchExpression(groups: string[][]): string | null {
  if (!groups.length) return null;
  const parts = groups.map((g) => (isPrefixGroup(g) ? `${ftsLiteral(g[0]!)}*` : ftsLiteral(g.join(' '))));
  return `tokens : (${parts.join(' AND ')})`;
}

/**
 * The Postgres tsvector of a page as a literal ('培训':1 '训签':2,9 …): built from our own tokens, so no
 * text-search parser or dictionary can split or change them (same lexemes as FTS5 on SQLite).
 * Positions above 16383 are clamped by Postgres.
 */
export function tsVectorLiteral(tokenStream: string): string {
  const positions = new Map<string, number[]>();
  let pos = 0;
  for (const t of tokenStream.split(' ')) {
    if (!t) continue;
    pos++;
    const list = positions.get(t);
    if (list) {
      if (list.length < 256) list.push(Math.min(pos, 16383));
    } else positions.set(t, [Math.min(pos, 16383)]);
  }
  const lex = (t: string) => `'${t.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
  return Array.from(positions, ([t, p]) => `${lex(t)}:${p.join(',')}`).join(' ');
}

/** A tsquery literal for Postgres: phrases joined with <->, groups with &, single CJK chars as prefixes. */
export function tsQueryLiteral(groups: string[][]): string | null {
  if (!groups.length) return null;
  const lex = (t: string) => `'${t.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
  const parts = groups.map((g) => {
    if (isPrefixGroup(g)) return `${lex(g[0]!)}:*`;
    return g.length === 1 ? lex(g[0]!) : `(${g.map(lex).join(' <-> ')})`;
  });
  return parts.join(' & ');
}
