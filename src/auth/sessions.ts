// Server-side sessions: the cookie holds a random token; the database holds only its SHA-256.
import { createHash, randomBytes } from 'node:crypto';
import type { Db } from '../db/database.ts';
import type { User } from '../db/schema.ts';
import { nowIso } from '../ids.ts';

export const SESSION_COOKIE = 'dossier_session';

export interface ActiveSession {
  id: string;
  csrfToken: string;
  user: User;
}

function tokenId(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export async function createSession(db: Db, userId: string, ip: string, hours: number): Promise<{ token: string; csrfToken: string }> {
  const token = randomBytes(32).toString('base64url');
  const csrfToken = randomBytes(24).toString('base64url');
  const now = new Date();
  await db
    .insertInto('sessions')
    .values({
      id: tokenId(token),
      user_id: userId,
      csrf_token: csrfToken,
      created_at: now.toISOString(),
      expires_at: new Date(now.getTime() + hours * 3600_000).toISOString(),
      ip,
    })
    .execute();
  return { token, csrfToken };
}

/** The session for a cookie token, or null when unknown, expired, or the account is disabled. */
export async function findSession(db: Db, token: string | undefined): Promise<ActiveSession | null> {
  if (!token || token.length > 100) return null;
  const row = await db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .selectAll('users')
    .select(['sessions.id as session_id', 'sessions.csrf_token', 'sessions.expires_at'])
    .where('sessions.id', '=', tokenId(token))
    .executeTakeFirst();
  if (!row || row.expires_at <= nowIso() || !row.active) return null;
  const { session_id, csrf_token, expires_at: _expires, ...user } = row;
  return { id: session_id, csrfToken: csrf_token, user };
}

export async function deleteSession(db: Db, sessionId: string): Promise<void> {
  await db.deleteFrom('sessions').where('id', '=', sessionId).execute();
}

export async function deleteExpiredSessions(db: Db): Promise<void> {
  await db.deleteFrom('sessions').where('expires_at', '<=', nowIso()).execute();
}
