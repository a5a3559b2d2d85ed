// Kill the server (SIGKILL) in the middle of OCR, start it again: the text job resumes at once and completes.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { intakeFile } from '../../src/documents/document-intake.ts';
import { enqueueTextExtraction } from '../../src/documents/extract-text.ts';
import { createTestDb, type TestDb } from '../helpers/test-db.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
// A 3-page image-only scan from the demo evidence: every page needs OCR.
const SCAN = path.join(root, 'src/demo/evidence/14-weisheng-jishu-renyuan-zhiye-zige-hecha.pdf');

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
});
afterAll(() => t.close());

function startServer(): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: root,
    env: { ...process.env, DOSSIER_DATA_DIR: t.config.dataDir, DATABASE_URL: t.config.databaseUrl ?? '', PORT: '0', HOST: '127.0.0.1', DOSSIER_DEMO: '0', DOSSIER_WORKERS: '1' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
}

async function until<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs: number): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

it('a text job killed mid-OCR is resumed on restart and finishes with every page', async () => {
  const staff = await t.db.selectFrom('users').selectAll().where('username', '=', 'demo-staff').executeTakeFirstOrThrow();
  const bytes = fs.readFileSync(SCAN);
  const outcome = await intakeFile(
    { db: t.db, store: t.store, actorId: staff.id, institutionId: staff.institution_id!, maxFileBytes: 1e9 },
    { fieldName: 'file', originalName: 'scan.pdf', tempPath: SCAN, size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex'), truncated: false },
  );
  if (!outcome.ok) throw new Error(outcome.reason);
  const { current_version_id: versionId } = await t.db.selectFrom('documents').select('current_version_id').where('id', '=', outcome.documentId).executeTakeFirstOrThrow();
  await enqueueTextExtraction(t.db, versionId!);
  const job = () => t.db.selectFrom('jobs').selectAll().where('dedupe_key', '=', `text:${versionId}`).executeTakeFirstOrThrow();

  const first = startServer();
  const firstExit = new Promise((r) => first.on('exit', (code, signal) => r(signal ?? code)));
  await until('OCR to get under way', async () => (await job()).state === 'running' && (await job()).progress_total === 3, 60_000);
  first.kill('SIGKILL');
  expect(await firstExit).toBe('SIGKILL');
  const killed = await job();
  expect(killed.state).toBe('running'); // the dead process still "holds" it
  expect(await t.db.selectFrom('pages').select('id').where('version_id', '=', versionId!).execute()).toHaveLength(0);

  const second = startServer();
  let stderr = '';
  second.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  try {
    const done = await until('the job to finish after the restart', async () => {
      const j = await job();
      return j.state === 'done' || j.state === 'failed' ? j : undefined;
    }, 120_000);
    expect(done.state, `${done.last_error}\n${stderr}`).toBe('done');
    const pages = await t.db.selectFrom('pages').select(['page_no', 'source', 'text']).where('version_id', '=', versionId!).orderBy('page_no').execute();
    expect(pages.map((p) => p.page_no)).toEqual([1, 2, 3]);
    expect(pages.every((p) => p.source === 'ocr' && p.text.length > 20)).toBe(true);
  } finally {
    second.kill('SIGTERM');
    await new Promise((r) => second.on('exit', r));
  }
}, 240_000);
