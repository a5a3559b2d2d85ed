// Persistence of standards: one row per edition, one row per chapter/section/item.
import { createHash } from 'node:crypto';
import type { Db } from '../db/database.ts';
import type { Standard, StandardNodeRow } from '../db/schema.ts';
import { nowIso } from '../ids.ts';
import { codeDepth, type LevelRule, parentCode, type StandardFile } from './standard-schema.ts';

export interface StandardRules {
  grades: string[];
  levels: LevelRule[];
}

export interface LoadedStandard {
  standard: Standard;
  rules: StandardRules;
  nodes: StandardNodeRow[];
}

export class StandardInUseError extends Error {
  constructor(id: string) {
    super(`标准 ${id} 已被档案使用，不能覆盖；请使用新的标准编号导入`);
  }
}

export function contentHash(file: StandardFile): string {
  return createHash('sha256').update(JSON.stringify(file)).digest('hex');
}

/** Inserts or replaces a standard, all or nothing. Refuses to replace one that dossiers use. */
export async function saveStandard(db: Db, file: StandardFile): Promise<'created' | 'replaced' | 'unchanged'> {
  const hash = contentHash(file);
  return db.transaction().execute(async (trx) => {
    const existing = await trx.selectFrom('standards').select(['id', 'content_sha256']).where('id', '=', file.id).executeTakeFirst();
    if (existing?.content_sha256 === hash) return 'unchanged';
    if (existing) {
      const used = await trx.selectFrom('dossiers').select('id').where('standard_id', '=', file.id).executeTakeFirst();
      if (used) throw new StandardInUseError(file.id);
      await trx.deleteFrom('standard_nodes').where('standard_id', '=', file.id).execute();
      await trx.deleteFrom('standards').where('id', '=', file.id).execute();
    }
    await trx
      .insertInto('standards')
      .values({
        id: file.id,
        title: file.title,
        institution_kind: file.institutionKind,
        edition: file.edition,
        demonstration: file.demonstration ? 1 : 0,
        notice: file.notice ?? '',
        rules_json: JSON.stringify({ grades: file.grades, levels: file.levels }),
        content_sha256: hash,
        created_at: nowIso(),
      })
      .execute();
    const rows = file.nodes.map((n, position) => ({
      standard_id: file.id,
      code: n.code,
      depth: codeDepth(n.code),
      parent_code: parentCode(n.code),
      position,
      title: n.title,
      requirement_c: n.requirements?.C ?? '',
      requirement_b: n.requirements?.B ?? '',
      requirement_a: n.requirements?.A ?? '',
      core: n.core ? 1 : 0,
      tier: n.tier ?? null,
      evidence_hints: JSON.stringify(n.evidenceHints ?? []),
      keywords: JSON.stringify(n.keywords ?? []),
    }));
    // Chunked: SQLite limits bound parameters per statement.
    for (let i = 0; i < rows.length; i += 200) await trx.insertInto('standard_nodes').values(rows.slice(i, i + 200)).execute();
    return existing ? 'replaced' : 'created';
  });
}

export async function listStandards(db: Db): Promise<Standard[]> {
  return db.selectFrom('standards').selectAll().orderBy('institution_kind').orderBy('edition', 'desc').execute();
}

// Loaded standards keyed by id and content hash: a standard's rows never change under the same hash, so the
// cache cannot go stale (saveStandard changes the hash when it replaces one). A few hundred KB per edition.
const loadedCache = new Map<string, LoadedStandard>();

export async function loadStandard(db: Db, id: string): Promise<LoadedStandard | null> {
  const standard = await db.selectFrom('standards').selectAll().where('id', '=', id).executeTakeFirst();
  if (!standard) return null;
  const cacheKey = `${id}:${standard.content_sha256}`;
  const cached = loadedCache.get(cacheKey);
  if (cached) return cached;
  const nodes = await db.selectFrom('standard_nodes').selectAll().where('standard_id', '=', id).orderBy('position').execute();
  const loaded = { standard, rules: JSON.parse(standard.rules_json) as StandardRules, nodes };
  if (loadedCache.size > 50) loadedCache.clear();
  loadedCache.set(cacheKey, loaded);
  return loaded;
}

/** The newest edition for an institution kind; demonstration content only when nothing official exists. */
export async function currentStandardFor(db: Db, kind: Standard['institution_kind']): Promise<Standard | null> {
  const row = await db
    .selectFrom('standards')
    .selectAll()
    .where('institution_kind', '=', kind)
    .orderBy('demonstration', 'asc')
    .orderBy('edition', 'desc')
    .orderBy('created_at', 'desc')
    .executeTakeFirst();
  return row ?? null;
}
