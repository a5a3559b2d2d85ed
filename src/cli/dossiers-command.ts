import { parseArgs } from 'node:util';
import type { Db } from '../db/database.ts';
import { CliError } from './cli-error.ts';

export async function dossiersCommand(db: Db, args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'list') throw new CliError('用法: dossier dossiers list [--json] [--year N]');
  const { values } = parseArgs({ args: rest, options: { json: { type: 'boolean' }, year: { type: 'string' } }, strict: true });
  let q = db
    .selectFrom('dossiers')
    .innerJoin('institutions', 'institutions.id', 'dossiers.institution_id')
    .select(['dossiers.id', 'institutions.name as institution_name', 'institutions.county_code', 'dossiers.year', 'dossiers.target_level as level', 'dossiers.state']);
  if (values.year) {
    const year = Number(values.year);
    if (!Number.isInteger(year)) throw new CliError('--year 应为年份数字');
    q = q.where('dossiers.year', '=', year);
  }
  const rows = await q.orderBy('dossiers.year', 'desc').orderBy('institutions.name').execute();
  if (values.json) {
    console.log(JSON.stringify(rows.map((r) => ({ ...r, year: Number(r.year) })), null, 2));
  } else {
    for (const r of rows) console.log(`${r.id}\t${r.year}\t${r.level}\t${r.state}\t${r.county_code}\t${r.institution_name}`);
  }
  return 0;
}
