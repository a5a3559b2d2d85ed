import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Db } from '../db/database.ts';
import { listStandards, saveStandard } from '../standards/standard-repository.ts';
import { INSTITUTION_KINDS, type InstitutionKind, levelRuleSchema, type LevelRule } from '../standards/standard-schema.ts';
import { parseStandardTable } from '../standards/standard-table-import.ts';
import { readStandardFile, shippedStandardFiles } from '../standards/shipped-standards.ts';
import { CliError } from './cli-error.ts';

const MAX_FILE_BYTES = 20 * 1024 * 1024;

function rulesFrom(file: string | undefined, kind: InstitutionKind): LevelRule[] {
  if (file) {
    let raw: unknown;
    try {
      raw = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch (err) {
      throw new CliError(`无法读取规则文件 ${file}: ${(err as Error).message}`);
    }
    const levels = (raw as { levels?: unknown }).levels;
    const parsed = levelRuleSchema.array().min(1).safeParse(levels);
    if (!parsed.success) throw new CliError(`规则文件 ${file} 的 levels 有误: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    return parsed.data;
  }
  // Default: the rules of the shipped standard of the same kind.
  const shipped = shippedStandardFiles().map(readStandardFile).find((s) => s.institutionKind === kind);
  if (!shipped) throw new CliError(`没有找到 ${kind} 类型的内置标准可借用评价规则，请用 --rules 指定`);
  return shipped.levels;
}

async function importCommand(db: Db, args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      id: { type: 'string' },
      title: { type: 'string' },
      kind: { type: 'string' },
      edition: { type: 'string' },
      rules: { type: 'string' },
      demonstration: { type: 'boolean' },
      notice: { type: 'string' },
    },
    strict: true,
  });
  const file = positionals[0];
  if (!file) throw new CliError('用法: dossier standards import FILE --id ID --title 标题 --kind township|community|community_hospital --edition 2023');
  if (!values.id || !values.title || !values.kind || !values.edition) throw new CliError('缺少 --id、--title、--kind 或 --edition');
  if (!INSTITUTION_KINDS.includes(values.kind as InstitutionKind)) throw new CliError(`--kind 必须是: ${INSTITUTION_KINDS.join(', ')}`);
  const edition = Number(values.edition);
  if (!Number.isInteger(edition)) throw new CliError('--edition 应为年份数字，如 2023');
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    throw new CliError(`文件不存在: ${file}`);
  }
  if (stat.size > MAX_FILE_BYTES) throw new CliError('文件过大（超过 20 MB）');
  const kind = values.kind as InstitutionKind;
  const result = await parseStandardTable(new Uint8Array(fs.readFileSync(file)), path.basename(file), {
    id: values.id,
    title: values.title,
    institutionKind: kind,
    edition,
    demonstration: values.demonstration ?? false,
    notice: values.notice,
    levels: rulesFrom(values.rules, kind),
  });
  if (!result.ok) {
    console.error(`导入失败，共 ${result.errors.length} 处错误，未导入任何内容:`);
    for (const e of result.errors) console.error(`  ${e.message}`);
    return 1;
  }
  const outcome = await saveStandard(db, result.standard);
  const items = result.standard.nodes.filter((n) => n.code.split('.').length === 3).length;
  const verb = { created: '已导入', replaced: '已更新', unchanged: '内容未变化，无需导入' }[outcome];
  console.log(`${verb}: ${result.standard.id} ${result.standard.title}（${result.rowCount} 行，${items} 个条款，编码 ${result.encoding}）`);
  return 0;
}

export async function standardsCommand(db: Db, args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === 'import') return importCommand(db, rest);
  if (sub === 'list') {
    for (const s of await listStandards(db)) console.log(`${s.id}\t${s.institution_kind}\t${s.edition}\t${s.demonstration ? '演示' : '正式'}\t${s.title}`);
    return 0;
  }
  throw new CliError('用法: dossier standards import FILE ... | dossier standards list');
}
