// The seal chain: one append-only row per submission or decision, holding the canonical manifest exactly as hashed
// and the previous seal's hash (also inside the manifest, so the link itself is hashed). sealDossier runs inside
// the caller's transaction, so a decision and its seal are written together or not at all. Sealing takes the
// dossier's row lock (Postgres; SQLite transactions are serial anyway), so seals of one dossier queue; the unique
// (dossier_id, sequence) constraint is the backstop that makes a concurrent second seal fail instead of forking.
import { PostgresAdapter } from 'kysely';
import type { Db } from '../db/database.ts';
import type { Seal } from '../db/schema.ts';
import { newId } from '../ids.ts';
import { canonicalJson, sha256Hex } from './canonical-json.ts';
import { buildSealManifest, SealError, type SealArgs, type SealManifest } from './seal-manifest.ts';
import type { VerifyProblem, VerifyReport } from './verify-report.ts';

export type { Seal };

/**
 * Another seal got there first. `code` is the database's unique-violation code ('23505' on Postgres,
 * 'SQLITE_CONSTRAINT_UNIQUE') when the (dossier, sequence) constraint fired, so callers that already map unique
 * violations to a "changed meanwhile, reload" answer handle it the same way; 'SEAL_DECISION_SEALED' when the
 * decision already has a seal.
 */
