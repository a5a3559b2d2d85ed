// Binder builds: a request is a row plus a durable job; the job renders the volumes, stores them as blobs
// and records what was replaced by placeholders. Builds are kept, newest first, with their options.
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import type { ObjectStore } from '../adapters/object-store/object-store.ts';
import type { Db } from '../db/database.ts';
import type { BinderBuild, BinderVolume } from '../db/schema.ts';
import { blobKey, upsertBlob } from '../documents/document-repository.ts';
import { newId, nowIso } from '../ids.ts';
import { inTransaction } from '../institutions/institution-repository.ts';
import { enqueue } from '../jobs/job-queue.ts';
import type { JobContext } from '../jobs/worker.ts';
import type { BinderOptions, EvidenceOpener, RenderBinderResult } from './binder-types.ts';
import { loadDossierBinderInputs, type EvidenceSource } from './dossier-binder-plan.ts';
import { renderBinder } from './render-binder.ts';

export interface BinderReport {
  replaced: { key: string; title: string; reason: string }[];
}

export async function requestBinderBuild(db: Db, a: { dossierId: string; options: BinderOptions; userId: string | null }): Promise<BinderBuild> {
  const build: BinderBuild = {
    id: newId('bb'),
    dossier_id: a.dossierId,
    options_json: JSON.stringify(a.options),
    state: 'queued',
    job_id: null,
    requested_by: a.userId,
    created_at: nowIso(),
    finished_at: null,
    input_sha256: null,
    page_count: null,
    volume_count: null,
    labels_sha256: null,
    report_json: '{}',
    error: '',
  };
  await inTransaction(db, async (trx) => {
    await trx.insertInto('binder_builds').values(build).execute();
    const jobId = await enqueue(trx, 'build_binder', { buildId: build.id }, { dedupeKey: `binder:${build.id}`, maxAttempts: 3 });
    await trx.updateTable('binder_builds').set({ job_id: jobId }).where('id', '=', build.id).execute();
    build.job_id = jobId;
  });
  return build;
}

export async function listBinderBuilds(db: Db, dossierId: string): Promise<(BinderBuild & { volumes: BinderVolume[]; requested_by_name: string | null })[]> {
  const builds = await db
    .selectFrom('binder_builds')
    .leftJoin('users', 'users.id', 'binder_builds.requested_by')
    .selectAll('binder_builds')
    .select('users.display_name as requested_by_name')
    .where('dossier_id', '=', dossierId)
    .orderBy('created_at', 'desc')
    .limit(50)
    .execute();
  if (builds.length === 0) return [];
  const volumes = await db
    .selectFrom('binder_volumes')
    .selectAll()
    .where(
      'build_id',
      'in',
      builds.map((b) => b.id),
    )
    .orderBy('volume_no')
    .execute();
  return builds.map((b) => ({ ...b, volumes: volumes.filter((v) => v.build_id === b.id) }));
}

/** Gives the renderer a local file for each blob; S3 objects are downloaded once into `workDir`. */
export function evidenceOpener(db: Db, store: ObjectStore, sources: Map<string, EvidenceSource>, workDir: string): EvidenceOpener {
  return async (e) => {
    const source = sources.get(e.key);
    if (!source) return { type: 'unavailable', reason: '佐证材料记录缺失' };
    if (source.type === 'unavailable') return source;
    const key = await blobKey(db, source.blobSha256);
    if (!key) return { type: 'unavailable', reason: '存储中找不到该文件' };
    const direct = await store.localPath?.(key);
    if (direct) return { type: source.type, path: direct };
    const file = path.join(workDir, `in-${source.blobSha256}`);
    try {
      await fs.access(file);
    } catch {
      await pipeline(await store.getStream(key), createWriteStream(file));
    }
    return { type: source.type, path: file };
  };
}

export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline((await fs.open(file)).createReadStream(), hash);
  return hash.digest('hex');
}

