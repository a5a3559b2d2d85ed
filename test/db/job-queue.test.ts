// The durable job queue and its workers, on SQLite and (postgres project) on Postgres.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type DatabaseHandle } from '../../src/db/database.ts';
import {
  cancel,
  claim,
  complete,
  enqueue,
  fail,
  getJob,
  heartbeat,
  jobsFor,
  latestJobFor,
  listJobs,
  progress,
  releaseOrphanedJobs,
  retry,
  retryDelayMs,
  shortErrorMessage,
} from '../../src/jobs/job-queue.ts';
import { PermanentJobError, startWorker, type JobLogger, type JobWorker } from '../../src/jobs/worker.ts';
import { createTestDb, type TestDb } from '../helpers/test-db.ts';

const quiet: JobLogger = { info: () => {}, warn: () => {}, error: () => {} };
const LEASE = 30_000;

let t: TestDb;
const workers: JobWorker[] = [];
const extraHandles: DatabaseHandle[] = [];

beforeAll(async () => {
  t = await createTestDb({ demo: false });
});
afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.stop()));
  await t.db.deleteFrom('jobs').execute();
});
afterAll(async () => {
  for (const h of extraHandles) await h.close();
  await t.close();
});

async function waitFor(check: () => Promise<boolean> | boolean, timeoutMs = 8_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 15));
  }
}

async function stateOf(id: string): Promise<string | undefined> {
  return (await getJob(t.db, id))?.state;
}

