import type { Db } from '../db/database.ts';
import type { Role } from '../db/schema.ts';
import { recordAudit } from '../audit/audit-log.ts';
import { clearFailures, throttleKeys } from '../auth/login-throttle.ts';
import { createUser, passwordProblems, setPassword, userProblems } from '../users/user-repository.ts';
import { CliError, parseCliArgs } from './cli-error.ts';

const ROLES: Role[] = ['staff', 'head', 'county_reviewer', 'city_reviewer', 'province_reviewer', 'expert', 'admin'];

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) throw new CliError('请用 --password 指定密码，或通过标准输入提供。');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
}

const USER_USAGE = [
  '用法:',
  '  dossier user add --username U --name 姓名 --role ROLE [--institution ID | --region CODE] [--password P]',
  '  dossier user passwd --username U [--password P]     设置新密码（结束该账号的所有会话，解除其登录锁定）',
  '  dossier user unlock [--username U] [--address IP]   解除登录失败造成的锁定',
].join('\n');

function parse<T extends Record<string, { type: 'string' }>>(args: string[], options: T) {
  return parseCliArgs({ args, options }, USER_USAGE).values as { [K in keyof T]?: string };
}

export async function userCommand(db: Db, args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === 'passwd') return passwdCommand(db, rest);
  if (sub === 'unlock') return unlockCommand(db, rest);
  if (sub !== 'add') throw new CliError(USER_USAGE);
  const values = parse(rest, {
    username: { type: 'string' },
    name: { type: 'string' },
    role: { type: 'string' },
    institution: { type: 'string' },
    region: { type: 'string' },
    password: { type: 'string' },
  });
  return addCommand(db, values);
}

async function addCommand(db: Db, values: { username?: string; name?: string; role?: string; institution?: string; region?: string; password?: string }): Promise<number> {
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

async function passwdCommand(db: Db, args: string[]): Promise<number> {
  const values = parse(args, { username: { type: 'string' }, password: { type: 'string' } });
  if (!values.username) throw new CliError(`缺少 --username\n\n${USER_USAGE}`);
  const user = await db.selectFrom('users').select(['id', 'username']).where('username', '=', values.username).executeTakeFirst();
  if (!user) throw new CliError(`找不到账号 ${values.username}。`);
  const password = values.password ?? (await readStdin());
  const problems = passwordProblems(password);
  if (problems.length) throw new CliError(`无法设置密码: ${problems.join('；')}`);
  await setPassword(db, user.id, password);
  await clearFailures(db, [throttleKeys(user.username, '')[0]!]);
  await recordAudit(db, { actorId: null, ip: 'cli', action: 'user.password', subjectType: 'user', subjectId: user.id, detail: { username: user.username } });
  console.log(`已为 ${user.username} 设置新密码，其所有会话已结束。`);
  return 0;
}

async function unlockCommand(db: Db, args: string[]): Promise<number> {
  const values = parse(args, { username: { type: 'string' }, address: { type: 'string' } });
  if (!values.username && !values.address) throw new CliError(`请指定 --username 或 --address\n\n${USER_USAGE}`);
  const [userKey, addressKey] = throttleKeys(values.username ?? '', values.address ?? '');
  await clearFailures(db, [...(values.username ? [userKey!] : []), ...(values.address ? [addressKey!] : [])]);
  console.log(`已解除锁定：${[values.username && `账号 ${values.username}`, values.address && `地址 ${values.address}`].filter(Boolean).join('，')}。`);
  return 0;
}
