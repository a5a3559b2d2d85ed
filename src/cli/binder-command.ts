// `dossier binder DOSSIER_ID --out DIR`: the same volumes the app builds, written to a directory.
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
  const store = await createObjectStore(config.objectStore, config.dataDir);
  const work = await fs.mkdtemp(path.join(os.tmpdir(), 'dossier-binder-'));
  try {
    const outDir = path.resolve(values.out);
    const result = await renderDossierBinder({ db, store }, { dossierId, options: parsed.data, outDir, workDir: work });
    for (const v of result.volumes) console.log(`${path.relative(process.cwd(), v.path) || v.path}\t${v.pageCount} 页\t${v.firstItem}–${v.lastItem}\tsha256 ${v.sha256}`);
    console.log(`${path.relative(process.cwd(), result.labelsPath) || result.labelsPath}\t盒封面与脊背标签`);
    for (const r of result.replaced) console.log(`已用说明页代替: ${r.title}（${r.reason}）`);
    console.log(`共 ${result.volumes.length} 册、${result.pageCount} 页。`);
    return 0;
  } finally {
    await fs.rm(work, { recursive: true, force: true });
    await store.close();
  }
}
