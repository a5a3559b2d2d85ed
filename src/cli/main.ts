// The `dossier` command line. Each subcommand lives in its own file; this one only dispatches.
import { loadConfig } from '../config.ts';
import { openAndMigrate } from '../bootstrap.ts';
import { dossiersCommand } from './dossiers-command.ts';
import { seedDemoCommand } from './seed-demo-command.ts';
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

环境变量: DATABASE_URL（Postgres）或 DOSSIER_DATA_DIR（SQLite 数据目录，默认 storage/）`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === 'help' || command === '--help' || command === '-h') {
    console.log(USAGE);
    return command ? 0 : 2;
  }
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
