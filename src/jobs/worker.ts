// Job workers: claim jobs from the queue (job-queue.ts) and run their handlers, in this process.
// `npm start` runs one in the server process; `npm run worker` (worker-main.ts) runs them as separate
// processes, any number of them against the same database.
//
// Writing a handler — it MUST be idempotent:
//   A job may run more than once: after a crash (SIGKILL, power loss) its lease expires and the job starts
//   again from the beginning on some worker, and a worker that lost its lease may still be finishing while
//   another one has started. So a handler must be safe to re-run and to run twice at the same time:
//   - write outputs content-addressed or under deterministic names (the blob store's sha256 keys), and
//     record them with an idempotent "set if not set / upsert" update, never "insert another row";
//   - check first whether the work is already done (e.g. the version already has its rendition) and return;
//   - never send anything that cannot be taken back (mail, SMS) without a durable "sent" marker first.
//   - honour ctx.signal: it is aborted when the worker stops or the job's lease is lost or it was cancelled;
//     pass it to child processes / fetches, and stop promptly (throwing is fine).
//   - do not block the event loop for long (heartbeats run on it): CPU-heavy work belongs in a child process
//     or worker thread. Leases are leaseMs (30 s) long and renewed every leaseMs / 3.
//   - return a small JSON-safe object (stored as the job's result) or nothing; throw PermanentJobError for
//     failures retrying cannot fix (unreadable file, missing record); any other error is retried with
//     exponential backoff until max_attempts. Error messages are shown to users: short, no secrets.
import os from 'node:os';
import type { Db } from '../db/database.ts';
import { newId } from '../ids.ts';
import {
  claim,
  complete,
  fail,
  heartbeat,
  jobEvents,
  progress as recordProgress,
  release,
  retryDelayMs,
  shortErrorMessage,
} from './job-queue.ts';
import type { Job, JobKind, JobPayloads } from './job-types.ts';

export interface JobContext {
  jobId: string;
  kind: JobKind;
  /** 1 on the first try. */
  attempt: number;
  maxAttempts: number;
  workerId: string;
  /** Aborted when the worker stops, the lease is lost or the job is cancelled. */
  signal: AbortSignal;
  /** Records progress (e.g. pages done / total). Throws the abort reason if the job is no longer ours. */
  progress(done: number, total: number): Promise<void>;
}

export type JobHandler<K extends JobKind> = (
  payload: JobPayloads[K],
  ctx: JobContext,
) => Promise<Record<string, unknown> | void>;

export type JobHandlers = { [K in JobKind]: JobHandler<K> };

/** A failure that retrying cannot fix: the job fails at once, whatever attempts are left. */
export class PermanentJobError extends Error {
  override name = 'PermanentJobError';
}

/** The reason on ctx.signal when the job was taken away (lease expired and reclaimed, or cancelled). */
export class JobLeaseLostError extends Error {
  override name = 'JobLeaseLostError';
}

/** The reason on ctx.signal when the worker is shutting down (the job is handed back, not failed). */
export class WorkerStoppingError extends Error {
  override name = 'WorkerStoppingError';
}

export interface JobLogger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export const consoleJobLogger: JobLogger = {
  info: (m) => console.log(m),
  warn: (m) => console.warn(m),
  error: (m) => console.error(m),
};

const defaultLogger: JobLogger = { info: () => {}, warn: (m) => console.warn(m), error: (m) => console.error(m) };

export interface WorkerOptions {
  db: Db;
  /** Unique per worker; default host:pid:random. */
  workerId?: string;
  /** Kinds to claim; default: those with a handler. */
  kinds?: readonly JobKind[];
  handlers: Partial<JobHandlers>;
  /** Jobs run at once by this worker. Default 1. */
  concurrency?: number;
  /** Idle poll interval. Default 500 ms; enqueues from this process wake the worker at once. */
  pollMs?: number;
  /** Lease length; renewed every leaseMs / 3. Default 30 s. */
  leaseMs?: number;
  /** How long stop() waits for running handlers before handing their jobs back anyway. Default 10 s. */
  stopTimeoutMs?: number;
  /** Delay before retrying after `attempts` failed attempts. Default retryDelayMs (5 s × 2^(n-1), ≤ 10 min). */
  backoffMs?: (attempts: number) => number;
  logger?: JobLogger;
}

