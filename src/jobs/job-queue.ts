// The durable job queue: plain functions over the `jobs` table, the same on SQLite and Postgres.
//
// Life of a job: enqueue → 'queued' → claim (attempts + 1, lease) → 'running' → complete → 'done'
//                                                                       ↘ fail → 'queued' again after a backoff,
//                                                                                or 'failed' when out of attempts
// A running job holds a lease (lease_until) that its worker extends by heartbeat. When a worker dies, its lease
// runs out and the next claim takes the job over (attempt counted), so SIGKILL loses nothing: the job runs
// again from the start (handlers are idempotent) or from whatever the handler had durably saved.
// Every write by a worker is guarded by `locked_by = <worker> and state = 'running'`: a worker that lost its
// lease (or whose job was cancelled) can no longer complete, fail or advance the job.
//
// Atomic claiming: one UPDATE … WHERE id = (SELECT … LIMIT 1) RETURNING *. On Postgres the subselect takes the
// row FOR UPDATE SKIP LOCKED, so many workers in many processes claim distinct jobs without waiting on each
// other. On SQLite a writing statement holds the database write lock from its first step, so the subselect
// and the update are one atomic step across connections and processes.
// No function here opens a transaction, and every one accepts a Transaction too (enqueue inside the caller's
// transaction to make "save the upload + queue its derivation" atomic).
// Times are ISO-8601 text from this process's clock: workers on several hosts need reasonably synced clocks.
import { EventEmitter } from 'node:events';
import { PostgresAdapter, sql, type ExpressionBuilder } from 'kysely';
import type { Db } from '../db/database.ts';
import type { Database } from '../db/schema.ts';
import { newId } from '../ids.ts';
import type { Job, JobKind, JobPayloads, JobRow, JobState } from './job-types.ts';

export const DEFAULT_MAX_ATTEMPTS = 5;
const BACKOFF_BASE_MS = 5_000;
const BACKOFF_CAP_MS = 10 * 60_000;
const MAX_ERROR_LENGTH = 300;

/** Emits 'enqueued' (kind) whenever a job becomes runnable from this process, so in-process workers poll at once. */
export const jobEvents = new EventEmitter();
jobEvents.setMaxListeners(0);

export interface EnqueueOptions {
  /** One live job per key (e.g. `derive:${versionId}`): enqueueing again returns the existing job. */
  dedupeKey?: string;
  /** Higher runs first. Default 0. */
  priority?: number;
  /** Not before this time. Default now. */
  runAfter?: Date;
  /** Default 5. */
  maxAttempts?: number;
}

/**
 * Queues a job and returns its id. With a dedupeKey that already exists, returns that job's id and changes
 * nothing — whatever its state (queued, running, done) — unless it ended 'failed' or 'cancelled': then the
 * same job is queued again with the new payload and fresh attempts.
 */
export async function enqueue<K extends JobKind>(
  db: Db,
  kind: K,
  payload: JobPayloads[K],
  opts: EnqueueOptions = {},
): Promise<string> {
  const now = new Date().toISOString();
  const runAfter = (opts.runAfter ?? new Date()).toISOString();
  const maxAttempts = Math.max(1, Math.floor(opts.maxAttempts ?? DEFAULT_MAX_ATTEMPTS));
  const priority = Math.floor(opts.priority ?? 0);
  const payloadJson = JSON.stringify(payload ?? {});
  const dedupeKey = opts.dedupeKey ?? null;
  const id = newId('job');
  // A fresh run: the same columns whether the job is new or a failed/cancelled one queued again.
  const freshRun = {
    payload: payloadJson,
    state: 'queued' as const,
    priority,
    attempts: 0,
    max_attempts: maxAttempts,
    run_after: runAfter,
    lease_until: null,
    locked_by: null,
    progress_done: 0,
    progress_total: 0,
    result: '{}',
    updated_at: now,
    finished_at: null,
  };
  const inserted = await db
    .insertInto('jobs')
    .values({ ...freshRun, id, kind, last_error: '', dedupe_key: dedupeKey, created_at: now })
    .onConflict((oc) => oc.column('dedupe_key').doNothing())
    .returning('id')
    .executeTakeFirst();
  if (inserted) {
    jobEvents.emit('enqueued', kind);
    return inserted.id;
  }
  const existing = await db
    .selectFrom('jobs')
    .select(['id', 'kind', 'state'])
    .where('dedupe_key', '=', dedupeKey)
    .executeTakeFirstOrThrow();
  if (existing.kind !== kind) throw new Error(`job dedupe key ${dedupeKey} belongs to a ${existing.kind} job, not ${kind}`);
  if (existing.state === 'failed' || existing.state === 'cancelled') {
    const requeued = await db
      .updateTable('jobs')
      .set(freshRun)
      .where('id', '=', existing.id)
      .where('state', 'in', ['failed', 'cancelled'])
      .executeTakeFirst();
    if (requeued.numUpdatedRows > 0n) jobEvents.emit('enqueued', kind);
  }
  return existing.id;
}

