// Seal pages: the dossier's 封存记录 tab, each seal's archive as a streamed download, and 封存包校验 (upload an
// archive, see the report). Visibility follows reviewAccess: a dossier outside the account's scope is not found.
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { Hono, type Context } from 'hono';
import { SealsPage, type SealRow } from '../../views/seals-page.tsx';
import { SealVerifyPage, type SystemComparison } from '../../views/seal-verify-page.tsx';
import { TARGET_LEVEL_LABELS } from '../../views/labels.ts';
import { recordAudit } from '../audit/audit-log.ts';
import { nodeRequestOf, receiveUpload, UploadAbortedError, UploadFormatError } from '../documents/receive-upload.ts';
import { ALL_ROLES, currentUser, notFound, requireRole } from '../http/access.ts';
import { clientIp } from '../http/client-ip.ts';
import { pageContext } from '../http/page-context.ts';
import { reviewAccess } from '../review/review-access.ts';
import { writeSealArchive } from './seal-archive.ts';
import { findSeal, listSeals, verifySealChain } from './seal-chain.ts';
import { verifySealArchive } from './seal-verify.ts';

/** Manifests larger than this are not pretty-printed into the page (the archive has them). */
const SHOW_MANIFEST_MAX = 256 * 1024;

async function dossierHead(c: Context, dossierId: string) {
  const access = await reviewAccess(c.get('db'), currentUser(c), dossierId);
  if (!access) notFound('档案');
  const institution = await c.get('db').selectFrom('institutions').select(['name']).where('id', '=', access.dossier.institution_id).executeTakeFirstOrThrow();
  return { access, institutionName: institution.name };
}

