// Mapping documents to a dossier item: list, upload into the item, link existing (optionally a page range),
// reorder, unlink. Changes are for the institution's staff and head while the dossier is editable.
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { EvidenceCandidates, EvidenceList, ItemEvidence } from '../../views/item-evidence.tsx';
import { documentHistory } from '../documents/document-history.ts';
import { evidenceForItem, linkEvidence, recordDocumentEvent, reorderEvidence, searchDocumentsByTitle } from '../documents/document-repository.ts';
import { handleUpload } from '../documents/upload-handler.tsx';
import { ItemSuggestions } from '../../views/suggestions.tsx';
import { suggestDocumentsForItem } from '../search/suggest-items.ts';
import { textStatuses } from '../documents/text-status.ts';
import type { Dossier, User } from '../db/schema.ts';
import { ALL_ROLES, currentUser, notFound, requireRole } from '../http/access.ts';
import { findDossier, isEditable } from './dossier-repository.ts';

const linkForm = z
  .object({
    document_id: z.string().min(1, '请选择文件').max(64),
    page_from: z.union([z.literal(''), z.coerce.number().int('页码应为整数').min(1, '页码从 1 开始')]).default(''),
    page_to: z.union([z.literal(''), z.coerce.number().int('页码应为整数').min(1, '页码从 1 开始')]).default(''),
  })
  .refine((f) => f.page_from === '' || f.page_to === '' || f.page_from <= f.page_to, '起始页不能大于结束页');

function canMap(user: User, dossier: Dossier): boolean {
  return (user.role === 'staff' || user.role === 'head') && user.institution_id === dossier.institution_id && isEditable(dossier);
}

/** The evidence section of an item panel (also used by the dossier routes). */
export async function itemEvidenceSection(c: Context, dossier: Dossier, code: string, errors?: string[], part: 'all' | 'list' = 'all') {
  const db = c.get('db');
  const rows = await evidenceForItem(db, dossier.id, code);
  const props = {
    dossierId: dossier.id,
    itemCode: code,
    rows,
    texts: await textStatuses(db, rows.map((r) => r.version_id ?? r.current_version_id ?? '').filter(Boolean)),
    history: part === 'all' ? await documentHistory(db, { dossierId: dossier.id, itemCode: code }, 50) : [],
    canEdit: canMap(currentUser(c), dossier),
    csrfToken: c.get('csrfToken'),
    maxBytes: c.get('deps').config.maxUploadBytes,
    errors,
  };
  return part === 'list' ? <EvidenceList {...props} /> : <ItemEvidence {...props} />;
}

