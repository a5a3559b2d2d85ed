// Process entry: config, database, serve, graceful shutdown.
import { serve } from '@hono/node-server';
import { createObjectStore } from './adapters/object-store/create-object-store.ts';
import os from 'node:os';
import { createJobHandlers } from './jobs/job-handlers.ts';
import { processIsAlive, releaseOrphanedJobs } from './jobs/job-queue.ts';
import { consoleJobLogger, startWorker } from './jobs/worker.ts';
import { createApp } from './app.tsx';
import { openAndMigrate, prepareData } from './bootstrap.ts';
import { loadConfig } from './config.ts';
import { demoAccountsText } from './demo/seed-demo.ts';

async function main(): Promise<void> {
  const config = loadConfig();
  const database = await openAndMigrate(config);
  const store = await createObjectStore(config.objectStore, config.dataDir);
  await store.sweepTemp();
  const { seeded } = await prepareData(database, config, store);
  // DOSSIER_WORKERS=0 leaves all jobs to separate `npm run worker` processes.
  const jobs = createJobHandlers({ config, database, store });
  // Work a killed predecessor on this host was doing resumes now, not after its lease runs out.
  const orphans = await releaseOrphanedJobs(database.db, os.hostname(), processIsAlive);
  if (orphans > 0) console.log(`resumed ${orphans} interrupted job(s)`);
  const worker = config.workers === 0 ? null : startWorker({
    db: database.db,
    handlers: jobs.handlers,
    concurrency: config.workers,
    logger: consoleJobLogger,
  });
  const app = createApp({ config, database, store });
  const server = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, (info) => {
    console.log(`基层行证据档案系统 listening on http://localhost:${info.port} (${database.dialect}, data: ${config.dataDir})`);
    if (config.demo) console.log((seeded ? '已写入演示数据。' : '') + demoAccountsText());
  });
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: shutting down`);
    server.close(() =>
      void (worker ? worker.stop() : Promise.resolve())
        .then(() => jobs.close())
        .then(() => store.close())
        .then(() => database.close())
        .then(() => process.exit(0)),
    );
    setTimeout(() => process.exit(1), 10_000).unref();
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
