// The document viewer of the review (issue 6): a page of a linked evidence document rendered by pdf.js
// (public/annotate.js), rectangles drawn by reviewers with a comment, replies and resolved state.
//
// Who may do what (src/review/review-access.ts):
// - see the viewer, the file and every annotation of every round and stage: anyone who can see the dossier;
// - create an annotation: a reviewer holding the active stage (canReview);
// - reply: that reviewer, or the institution's staff and head while the dossier is not final (passed/failed);
// - resolve / reopen: a reviewer holding the active stage.
// Anything else answers 404, as for records outside the account's scope. Annotations are never edited or deleted.
import { createRequire } from 'node:module';
import { Readable } from 'node:stream';
import { Hono, type Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { z } from 'zod';
import { AnnotationThreads, AnnotationViewerPage, type LinkedItem, type ThreadListScope, type ViewerSource } from '../../views/annotation-thread.tsx';
import { recordAudit } from '../audit/audit-log.ts';
import type { Dossier, DocumentVersion } from '../db/schema.ts';
import type { Db } from '../db/database.ts';
import { blobKey } from '../documents/document-repository.ts';
import { ALL_ROLES, currentUser, notFound, requireRole } from '../http/access.ts';
import { clientIp } from '../http/client-ip.ts';
import { pageContext } from '../http/page-context.ts';
import { addReply, createAnnotation, findAnnotation, listAnnotations, setResolved, type AnnotationThread } from './annotation-repository.ts';
import { reviewAccess, type ReviewAccess } from './review-access.ts';

const require = createRequire(import.meta.url);
const PDFJS_VERSION = (require('pdfjs-dist/package.json') as { version: string }).version;

const FINAL_STATES: Dossier['state'][] = ['passed', 'failed'];
const MIN_SIDE = 0.005;
const EPS = 1e-6;

const fraction = (what: string) =>
  z.coerce
    .number({ error: `批注区域的${what}无效，请重新框选` })
    .min(0, '批注区域超出页面范围，请重新框选')
    .max(1, '批注区域超出页面范围，请重新框选');


const createForm = z
  .object({
    version_id: z.string({ error: '缺少文件版本' }).min(1, '缺少文件版本').max(64, '文件版本无效'),
    item_code: z.string().max(32, '条款编号无效').optional(),
    page_no: z.coerce.number({ error: '页码无效' }).int('页码无效').min(1, '页码无效').max(100_000, '页码无效'),
    x: fraction('位置'),
    y: fraction('位置'),
    w: fraction('宽度').refine((v) => v > MIN_SIDE, '批注区域太小，请拖出一个更大的矩形'),
    h: fraction('高度').refine((v) => v > MIN_SIDE, '批注区域太小，请拖出一个更大的矩形'),
    body: z.string({ error: '请填写批注内容' }).trim().min(1, '请填写批注内容').max(2000, '批注内容不能超过 2000 字'),
  })
  .refine((f) => f.x + f.w <= 1 + EPS && f.y + f.h <= 1 + EPS, { message: '批注区域超出页面范围，请重新框选' });

const replyForm = z.object({
  body: z.string({ error: '请填写回复内容' }).trim().min(1, '请填写回复内容').max(2000, '回复内容不能超过 2000 字'),
});

function firstError(err: z.ZodError): string {
  return [...new Set(err.issues.map((i) => i.message))].join('；');
}

function badRequest(message: string): never {
  throw new HTTPException(400, { message });
}

type Form = Record<string, string | File | (string | File)[]>;

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.length > 0 && v.length <= 64 ? v : undefined;
}

/** The list a thread form came from (hidden list_* fields), so the same list is rendered back. */
function scopeFrom(form: Form): ThreadListScope {
  const listId = str(form['list_id']);
  return {
    documentId: str(form['list_document']),
    itemCode: str(form['list_item']),
    openOnly: form['list_open'] === '1',
    versionId: str(form['list_version']),
    listId: listId && /^[\w-]+$/.test(listId) ? listId : undefined,
  };
}

function mayReply(access: ReviewAccess): boolean {
  return access.canReview || (access.isInstitution && !FINAL_STATES.includes(access.dossier.state));
}

