// `dossier seal …` as a user runs it: a real process. Export needs the database and the object store; verify needs
// neither (it runs with a DATABASE_URL that points nowhere).
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listSeals } from '../../src/seals/seal-chain.ts';
import { createTestDb, type TestDb } from '../helpers/test-db.ts';
import { sealFixture, sealHistory, type SealFixture } from '../seals/seal-fixtures.ts';

const run = promisify(execFile);
const bin = path.resolve('bin/dossier.mjs');
let t: TestDb;
let f: SealFixture;
let archive: string;

async function dossier(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const fullEnv: NodeJS.ProcessEnv = { ...process.env, DOSSIER_DATA_DIR: t.config.dataDir, DATABASE_URL: '', ...env };
  for (const k of ['S3_ENDPOINT', 'S3_BUCKET', 'S3_ACCESS_KEY', 'S3_SECRET_KEY']) delete fullEnv[k];
  try {
    const { stdout, stderr } = await run(process.execPath, [bin, ...args], { env: fullEnv, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

beforeAll(async () => {
  t = await createTestDb({ demo: true });
  f = await sealFixture(t.db, t.store, 2);
  await sealHistory(t.db, f);
  archive = path.join(t.config.dataDir, '封存包.zip');
});
afterAll(() => t.close());

describe('dossier seal', () => {
  it('exports the latest seal and prints its hash', async () => {
    const res = await dossier(['seal', 'export', f.dossierId, '--out', archive]);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    const last = (await listSeals(t.db, f.dossierId)).at(-1)!;
    expect(res.stdout).toContain(`第 4 号封存`);
    expect(res.stdout).toContain(last.manifest_sha256);
    expect(fs.statSync(archive).size).toBeGreaterThan(1000);
  });

  it('verifies without a database: exit 0 when intact, 1 with the problem named when not', async () => {
    const noDb = { DATABASE_URL: 'postgres://nobody:x@127.0.0.1:1/none', DOSSIER_DATA_DIR: '/nonexistent/dossier' };
    const ok = await dossier(['seal', 'verify', archive], noDb);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('校验通过');
    const bytes = fs.readFileSync(archive);
    const doc = f.documents[0]!;
    bytes[bytes.indexOf(doc.content.subarray(0, 64)) + 50]! ^= 0xff;
    const bad = path.join(t.config.dataDir, 'bad.zip');
    fs.writeFileSync(bad, bytes);
    const res = await dossier(['seal', 'verify', bad], noDb);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('文件被改动');
    expect(res.stderr).toContain(`originals/${doc.sha256}.pdf`);
    const json = await dossier(['seal', 'verify', bad, '--json'], noDb);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, problems: [{ kind: 'file_changed' }] });
  });

  it('exports a given sequence, lists the chain, and rejects bad input', async () => {
    const second = path.join(t.config.dataDir, 'second.zip');
    expect((await dossier(['seal', 'export', f.dossierId, '--out', second, '--sequence', '2'])).code).toBe(0);
    expect((await dossier(['seal', 'verify', second])).stdout).toContain('第 2 号');
    const list = await dossier(['seal', 'list', f.dossierId]);
    expect(list.code).toBe(0);
    expect(list.stdout).toContain('退回修改');
    expect((await dossier(['seal', 'verify'])).code).toBe(2);
    expect((await dossier(['seal', 'export', 'd_missing', '--out', second])).code).toBe(1);
    const unknown = await dossier(['seal', 'list', 'd_missing']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('找不到档案 d_missing');
    expect(unknown.stdout).not.toContain('校验通过');
    expect((await dossier(['seal', 'export', f.dossierId, '--out', second, '--sequence', '99'])).code).toBe(1);
    expect((await dossier(['seal', 'verify', path.join(t.config.dataDir, 'none.zip')])).code).toBe(1);
  });
});
