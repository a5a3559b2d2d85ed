// Login throttling kept in the database, so it holds across restarts and across processes.
// After too many failures within WINDOW_MINUTES for a username (5) or an address (20: a county bureau may sit
// behind one NAT address), logins for it wait LOCK_MINUTES.
import type { Db } from '../db/database.ts';

export const MAX_FAILURES_PER_USER = 5;
export const MAX_FAILURES_PER_ADDRESS = 20;
const WINDOW_MINUTES = 15;
const LOCK_MINUTES = 15;

export function throttleKeys(username: string, ip: string): string[] {
  return [`u:${username.toLowerCase()}`, `ip:${ip}`];
}

/** Minutes left of a lock on any of the keys, or 0. */
export async function lockedMinutes(db: Db, keys: string[], now = new Date()): Promise<number> {
  const rows = await db.selectFrom('login_throttle').select('locked_until').where('key', 'in', keys).execute();
  let until = 0;
  for (const r of rows) if (r.locked_until) until = Math.max(until, Date.parse(r.locked_until));
  return until > now.getTime() ? Math.ceil((until - now.getTime()) / 60_000) : 0;
}

export async function recordFailure(db: Db, keys: string[], now = new Date()): Promise<void> {
  const windowStart = new Date(now.getTime() - WINDOW_MINUTES * 60_000).toISOString();
  await db.transaction().execute(async (trx) => {
    for (const key of keys) {
      const row = await trx.selectFrom('login_throttle').selectAll().where('key', '=', key).executeTakeFirst();
      const fresh = !row || row.window_started_at < windowStart;
      const failures = fresh ? 1 : row.failures + 1;
      const limit = key.startsWith('u:') ? MAX_FAILURES_PER_USER : MAX_FAILURES_PER_ADDRESS;
      const locked_until = failures >= limit ? new Date(now.getTime() + LOCK_MINUTES * 60_000).toISOString() : null;
      const values = { failures, window_started_at: fresh ? now.toISOString() : row.window_started_at, locked_until };
      if (row) await trx.updateTable('login_throttle').set(values).where('key', '=', key).execute();
      else await trx.insertInto('login_throttle').values({ key, ...values }).execute();
    }
  });
}

export async function clearFailures(db: Db, keys: string[]): Promise<void> {
  await db.deleteFrom('login_throttle').where('key', 'in', keys).execute();
}

export interface LoginLock {
  key: string;
  kind: 'account' | 'address';
  /** The username or the address. */
  value: string;
  failures: number;
  lockedUntil: string;
}

/** Locks in force now, for the admin to see and lift (a shared office address can lock out everyone behind it). */
export async function activeLocks(db: Db, now = new Date()): Promise<LoginLock[]> {
  const rows = await db.selectFrom('login_throttle').selectAll().where('locked_until', '>', now.toISOString()).orderBy('locked_until', 'desc').execute();
  return rows.map((r) => ({
    key: r.key,
    kind: r.key.startsWith('u:') ? 'account' : 'address',
    value: r.key.slice(r.key.indexOf(':') + 1),
    failures: r.failures,
    lockedUntil: r.locked_until!,
  }));
}