interface LinkedDocument {
  document: { id: string; title: string };
  version: DocumentVersion;
  /** Every item of the dossier the document is linked to, in standard order. */
  links: LinkedItem[];
  /** The item the viewer was opened for (or the first linked one). */
  itemCode: string;
  /** Versions the dossier links: pinned versions, or the current one for links that follow the latest. */
  versionIds: Set<string>;
  /** The version shown is not linked any more (a newer one replaced it) but carries this dossier's annotations:
   *  shown read-only, so that those annotations are drawn where they were made. */
  superseded: boolean;
}

/** The document as linked in this dossier (item_evidence), with the version to show; null when not linked. */
async function linkedDocument(db: Db, dossier: Dossier, documentId: string, itemCode?: string, versionId?: string): Promise<LinkedDocument | null> {
  if (documentId.length > 64) return null;
  const rows = await db
    .selectFrom('item_evidence as e')
    .innerJoin('documents as d', 'd.id', 'e.document_id')
    .leftJoin('standard_nodes as n', (j) => j.onRef('n.code', '=', 'e.item_code').on('n.standard_id', '=', dossier.standard_id))
    .select(['e.item_code', 'e.version_id', 'e.page_from', 'e.page_to', 'd.id as document_id', 'd.title', 'd.current_version_id', 'n.title as item_title', 'n.position as item_position'])
    .where('e.dossier_id', '=', dossier.id)
    .where('e.document_id', '=', documentId)
    .where('d.institution_id', '=', dossier.institution_id)
    .execute();
  if (rows.length === 0) return null;
  rows.sort((a, b) => Number(a.item_position ?? 1e9) - Number(b.item_position ?? 1e9));
  const versionIds = new Set(rows.map((r) => r.version_id ?? r.current_version_id).filter((v): v is string => Boolean(v)));
  const chosen = rows.find((r) => r.item_code === itemCode) ?? rows[0]!;
  const annotated =
    versionId && !versionIds.has(versionId)
      ? await db.selectFrom('annotations').select('version_id').where('dossier_id', '=', dossier.id).where('version_id', '=', versionId).executeTakeFirst()
      : undefined;
  const wanted = versionId && (versionIds.has(versionId) || annotated) ? versionId : (chosen.version_id ?? chosen.current_version_id);
  if (!wanted) return null;
  const version = await db.selectFrom('document_versions').selectAll().where('id', '=', wanted).where('document_id', '=', documentId).executeTakeFirst();
  if (!version) return null;
  return {
    document: { id: chosen.document_id, title: chosen.title },
    version,
    links: rows.map((r) => ({ item_code: r.item_code, item_title: r.item_title, page_from: r.page_from, page_to: r.page_to })),
    itemCode: chosen.item_code,
    versionIds,
    superseded: !versionIds.has(version.id),
  };
}

type Printable = { mode: 'pdf'; sha256: string; type: string } | { mode: 'image'; sha256: string; type: string; paged: boolean } | { mode: 'none'; reason: string };

/** What the viewer shows of a version: the PDF original, else its PDF rendition, else the image itself. */
function printableOf(v: DocumentVersion): Printable {
  if (v.kind === 'pdf') return { mode: 'pdf', sha256: v.blob_sha256, type: 'application/pdf' };
  if (v.rendition_sha256) return { mode: 'pdf', sha256: v.rendition_sha256, type: 'application/pdf' };
  if (v.kind === 'jpeg' || v.kind === 'png') return { mode: 'image', sha256: v.blob_sha256, type: v.mime, paged: false };
  if (v.kind === 'tiff') return { mode: 'image', sha256: v.blob_sha256, type: v.mime, paged: true };
  if (v.conversion_state === 'pending') return { mode: 'none', reason: '正在生成 PDF 副本，请稍后刷新页面。' };
  return { mode: 'none', reason: '该文件没有可在线查看的 PDF 副本，无法在线批注，请下载原件查看。' };
}

function viewerSource(dossierId: string, documentId: string, v: DocumentVersion): ViewerSource {
  const p = printableOf(v);
  if (p.mode === 'none') return p;
  // Multi-page TIFF: browsers cannot show it; the server renders each page (document routes, scope-checked).
  if (p.mode === 'image' && p.paged) return { mode: 'image', url: `/documents/${documentId}/versions/${v.id}/pages/{page}.png?w=1600` };
  return { mode: p.mode, url: `/dossiers/${dossierId}/documents/${documentId}/pdf?v=${encodeURIComponent(v.id)}` };
}

