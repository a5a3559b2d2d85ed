// `dossier seal export|list|verify`. `verify` needs no database: main.ts calls sealVerifyCommand before opening one.
import path from 'node:path';
import { createObjectStore } from '../adapters/object-store/create-object-store.ts';
import type { Config } from '../config.ts';
import type { Db } from '../db/database.ts';
import { SealNotFoundError, writeSealArchive } from '../seals/seal-archive.ts';
import { listSeals, SEAL_EVENT_LABELS, verifySealChain } from '../seals/seal-chain.ts';
import { verifySealArchive } from '../seals/seal-verify.ts';
import { formatVerifyReport } from '../seals/verify-report.ts';
import { CliError, parseCliArgs } from './cli-error.ts';

export const SEAL_USAGE = `用法:
  dossier seal export DOSSIER_ID --out FILE.zip [--sequence N]   导出最后一次（或第 N 号）封存的封存包
  dossier seal list DOSSIER_ID [--json]                          列出档案的全部封存记录并核对封存链
  dossier seal verify ARCHIVE.zip [--json]                       核对封存包（完好时退出码 0，否则 1；不需要数据库）`;

/** Exit 0 when the archive is intact, 1 when anything differs, 2 on a usage error. */
export async function sealVerifyCommand(args: string[]): Promise<number> {
  const parsed = parseCliArgs({ args, allowPositionals: true, options: { json: { type: 'boolean' } } }, SEAL_USAGE);
  const [file, ...extra] = parsed.positionals;
  if (!file || extra.length > 0) throw new CliError(`请给出一个封存包文件。\n\n${SEAL_USAGE}`);
  const report = await verifySealArchive(path.resolve(file));
  if (parsed.values.json) console.log(JSON.stringify(report, null, 2));
  else (report.ok ? console.log : console.error)(formatVerifyReport(report, file));
  return report.ok ? 0 : 1;
}

export async function sealCommand(db: Db, config: Config, args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  switch (sub) {
    case 'verify':
      return sealVerifyCommand(rest);
    case 'export':
      return exportCommand(db, config, rest);
    case 'list':
      return listCommand(db, rest);
    default:
      throw new CliError(SEAL_USAGE);
  }
}

async function exportCommand(db: Db, config: Config, args: string[]): Promise<number> {
  const parsed = parseCliArgs({ args, allowPositionals: true, options: { out: { type: 'string' }, sequence: { type: 'string' } } }, SEAL_USAGE);
  const [dossierId, ...extra] = parsed.positionals;
  const out = parsed.values.out;
  if (!dossierId || extra.length > 0 || !out) throw new CliError(SEAL_USAGE);
  let sequence: number | undefined;
  if (parsed.values.sequence !== undefined) {
    sequence = Number(parsed.values.sequence);
    if (!Number.isSafeInteger(sequence) || sequence < 1) throw new CliError('--sequence 应为正整数');
  }
  const dossier = await db.selectFrom('dossiers').select('id').where('id', '=', dossierId).executeTakeFirst();
  if (!dossier) throw new CliError(`档案不存在: ${dossierId}`, 1);
  const store = await createObjectStore(config.objectStore, config.dataDir);
  try {
    const started = Date.now();
    const res = await writeSealArchive({ db, store, dossierId, out, ...(sequence === undefined ? {} : { sequence }) });
    const seals = await listSeals(db, dossierId);
    const seal = seals.find((s) => s.sequence === res.sequence)!;
    console.log(`已导出第 ${res.sequence} 号封存（含第 1–${res.sequence} 号封存清单）到 ${path.resolve(out)}`);
    console.log(`${res.files} 个文件，${res.bytes} 字节，用时 ${((Date.now() - started) / 1000).toFixed(1)} 秒。`);
    console.log(`第 ${res.sequence} 号封存清单的 SHA-256：${seal.manifest_sha256}`);
    return 0;
  } catch (err) {
    if (err instanceof SealNotFoundError) throw new CliError(err.message, 1);
    throw err;
  } finally {
    await store.close();
  }
}

async function listCommand(db: Db, args: string[]): Promise<number> {
  const parsed = parseCliArgs({ args, allowPositionals: true, options: { json: { type: 'boolean' } } }, SEAL_USAGE);
  const { values, positionals } = parsed;
  const [dossierId] = positionals;
  if (!dossierId) throw new CliError(SEAL_USAGE);
  // An unknown id is not "a dossier without seals whose chain checks out".
  const dossier = await db.selectFrom('dossiers').select('id').where('id', '=', dossierId).executeTakeFirst();
  if (!dossier) throw new CliError(`找不到档案 ${dossierId}（可用 dossier dossiers list 查看）。`);
  const seals = await listSeals(db, dossierId);
  const report = await verifySealChain(db, dossierId);
  if (values.json) {
    const rows = seals.map((s) => ({ sequence: s.sequence, round: s.round, event: s.event, created_at: s.created_at, manifest_sha256: s.manifest_sha256, previous_sha256: s.previous_sha256 }));
    console.log(JSON.stringify({ seals: rows, check: report }, null, 2));
  } else {
    if (seals.length === 0) console.log('该档案还没有封存记录。');
    for (const s of seals) {
      console.log(`${String(s.sequence).padStart(4)}  ${(SEAL_EVENT_LABELS[s.event] ?? s.event).padEnd(4, '　')}  第${s.round}轮  ${s.created_at}  ${s.manifest_sha256}`);
    }
    console.log(formatVerifyReport(report));
  }
  return report.ok ? 0 : 1;
}
