// Canonical JSON (RFC 8785-like): the exact bytes a seal hashes. Object keys sorted by UTF-16 code units, no
// whitespace, strings and numbers as ECMAScript's JSON.stringify writes them (shortest round-trip numbers, -0 → 0),
// UTF-8. Only JSON values are accepted: undefined, NaN, ±Infinity, bigint, functions, symbols, Dates and other
// non-plain objects throw, so nothing is silently dropped or converted.
import { createHash } from 'node:crypto';

export class CanonicalJsonError extends TypeError {
  override readonly name = 'CanonicalJsonError';
}

export function canonicalJson(value: unknown): string {
  const out: string[] = [];
  write(value, '$', out, new Set());
  return out.join('');
}

/** SHA-256 (lower-case hex) of the canonical JSON's UTF-8 bytes. */
export function canonicalSha256(value: unknown): string {
  return sha256Hex(canonicalJson(value));
}

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(typeof data === 'string' ? Buffer.from(data, 'utf8') : data).digest('hex');
}

function compareKeys(a: string, b: string): number {
  // UTF-16 code unit order, as RFC 8785 specifies (the default sort order of JS strings).
  return a < b ? -1 : a > b ? 1 : 0;
}

function write(value: unknown, where: string, out: string[], seen: Set<object>): void {
  if (value === null) {
    out.push('null');
    return;
  }
  switch (typeof value) {
    case 'boolean':
      out.push(value ? 'true' : 'false');
      return;
    case 'number':
      if (!Number.isFinite(value)) throw new CanonicalJsonError(`canonicalJson: ${where} is ${value} (not a JSON number)`);
      out.push(JSON.stringify(value)); // shortest round-trip form; -0 → "0"
      return;
    case 'string':
      out.push(JSON.stringify(value)); // escapes lone surrogates, so the output is valid UTF-8
      return;
    case 'object':
      break;
    default:
      throw new CanonicalJsonError(`canonicalJson: ${where} is ${typeof value} (not a JSON value)`);
  }
  const obj = value as object;
  if (seen.has(obj)) throw new CanonicalJsonError(`canonicalJson: ${where} is a circular reference`);
  seen.add(obj);
  if (Array.isArray(obj)) {
    out.push('[');
    for (let i = 0; i < obj.length; i++) {
      if (i > 0) out.push(',');
      if (!(i in obj)) throw new CanonicalJsonError(`canonicalJson: ${where}[${i}] is a hole`);
      write(obj[i], `${where}[${i}]`, out, seen);
    }
    out.push(']');
  } else {
    const proto = Object.getPrototypeOf(obj);
    if (proto !== Object.prototype && proto !== null) {
      throw new CanonicalJsonError(`canonicalJson: ${where} is a ${proto?.constructor?.name ?? 'non-plain'} object (convert it first)`);
    }
    const keys = Object.keys(obj).sort(compareKeys);
    out.push('{');
    keys.forEach((k, i) => {
      if (i > 0) out.push(',');
      out.push(JSON.stringify(k), ':');
      write((obj as Record<string, unknown>)[k], `${where}.${k}`, out, seen);
    });
    out.push('}');
  }
  seen.delete(obj);
}