export class SealConflictError extends SealError {
  override readonly name = 'SealConflictError';
  constructor(
    message: string,
    readonly code: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export const SEAL_EVENT_LABELS: Record<string, string> = { submit: '提交', pass: '通过', return: '退回修改', fail: '不通过', final: '终审' };

function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE';
}

/**
 * Seals the dossier's current state: builds the manifest, hashes its canonical JSON, appends the seal. Call it in
 * the same transaction that records the submission or decision, after the dossier's state has been updated. Given
 * a plain database handle it opens its own transaction.
 */
export async function sealDossier(trx: Db, args: SealArgs & { binderBuildId?: string | null }): Promise<Seal> {
  if (!trx.isTransaction) return trx.transaction().execute((t) => sealDossier(t, args));
  if (trx.getExecutor().adapter instanceof PostgresAdapter) {
    // Queue behind any other transaction sealing (or deciding on) this dossier, so the checks below see its
    // seal. The caller usually holds this lock already (it updated the dossier row).
    await trx.selectFrom('dossiers').select('id').where('id', '=', args.dossierId).forUpdate().execute();
  }
  if (args.decisionId) {
    const sealed = await trx.selectFrom('seals').select('sequence').where('decision_id', '=', args.decisionId).executeTakeFirst();
    if (sealed) throw new SealConflictError(`该评审决定已封存（第 ${sealed.sequence} 号封存记录），不能再次封存。`, 'SEAL_DECISION_SEALED');
  }
  const manifest = await buildSealManifest(trx, args);
  const manifestJson = canonicalJson(manifest);
  const seal: Seal = {
    id: newId('seal'),
    dossier_id: args.dossierId,
    sequence: manifest.sequence,
    round: manifest.dossier.round,
    event: args.event,
    decision_id: args.decisionId,
    manifest_json: manifestJson,
    manifest_sha256: sha256Hex(manifestJson),
    previous_sha256: manifest.previous_sha256,
    binder_build_id: args.binderBuildId ?? null,
    created_by: args.actorId,
    created_at: args.at,
  };
  try {
    await trx.insertInto('seals').values(seal).execute();
  } catch (err) {
    if (isUniqueViolation(err)) {
      throw new SealConflictError('档案正在被另一操作同时封存（封存序号冲突），本次操作未生效，请刷新后重试。', String((err as { code: unknown }).code), { cause: err });
    }
    throw err;
  }
  return seal;
}

export async function listSeals(db: Db, dossierId: string): Promise<Seal[]> {
  const rows = await db.selectFrom('seals').selectAll().where('dossier_id', '=', dossierId).orderBy('sequence').execute();
  return rows.map((r) => ({ ...r, sequence: Number(r.sequence), round: Number(r.round) }));
}

export async function findSeal(db: Db, dossierId: string, sequence?: number): Promise<Seal | null> {
  let q = db.selectFrom('seals').selectAll().where('dossier_id', '=', dossierId);
  q = sequence === undefined ? q.orderBy('sequence', 'desc').limit(1) : q.where('sequence', '=', sequence);
  const r = await q.executeTakeFirst();
  return r ? { ...r, sequence: Number(r.sequence), round: Number(r.round) } : null;
}

export function parseManifest(json: string): SealManifest {
  return JSON.parse(json) as SealManifest;
}

/** Database-side check: every manifest re-hashed, every link and sequence checked. */
export async function verifySealChain(db: Db, dossierId: string): Promise<VerifyReport> {
  const seals = await listSeals(db, dossierId);
  const problems: VerifyProblem[] = [];
  let bytes = 0;
  let expected = 1;
  let previous: Seal | null = null;
  for (const s of seals) {
    for (; expected < s.sequence; expected++) {
      problems.push({ kind: 'seal_missing', sequence: expected, message: `缺少第 ${expected} 号封存记录（第 ${s.sequence} 号之前）。` });
    }
    expected = s.sequence + 1;
    bytes += Buffer.byteLength(s.manifest_json, 'utf8');
    const actual = sha256Hex(s.manifest_json);
    if (actual !== s.manifest_sha256) {
      problems.push({
        kind: 'manifest_changed',
        sequence: s.sequence,
        message: `第 ${s.sequence} 号封存的清单内容与记录的 SHA-256 不符（记录 ${s.manifest_sha256}，重新计算 ${actual}）。`,
      });
    }
    let m: SealManifest | null = null;
    try {
      m = parseManifest(s.manifest_json);
    } catch {
      problems.push({ kind: 'manifest_changed', sequence: s.sequence, message: `第 ${s.sequence} 号封存的清单不是有效的 JSON。` });
    }
    if (m) {
      const canonical = (() => {
        try {
          return canonicalJson(m) === s.manifest_json;
        } catch {
          return false;
        }
      })();
      const fields: string[] = [];
      if (!canonical) fields.push('格式（不是规范 JSON）');
      if (m.sequence !== s.sequence) fields.push(`sequence（清单中为 ${String(m.sequence)}）`);
      if (m.event !== s.event) fields.push(`event（清单中为 ${String(m.event)}，记录为 ${s.event}）`);
      if (m.dossier?.id !== dossierId) fields.push('dossier.id');
      if ((m.decision?.id ?? null) !== s.decision_id) fields.push('decision.id');
      if (fields.length > 0) {
        problems.push({ kind: 'manifest_changed', sequence: s.sequence, message: `第 ${s.sequence} 号封存的清单与封存记录不一致：${fields.join('、')}。` });
      }
      if ((m.previous_sha256 ?? null) !== s.previous_sha256) {
        problems.push({
          kind: 'chain_broken',
          sequence: s.sequence,
          message: `第 ${s.sequence} 号封存清单中的上一封存值（${m.previous_sha256 ?? '无'}）与记录（${s.previous_sha256 ?? '无'}）不符。`,
        });
      }
    }
    const want = previous && previous.sequence === s.sequence - 1 ? previous.manifest_sha256 : s.sequence === 1 ? null : undefined;
    if (want !== undefined && s.previous_sha256 !== want) {
      problems.push({
        kind: 'chain_broken',
        sequence: s.sequence,
        message:
          want === null
            ? `第 1 号封存不应有上一封存值，记录为 ${s.previous_sha256}。`
            : `第 ${s.sequence} 号封存记录的上一封存值（${s.previous_sha256 ?? '无'}）与第 ${previous!.sequence} 号的 SHA-256（${want}）不符。`,
      });
    }
    previous = s;
  }
  const last = seals.at(-1);
  return {
    ok: problems.length === 0,
    seals: seals.length,
    files: 0,
    bytes,
    problems,
    dossierId,
    last: last ? { sequence: last.sequence, manifest_sha256: last.manifest_sha256 } : null,
  };
}
