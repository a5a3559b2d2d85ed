// The standard files shipped in standards/ (demonstration content) and their installation.
import fs from 'node:fs';
import path from 'node:path';
import type { Db } from '../db/database.ts';
import { standardsDir } from '../paths.ts';
import { saveStandard } from './standard-repository.ts';
import type { StandardFile } from './standard-schema.ts';
import { describeProblem, validateStandard } from './standard-validate.ts';

export function readStandardFile(file: string): StandardFile {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`无法读取标准文件 ${path.basename(file)}：${(err as Error).message}`);
  }
  const result = validateStandard(raw);
  if (!result.ok) {
    const nodes = (raw as { nodes?: { code?: string }[] }).nodes;
    throw new Error(`标准文件 ${path.basename(file)} 有误：\n${result.problems.map((p) => '  ' + describeProblem(p, nodes)).join('\n')}`);
  }
  return result.standard;
}

export function shippedStandardFiles(): string[] {
  return fs
    .readdirSync(standardsDir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => path.join(standardsDir, f));
}

/** Installs every shipped standard that is missing or changed (and not yet used by a dossier). */
export async function installShippedStandards(db: Db): Promise<string[]> {
  const installed: string[] = [];
  for (const file of shippedStandardFiles()) {
    const std = readStandardFile(file);
    const existing = await db.selectFrom('standards').select('id').where('id', '=', std.id).executeTakeFirst();
    if (existing) continue; // Never replace an installed edition behind the users' back.
    await saveStandard(db, std);
    installed.push(std.id);
  }
  return installed;
}