/** Renders a dossier's binder into `outDir` (shared by the job and the `dossier binder` command). */
export async function renderDossierBinder(
  deps: { db: Db; store: ObjectStore },
  a: { dossierId: string; options: BinderOptions; outDir: string; workDir: string; onProgress?: (done: number, total: number) => Promise<void> | void },
): Promise<RenderBinderResult & { inputSha256: string }> {
  const inputs = await loadDossierBinderInputs(deps.db, a.dossierId, a.options);
  await fs.mkdir(a.outDir, { recursive: true });
  await fs.mkdir(a.workDir, { recursive: true });
  const result = await renderBinder({
    plan: inputs.plan,
    options: a.options,
    open: evidenceOpener(deps.db, deps.store, inputs.sources, a.workDir),
    outDir: a.outDir,
    ...(a.onProgress ? { onProgress: a.onProgress } : {}),
  });
  return { ...result, inputSha256: inputs.inputSha256 };
}

/** The build_binder job. Idempotent: a rerun renders again and replaces the build's volume rows. */
export async function runBinderBuild(deps: { db: Db; store: ObjectStore; tmpDir: string }, buildId: string, ctx: JobContext): Promise<Record<string, unknown>> {
  const { db, store } = deps;
  const build = await db.selectFrom('binder_builds').selectAll().where('id', '=', buildId).executeTakeFirst();
  if (!build) return { skipped: 'build deleted' };
  await db.updateTable('binder_builds').set({ state: 'running', error: '' }).where('id', '=', buildId).execute();
  const work = await fs.mkdtemp(path.join(deps.tmpDir, 'binder-'));
  try {
    const options = JSON.parse(build.options_json) as BinderOptions;
    const result = await renderDossierBinder(
      { db, store },
      { dossierId: build.dossier_id, options, outDir: path.join(work, 'out'), workDir: path.join(work, 'in'), onProgress: (d, t) => ctx.progress(d, t) },
    );
    const stored: { volume: (typeof result.volumes)[number]; sha256: string; size: number }[] = [];
    for (const v of result.volumes) {
      const s = await store.putFile(v.path, { prefix: 'binders/', contentType: 'application/pdf' });
      await upsertBlob(db, { sha256: s.sha256, size: s.size, storeKey: s.key });
      stored.push({ volume: v, sha256: s.sha256, size: s.size });
    }
    const labels = await store.putFile(result.labelsPath, { prefix: 'binders/', contentType: 'application/pdf' });
    await upsertBlob(db, { sha256: labels.sha256, size: labels.size, storeKey: labels.key });
    const report: BinderReport = { replaced: result.replaced };
    await db.transaction().execute(async (trx) => {
      await trx.deleteFrom('binder_volumes').where('build_id', '=', buildId).execute();
      for (const s of stored) {
        await trx
          .insertInto('binder_volumes')
          .values({
            build_id: buildId,
            volume_no: s.volume.volumeNo,
            blob_sha256: s.sha256,
            size: s.size,
            page_count: s.volume.pageCount,
            first_item: s.volume.firstItem,
            last_item: s.volume.lastItem,
          })
          .execute();
      }
      await trx
        .updateTable('binder_builds')
        .set({
          state: 'done',
          finished_at: nowIso(),
          input_sha256: result.inputSha256,
          page_count: result.pageCount,
          volume_count: result.volumes.length,
          labels_sha256: labels.sha256,
          report_json: JSON.stringify(report),
        })
        .where('id', '=', buildId)
        .execute();
    });
    return { volumes: result.volumes.length, pages: result.pageCount, replaced: result.replaced.length };
  } catch (err) {
    const last = ctx.attempt >= ctx.maxAttempts;
    await db
      .updateTable('binder_builds')
      .set({ state: last ? 'failed' : 'queued', error: (err as Error).message.slice(0, 500) })
      .where('id', '=', buildId)
      .execute();
    throw err;
  } finally {
    await fs.rm(work, { recursive: true, force: true });
  }
}
