// The binder tab: request a build, watch its progress, download volumes, labels, or everything as a ZIP.
// Anyone who can see the dossier may build and download (reviewers print packs too).
import { Hono, type Context } from 'hono';
import { Readable } from 'node:stream';
import yazl from 'yazl';
import { BinderPage, BuildCard, type BuildProgress } from '../../views/binder-page.tsx';
import { TARGET_LEVEL_LABELS } from '../../views/labels.ts';
import { recordAudit } from '../audit/audit-log.ts';
import { blobKey } from '../documents/document-repository.ts';
import { ALL_ROLES, currentUser, notFound, requireRole } from '../http/access.ts';
import { clientIp } from '../http/client-ip.ts';
import { pageContext } from '../http/page-context.ts';
import { contentDisposition, sendBlob } from '../http/send-blob.ts';
import { getJob } from '../jobs/job-queue.ts';
import { reviewAccess } from '../review/review-access.ts';
import { DEFAULT_BINDER_OPTIONS, binderOptionsSchema } from './binder-types.ts';
import { listBinderBuilds, requestBinderBuild } from './binder-builds.ts';

async function loadDossier(c: Context) {
  const db = c.get('db');
  const access = await reviewAccess(db, currentUser(c), c.req.param('id') ?? '');
  if (!access) notFound('档案');
  const institution = await db.selectFrom('institutions').select('name').where('id', '=', access.dossier.institution_id).executeTakeFirstOrThrow();
  const d = access.dossier;
  return { dossier: d, title: `${institution.name} · ${d.year}年 · ${TARGET_LEVEL_LABELS[d.target_level]}`, fileBase: `${institution.name}-${d.year}-${TARGET_LEVEL_LABELS[d.target_level]}` };
}

async function progressOf(c: Context, jobId: string | null): Promise<BuildProgress | null> {
  if (!jobId) return null;
  const job = await getJob(c.get('db'), jobId);
  return job ? { done: job.progress_done, total: job.progress_total } : null;
}

async function findBuild(c: Context, dossierId: string) {
  const build = (await listBinderBuilds(c.get('db'), dossierId)).find((b) => b.id === c.req.param('buildId'));
  if (!build) notFound('装订册');
  return build;
}

/** Form fields → options: unchecked checkboxes are absent, so they are read as false. */
function optionsFromForm(body: Record<string, unknown>) {
  const str = (k: string) => (typeof body[k] === 'string' ? (body[k] as string) : undefined);
  return binderOptionsSchema.safeParse({
    split: str('split'),
    maxSheetsPerVolume: str('maxSheetsPerVolume'),
    numbering: str('numbering'),
    duplex: str('duplex') === '1',
    includeMissingSheets: str('includeMissingSheets') === '1',
    missingReport: str('missingReport') === '1',
    retentionPeriod: str('retentionPeriod'),
  });
}

export function binderRoutes(): Hono {
  const app = new Hono();
  app.use('*', requireRole(...ALL_ROLES));

  const page = async (c: Context, error?: string) => {
    const { dossier, title } = await loadDossier(c);
    const builds = await listBinderBuilds(c.get('db'), dossier.id);
    const progress = new Map<string, BuildProgress>();
    for (const b of builds) {
      const p = b.state === 'queued' || b.state === 'running' ? await progressOf(c, b.job_id) : null;
      if (p) progress.set(b.id, p);
    }
    return (
      <BinderPage
        ctx={pageContext(c)}
        dossierId={dossier.id}
        title={title}
        defaults={DEFAULT_BINDER_OPTIONS}
        builds={builds}
        progress={progress}
        canBuild={currentUser(c).role !== 'admin'}
        {...(error ? { error } : {})}
      />
    );
  };

  app.get('/:id/binder', async (c) => c.html(await page(c)));

  app.post('/:id/binder', async (c) => {
    const user = currentUser(c);
    const { dossier } = await loadDossier(c);
    if (user.role === 'admin') notFound();
    const parsed = optionsFromForm(await c.req.parseBody());
    if (!parsed.success) return c.html(await page(c, parsed.error.issues.map((i) => i.message).join(' ')), 400);
    const build = await requestBinderBuild(c.get('db'), { dossierId: dossier.id, options: parsed.data, userId: user.id });
    await recordAudit(c.get('db'), { actorId: user.id, ip: clientIp(c), action: 'binder.request', subjectType: 'dossier', subjectId: dossier.id, detail: { build: build.id, options: parsed.data } });
    return c.redirect(`/dossiers/${dossier.id}/binder#build-${build.id}`, 303);
  });

  app.get('/:id/binder/builds/:buildId/card', async (c) => {
    const { dossier } = await loadDossier(c);
    const build = await findBuild(c, dossier.id);
    return c.html(<BuildCard dossierId={dossier.id} build={build} progress={await progressOf(c, build.job_id)} />);
  });

  app.get('/:id/binder/builds/:buildId/volumes/:file{[0-9]+\\.pdf}', async (c) => {
    const { dossier, fileBase } = await loadDossier(c);
    const build = await findBuild(c, dossier.id);
    const no = Number(c.req.param('file').replace('.pdf', ''));
    const volume = build.volumes.find((v) => v.volume_no === no);
    if (!volume) notFound('分册');
    return sendBlob(c, volume.blob_sha256, { type: 'application/pdf', name: `${fileBase}-第${no}册.pdf` });
  });

  app.get('/:id/binder/builds/:buildId/labels.pdf', async (c) => {
    const { dossier, fileBase } = await loadDossier(c);
    const build = await findBuild(c, dossier.id);
    return sendBlob(c, build.labels_sha256, { type: 'application/pdf', name: `${fileBase}-盒标签.pdf` });
  });

  app.get('/:id/binder/builds/:buildId/all.zip', async (c) => {
    const { dossier, fileBase } = await loadDossier(c);
    const build = await findBuild(c, dossier.id);
    if (build.state !== 'done') notFound('装订册');
    const db = c.get('db');
    const { store } = c.get('deps');
    const zip = new yazl.ZipFile();
    const entries = [
      ...build.volumes.map((v) => ({ sha: v.blob_sha256, name: `${fileBase}-第${v.volume_no}册.pdf` })),
      ...(build.labels_sha256 ? [{ sha: build.labels_sha256, name: `${fileBase}-盒标签.pdf` }] : []),
    ];
    for (const e of entries) {
      const key = await blobKey(db, e.sha);
      if (!key) notFound('文件');
      // PDFs barely compress: store them, and open each object only when the ZIP reaches it.
      zip.addReadStreamLazy(e.name, { compress: false, mtime: new Date(build.finished_at ?? build.created_at) }, (cb) => {
        store.getStream(key).then((s) => cb(null, s), (err: Error) => cb(err, undefined as never));
      });
    }
    zip.end();
    return c.body(Readable.toWeb(zip.outputStream as Readable) as ReadableStream, 200, {
      'content-type': 'application/zip',
      'content-disposition': contentDisposition('attachment', `${fileBase}-装订册.zip`),
    });
  });

  return app;
}
