// A seal made by the real workflow requests the binder of the sealed state; once the build job has run, the
// seal's archive carries the binder volumes and labels, and they verify like everything else.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PDFDocument } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import yauzl from 'yauzl';
import { runBinderBuild } from '../../src/binder/binder-builds.ts';
import type { JobContext } from '../../src/jobs/worker.ts';
import { submitDossier } from '../../src/review/review-workflow.ts';
import { writeSealArchive } from '../../src/seals/seal-archive.ts';
import { verifySealArchive } from '../../src/seals/seal-verify.ts';
import { createTestDb, type TestDb } from '../helpers/test-db.ts';
import { storeDocument, demoSealFixture } from './seal-fixtures.ts';

let t: TestDb;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'seal-binder-'));

const ctx: JobContext = {
  jobId: 'test',
  kind: 'build_binder',
  attempt: 1,
  maxAttempts: 1,
  workerId: 'test',
  signal: new AbortController().signal,
  progress: async () => {},
};

beforeAll(async () => {
  t = await createTestDb();
});
afterAll(async () => {
  await t.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('the binder in a seal archive', () => {
  it('is built for the sealed state and included, verified by SHA256SUMS', async () => {
    const f = await demoSealFixture(t.db);
    const pdf = await PDFDocument.create();
    pdf.addPage([595, 842]).drawText('Evidence page', { x: 72, y: 760, size: 14 });
    await storeDocument(t.db, t.store, { institutionId: f.institutionId, actorId: f.staffId, title: 'Evidence', fileName: 'evidence.pdf', content: Buffer.from(await pdf.save()), link: { dossierId: f.dossierId, itemCode: f.items[0]! } });
    const head = await t.db.selectFrom('users').selectAll().where('username', '=', 'demo-head').executeTakeFirstOrThrow();
    const dossier = await t.db.selectFrom('dossiers').selectAll().where('id', '=', f.dossierId).executeTakeFirstOrThrow();
    const institution = await t.db.selectFrom('institutions').selectAll().where('id', '=', f.institutionId).executeTakeFirstOrThrow();
    await submitDossier(t.db, { user: head, dossier, institution, ip: '127.0.0.1' });

    const seal = await t.db.selectFrom('seals').selectAll().where('dossier_id', '=', f.dossierId).executeTakeFirstOrThrow();
    expect(seal.binder_build_id).toBeTruthy();
    await runBinderBuild({ db: t.db, store: t.store, tmpDir: dir }, seal.binder_build_id!, ctx);
    const build = await t.db.selectFrom('binder_builds').selectAll().where('id', '=', seal.binder_build_id!).executeTakeFirstOrThrow();
    expect(build.state).toBe('done');

    const archive = path.join(dir, 'seal.zip');
    await writeSealArchive({ db: t.db, store: t.store, dossierId: f.dossierId, out: archive });
    const zip = await yauzl.openPromise(archive, { lazyEntries: true });
    const names: string[] = [];
    for await (const e of zip.eachEntry()) names.push(e.fileName);
    zip.close();
    expect(names.some((n) => n.startsWith('binder/') && n.endsWith('.pdf'))).toBe(true);
    const report = await verifySealArchive(archive);
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
  }, 60_000);
});
