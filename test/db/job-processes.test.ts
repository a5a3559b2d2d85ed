// Two worker processes against the same database (Postgres: row locks with SKIP LOCKED) share one queue and run
// every job exactly once.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { enqueue } from '../../src/jobs/job-queue.ts';
import { createTestDb, type TestDb } from '../helpers/test-db.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const fixture = path.join(root, 'test/fixtures/jobs/counting-worker.ts');
const JOBS = 60;

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb({ demo: false });
});
afterAll(() => t.close());

function runWorker(name: string): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', fixture], {
    cwd: root,
    env: { ...process.env, FIXTURE_DATA_DIR: t.config.dataDir, FIXTURE_DATABASE_URL: t.config.databaseUrl ?? '', FIXTURE_NAME: name },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stderr })));
}

it('two worker processes run each of 60 jobs exactly once between them', async () => {
  for (let i = 0; i < JOBS; i++) await enqueue(t.db, 'build_binder', { buildId: `b${i}` });
  const results = await Promise.all([runWorker('A'), runWorker('B')]);
  for (const r of results) expect(r.code, r.stderr).toBe(0);
  const runs = await t.db.selectFrom('audit_log').select(['subject_id', 'detail']).where('action', '=', 'job-run').execute();
  expect(runs).toHaveLength(JOBS);
  expect(new Set(runs.map((r) => r.subject_id)).size).toBe(JOBS);
  const by = new Set(runs.map((r) => (JSON.parse(r.detail) as { by: string }).by));
  expect(by).toEqual(new Set(['A', 'B'])); // both processes took part
  const states = await t.db.selectFrom('jobs').select('state').distinct().execute();
  expect(states.map((s) => s.state)).toEqual(['done']);
}, 60_000);
