// `dossier binder DOSSIER_ID --out DIR`: the same volumes the app builds, written to a directory.
import { constants as fsConstants } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createObjectStore } from '../adapters/object-store/create-object-store.ts';
import { renderDossierBinder } from '../binder/binder-builds.ts';
import { binderOptionsSchema } from '../binder/binder-types.ts';
import type { Config } from '../config.ts';
import type { Db } from '../db/database.ts';
import { CliError } from './cli-error.ts';

export async function binderCommand(db: Db, config: Config, rest: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    strict: true,
    options: {
      out: { type: 'string' },
      split: { type: 'string' },
      'max-sheets': { type: 'string' },
      numbering: { type: 'string' },
      duplex: { type: 'boolean' },
      'no-missing-sheets': { type: 'boolean' },
      'missing-report': { type: 'boolean' },
      retention: { type: 'string' },
    },
  });
  const dossierId = positionals[0];
  if (!dossierId || !values.out) throw new CliError('用法: dossier binder DOSSIER_ID --out DIR [--split pages|chapter] [--max-sheets 300] [--numbering per_volume|continuous] [--duplex] [--no-missing-sheets] [--missing-report] [--retention 30年]');
  const dossier = await db.selectFrom('dossiers').select('id').where('id', '=', dossierId).executeTakeFirst();
  if (!dossier) throw new CliError(`找不到档案 ${dossierId}（可用 dossier dossiers list 查看）。`);
  const parsed = binderOptionsSchema.safeParse({
    ...(values.split ? { split: values.split } : {}),
    ...(values['max-sheets'] ? { maxSheetsPerVolume: values['max-sheets'] } : {}),
    ...(values.numbering ? { numbering: values.numbering } : {}),
    duplex: Boolean(values.duplex),
    includeMissingSheets: !values['no-missing-sheets'],
    missingReport: Boolean(values['missing-report']),
    ...(values.retention ? { retentionPeriod: values.retention } : {}),
  });
  if (!parsed.success) throw new CliError(`选项有误: ${parsed.error.issues.map((i) => i.message).join('；')}`);
  const outDir = path.resolve(values.out);
  // Checked first, with a plain message: a folder that cannot be made or written to is the user's to fix.
  try {
    await makeDirectories(outDir);
    await fs.access(outDir, fsConstants.W_OK);
    const probe = path.join(outDir, `.dossier-write-check-${process.pid}`);
    await fs.writeFile(probe, '');
    await fs.rm(probe, { force: true });
  } catch (err) {
    throw new CliError(`无法写入输出目录 ${outDir}（${(err as NodeJS.ErrnoException).code ?? (err as Error).message}）。`);
  }
  const store = await createObjectStore(config.objectStore, config.dataDir);
  const work = await fs.mkdtemp(path.join(os.tmpdir(), 'dossier-binder-'));
  try {
    const result = await renderDossierBinder({ db, store }, { dossierId, options: parsed.data, outDir, workDir: work });
    for (const v of result.volumes) console.log(`${shown(v.path)}\t${v.pageCount} 页\t${v.firstItem}–${v.lastItem}\tsha256 ${v.sha256}`);
    console.log(`${shown(result.labelsPath)}\t盒封面与脊背标签`);
    for (const r of result.replaced) console.log(`已用说明页代替: ${r.title}（${r.reason}）`);
    console.log(`共 ${result.volumes.length} 册、${result.pageCount} 页。`);
    return 0;
  } finally {
    await fs.rm(work, { recursive: true, force: true });
    await store.close();
  }
}

/** A path as the user will want to copy it: relative when inside the working directory, else absolute. */
function shown(file: string): string {
  const rel = path.relative(process.cwd(), file);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
}

/**
 * mkdir -p, one level at a time: Node's recursive mkdir never returns for a path under /proc (it retries the
 * ENOENT the kernel gives there forever), and the CLI must fail, not hang.
 */
async function makeDirectories(dir: string): Promise<void> {
  const missing: string[] = [];
  let at = dir;
  for (;;) {
    try {
      await fs.stat(at);
      break;
    } catch {
      missing.unshift(at);
      const parent = path.dirname(at);
      if (parent === at) break;
      at = parent;
    }
  }
  for (const d of missing) await fs.mkdir(d);
}
