// Accounts: role plus scope (an institution for institution roles, a region for reviewers and experts).
import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import type { Role, User } from '../db/schema.ts';
import { hashPassword } from '../auth/password.ts';
import { newId, nowIso } from '../ids.ts';

export interface NewUserInput {
  username: string;
  displayName: string;
  password: string;
  role: Role;
  institutionId?: string | null;
  regionCode?: string | null;
}

export const USERNAME_RE = /^[a-zA-Z0-9][a-zA-Z0-9._-]{1,63}$/;
export const PASSWORD_MIN = 8;

/** Validates role/scope consistency against the database. Returns Chinese messages; empty when fine. */
export async function userProblems(db: Db, u: NewUserInput): Promise<string[]> {
  const problems: string[] = [];
  if (!USERNAME_RE.test(u.username)) problems.push('用户名只能包含字母、数字、点、下划线和连字符，2–64 位');
  problems.push(...passwordProblems(u.password));
  if (!u.displayName.trim()) problems.push('请填写姓名');
  // Unique regardless of case: "QA-Staff" next to "qa-staff" would only confuse people (and the login throttle,
  // which counts both as one).
  const taken = await db
    .selectFrom('users')
    .select('username')
    .where(sql<string>`lower(username)`, '=', u.username.toLowerCase())
    .executeTakeFirst();
  if (taken) problems.push(taken.username === u.username ? `用户名 ${u.username} 已被使用` : `用户名 ${u.username} 与已有的 ${taken.username} 只差大小写，请换一个`);
  if (u.role === 'staff' || u.role === 'head') {
    const inst = u.institutionId ? await db.selectFrom('institutions').select('id').where('id', '=', u.institutionId).executeTakeFirst() : undefined;
    if (!inst) problems.push('机构账号必须指定所属机构');
  } else if (u.role !== 'admin') {
    const region = u.regionCode ? await db.selectFrom('regions').select(['code', 'level']).where('code', '=', u.regionCode).executeTakeFirst() : undefined;
    const expected = { county_reviewer: 'county', city_reviewer: 'city', province_reviewer: 'province' }[u.role as string];
    if (!region) problems.push('审核人员和专家账号必须指定负责的行政区划');
    else if (expected && region.level !== expected) problems.push('行政区划的级别与角色不符（县级审核人员应对应县区，依此类推）');
  }
  return problems;
}

/** Why a password is not acceptable (Chinese), or nothing: too short, whitespace only, one character repeated. */
export function passwordProblems(password: string): string[] {
  if (password.length < PASSWORD_MIN) return [`密码至少 ${PASSWORD_MIN} 位`];
  if (!password.trim() || new Set(Array.from(password)).size === 1) return ['密码过于简单：不能全是空格或同一个字符重复，请换一个'];
  return [];
}

/** A new password for an account; its sessions end (whoever knew the old one is signed out). */
export async function setPassword(db: Db, userId: string, password: string): Promise<void> {
  const hash = await hashPassword(password);
  await db.transaction().execute(async (trx) => {
    await trx.updateTable('users').set({ password_hash: hash }).where('id', '=', userId).execute();
    await trx.deleteFrom('sessions').where('user_id', '=', userId).execute();
  });
}

export async function createUser(db: Db, u: NewUserInput): Promise<User> {
  const user: User = {
    id: newId('u'),
    username: u.username,
    display_name: u.displayName.trim(),
    password_hash: await hashPassword(u.password),
    role: u.role,
    institution_id: u.role === 'staff' || u.role === 'head' ? (u.institutionId ?? null) : null,
    region_code: u.role === 'staff' || u.role === 'head' || u.role === 'admin' ? null : (u.regionCode ?? null),
    active: 1,
    created_at: nowIso(),
  };
  await db.insertInto('users').values(user).execute();
  return user;
}

export async function listUsers(db: Db) {
  return db
    .selectFrom('users')
    .leftJoin('institutions', 'institutions.id', 'users.institution_id')
    .leftJoin('regions', 'regions.code', 'users.region_code')
    .select([
      'users.id',
      'users.username',
      'users.display_name',
      'users.role',
      'users.active',
      'users.created_at',
      'institutions.name as institution_name',
      'regions.name as region_name',
    ])
    .orderBy('users.role')
    .orderBy('users.username')
    .execute();
}

export async function setUserActive(db: Db, id: string, active: boolean): Promise<void> {
  await db.updateTable('users').set({ active: active ? 1 : 0 }).where('id', '=', id).execute();
  if (!active) await db.deleteFrom('sessions').where('user_id', '=', id).execute();
}