/** A single `bytes=` range; null = whole file; 'invalid' = unsatisfiable. Multiple ranges get the whole file. */
function parseRange(header: string | undefined, size: number): { start: number; end: number } | null | 'invalid' {
  if (!header) return null;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return null;
  if (m[1] === '') {
    const n = Number(m[2]);
    if (n === 0) return 'invalid';
    return { start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (start >= size || end < start) return 'invalid';
  return { start, end };
}

function inlineDisposition(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return `inline; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

/** Streams a stored blob (as the document routes do), honouring one byte range so pdf.js can fetch pieces. */
async function sendBlob(c: Context, sha256: string, type: string, name: string) {
  const key = await blobKey(c.get('db'), sha256);
  if (!key) notFound('文件');
  const { store } = c.get('deps');
  const stat = await store.stat(key);
  if (!stat) throw new HTTPException(503, { message: '文件暂时无法读取（存储中找不到该文件），请联系管理员。' });
  const headers: Record<string, string> = {
    'content-type': type,
    'accept-ranges': 'bytes',
    'cache-control': 'private, max-age=3600',
    'content-disposition': inlineDisposition(name),
  };
  const range = parseRange(c.req.header('range'), stat.size);
  if (range === 'invalid') return c.body(null, 416, { ...headers, 'content-range': `bytes */${stat.size}` });
  if (range) {
    const stream = await store.getStream(key, range);
    headers['content-range'] = `bytes ${range.start}-${range.end}/${stat.size}`;
    headers['content-length'] = String(range.end - range.start + 1);
    return c.body(Readable.toWeb(stream) as ReadableStream, 206, headers);
  }
  const stream = await store.getStream(key);
  headers['content-length'] = String(stat.size);
  return c.body(Readable.toWeb(stream) as ReadableStream, 200, headers);
}

function threadJson(t: AnnotationThread) {
  return {
    id: t.id,
    number: t.number,
    version_id: t.version_id,
    item_code: t.item_code,
    page_no: t.page_no,
    x: t.x,
    y: t.y,
    w: t.w,
    h: t.h,
    body: t.body,
    author: t.author_name,
    author_role: t.author_role,
    stage: t.stage_label,
    round: t.round,
    created_at: t.created_at,
    resolved: t.resolved_at !== null,
    resolved_at: t.resolved_at,
    resolved_by: t.resolved_by_name,
    replies: t.replies.map((r) => ({ id: r.id, body: r.body, author: r.author_name, author_role: r.author_role, created_at: r.created_at })),
  };
}

export function annotationRoutes(): Hono {
  const app = new Hono();
  app.use('*', requireRole(...ALL_ROLES));

  /** The dossier from the URL with the account's rights in it; 404 when outside its scope. */
  async function access(c: Context): Promise<ReviewAccess> {
    const id = c.req.param('id') ?? '';
    const found = id.length <= 64 ? await reviewAccess(c.get('db'), currentUser(c), id) : null;
    if (!found) notFound('档案');
    return found;
  }

  async function document(c: Context, a: ReviewAccess, opts: { itemCode?: string | undefined; versionId?: string | undefined } = {}): Promise<LinkedDocument> {
    const linked = await linkedDocument(c.get('db'), a.dossier, c.req.param('documentId') ?? '', opts.itemCode, opts.versionId);
    if (!linked) notFound('文件');
    return linked;
  }

  /** htmx: the list the form came from (and an event for the viewer script); plain forms: back to the viewer. */
  async function respond(c: Context, a: ReviewAccess, scope: ThreadListScope, changed: { id: string; page_no: number; document_id: string; item_code: string | null }) {
    if (!c.get('htmx')) {
      const q = new URLSearchParams({ page: String(changed.page_no) });
      if (changed.item_code) q.set('item', changed.item_code);
      return c.redirect(`/dossiers/${a.dossier.id}/documents/${changed.document_id}/view?${q.toString()}#ann-${changed.id}`, 303);
    }
    const threads = await listAnnotations(c.get('db'), { dossierId: a.dossier.id, documentId: scope.documentId, itemCode: scope.itemCode, openOnly: scope.openOnly });
    c.header('HX-Trigger', JSON.stringify({ annotationsChanged: { id: changed.id, page: changed.page_no } }));
    return c.html(
      <AnnotationThreads
        dossierId={a.dossier.id}
        threads={threads}
        csrfToken={c.get('csrfToken')}
        canReply={mayReply(a)}
        canResolve={a.canReview}
        scope={scope}
        showDocument={!scope.documentId}
      />,
    );
  }

  app.get('/:id/documents/:documentId/view', async (c) => {
    const a = await access(c);
    const db = c.get('db');
    const linked = await document(c, a, { itemCode: c.req.query('item'), versionId: c.req.query('v') });
    const { version } = linked;
    const pageCount = version.page_count ?? 0;
    const link = linked.links.find((l) => l.item_code === linked.itemCode);
    let pageNo = Number.parseInt(c.req.query('page') ?? '', 10);
    if (!Number.isInteger(pageNo) || pageNo < 1) pageNo = link?.page_from ?? 1;
    if (pageCount > 0) pageNo = Math.min(pageNo, pageCount);
    const source = viewerSource(a.dossier.id, linked.document.id, version);
    const institution = await db.selectFrom('institutions').select('name').where('id', '=', a.dossier.institution_id).executeTakeFirstOrThrow();
    const canCreate = a.canReview && source.mode !== 'none' && !linked.superseded;
    const createNote = canCreate
      ? null
      : linked.superseded
        ? `第${version.version_no}版已被新版本取代：这里显示在该版本上所作的批注，不能再添加新批注。`
        : a.canReview
        ? '该文件无法在线查看，不能添加批注。'
        : a.isInstitution
          ? '审核人员对本文件的批注显示在下方，您可以逐条回复。'
          : a.activeStage
            ? '只有当前审核阶段的审核人员可以添加批注；您可以查看全部批注。'
            : '档案当前不在审核中，不能添加批注。';
    return c.html(
      <AnnotationViewerPage
        ctx={pageContext(c)}
        dossier={a.dossier}
        institutionName={institution.name}
        document={linked.document}
        version={version}
        source={source}
        pageNo={pageNo}
        pageCount={pageCount}
        itemCode={linked.itemCode}
        links={linked.links}
        threads={await listAnnotations(db, { dossierId: a.dossier.id, documentId: linked.document.id })}
        canCreate={canCreate}
        canReply={mayReply(a)}
        canResolve={a.canReview}
        createNote={createNote}
        superseded={linked.superseded}
        pdfjsVersion={PDFJS_VERSION}
      />,
    );
  });

  app.get('/:id/documents/:documentId/pdf', async (c) => {
    const a = await access(c);
    const linked = await document(c, a, { itemCode: c.req.query('item'), versionId: c.req.query('v') });
    const p = printableOf(linked.version);
    if (p.mode === 'none') notFound('可查看的文件');
    const ext = p.mode === 'pdf' ? 'pdf' : (linked.version.file_name.split('.').pop() ?? 'bin');
    return sendBlob(c, p.sha256, p.type, `${linked.document.title}.${ext}`);
  });

  app.get('/:id/documents/:documentId/annotations', async (c) => {
    const a = await access(c);
    const linked = await document(c, a);
    const threads = await listAnnotations(c.get('db'), { dossierId: a.dossier.id, documentId: linked.document.id });
    c.header('cache-control', 'no-store');
    return c.json(threads.map(threadJson));
  });

  /** The threads of the dossier, an item or a document, as a fragment (for the review workspace). */
  app.get('/:id/annotations', async (c) => {
    const a = await access(c);
    const scope = scopeFrom({ list_item: c.req.query('item') ?? '', list_document: c.req.query('document') ?? '', list_open: c.req.query('open') ?? '', list_id: c.req.query('list_id') ?? '' });
    const threads = await listAnnotations(c.get('db'), { dossierId: a.dossier.id, documentId: scope.documentId, itemCode: scope.itemCode, openOnly: scope.openOnly });
    return c.html(
      <AnnotationThreads dossierId={a.dossier.id} threads={threads} csrfToken={c.get('csrfToken')} canReply={mayReply(a)} canResolve={a.canReview} scope={scope} showDocument={!scope.documentId} />,
    );
  });

  app.post('/:id/annotations', async (c) => {
    const a = await access(c);
    const user = currentUser(c);
    if (!a.canReview || !a.activeStage) notFound();
    // htmx: the reason goes into the form itself (next to the rectangle being drawn), not the page's flash area.
    const reject = (message: string) =>
      c.get('htmx')
        ? c.html(<div class="flash error" role="alert">{message}</div>, 400, { 'HX-Retarget': '#annotation-form-errors', 'HX-Reswap': 'innerHTML' })
        : badRequest(message);
    const form = (await c.req.parseBody()) as Form;
    const parsed = createForm.safeParse(form);
    if (!parsed.success) return reject(firstError(parsed.error));
    const f = parsed.data;
    const db = c.get('db');
    const version = await db.selectFrom('document_versions').select(['id', 'document_id']).where('id', '=', f.version_id).executeTakeFirst();
    const linked = version ? await linkedDocument(db, a.dossier, version.document_id, f.item_code || undefined, version.id) : null;
    if (!version || !linked || !linked.versionIds.has(version.id)) return reject('该文件版本不属于本档案的佐证材料。');
    if (printableOf(linked.version).mode === 'none') return reject('该文件无法在线查看，不能添加批注。');
    if (f.item_code && !linked.links.some((l) => l.item_code === f.item_code)) return reject('该文件未关联到所选条款。');
    const pageCount = linked.version.page_count;
    if (pageCount && f.page_no > pageCount) return reject(`页码超出范围：该文件只有 ${pageCount} 页。`);
    const itemCode = f.item_code || (linked.links.length === 1 ? linked.links[0]!.item_code : null);
    const stage = a.activeStage;
    const id = await db.transaction().execute(async (trx) => {
      const annotationId = await createAnnotation(trx, {
        dossierId: a.dossier.id,
        round: a.dossier.round,
        position: stage.position,
        itemCode,
        documentId: linked.document.id,
        versionId: version.id,
        pageNo: f.page_no,
        x: f.x,
        y: f.y,
        w: Math.min(f.w, 1 - f.x),
        h: Math.min(f.h, 1 - f.y),
        body: f.body,
        authorId: user.id,
      });
      await recordAudit(trx, {
        actorId: user.id,
        ip: clientIp(c),
        action: 'annotation.create',
        subjectType: 'annotation',
        subjectId: annotationId,
        detail: { dossierId: a.dossier.id, documentId: linked.document.id, versionId: version.id, pageNo: f.page_no, itemCode, round: a.dossier.round, position: stage.position },
      });
      return annotationId;
    });
    const scope = scopeFrom(form);
    return respond(c, a, { ...scope, documentId: scope.documentId ?? (scope.itemCode ? undefined : linked.document.id) }, { id, page_no: f.page_no, document_id: linked.document.id, item_code: itemCode });
  });

  app.post('/:id/annotations/:annotationId/replies', async (c) => {
    const a = await access(c);
    const user = currentUser(c);
    const db = c.get('db');
    const ann = await findAnnotation(db, a.dossier.id, c.req.param('annotationId'));
    if (!ann || !mayReply(a)) notFound('批注');
    const form = (await c.req.parseBody()) as Form;
    const parsed = replyForm.safeParse(form);
    if (!parsed.success) badRequest(firstError(parsed.error));
    await db.transaction().execute(async (trx) => {
      const replyId = await addReply(trx, { annotationId: ann.id, body: parsed.data.body, authorId: user.id });
      await recordAudit(trx, {
        actorId: user.id,
        ip: clientIp(c),
        action: 'annotation.reply',
        subjectType: 'annotation',
        subjectId: ann.id,
        detail: { dossierId: a.dossier.id, replyId, institution: a.isInstitution },
      });
    });
    return respond(c, a, scopeFrom(form), ann);
  });

  for (const action of ['resolve', 'reopen'] as const) {
    app.post(`/:id/annotations/:annotationId/${action}`, async (c) => {
      const a = await access(c);
      const user = currentUser(c);
      const db = c.get('db');
      const ann = await findAnnotation(db, a.dossier.id, c.req.param('annotationId'));
      if (!ann || !a.canReview) notFound('批注');
      const form = (await c.req.parseBody()) as Form;
      await db.transaction().execute(async (trx) => {
        const changed = await setResolved(trx, ann.id, action === 'resolve' ? user.id : null);
        if (changed) {
          await recordAudit(trx, {
            actorId: user.id,
            ip: clientIp(c),
            action: `annotation.${action}`,
            subjectType: 'annotation',
            subjectId: ann.id,
            detail: { dossierId: a.dossier.id },
          });
        }
      });
      return respond(c, a, scopeFrom(form), ann);
    });
  }

  return app;
}
