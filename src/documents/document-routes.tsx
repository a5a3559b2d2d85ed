// One document: page with preview, metadata, versions, links and history; downloads; trash and restore.
import path from 'node:path';
import { Hono, type Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { z } from 'zod';
import { sendBlob } from '../http/send-blob.ts';
import { DocumentPage } from '../../views/document-page.tsx';
import { withLocalCopy } from '../adapters/object-store/local-copy.ts';
import { renderPagePng } from '../adapters/page-renderer.ts';
import { ALL_ROLES, currentUser, notFound, requireRole } from '../http/access.ts';
import { pageContext } from '../http/page-context.ts';
import { nowIso } from '../ids.ts';
import { canChangeDocuments, visibleDocument, visibleInstitution } from './document-access.ts';
import { blobKey, documentVersions, isFrozen, linksOfDocument, recordDocumentEvent, type DocumentRow } from './document-repository.ts';
import { documentHistory } from './document-history.ts';
import { FILE_KIND_EXTENSIONS, type FileKind } from './file-kind.ts';
import { handleUpload } from './upload-handler.tsx';
import { textStatus, type TextStatus } from './text-status.ts';
import { DocumentSuggestions } from '../../views/suggestions.tsx';
import { TARGET_LEVEL_LABELS } from '../../views/labels.ts';
import { suggestItemsForDocument } from '../search/suggest-items.ts';
import { TextStatusView } from '../../views/text-status.tsx';
import { retry as retryJob } from '../jobs/job-queue.ts';
import { highlightHtml } from '../search/highlight.ts';

const metadataForm = z.object({
  title: z.string().trim().min(1, '标题不能为空').max(200, '标题不能超过200字'),
  document_date: z.union([z.literal(''), z.string().regex(/^\d{4}-\d{2}-\d{2}$/, '成文日期格式应为 年-月-日')]).default(''),
  issuing_department: z.string().trim().max(100, '发文部门不能超过100字').default(''),
});

function downloadName(title: string, kind: string): string {
  return `${title}.${FILE_KIND_EXTENSIONS[kind as FileKind] ?? 'bin'}`;
}

/** "可能对应的条款": for the institution's newest dossier still being prepared. */
async function documentSuggestions(c: Context, doc: DocumentRow, text: TextStatus) {
  const db = c.get('db');
  const dossier = await db
    .selectFrom('dossiers')
    .selectAll()
    .where('institution_id', '=', doc.institution_id)
    .where('state', 'in', ['draft', 'returned'])
    .orderBy('year', 'desc')
    .orderBy('created_at', 'desc')
    .executeTakeFirst();
  if (!dossier) return undefined;
  const items = await suggestItemsForDocument(db, { documentId: doc.id, dossierId: dossier.id, limit: 3 });
  return (
    <DocumentSuggestions
      documentId={doc.id}
      dossierId={dossier.id}
      items={items}
      csrfToken={c.get('csrfToken')}
      canLink
      dossierLabel={`${dossier.year}年 ${TARGET_LEVEL_LABELS[dossier.target_level]}`}
      textPending={text.state === 'waiting' || text.state === 'queued' || text.state === 'running'}
    />
  );
}

export function documentRoutes(): Hono {
  const app = new Hono();
  app.use('*', requireRole(...ALL_ROLES));

  async function renderPage(
    c: Context,
    doc: DocumentRow,
    extra: { flash?: { kind: 'ok' | 'error'; text: string }; errors?: string[]; draft?: { title: string; document_date: string; issuing_department: string } } = {},
    status: 200 | 400 | 409 = 200,
  ) {
    const db = c.get('db');
    const institution = await visibleInstitution(c, doc.institution_id);
    const pageNo = Number(c.req.query('page'));
    const q = (c.req.query('q') ?? '').slice(0, 100);
    let found: { pageNo: number; html: string } | undefined;
    if (Number.isInteger(pageNo) && pageNo > 0 && q) {
      const row = await db.selectFrom('pages').select('text').where('version_id', '=', doc.version.id).where('page_no', '=', pageNo).executeTakeFirst();
      if (row) found = { pageNo, html: highlightHtml(row.text, q) };
    }
    const canEdit = canChangeDocuments(currentUser(c), doc.institution_id);
    const text = await textStatus(db, doc.version.id);
    return c.html(
      <DocumentPage
        ctx={pageContext(c)}
        institution={institution}
        doc={doc}
        versions={await documentVersions(db, doc.id)}
        links={await linksOfDocument(db, doc.id)}
        events={await documentHistory(db, { documentId: doc.id })}
        canEdit={canEdit}
        frozen={await isFrozen(db, doc.id)}
        maxBytes={c.get('deps').config.maxUploadBytes}
        text={text}
        found={found}
        suggestions={canEdit && !doc.trashed_at ? await documentSuggestions(c, doc, text) : undefined}
        {...extra}
      />,
      status,
    );
  }

  // After a redirect (trash/restore), ?done= says what just happened.
  const DONE: Record<string, string> = {
    trashed: '已移入回收站。如需使用，可点击“从回收站恢复”。',
    restored: '已从回收站恢复。',
  };

  app.get('/:id', async (c) => {
    const doc = await visibleDocument(c, c.req.param('id'));
    const done = DONE[c.req.query('done') ?? ''];
    return renderPage(c, doc, done ? { flash: { kind: 'ok', text: done } } : {});
  });

  app.get('/:id/original', async (c) => {
    const doc = await visibleDocument(c, c.req.param('id'));
    return sendBlob(c, doc.version.blob_sha256, { type: doc.version.mime, name: downloadName(doc.title, doc.version.kind) });
  });

  app.get('/:id/versions/:vid/original', async (c) => {
    const doc = await visibleDocument(c, c.req.param('id'));
    const v = (await documentVersions(c.get('db'), doc.id)).find((x) => x.id === c.req.param('vid'));
    if (!v) notFound('版本');
    return sendBlob(c, v.blob_sha256, { type: v.mime, name: `${doc.title}（第${v.version_no}版）.${FILE_KIND_EXTENSIONS[v.kind as FileKind] ?? 'bin'}` });
  });

  app.get('/:id/rendition', async (c) => {
    const doc = await visibleDocument(c, c.req.param('id'));
    return sendBlob(c, doc.version.rendition_sha256, { type: 'application/pdf', name: `${doc.title}.pdf`, inline: true });
  });

  app.get('/:id/thumbnail', async (c) => {
    const doc = await visibleDocument(c, c.req.param('id'));
    return sendBlob(c, doc.version.thumbnail_sha256, { type: 'image/png' });
  });

  app.get('/:id/versions/:vid/pages/:page', async (c) => {
    const doc = await visibleDocument(c, c.req.param('id'));
    const v = (await documentVersions(c.get('db'), doc.id)).find((x) => x.id === c.req.param('vid'));
    const page = Number(/^(\d{1,5})\.png$/.exec(c.req.param('page'))?.[1]);
    if (!v || !page || page > (v.page_count ?? 0)) notFound('页面');
    const width = Math.min(1600, Math.max(200, Number(c.req.query('w')) || 900));
    const source = v.rendition_sha256 ?? v.blob_sha256;
    const kind = (v.rendition_sha256 ? 'pdf' : v.kind) as 'pdf' | 'jpeg' | 'png' | 'tiff';
    if (!['pdf', 'jpeg', 'png', 'tiff'].includes(kind)) notFound('页面');
    const key = await blobKey(c.get('db'), source);
    if (!key) notFound('文件');
    const { store, config } = c.get('deps');
    try {
      const png = await withLocalCopy(store, key, path.join(config.dataDir, 'tmp'), (file) => renderPagePng(file, kind, page, width));
      return c.body(new Uint8Array(png), 200, { 'content-type': 'image/png', 'cache-control': 'private, max-age=86400' });
    } catch (err) {
      console.error(`[preview] ${doc.id} p${page}:`, (err as Error).message);
      throw new HTTPException(422, { message: '该页无法生成预览。' });
    }
  });

  app.get('/:id/text-status', async (c) => {
    const doc = await visibleDocument(c, c.req.param('id'));
    const status = await textStatus(c.get('db'), doc.version.id);
    const canRetry = canChangeDocuments(currentUser(c), doc.institution_id);
    return c.html(<TextStatusView documentId={doc.id} status={status} compact={c.req.query('compact') === '1'} csrfToken={c.get('csrfToken')} canRetry={canRetry} />);
  });

  app.post('/:id/text/retry', async (c) => {
    const doc = await visibleDocument(c, c.req.param('id'));
    if (!canChangeDocuments(currentUser(c), doc.institution_id)) notFound();
    const db = c.get('db');
    const status = await textStatus(db, doc.version.id);
    if (status.jobId && status.state === 'failed') await retryJob(db, status.jobId);
    if (!c.get('htmx')) return c.redirect(`/documents/${doc.id}`, 303);
    const fresh = await textStatus(db, doc.version.id);
    return c.html(<TextStatusView documentId={doc.id} status={fresh} compact={c.req.query('compact') === '1'} csrfToken={c.get('csrfToken')} canRetry />);
  });

  app.post('/:id', async (c) => {
    const doc = await visibleDocument(c, c.req.param('id'));
    const user = currentUser(c);
    if (!canChangeDocuments(user, doc.institution_id)) notFound();
    const db = c.get('db');
    if (await isFrozen(db, doc.id)) return renderPage(c, doc, { errors: ['该文件已被已提交的档案引用，不能修改，只能上传新版本。'] }, 409);
    if (doc.trashed_at) return renderPage(c, doc, { errors: ['回收站中的文件不能修改，请先恢复。'] }, 409);
    const body = await c.req.parseBody();
    const parsed = metadataForm.safeParse(body);
    if (!parsed.success) {
      const field = (k: string) => (typeof body[k] === 'string' ? body[k] : '');
      const draft = { title: field('title'), document_date: field('document_date'), issuing_department: field('issuing_department') };
      return renderPage(c, doc, { errors: parsed.error.issues.map((i) => i.message), draft }, 400);
    }
    const { title, document_date, issuing_department } = parsed.data;
    await db.transaction().execute(async (trx) => {
      await trx
        .updateTable('documents')
        .set({ title, document_date: document_date || null, issuing_department, updated_at: nowIso() })
        .where('id', '=', doc.id)
        .execute();
      const action = title !== doc.title ? 'rename' : 'edit';
      await recordDocumentEvent(trx, { documentId: doc.id, actorId: user.id, action, detail: { title, from: doc.title, document_date, issuing_department } });
    });
    return c.redirect(`/documents/${doc.id}`, 303);
  });

  for (const action of ['trash', 'restore'] as const) {
    app.post(`/:id/${action}`, async (c) => {
      const doc = await visibleDocument(c, c.req.param('id'));
      const user = currentUser(c);
      if (!canChangeDocuments(user, doc.institution_id)) notFound();
      const db = c.get('db');
      const done = await db.transaction().execute(async (trx) => {
        // Checked inside the transaction: a submission racing with a delete cannot lose evidence.
        if (await isFrozen(trx, doc.id)) return false;
        await trx
          .updateTable('documents')
          .set(action === 'trash' ? { trashed_at: nowIso(), trashed_by: user.id } : { trashed_at: null, trashed_by: null })
          .where('id', '=', doc.id)
          .execute();
        await recordDocumentEvent(trx, { documentId: doc.id, actorId: user.id, action });
        return true;
      });
      if (!done) return renderPage(c, doc, { errors: ['该文件已被已提交的档案引用，不能删除。'] }, 409);
      // Back to the document itself, where a message confirms what happened (and restore is one click away).
      return c.redirect(`/documents/${doc.id}?done=${action === 'trash' ? 'trashed' : 'restored'}`, 303);
    });
  }

  app.post('/:id/versions', async (c) => {
    const doc = await visibleDocument(c, c.req.param('id'));
    if (!canChangeDocuments(currentUser(c), doc.institution_id) || doc.trashed_at) notFound();
    return handleUpload(c, {
      institutionId: doc.institution_id,
      back: `/documents/${doc.id}`,
      target: async () => ({ replaceDocumentId: doc.id }),
      // Several files would silently become several versions; a new version is exactly one file.
      singleFile: '一次只能上传一个文件作为新版本，本次未保存任何文件。请只选择一个文件。',
    });
  });

  return app;
}
