// SIGKILL a worker process mid-job: nothing is lost, another worker takes the job over once the lease expires.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { enqueue, getJob } from '../../src/jobs/job-queue.ts';
import { startWorker } from '../../src/jobs/worker.ts';
import { createTestDb, type TestDb } from '../helpers/test-db.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const fixture = path.join(root, 'test/fixtures/jobs/hanging-worker.ts');
const LEASE_MS = 1_000;

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb({ demo: false });
});
afterAll(() => t.close());

it('a job whose worker process was SIGKILLed is resumed by another worker after the lease expires', async () => {
  const id = await enqueue(t.db, 'derive_document', { versionId: 'crash-1' }, { dedupeKey: 'derive:crash-1' });

  const child = spawn(process.execPath, ['--import', 'tsx', fixture], {
    cwd: root,
    env: {
      ...process.env,
      FIXTURE_DATA_DIR: t.config.dataDir,
      FIXTURE_DATABASE_URL: t.config.databaseUrl ?? '',
      FIXTURE_LEASE_MS: String(LEASE_MS),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) => child.on('exit', (code, signal) => resolve(signal ?? code)));
  await new Promise<void>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`worker process did not claim the job: ${stderr}`)), 10_000);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes(`claimed ${id}`)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.on('exit', () => reject(new Error(`worker process exited early: ${stderr}`)));
  });

  expect(await getJob(t.db, id)).toMatchObject({ state: 'running', locked_by: 'doomed', attempts: 1, progress_done: 1, progress_total: 3 });
  child.kill('SIGKILL');
  expect(await exited).toBe('SIGKILL');
  const orphaned = await getJob(t.db, id);
  expect(orphaned).toMatchObject({ state: 'running', locked_by: 'doomed' });
  const leaseEnd = Date.parse(orphaned!.lease_until!);

  let startedAt = 0;
  const rescuer = startWorker({
    db: t.db,
    workerId: 'rescuer',
    pollMs: 50,
    leaseMs: LEASE_MS,
    logger: { info: () => {}, warn: () => {}, error: () => {} },
    handlers: {
      derive_document: async (payload, ctx) => {
        startedAt = Date.now();
        await ctx.progress(3, 3);
        return { versionId: payload.versionId, attempt: ctx.attempt };
      },
    },
  });
  try {
    const until = Date.now() + 8_000;
    while ((await getJob(t.db, id))?.state !== 'done') {
      if (Date.now() > until) throw new Error('job was not taken over');
      await new Promise((r) => setTimeout(r, 25));
    }
  } finally {
    await rescuer.stop();
  }
  expect(startedAt).toBeGreaterThanOrEqual(leaseEnd); // not before the dead worker's lease ran out
  expect(await getJob(t.db, id)).toMatchObject({
    state: 'done',
    locked_by: 'rescuer',
    attempts: 2,
    progress_done: 3,
    result: { versionId: 'crash-1', attempt: 2 },
  });
});