/** Runnable now: queued and due, or running under an expired lease (its worker is gone). */
function runnable(eb: ExpressionBuilder<Database, 'jobs'>, kinds: readonly string[], now: string) {
  return eb.and([
    eb('kind', 'in', kinds),
    eb.or([
      eb.and([eb('state', '=', 'queued'), eb('run_after', '<=', now)]),
      eb.and([eb('state', '=', 'running'), eb('lease_until', '<', now)]),
    ]),
  ]);
}

/**
 * Claims one runnable job of the given kinds for `workerId` and leases it for `leaseMs`; null when there is
 * none. Highest priority first, then oldest. Counts an attempt. Idle polls are a single indexed read.
 */
export async function claim(
  db: Db,
  workerId: string,
  kinds: readonly JobKind[],
  leaseMs: number,
  opts: { now?: Date } = {},
): Promise<Job | null> {
  if (kinds.length === 0) return null;
  const nowDate = opts.now ?? new Date();
  const now = nowDate.toISOString();
  // Cheap read first: writers (SQLite's write lock, Postgres row locks) are only touched when there is work.
  const peek = await db
    .selectFrom('jobs')
    .select('id')
    .where((eb) => runnable(eb, kinds, now))
    .limit(1)
    .executeTakeFirst();
  if (!peek) return null;

  const pg = db.getExecutor().adapter instanceof PostgresAdapter;
  // A job whose worker died on every attempt (e.g. it crashes the process) must not loop forever.
  await db
    .updateTable('jobs')
    .set({
      state: 'failed',
      last_error: '任务执行多次中断（处理进程退出或失联），已停止重试',
      lease_until: null,
      updated_at: now,
      finished_at: now,
    })
    .where('id', 'in', (eb) => {
      const exhausted = eb
        .selectFrom('jobs')
        .select('id')
        .where('state', '=', 'running')
        .where('lease_until', '<', now)
        .where('kind', 'in', kinds)
        .whereRef('attempts', '>=', 'max_attempts');
      return pg ? exhausted.forUpdate().skipLocked() : exhausted;
    })
    .execute();

  const row = await db
    .updateTable('jobs')
    .set({
      state: 'running',
      attempts: sql<number>`attempts + 1`,
      locked_by: workerId,
      lease_until: new Date(nowDate.getTime() + leaseMs).toISOString(),
      // Leave a trace when taking over from a vanished worker.
      last_error: sql<string>`case when state = 'running' then ${'上次执行中断（租约过期），已重新开始'} else last_error end`,
      updated_at: now,
    })
    .where('id', '=', (eb) => {
      const next = eb
        .selectFrom('jobs')
        .select('id')
        .where((w) => runnable(w, kinds, now))
        .where((w) => w.or([w('state', '=', 'queued'), w('attempts', '<', w.ref('max_attempts'))]))
        .orderBy('priority', 'desc')
        .orderBy('created_at')
        .orderBy('id')
        .limit(1);
      return pg ? next.forUpdate().skipLocked() : next;
    })
    .returningAll()
    .executeTakeFirst();
  return row ? toJob(row) : null;
}

/** Extends the lease. False when this worker no longer holds the job (lease taken over, or cancelled): stop. */
export async function heartbeat(db: Db, jobId: string, workerId: string, leaseMs: number): Promise<boolean> {
  const now = Date.now();
  const r = await db
    .updateTable('jobs')
    .set({ lease_until: new Date(now + leaseMs).toISOString(), updated_at: new Date(now).toISOString() })
    .where('id', '=', jobId)
    .where('locked_by', '=', workerId)
    .where('state', '=', 'running')
    .executeTakeFirst();
  return r.numUpdatedRows > 0n;
}

/** Records progress (e.g. pages done of total; total 0 = unknown). False when the job is no longer ours. */
export async function progress(db: Db, jobId: string, workerId: string, done: number, total: number): Promise<boolean> {
  const r = await db
    .updateTable('jobs')
    .set({
      progress_done: Math.max(0, Math.floor(done)),
      progress_total: Math.max(0, Math.floor(total)),
      updated_at: new Date().toISOString(),
    })
    .where('id', '=', jobId)
    .where('locked_by', '=', workerId)
    .where('state', '=', 'running')
    .executeTakeFirst();
  return r.numUpdatedRows > 0n;
}