export function evidenceRoutes(): Hono {
  const app = new Hono();
  app.use('*', requireRole(...ALL_ROLES));

  /** The dossier and item from the URL, scope-checked; 404 otherwise. */
  async function load(c: Context) {
    const db = c.get('db');
    const found = await findDossier(db, currentUser(c), c.req.param('id')!);
    if (!found) notFound('档案');
    const code = c.req.param('code')!;
    const item = await db.selectFrom('dossier_items').select('item_code').where('dossier_id', '=', found.dossier.id).where('item_code', '=', code).executeTakeFirst();
    if (!item) notFound('条款');
    return { ...found, code };
  }

  async function fragment(c: Context, dossier: Dossier, code: string, errors?: string[], status: 200 | 400 | 404 | 409 = 200) {
    return c.html(await itemEvidenceSection(c, dossier, code, errors), status);
  }

  /** htmx gets the fragment back; a plain form post returns to the item page. */
  function done(c: Context, dossier: Dossier, code: string, errors?: string[], status: 200 | 400 | 409 = 200) {
    if (c.get('htmx')) return fragment(c, dossier, code, errors, status);
    if (errors?.length) return fragment(c, dossier, code, errors, status);
    return c.redirect(`/dossiers/${dossier.id}/items/${code}`, 303);
  }

  async function requireMapping(c: Context) {
    const loaded = await load(c);
    const user = currentUser(c);
    if ((user.role !== 'staff' && user.role !== 'head') || user.institution_id !== loaded.dossier.institution_id) notFound();
    return { ...loaded, user };
  }

  app.get('/:id/items/:code/evidence', async (c) => {
    const { dossier, code } = await load(c);
    return c.html(await itemEvidenceSection(c, dossier, code, undefined, c.req.query('part') === 'list' ? 'list' : 'all'));
  });

  app.get('/:id/items/:code/evidence/candidates', async (c) => {
    const { dossier, code } = await load(c);
    const q = (c.req.query('q') ?? '').trim().slice(0, 100);
    const docs = q ? await searchDocumentsByTitle(c.get('db'), dossier.institution_id, q) : [];
    const linkedIds = new Set((await evidenceForItem(c.get('db'), dossier.id, code)).map((r) => r.document_id));
    return c.html(<EvidenceCandidates dossierId={dossier.id} itemCode={code} csrfToken={c.get('csrfToken')} q={q} docs={docs} linkedIds={linkedIds} />);
  });

  app.get('/:id/items/:code/evidence/suggestions', async (c) => {
    const { dossier, code } = await load(c);
    const user = currentUser(c);
    const canLink = canMap(user, dossier);
    const docs = canLink ? await suggestDocumentsForItem(c.get('db'), { dossierId: dossier.id, itemCode: code, limit: 5, user }) : [];
    return c.html(<ItemSuggestions dossierId={dossier.id} itemCode={code} docs={docs} csrfToken={c.get('csrfToken')} canLink={canLink} />);
  });

  app.post('/:id/items/:code/evidence', async (c) => {
    const { dossier, code, user } = await requireMapping(c);
    if (!isEditable(dossier)) return done(c, dossier, code, ['档案已提交评审，不能修改佐证材料。'], 409);
    const parsed = linkForm.safeParse(await c.req.parseBody());
    if (!parsed.success) return done(c, dossier, code, parsed.error.issues.map((i) => i.message), 400);
    const db = c.get('db');
    const { document_id, page_from, page_to } = parsed.data;
    const doc = await db
      .selectFrom('documents')
      .innerJoin('document_versions', 'document_versions.id', 'documents.current_version_id')
      .select(['documents.id', 'documents.trashed_at', 'document_versions.page_count'])
      .where('documents.id', '=', document_id)
      .where('documents.institution_id', '=', dossier.institution_id)
      .executeTakeFirst();
    if (!doc || doc.trashed_at) return done(c, dossier, code, ['找不到该文件（可能已移入回收站）。'], 400);
    const from = page_from === '' ? (page_to === '' ? null : page_to) : page_from;
    const to = page_to === '' ? from : page_to;
    if (to !== null && doc.page_count !== null && to > doc.page_count) return done(c, dossier, code, [`该文件只有 ${doc.page_count} 页。`], 400);
    const linked = await db.transaction().execute(async (trx) => {
      const ok = await linkEvidence(trx, { dossierId: dossier.id, itemCode: code, documentId: doc.id, pageFrom: from, pageTo: to, actorId: user.id });
      if (ok) await recordDocumentEvent(trx, { documentId: doc.id, actorId: user.id, action: 'link', dossierId: dossier.id, itemCode: code, detail: { pageFrom: from, pageTo: to } });
      return ok;
    });
    return done(c, dossier, code, linked ? undefined : ['该文件已关联到本条款。'], linked ? 200 : 409);
  });

  app.post('/:id/items/:code/evidence/upload', async (c) => {
    const { dossier, code } = await requireMapping(c);
    if (!isEditable(dossier)) notFound();
    return handleUpload(c, {
      institutionId: dossier.institution_id,
      back: `/dossiers/${dossier.id}/items/${code}`,
      target: async () => ({ link: { dossierId: dossier.id, itemCode: code } }),
    });
  });

  app.post('/:id/items/:code/evidence/:eid/move', async (c) => {
    const { dossier, code, user } = await requireMapping(c);
    if (!isEditable(dossier)) return done(c, dossier, code, ['档案已提交评审，不能修改佐证材料。'], 409);
    const dir = (await c.req.parseBody())['dir'];
    const db = c.get('db');
    const rows = await evidenceForItem(db, dossier.id, code);
    const i = rows.findIndex((r) => r.id === c.req.param('eid'));
    if (i < 0) notFound('关联');
    // Trashed documents are listed apart, so "up"/"down" means the neighbour among the listed (active) ones.
    let j = i;
    do j += dir === 'up' ? -1 : 1;
    while (j >= 0 && j < rows.length && rows[j]!.trashed_at);
    if (j >= 0 && j < rows.length) {
      const ids = rows.map((r) => r.id);
      [ids[i], ids[j]] = [ids[j]!, ids[i]!];
      await db.transaction().execute(async (trx) => {
        await reorderEvidence(trx, dossier.id, code, ids);
        await recordDocumentEvent(trx, { documentId: rows[i]!.document_id, actorId: user.id, action: 'reorder', dossierId: dossier.id, itemCode: code, detail: { to: j + 1 } });
      });
    }
    return done(c, dossier, code);
  });

  app.post('/:id/items/:code/evidence/:eid/unlink', async (c) => {
    const { dossier, code, user } = await requireMapping(c);
    if (!isEditable(dossier)) return done(c, dossier, code, ['档案已提交评审，不能修改佐证材料。'], 409);
    const db = c.get('db');
    const row = (await evidenceForItem(db, dossier.id, code)).find((r) => r.id === c.req.param('eid'));
    if (!row) notFound('关联');
    await db.transaction().execute(async (trx) => {
      await trx.deleteFrom('item_evidence').where('id', '=', row.id).execute();
      await recordDocumentEvent(trx, { documentId: row.document_id, actorId: user.id, action: 'unlink', dossierId: dossier.id, itemCode: code });
    });
    return done(c, dossier, code);
  });

  return app;
}
