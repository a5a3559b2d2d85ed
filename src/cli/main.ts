// The `dossier` command line. Each subcommand lives in its own file; this one only dispatches.
import { loadConfig } from '../config.ts';
import { openAndMigrate } from '../bootstrap.ts';
import { dossiersCommand } from './dossiers-command.ts';
import { binderCommand } from './binder-command.ts';
import { seedDemoCommand } from './seed-demo-command.ts';
import { sealCommand, sealVerifyCommand } from './seal-command.ts';
import { standardsCommand } from './standards-command.ts';
import { userCommand } from './user-command.ts';
import { CliError } from './cli-error.ts';

const USAGE = `用法: dossier <命令> [参数]

  migrate                         执行数据库迁移
  seed-demo                       在空数据库中写入演示数据
  user add --username U --name 姓名 --role ROLE [--institution ID | --region CODE] [--password P]
                                  新建账号（未给 --password 时从标准输入读取）
  standards import FILE --id ID --title 标题 --kind township|community|community_hospital --edition 2023 [--rules RULES.json] [--demonstration]
                                  从 CSV/XLSX 导入能力标准（有任何错误行则不导入）
  standards list                  列出已安装的标准
  dossiers list [--json] [--year N]
                                  列出评价档案
  binder DOSSIER_ID --out DIR [--split pages|chapter] [--max-sheets N] [--numbering per_volume|continuous] [--duplex] [--missing-report]
                                  生成装订册 PDF（分册、盒标签）到目录
  seal export DOSSIER_ID --out FILE.zip [--sequence N]
                                  导出最后一次（或第 N 号）封存的封存包（ZIP）
  seal list DOSSIER_ID [--json]   列出档案的全部封存记录并核对封存链
  seal verify ARCHIVE.zip [--json]
                                  核对封存包：完好时退出码为 0，否则列出每处问题并返回 1（不需要数据库）

环境变量: DATABASE_URL（Postgres）或 DOSSIER_DATA_DIR（SQLite 数据目录，默认 storage/）`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === 'help' || command === '--help' || command === '-h') {
    console.log(USAGE);
    return command ? 0 : 2;
  }
  // Verifying an archive needs no database (and must work on a machine without one).
  if (command === 'seal' && rest[0] === 'verify') return sealVerifyCommand(rest.slice(1));
  const config = loadConfig();
  const database = await openAndMigrate(config);
  try {
    switch (command) {
      case 'migrate':
        console.log('数据库已是最新版本。');
        return 0;
      case 'seed-demo':
        return await seedDemoCommand(database.db, config);
      case 'user':
        return await userCommand(database.db, rest);
      case 'standards':
        return await standardsCommand(database.db, rest);
      case 'dossiers':
        return await dossiersCommand(database.db, rest);
      case 'binder':
        return await binderCommand(database.db, config, rest);
      case 'seal':
        return await sealCommand(database.db, config, rest);
      default:
        throw new CliError(`未知命令: ${command}\n\n${USAGE}`);
    }
  } finally {
    await database.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    console.error(err instanceof CliError ? err.message : `错误: ${(err as Error).message}`);
    process.exit(err instanceof CliError ? err.exitCode : 1);
  },
);