/** Marks the job done with its result. False when the job is no longer ours (the result is then discarded). */
export async function complete(
  db: Db,
  jobId: string,
  workerId: string,
  result: Record<string, unknown> = {},
): Promise<boolean> {
  const now = new Date().toISOString();
  const r = await db
    .updateTable('jobs')
    .set({ state: 'done', result: JSON.stringify(result ?? {}), lease_until: null, updated_at: now, finished_at: now })
    .where('id', '=', jobId)
    .where('locked_by', '=', workerId)
    .where('state', '=', 'running')
    .executeTakeFirst();
  return r.numUpdatedRows > 0n;
}

/** Delay before the next try after `attempts` attempts: 5 s, 10 s, 20 s, … capped at 10 min. */
export function retryDelayMs(attempts: number): number {
  return Math.min(BACKOFF_BASE_MS * 2 ** Math.max(0, attempts - 1), BACKOFF_CAP_MS);
}

/**
 * Records a failed attempt. With retry and attempts left the job goes back to 'queued' after a backoff
 * (retryDelayMs, or delayMs); otherwise it ends 'failed'. Returns the new state, or null when the job is no
 * longer ours. The message is cut to one short line with credentials masked: it is shown to users.
 */
export async function fail(
  db: Db,
  jobId: string,
  workerId: string,
  error: string,
  opts: { retry: boolean; delayMs?: number },
): Promise<'queued' | 'failed' | null> {
  const row = await db
    .selectFrom('jobs')
    .select(['attempts', 'max_attempts'])
    .where('id', '=', jobId)
    .where('locked_by', '=', workerId)
    .where('state', '=', 'running')
    .executeTakeFirst();
  if (!row) return null;
  const nowMs = Date.now();
  const now = new Date(nowMs).toISOString();
  const message = shortErrorMessage(error);
  const again = opts.retry && row.attempts < row.max_attempts;
  const update = again
    ? {
        state: 'queued' as const,
        run_after: new Date(nowMs + (opts.delayMs ?? retryDelayMs(row.attempts))).toISOString(),
        lease_until: null,
        locked_by: null,
        last_error: message,
        updated_at: now,
      }
    : { state: 'failed' as const, lease_until: null, last_error: message, updated_at: now, finished_at: now };
  const r = await db
    .updateTable('jobs')
    .set(update)
    .where('id', '=', jobId)
    .where('locked_by', '=', workerId)
    .where('state', '=', 'running')
    .executeTakeFirst();
  if (r.numUpdatedRows === 0n) return null;
  return again ? 'queued' : 'failed';
}

/**
 * Hands a running job back without counting the attempt (worker shutting down): queued again at once, so a
 * restarted or another worker picks it up without waiting for the lease to expire.
 */
export async function release(db: Db, jobId: string, workerId: string): Promise<boolean> {
  const now = new Date().toISOString();
  const r = await db
    .updateTable('jobs')
    .set({
      state: 'queued',
      attempts: sql<number>`case when attempts > 0 then attempts - 1 else 0 end`,
      run_after: now,
      lease_until: null,
      locked_by: null,
      updated_at: now,
    })
    .where('id', '=', jobId)
    .where('locked_by', '=', workerId)
    .where('state', '=', 'running')
    .executeTakeFirst();
  const ok = r.numUpdatedRows > 0n;
  return ok;
}

/**
 * Manual retry (from the UI): a failed, cancelled or done job — or a queued one waiting out a backoff — is
 * queued to run now with its attempts reset. False for a running or unknown job.
 */
export async function retry(db: Db, jobId: string): Promise<boolean> {
  const now = new Date().toISOString();
  const r = await db
    .updateTable('jobs')
    .set({
      state: 'queued',
      attempts: 0,
      run_after: now,
      lease_until: null,
      locked_by: null,
      progress_done: 0,
      progress_total: 0,
      updated_at: now,
      finished_at: null,
    })
    .where('id', '=', jobId)
    .where('state', 'in', ['failed', 'cancelled', 'done', 'queued'])
    .returning('kind')
    .executeTakeFirst();
  if (r) jobEvents.emit('enqueued', r.kind);
  return r !== undefined;
}

/**
 * Cancels a queued or running job. A running job's worker notices at its next heartbeat or progress call
 * (its signal is aborted) and its result, if any, is discarded. False when the job had already ended.
 */
export async function cancel(db: Db, jobId: string): Promise<boolean> {
  const now = new Date().toISOString();
  const r = await db
    .updateTable('jobs')
    .set({ state: 'cancelled', lease_until: null, updated_at: now, finished_at: now })
    .where('id', '=', jobId)
    .where('state', 'in', ['queued', 'running'])
    .executeTakeFirst();
  return r.numUpdatedRows > 0n;
}