export function sealRoutes(): Hono {
  const app = new Hono();
  // Mounted at '/': the middleware goes on each route, never on '*' (that would cover the whole app).
  const signedIn = requireRole(...ALL_ROLES);

  app.get('/dossiers/:id/seals', signedIn, async (c) => {
    const db = c.get('db');
    const { access, institutionName } = await dossierHead(c, c.req.param('id'));
    const d = access.dossier;
    const seals = await listSeals(db, d.id);
    const actorIds = [...new Set(seals.map((s) => s.created_by).filter((x): x is string => !!x))];
    const names = new Map(
      actorIds.length === 0
        ? []
        : (await db.selectFrom('users').select(['id', 'display_name']).where('id', 'in', actorIds).execute()).map((u) => [u.id, u.display_name] as const),
    );
    const rows: SealRow[] = seals.map((s) => {
      const bytes = Buffer.byteLength(s.manifest_json, 'utf8');
      let pretty: string | null = null;
      if (bytes <= SHOW_MANIFEST_MAX) {
        try {
          pretty = JSON.stringify(JSON.parse(s.manifest_json), null, 2);
        } catch {
          pretty = s.manifest_json;
        }
      }
      return {
        sequence: s.sequence,
        round: s.round,
        event: s.event,
        actorName: s.created_by ? (names.get(s.created_by) ?? null) : null,
        createdAt: s.created_at,
        manifestSha256: s.manifest_sha256,
        previousSha256: s.previous_sha256,
        manifestBytes: bytes,
        manifestPretty: pretty,
      };
    });
    const check = await verifySealChain(db, d.id);
    return c.html(
      <SealsPage
        ctx={pageContext(c)}
        dossier={{ id: d.id, institutionName, year: d.year, targetLevel: d.target_level, state: d.state }}
        seals={rows}
        check={check}
      />,
    );
  });

  app.get('/dossiers/:id/seals/:sequence/archive', signedIn, async (c) => {
    const db = c.get('db');
    const { access } = await dossierHead(c, c.req.param('id'));
    const raw = c.req.param('sequence');
    const sequence = /^\d{1,9}$/.test(raw) ? Number(raw) : NaN;
    if (!Number.isSafeInteger(sequence)) notFound('封存记录');
    const seal = await findSeal(db, access.dossier.id, sequence);
    if (!seal) notFound('封存记录');
    const user = currentUser(c);
    await recordAudit(db, {
      actorId: user.id,
      ip: clientIp(c),
      action: 'seal.export',
      subjectType: 'dossier',
      subjectId: access.dossier.id,
      detail: { sequence, manifest_sha256: seal.manifest_sha256 },
    });
    const out = new PassThrough();
    // Streams as it is written: a failure part-way (a damaged original) aborts the download rather than
    // delivering an archive that would not verify.
    writeSealArchive({ db, store: c.get('deps').store, dossierId: access.dossier.id, sequence, out }).catch((err: unknown) => {
      console.error(`[seal] archive of ${access.dossier.id}#${sequence} failed: ${(err as Error).message}`);
      out.destroy(err as Error);
    });
    const ascii = `seal-${access.dossier.id}-${String(sequence).padStart(4, '0')}.zip`;
    const name = `封存包-${access.dossier.year}-第${sequence}号.zip`;
    return c.body(Readable.toWeb(out) as unknown as ReadableStream, 200, {
      'content-type': 'application/zip',
      'content-disposition': `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`,
      'cache-control': 'private, no-store',
      'x-content-type-options': 'nosniff',
    });
  });

  const maxMb = (c: Context) => Math.round(c.get('deps').config.maxUploadBytes / 1024 / 1024);

  app.get('/seals/verify', signedIn, (c) => c.html(<SealVerifyPage ctx={pageContext(c)} maxMb={maxMb(c)} />));

  app.post('/seals/verify', signedIn, async (c) => {
    const { config } = c.get('deps');
    const page = (props: { error?: string; status?: 200 | 400 | 413 }, extra: Partial<Parameters<typeof SealVerifyPage>[0]> = {}) =>
      c.html(<SealVerifyPage ctx={pageContext(c)} maxMb={maxMb(c)} {...(props.error ? { error: props.error } : {})} {...extra} />, props.status ?? 200);
    let received;
    try {
      received = await receiveUpload(c.req.raw, { tmpDir: path.join(config.dataDir, 'tmp'), maxFileBytes: config.maxUploadBytes, maxFiles: 1, nodeRequest: nodeRequestOf(c) });
    } catch (err) {
      if (err instanceof UploadAbortedError || err instanceof UploadFormatError) return page({ error: err.message, status: 400 });
      throw err;
    }
    try {
      const file = received.files.find((f) => f.fieldName === 'archive');
      if (!file || file.size === 0) return page({ error: '请选择要校验的封存包文件（ZIP）。', status: 400 });
      if (file.truncated) return page({ error: `文件超过 ${maxMb(c)} MB 的上限，未校验。可以改用命令行 dossier seal verify。`, status: 413 });
      const report = await verifySealArchive(file.tempPath);
      const comparison = await compareWithSystem(c, report);
      const fileName = file.originalName.replace(/[\p{Cc}\p{Cf}]/gu, '').slice(0, 200);
      return page({}, { report, comparison, fileName });
    } finally {
      await received.cleanup();
    }
  });

  return app;
}

/** When the archive names a dossier the account may see, compare its last seal with the system's record. */
async function compareWithSystem(c: Context, report: Awaited<ReturnType<typeof verifySealArchive>>): Promise<SystemComparison | null> {
  if (!report.dossierId || !report.last || report.dossierId.length > 64) return null;
  const db = c.get('db');
  const access = await reviewAccess(db, currentUser(c), report.dossierId);
  if (!access) return null;
  const institution = await db.selectFrom('institutions').select('name').where('id', '=', access.dossier.institution_id).executeTakeFirst();
  const seal = await findSeal(db, report.dossierId, report.last.sequence);
  const latest = await findSeal(db, report.dossierId);
  return {
    dossierId: report.dossierId,
    dossierLabel: `${institution?.name ?? ''} ${access.dossier.year}年${TARGET_LEVEL_LABELS[access.dossier.target_level]}档案`,
    sequence: report.last.sequence,
    systemSha256: seal?.manifest_sha256 ?? null,
    matches: seal?.manifest_sha256 === report.last.manifest_sha256,
    latestSequence: latest?.sequence ?? null,
  };
}
