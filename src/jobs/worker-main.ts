// Entry for `npm run worker`: job workers in their own process. Run any number of these against the same
// database (Postgres: claims use row locks with SKIP LOCKED; SQLite: one file, writers take turns).
// Slots per process: DOSSIER_WORKERS, default os.availableParallelism(). SIGINT/SIGTERM: stop claiming, let
// running jobs finish (up to 10 s), hand the rest back to the queue, exit. SIGKILL loses nothing either: the
// killed process's jobs are taken over once their leases (30 s) expire.
import { createObjectStore } from '../adapters/object-store/create-object-store.ts';
import { openAndMigrate } from '../bootstrap.ts';
import { loadConfig } from '../config.ts';
import os from 'node:os';
import { createJobHandlers } from './job-handlers.ts';
import { processIsAlive, releaseOrphanedJobs } from './job-queue.ts';
import type { JobKind } from './job-types.ts';
import { consoleJobLogger, startWorker } from './worker.ts';

async function main(): Promise<void> {
  const config = loadConfig();
  const slots = Math.max(1, config.workers);
  const database = await openAndMigrate(config);
  const store = await createObjectStore(config.objectStore, config.dataDir);
  const jobs = createJobHandlers({ config: { ...config, workers: slots }, database, store });
  const handlers = jobs.handlers;
  await releaseOrphanedJobs(database.db, os.hostname(), processIsAlive);
  const kinds = Object.keys(handlers) as JobKind[];
  if (kinds.length === 0) console.warn('没有注册任何任务处理器（src/jobs/job-handlers.ts），工作进程将空闲等待。');
  const worker = startWorker({ db: database.db, handlers, kinds, concurrency: slots, logger: consoleJobLogger });
  console.log(`job worker ${worker.id}: ${slots} slot(s) for ${kinds.join(', ') || '(none)'} (${database.dialect})`);

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: stopping job worker`);
    setTimeout(() => process.exit(1), 15_000).unref();
    void worker
      .stop()
      .then(() => jobs.close())
      .then(() => store.close())
      .then(() => database.close())
      .then(
        () => process.exit(0),
        (err: unknown) => {
          console.error(err instanceof Error ? err.message : err);
          process.exit(1);
        },
      );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