describe('queue functions', () => {
  it('enqueues, claims one job atomically, completes it', async () => {
    const id = await enqueue(t.db, 'derive_document', { versionId: 'v1' });
    const queued = await getJob(t.db, id);
    expect(queued).toMatchObject({ state: 'queued', attempts: 0, max_attempts: 5, payload: { versionId: 'v1' } });

    expect(await claim(t.db, 'A', ['build_binder'], LEASE)).toBeNull(); // other kinds only
    const job = await claim(t.db, 'A', ['derive_document', 'build_binder'], LEASE);
    expect(job).toMatchObject({ id, kind: 'derive_document', state: 'running', attempts: 1, locked_by: 'A' });
    expect(Date.parse(job!.lease_until!)).toBeGreaterThan(Date.now() + LEASE - 5_000);
    expect(await claim(t.db, 'B', ['derive_document'], LEASE)).toBeNull();

    expect(await complete(t.db, id, 'B', { nope: true })).toBe(false); // not B's job
    expect(await complete(t.db, id, 'A', { pages: 3 })).toBe(true);
    const done = await getJob(t.db, id);
    expect(done).toMatchObject({ state: 'done', result: { pages: 3 }, lease_until: null });
    expect(done!.finished_at).not.toBeNull();
    expect(await heartbeat(t.db, id, 'A', LEASE)).toBe(false);
  });

  it('claims by priority, then oldest first; respects run_after', async () => {
    const low = await enqueue(t.db, 'extract_text', { versionId: 'a' });
    const later = await enqueue(t.db, 'extract_text', { versionId: 'b' }, { priority: 9, runAfter: new Date(Date.now() + 60_000) });
    const high = await enqueue(t.db, 'extract_text', { versionId: 'c' }, { priority: 5 });
    expect((await claim(t.db, 'A', ['extract_text'], LEASE))!.id).toBe(high);
    expect((await claim(t.db, 'A', ['extract_text'], LEASE))!.id).toBe(low);
    expect(await claim(t.db, 'A', ['extract_text'], LEASE)).toBeNull();
    expect((await claim(t.db, 'A', ['extract_text'], LEASE, { now: new Date(Date.now() + 61_000) }))!.id).toBe(later);
  });

  it('dedupes on the key while the job lives, re-queues it once failed or cancelled', async () => {
    const key = 'derive:v2';
    const id = await enqueue(t.db, 'derive_document', { versionId: 'v2' }, { dedupeKey: key });
    expect(await enqueue(t.db, 'derive_document', { versionId: 'v2' }, { dedupeKey: key })).toBe(id);
    await claim(t.db, 'A', ['derive_document'], LEASE);
    expect(await enqueue(t.db, 'derive_document', { versionId: 'v2' }, { dedupeKey: key })).toBe(id);
    expect(await stateOf(id)).toBe('running');
    await complete(t.db, id, 'A', {});
    expect(await enqueue(t.db, 'derive_document', { versionId: 'v2' }, { dedupeKey: key })).toBe(id);
    expect(await stateOf(id)).toBe('done');
    const { n } = await t.db.selectFrom('jobs').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(Number(n)).toBe(1);

    // Failed → a new enqueue runs it again, same id, fresh attempts.
    expect(await retry(t.db, id)).toBe(true); // done → queued (manual re-run)
    await claim(t.db, 'A', ['derive_document'], LEASE);
    expect(await fail(t.db, id, 'A', 'boom', { retry: false })).toBe('failed');
    expect(await enqueue(t.db, 'derive_document', { versionId: 'v2' }, { dedupeKey: key })).toBe(id);
    expect(await getJob(t.db, id)).toMatchObject({ state: 'queued', attempts: 0, finished_at: null });

    expect(await cancel(t.db, id)).toBe(true);
    expect(await stateOf(id)).toBe('cancelled');
    expect(await cancel(t.db, id)).toBe(false);
    expect(await enqueue(t.db, 'derive_document', { versionId: 'v2' }, { dedupeKey: key })).toBe(id);
    expect(await stateOf(id)).toBe('queued');

    expect((await latestJobFor(t.db, 'derive_document', key))?.id).toBe(id);
    expect(await latestJobFor(t.db, 'extract_text', key)).toBeUndefined();
    await expect(enqueue(t.db, 'extract_text', { versionId: 'v2' }, { dedupeKey: key })).rejects.toThrow(/belongs to/);
    // No key: no de-duplication.
    const a = await enqueue(t.db, 'extract_text', { versionId: 'v2' });
    const b = await enqueue(t.db, 'extract_text', { versionId: 'v2' });
    expect(a).not.toBe(b);
    expect((await jobsFor(t.db, 'extract_text', { versionId: 'v2' })).map((j) => j.id).sort()).toEqual([a, b].sort());
    expect(await jobsFor(t.db, 'extract_text', { versionId: 'other' })).toEqual([]);
    expect((await listJobs(t.db, { kinds: ['derive_document'], states: ['queued'] })).map((j) => j.id)).toEqual([id]);
  });

  it('backs off exponentially after a failure, then succeeds', async () => {
    expect([1, 2, 3, 4, 20].map(retryDelayMs)).toEqual([5_000, 10_000, 20_000, 40_000, 600_000]);
    const id = await enqueue(t.db, 'build_binder', { buildId: 'b1' }, { maxAttempts: 3 });
    await claim(t.db, 'A', ['build_binder'], LEASE);
    const before = Date.now();
    expect(await fail(t.db, id, 'A', 'temporary glitch', { retry: true })).toBe('queued');
    const j = (await getJob(t.db, id))!;
    expect(j).toMatchObject({ state: 'queued', attempts: 1, last_error: 'temporary glitch', locked_by: null, lease_until: null });
    const wait = Date.parse(j.run_after) - before;
    expect(wait).toBeGreaterThanOrEqual(4_900);
    expect(wait).toBeLessThan(6_000);

    expect(await claim(t.db, 'A', ['build_binder'], LEASE)).toBeNull(); // still backing off
    const again = await claim(t.db, 'B', ['build_binder'], LEASE, { now: new Date(Date.now() + 6_000) });
    expect(again).toMatchObject({ id, attempts: 2, locked_by: 'B' });
    expect(await complete(t.db, id, 'B', { ok: 1 })).toBe(true);
    expect(await getJob(t.db, id)).toMatchObject({ state: 'done', attempts: 2 });
  });

  it('fails for good after max attempts', async () => {
    const id = await enqueue(t.db, 'build_binder', { buildId: 'b2' }, { maxAttempts: 2 });
    await claim(t.db, 'A', ['build_binder'], LEASE);
    expect(await fail(t.db, id, 'A', 'no 1', { retry: true })).toBe('queued');
    await claim(t.db, 'A', ['build_binder'], LEASE, { now: new Date(Date.now() + 60_000) });
    expect(await fail(t.db, id, 'A', 'no 2\n    at secret stack frame', { retry: true })).toBe('failed');
    const j = (await getJob(t.db, id))!;
    expect(j).toMatchObject({ state: 'failed', attempts: 2, last_error: 'no 2' });
    expect(j.finished_at).not.toBeNull();
    expect(await claim(t.db, 'A', ['build_binder'], LEASE, { now: new Date(Date.now() + 3_600_000) })).toBeNull();
    // Manual retry from the UI: attempts reset.
    expect(await retry(t.db, id)).toBe(true);
    expect(await getJob(t.db, id)).toMatchObject({ state: 'queued', attempts: 0 });
  });

  it('keeps error messages short and free of credentials', () => {
    expect(shortErrorMessage('connect failed postgres://dossier:hunter2@db:5432/x\nstack')).toBe('connect failed postgres://***@db:5432/x');
    expect(shortErrorMessage('bad password=hunter2 here')).toBe('bad password=*** here');
    expect(shortErrorMessage('x'.repeat(1000)).length).toBe(300);
  });

  it('hands an expired lease (crashed worker) to the next claimer; the old worker can no longer write', async () => {
    const id = await enqueue(t.db, 'derive_document', { versionId: 'v3' });
    expect((await claim(t.db, 'A', ['derive_document'], LEASE))!.id).toBe(id);
    expect(await heartbeat(t.db, id, 'A', LEASE)).toBe(true);
    // A dies without another heartbeat; its lease runs out.
    expect(await claim(t.db, 'B', ['derive_document'], LEASE)).toBeNull();
    await t.db.updateTable('jobs').set({ lease_until: new Date(Date.now() - 1_000).toISOString() }).where('id', '=', id).execute();
    const taken = await claim(t.db, 'B', ['derive_document'], LEASE);
    expect(taken).toMatchObject({ id, attempts: 2, locked_by: 'B', state: 'running' });
    expect(taken!.last_error).toContain('租约过期');

    expect(await heartbeat(t.db, id, 'A', LEASE)).toBe(false); // A's lease is lost
    expect(await progress(t.db, id, 'A', 1, 2)).toBe(false);
    expect(await complete(t.db, id, 'A', {})).toBe(false);
    expect(await fail(t.db, id, 'A', 'late', { retry: true })).toBeNull();
    expect(await heartbeat(t.db, id, 'B', LEASE)).toBe(true);
    expect(await complete(t.db, id, 'B', {})).toBe(true);
  });

  it('fails a job whose workers keep dying once it is out of attempts', async () => {
    const id = await enqueue(t.db, 'derive_document', { versionId: 'v4' }, { maxAttempts: 1 });
    await claim(t.db, 'A', ['derive_document'], LEASE);
    await t.db.updateTable('jobs').set({ lease_until: new Date(Date.now() - 1_000).toISOString() }).where('id', '=', id).execute();
    expect(await claim(t.db, 'B', ['derive_document'], LEASE)).toBeNull();
    expect(await getJob(t.db, id)).toMatchObject({ state: 'failed', attempts: 1 });
  });

  it('records progress', async () => {
    const id = await enqueue(t.db, 'extract_text', { versionId: 'v5' });
    await claim(t.db, 'A', ['extract_text'], LEASE);
    expect(await progress(t.db, id, 'A', 3, 10)).toBe(true);
    expect(await getJob(t.db, id)).toMatchObject({ progress_done: 3, progress_total: 10 });
  });
});

