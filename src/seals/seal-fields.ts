// Field digests: short hashes of a manifest's parts (top-level fields, each item by code, each item's fields, each
// evidence link …) written next to the chain in an archive's chain.json. They decide nothing — the seal's SHA-256
// does — but when a manifest no longer matches its hash they let the verifier name the field that was edited
// ("items[1.2.3].narrative") instead of only the file.
import { canonicalJson, sha256Hex } from './canonical-json.ts';

export type FieldDigests = Record<string, string>;

const DIGEST_HEX = 16; // 64 bits: a diagnostic, not a security boundary
export const FIELD_DIGEST_DEPTH = 4;

function digest(value: unknown): string {
  return sha256Hex(canonicalJson(value)).slice(0, DIGEST_HEX);
}

/** Keys array elements by `code` or `id` when those are unique strings, else by index. */
function elementKeys(arr: unknown[]): string[] {
  for (const field of ['code', 'id']) {
    const keys = arr.map((e) => (e && typeof e === 'object' && !Array.isArray(e) ? (e as Record<string, unknown>)[field] : undefined));
    if (arr.length > 0 && keys.every((k) => typeof k === 'string') && new Set(keys).size === keys.length) return keys as string[];
  }
  return arr.map((_, i) => String(i));
}

export function fieldDigests(manifest: unknown, maxDepth = FIELD_DIGEST_DEPTH): FieldDigests {
  const out: FieldDigests = {};
  const walk = (value: unknown, path: string, depth: number) => {
    if (path) out[path] = digest(value);
    if (depth >= maxDepth || value === null || typeof value !== 'object') return;
    if (Array.isArray(value)) {
      const keys = elementKeys(value);
      value.forEach((v, i) => walk(v, `${path}[${keys[i]}]`, depth + 1));
    } else {
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) walk(v, path ? `${path}.${k}` : k, depth + 1);
    }
  };
  walk(manifest, '', 0);
  return out;
}

export interface FieldDifference {
  path: string;
  change: 'changed' | 'removed' | 'added';
}

/** The most specific differing paths between the recorded digests and those of the manifest as found. */
export function diffFieldDigests(recorded: FieldDigests, found: FieldDigests): FieldDifference[] {
  const differing: FieldDifference[] = [];
  for (const [p, d] of Object.entries(recorded)) {
    if (!(p in found)) differing.push({ path: p, change: 'removed' });
    else if (found[p] !== d) differing.push({ path: p, change: 'changed' });
  }
  for (const p of Object.keys(found)) if (!(p in recorded)) differing.push({ path: p, change: 'added' });
  const paths = new Set(differing.map((d) => d.path));
  const hasDifferingChild = (p: string) => {
    for (const q of paths) if (q !== p && (q.startsWith(`${p}.`) || q.startsWith(`${p}[`))) return true;
    return false;
  };
  const isUnderRemovedOrAdded = (d: FieldDifference) =>
    differing.some((o) => o.change !== 'changed' && o.change === d.change && o.path !== d.path && (d.path.startsWith(`${o.path}.`) || d.path.startsWith(`${o.path}[`)));
  return differing
    .filter((d) => !(d.change === 'changed' && hasDifferingChild(d.path)))
    .filter((d) => !isUnderRemovedOrAdded(d))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

export function describeFieldDifferences(diffs: FieldDifference[], max = 8): string {
  const label = { changed: '被修改', removed: '被删除', added: '被添加' } as const;
  const shown = diffs.slice(0, max).map((d) => `${d.path}（${label[d.change]}）`);
  return shown.join('、') + (diffs.length > max ? ` 等 ${diffs.length} 处` : '');
}