export async function getJob(db: Db, id: string): Promise<Job | undefined> {
  const row = await db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toJob(row) : undefined;
}

/** The job of this kind with this dedupe key (there is at most one), e.g. `derive:${versionId}`. */
export async function latestJobFor<K extends JobKind>(db: Db, kind: K, dedupeKey: string): Promise<Job<K> | undefined> {
  const row = await db
    .selectFrom('jobs')
    .selectAll()
    .where('kind', '=', kind)
    .where('dedupe_key', '=', dedupeKey)
    .executeTakeFirst();
  return row ? (toJob(row) as Job<K>) : undefined;
}

/**
 * Jobs of a kind whose payload has the given top-level field values, newest first. This reads the JSON of
 * every job of the kind: for hot paths give the job a dedupe key and use latestJobFor (indexed).
 */
export async function jobsFor<K extends JobKind>(
  db: Db,
  kind: K,
  match: Partial<JobPayloads[K]>,
  opts: { limit?: number } = {},
): Promise<Job<K>[]> {
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;
  let q = db.selectFrom('jobs').selectAll().where('kind', '=', kind);
  for (const [field, value] of Object.entries(match as Record<string, unknown>)) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(field)) throw new Error(`bad payload field name: ${field}`);
    if (value === undefined) continue;
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
      throw new Error(`payload match on ${field}: only string, number and boolean values`);
    }
    q = pg
      ? q.where(sql<string>`(payload::jsonb ->> ${field})`, '=', String(value))
      : q.where(sql<unknown>`json_extract(payload, ${`$.${field}`})`, '=', typeof value === 'boolean' ? Number(value) : value);
  }
  const rows = await q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(opts.limit ?? 50).execute();
  return rows.map((r) => toJob(r) as Job<K>);
}

/** For an admin list: newest first, optionally filtered. */
export async function listJobs(
  db: Db,
  opts: { kinds?: readonly JobKind[]; states?: readonly JobState[]; limit?: number; offset?: number } = {},
): Promise<Job[]> {
  let q = db.selectFrom('jobs').selectAll();
  if (opts.kinds?.length) q = q.where('kind', 'in', opts.kinds);
  if (opts.states?.length) q = q.where('state', 'in', opts.states);
  const rows = await q
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(opts.limit ?? 100)
    .offset(opts.offset ?? 0)
    .execute();
  return rows.map(toJob);
}

export function toJob(row: JobRow): Job {
  return { ...row, kind: row.kind as JobKind, payload: parseObject(row.payload), result: parseObject(row.result) } as Job;
}

function parseObject(text: string): any {
  try {
    const v: unknown = JSON.parse(text);
    return v && typeof v === 'object' && !Array.isArray(v) ? v : {};
  } catch {
    return {};
  }
}

/** One line, credentials in URLs and key=value secrets masked, at most 300 characters. */
export function shortErrorMessage(message: string): string {
  let m = String(message ?? '').split(/\r?\n/).find((l) => l.trim() !== '') ?? '';
  m = m
    .trim()
    .replace(/([a-z][a-z0-9+.-]*:\/\/)[^\s/@:]+:[^\s/@]+@/gi, '$1***@')
    .replace(/\b(password|passwd|pwd|secret|token|api[_-]?key|access[_-]?key)(\s*[=:]\s*)\S+/gi, '$1$2***');
  if (m.length > MAX_ERROR_LENGTH) m = `${m.slice(0, MAX_ERROR_LENGTH - 1)}…`;
  return m || 'unknown error';
}

/**
 * Jobs held by worker processes of this host that no longer exist (killed, crashed): handed back to the queue
 * at once instead of after their lease, so a restarted server resumes its work immediately. Worker ids are
 * `host:pid:…` (defaultWorkerId); a pid that is alive is left alone, whoever it is.
 */
export async function releaseOrphanedJobs(db: Db, hostname: string, isAlive: (pid: number) => boolean): Promise<number> {
  const rows = await db
    .selectFrom('jobs')
    .select(['id', 'locked_by'])
    .where('state', '=', 'running')
    .where('locked_by', 'like', `${hostname.replace(/[\\%_]/g, '')}:%`)
    .execute();
  let released = 0;
  for (const r of rows) {
    const pid = Number(r.locked_by?.split(':')[1]);
    if (!Number.isInteger(pid) || pid <= 0 || isAlive(pid)) continue;
    if (await release(db, r.id, r.locked_by!)) released++;
  }
  return released;
}

export function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