describe('workers', () => {
  it('runs handlers, records progress and results', async () => {
    const seen: unknown[] = [];
    const w = startWorker({
      db: t.db,
      pollMs: 20,
      logger: quiet,
      handlers: {
        extract_text: async (payload, ctx) => {
          seen.push({ payload, attempt: ctx.attempt });
          await ctx.progress(1, 2);
          await ctx.progress(2, 2);
          return { chars: 42 };
        },
      },
    });
    workers.push(w);
    const id = await enqueue(t.db, 'extract_text', { versionId: 'v6' });
    await waitFor(async () => (await stateOf(id)) === 'done');
    expect(seen).toEqual([{ payload: { versionId: 'v6' }, attempt: 1 }]);
    expect(await getJob(t.db, id)).toMatchObject({ result: { chars: 42 }, progress_done: 2, progress_total: 2 });
  });

  it('retries a thrown error with backoff, fails a PermanentJobError at once', async () => {
    let calls = 0;
    const w = startWorker({
      db: t.db,
      pollMs: 20,
      logger: quiet,
      backoffMs: () => 50,
      handlers: {
        extract_text: async () => {
          calls += 1;
          if (calls === 1) throw new Error('flaky');
          return { calls };
        },
        build_binder: async () => {
          throw new PermanentJobError('文件无法读取');
        },
      },
    });
    workers.push(w);
    const flaky = await enqueue(t.db, 'extract_text', { versionId: 'v7' });
    const doomed = await enqueue(t.db, 'build_binder', { buildId: 'b3' });
    await waitFor(async () => (await stateOf(flaky)) === 'done' && (await stateOf(doomed)) === 'failed');
    expect(await getJob(t.db, flaky)).toMatchObject({ attempts: 2, result: { calls: 2 }, last_error: 'flaky' });
    expect(await getJob(t.db, doomed)).toMatchObject({ attempts: 1, last_error: '文件无法读取' });
  });

  it('aborts the handler when its lease is lost and discards its outcome', async () => {
    let aborted: unknown = null;
    const w = startWorker({
      db: t.db,
      workerId: 'W',
      pollMs: 20,
      leaseMs: 150, // heartbeat every 50 ms
      logger: quiet,
      handlers: {
        derive_document: (_p, ctx) =>
          new Promise((resolve) => {
            ctx.signal.addEventListener('abort', () => {
              aborted = ctx.signal.reason;
              resolve({ shouldNot: 'be stored' });
            });
          }),
      },
    });
    workers.push(w);
    const id = await enqueue(t.db, 'derive_document', { versionId: 'v8' });
    await waitFor(async () => (await getJob(t.db, id))?.locked_by === 'W');
    // Another worker takes the job over (as after an expired lease).
    await t.db.updateTable('jobs').set({ locked_by: 'thief' }).where('id', '=', id).execute();
    await waitFor(() => aborted !== null);
    expect((aborted as Error).name).toBe('JobLeaseLostError');
    await waitFor(() => w.activeJobs === 0);
    expect(await getJob(t.db, id)).toMatchObject({ state: 'running', locked_by: 'thief', result: {} });
  });

  it('cancelling a running job aborts its handler', async () => {
    let aborted = false;
    const w = startWorker({
      db: t.db,
      pollMs: 20,
      leaseMs: 150,
      logger: quiet,
      handlers: {
        derive_document: (_p, ctx) =>
          new Promise((_resolve, reject) => {
            ctx.signal.addEventListener('abort', () => {
              aborted = true;
              reject(ctx.signal.reason);
            });
          }),
      },
    });
    workers.push(w);
    const id = await enqueue(t.db, 'derive_document', { versionId: 'v9' });
    await waitFor(async () => (await stateOf(id)) === 'running');
    expect(await cancel(t.db, id)).toBe(true);
    await waitFor(() => aborted && w.activeJobs === 0);
    expect(await stateOf(id)).toBe('cancelled');
  });

  it('stop() hands running jobs back to the queue at once, attempt not counted', async () => {
    let started = 0;
    const w = startWorker({
      db: t.db,
      pollMs: 20,
      concurrency: 2,
      stopTimeoutMs: 300,
      logger: quiet,
      handlers: {
        // Honours the signal.
        derive_document: (_p, ctx) =>
          new Promise((_resolve, reject) => {
            started += 1;
            ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason));
          }),
        // Ignores it: handed back after stopTimeoutMs.
        extract_text: () => {
          started += 1;
          return new Promise(() => {});
        },
      },
    });
    const a = await enqueue(t.db, 'derive_document', { versionId: 'v10' });
    const b = await enqueue(t.db, 'extract_text', { versionId: 'v10' });
    await waitFor(() => started === 2);
    await w.stop();
    for (const id of [a, b]) {
      expect(await getJob(t.db, id)).toMatchObject({ state: 'queued', attempts: 0, locked_by: null, lease_until: null });
    }
    // A restarted worker picks them up immediately.
    const again = startWorker({ db: t.db, pollMs: 20, logger: quiet, handlers: { derive_document: async () => ({}), extract_text: async () => ({}) } });
    workers.push(again);
    await waitFor(async () => (await stateOf(a)) === 'done' && (await stateOf(b)) === 'done');
    expect((await getJob(t.db, a))!.attempts).toBe(1);
  });

  it('two workers on separate connections racing over 50 jobs run each job exactly once', async () => {
    const second = openDatabase(t.config);
    extraHandles.push(second);
    const runs = new Map<string, number>();
    const by = { one: 0, two: 0 };
    const handler = (name: 'one' | 'two') => async (_p: { versionId: string }, ctx: { jobId: string }) => {
      runs.set(ctx.jobId, (runs.get(ctx.jobId) ?? 0) + 1);
      by[name] += 1;
      await new Promise((r) => setTimeout(r, Math.random() * 8));
      return {};
    };
    const ids: string[] = [];
    for (let i = 0; i < 50; i++) ids.push(await enqueue(t.db, 'derive_document', { versionId: `r${i}` }, { dedupeKey: `race:${i}` }));
    workers.push(
      startWorker({ db: t.db, workerId: 'one', concurrency: 4, pollMs: 10, logger: quiet, handlers: { derive_document: handler('one') } }),
      startWorker({ db: second.db, workerId: 'two', concurrency: 4, pollMs: 10, logger: quiet, handlers: { derive_document: handler('two') } }),
    );
    await waitFor(async () => {
      const open = await t.db.selectFrom('jobs').select('id').where('state', '!=', 'done').limit(1).execute();
      return open.length === 0;
    }, 15_000);
    expect(runs.size).toBe(50);
    expect([...runs.values()].every((n) => n === 1)).toBe(true);
    expect(by.one + by.two).toBe(50);
    expect(by.one).toBeGreaterThan(0); // both really competed
    expect(by.two).toBeGreaterThan(0);
    const rows = await t.db.selectFrom('jobs').select(['attempts']).execute();
    expect(rows.every((r) => r.attempts === 1)).toBe(true);
  });
});

describe('orphaned jobs of a killed process on this host', () => {
  it('are handed back at once; jobs of live processes and other hosts are left alone', async () => {
    const t = await createTestDb({ demo: false });
    try {
      const ids = [await enqueue(t.db, 'derive_document', { versionId: 'o1' }), await enqueue(t.db, 'derive_document', { versionId: 'o2' }), await enqueue(t.db, 'derive_document', { versionId: 'o3' })];
      await claim(t.db, 'hostA:111:x', ['derive_document'], 60_000);
      await claim(t.db, 'hostA:222:y', ['derive_document'], 60_000);
      await claim(t.db, 'hostB:111:z', ['derive_document'], 60_000);
      const released = await releaseOrphanedJobs(t.db, 'hostA', (pid) => pid === 222);
      expect(released).toBe(1);
      const states = await t.db.selectFrom('jobs').select(['id', 'state', 'locked_by']).where('id', 'in', ids).orderBy('created_at').execute();
      expect(states.filter((s) => s.state === 'queued')).toHaveLength(1);
      expect(states.filter((s) => s.state === 'running').map((s) => s.locked_by).sort()).toEqual(['hostA:222:y', 'hostB:111:z']);
    } finally {
      await t.close();
    }
  });
});
