import { parseArgs } from 'node:util';
import type { Db } from '../db/database.ts';
import type { Role } from '../db/schema.ts';
import { createUser, userProblems } from '../users/user-repository.ts';
import { CliError } from './cli-error.ts';

const ROLES: Role[] = ['staff', 'head', 'county_reviewer', 'city_reviewer', 'province_reviewer', 'expert', 'admin'];

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) throw new CliError('请用 --password 指定密码，或通过标准输入提供。');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
}

export async function userCommand(db: Db, args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'add') throw new CliError('用法: dossier user add --username U --name 姓名 --role ROLE [--institution ID | --region CODE] [--password P]');
  const { values } = parseArgs({
    args: rest,
    options: {
      username: { type: 'string' },
      name: { type: 'string' },
      role: { type: 'string' },
      institution: { type: 'string' },
      region: { type: 'string' },
      password: { type: 'string' },
    },
    strict: true,
  });
  if (!values.username || !values.role) throw new CliError('缺少 --username 或 --role');
  if (!ROLES.includes(values.role as Role)) throw new CliError(`角色必须是: ${ROLES.join(', ')}`);
  const password = values.password ?? (await readStdin());
  const input = {
    username: values.username,
    displayName: values.name ?? values.username,
    password,
    role: values.role as Role,
    institutionId: values.institution ?? null,
    regionCode: values.region ?? null,
  };
  const problems = await userProblems(db, input);
  if (problems.length) throw new CliError(`无法创建账号:\n  ${problems.join('\n  ')}`);
  const user = await createUser(db, input);
  console.log(`已创建账号 ${user.username}（${user.role}）`);
  return 0;
}