export interface JobWorker {
  readonly id: string;
  /** Jobs being run right now. */
  readonly activeJobs: number;
  /** Poll now (e.g. right after enqueueing). Enqueues in this process do this automatically. */
  wake(): void;
  /**
   * Stops claiming, aborts running handlers' signals and waits for them (stopTimeoutMs); jobs that did not
   * finish are handed back to 'queued' at once, their attempt not counted.
   */
  stop(): Promise<void>;
}

interface Running {
  job: Job;
  abort: AbortController;
  /** Set once the outcome is decided (finished, lost or abandoned): no further writes for this job. */
  settled: boolean;
  stopHeartbeat(): void;
  done: Promise<void>;
}

export function defaultWorkerId(): string {
  return `${os.hostname()}:${process.pid}:${newId('w').slice(2, 8)}`;
}

/** DOSSIER_WORKERS-style value → worker slots; `fallback` when unset or invalid. */
export function parseWorkerCount(value: string | undefined, fallback: number): number {
  const n = Number(value);
  return value !== undefined && value.trim() !== '' && Number.isInteger(n) && n >= 0 ? n : fallback;
}

export function startWorker(opts: WorkerOptions): JobWorker {
  const { db, handlers } = opts;
  const id = opts.workerId ?? defaultWorkerId();
  const kinds = [...(opts.kinds ?? (Object.keys(handlers) as JobKind[]))];
  const concurrency = Math.max(1, Math.floor(opts.concurrency ?? 1));
  const pollMs = opts.pollMs ?? 500;
  const leaseMs = opts.leaseMs ?? 30_000;
  const heartbeatMs = Math.max(10, Math.floor(leaseMs / 3));
  const stopTimeoutMs = opts.stopTimeoutMs ?? 10_000;
  const backoff = opts.backoffMs ?? retryDelayMs;
  const log = opts.logger ?? defaultLogger;
  for (const k of kinds) if (typeof handlers[k] !== 'function') throw new Error(`no handler for job kind ${k}`);

  const active = new Map<string, Running>();
  let stopping = false;
  let woken = false;
  let interruptSleep: (() => void) | null = null;

  const wake = (): void => {
    woken = true;
    interruptSleep?.();
  };
  const onEnqueued = (kind: string): void => {
    if ((kinds as string[]).includes(kind)) wake();
  };
  jobEvents.on('enqueued', onEnqueued);

  const sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      if (woken || stopping) return resolve();
      const timer = setTimeout(finish, ms);
      function finish(): void {
        clearTimeout(timer);
        interruptSleep = null;
        resolve();
      }
      interruptSleep = finish;
    });

  const handOver = async (job: Job): Promise<void> => {
    try {
      await release(db, job.id, id);
    } catch (err) {
      log.warn(`job ${job.id}: could not hand back on stop (${shortErrorMessage(errorText(err))}); it resumes after its lease expires`);
    }
  };

  const run = (job: Job): void => {
    const abort = new AbortController();
    let beatTimer: NodeJS.Timeout | null = null;
    const stopHeartbeat = (): void => {
      if (beatTimer) clearTimeout(beatTimer);
      beatTimer = null;
    };
    const entry: Running = { job, abort, settled: false, stopHeartbeat, done: Promise.resolve() };
    let lost = false;
    const loseLease = (): void => {
      if (lost || entry.settled) return;
      lost = true;
      abort.abort(new JobLeaseLostError(`job ${job.id} is no longer held by worker ${id}`));
    };

    const beat = async (): Promise<void> => {
      beatTimer = null;
      if (entry.settled || lost) return;
      try {
        if (!(await heartbeat(db, job.id, id, leaseMs))) loseLease();
      } catch (err) {
        log.warn(`job ${job.id}: heartbeat failed: ${shortErrorMessage(errorText(err))}`);
      }
      if (!entry.settled && !lost) beatTimer = setTimeout(() => void beat(), heartbeatMs);
    };
    beatTimer = setTimeout(() => void beat(), heartbeatMs);

    const ctx: JobContext = {
      jobId: job.id,
      kind: job.kind,
      attempt: job.attempts,
      maxAttempts: job.max_attempts,
      workerId: id,
      signal: abort.signal,
      progress: async (done, total) => {
        if (!entry.settled && !lost && !(await recordProgress(db, job.id, id, done, total))) loseLease();
        abort.signal.throwIfAborted();
      },
    };

    const handler = handlers[job.kind] as JobHandler<JobKind>;
    entry.done = (async () => {
      let outcome: { ok: true; result: Record<string, unknown> } | { ok: false; error: unknown };
      try {
        const result = await handler(job.payload, ctx);
        outcome = { ok: true, result: result && typeof result === 'object' ? result : {} };
      } catch (error) {
        outcome = { ok: false, error };
      }
      stopHeartbeat();
      if (entry.settled) return; // abandoned by stop() after its timeout: already handed back
      entry.settled = true;
      if (lost) {
        log.warn(`job ${job.id} (${job.kind}): lease lost or cancelled; outcome discarded`);
        return;
      }
      try {
        if (outcome.ok) {
          if (!(await complete(db, job.id, id, outcome.result))) log.warn(`job ${job.id}: finished but no longer held; result discarded`);
        } else if (stopping && abort.signal.aborted) {
          await handOver(job);
        } else {
          const permanent = outcome.error instanceof PermanentJobError;
          const message = shortErrorMessage(errorText(outcome.error));
          const state = await fail(db, job.id, id, message, { retry: !permanent, delayMs: backoff(job.attempts) });
          const what = state === 'queued' ? 'will retry' : state === 'failed' ? 'failed' : 'no longer held';
          log.warn(`job ${job.id} (${job.kind}) attempt ${job.attempts}/${job.max_attempts}: ${message} — ${what}`);
        }
      } catch (err) {
        // The job stays 'running' until its lease expires, then runs again elsewhere.
        log.error(`job ${job.id}: could not record outcome: ${shortErrorMessage(errorText(err))}`);
      }
    })().finally(() => {
      active.delete(job.id);
      wake();
    });
    active.set(job.id, entry);
  };

  const loop = (async () => {
    while (!stopping) {
      woken = false;
      let trouble = false;
      while (!stopping && active.size < concurrency) {
        let job: Job | null;
        try {
          job = await claim(db, id, kinds, leaseMs);
        } catch (err) {
          log.warn(`worker ${id}: claim failed: ${shortErrorMessage(errorText(err))}`);
          trouble = true;
          break;
        }
        if (!job) break;
        if (stopping) {
          await handOver(job);
          break;
        }
        run(job);
      }
      if (stopping) break;
      await sleep(trouble ? Math.max(pollMs, 2_000) : pollMs);
    }
  })();

  let stopped: Promise<void> | null = null;
  return {
    id,
    get activeJobs() {
      return active.size;
    },
    wake,
    stop() {
      stopped ??= (async () => {
        stopping = true;
        jobEvents.off('enqueued', onEnqueued);
        wake();
        await loop;
        const running = [...active.values()];
        for (const r of running) r.abort.abort(new WorkerStoppingError(`worker ${id} is stopping`));
        let timer: NodeJS.Timeout | undefined;
        const timedOut = await Promise.race([
          Promise.allSettled(running.map((r) => r.done)).then(() => false),
          new Promise<boolean>((resolve) => {
            timer = setTimeout(() => resolve(true), stopTimeoutMs);
          }),
        ]);
        clearTimeout(timer);
        if (timedOut) {
          for (const r of active.values()) {
            if (r.settled) continue;
            r.settled = true;
            r.stopHeartbeat();
            log.warn(`job ${r.job.id} (${r.job.kind}): handler did not stop in time; handed back`);
            await handOver(r.job);
          }
        }
      })();
      return stopped;
    },
  };
}

function errorText(err: unknown): string {
  if (err instanceof Error) return err.message || err.name;
  return typeof err === 'string' ? err : 'unknown error';
}
