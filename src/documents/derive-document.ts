// Derived files of a document version, made in the background ('derive_document' job): a PDF rendition of
// Office files (LibreOffice) and a first-page thumbnail. Kept beside the original, never replacing it.
// Idempotent: running it again for the same version redoes the same work and writes the same rows.
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Db } from '../db/database.ts';
import type { DocumentVersion } from '../db/schema.ts';
import { withLocalCopy } from '../adapters/object-store/local-copy.ts';
import type { ObjectStore } from '../adapters/object-store/object-store.ts';
import { convertToPdf } from '../adapters/office-converter.ts';
import { makeThumbnail } from '../adapters/thumbnail.ts';
import { enqueue } from '../jobs/job-queue.ts';
import { blobKey, recordDocumentEvent, upsertBlob } from './document-repository.ts';
import type { FileKind } from './file-kind.ts';
import { inspectFile } from './inspect-file.ts';
import { enqueueTextExtraction } from './extract-text.ts';

const OFFICE: FileKind[] = ['doc', 'docx', 'xls', 'xlsx'];
const THUMBNAILABLE: FileKind[] = ['pdf', 'jpeg', 'png', 'tiff'];

/** Queued in the same transaction that records the version, so a crash cannot lose it. */
export async function enqueueDerivedFiles(db: Db, version: DocumentVersion): Promise<void> {
  const kind = version.kind as FileKind;
  if (OFFICE.includes(kind) || THUMBNAILABLE.includes(kind)) {
    await enqueue(db, 'derive_document', { versionId: version.id }, { dedupeKey: `derive:${version.id}` });
  }
}

export async function deriveDocument(deps: { db: Db; store: ObjectStore; tmpDir: string }, versionId: string): Promise<Record<string, unknown>> {
  const { db, store } = deps;
  const version = await db.selectFrom('document_versions').selectAll().where('id', '=', versionId).executeTakeFirst();
  if (!version) return { skipped: 'version deleted' };
  const key = await blobKey(db, version.blob_sha256);
  if (!key) return { skipped: 'blob missing' };
  const kind = version.kind as FileKind;
  await fs.mkdir(deps.tmpDir, { recursive: true });
  const work = await fs.mkdtemp(path.join(deps.tmpDir, 'derive-'));
  try {
    return await withLocalCopy(store, key, deps.tmpDir, async (original) => {
      const update: Partial<DocumentVersion> = {};
      let thumbSource = original;
      let thumbKind: FileKind = kind;
      if (OFFICE.includes(kind)) {
        const converted = await convertToPdf(original, kind, work);
        if (converted.ok) {
          const stored = await store.putFile(converted.pdfPath, { prefix: 'derived/', contentType: 'application/pdf' });
          await upsertBlob(db, { sha256: stored.sha256, size: stored.size, storeKey: stored.key });
          const info = await inspectFile(converted.pdfPath, 'pdf');
          Object.assign(update, {
            rendition_sha256: stored.sha256,
            conversion_state: 'converted',
            conversion_note: '',
            page_count: info.ok ? info.pageCount : null,
          });
          thumbSource = converted.pdfPath;
          thumbKind = 'pdf';
        } else {
          if (converted.detail) console.error(`[derive] ${versionId}: ${converted.detail.slice(0, 500)}`);
          Object.assign(update, { conversion_state: converted.missingTool ? 'unconverted' : 'failed', conversion_note: converted.reason });
        }
      }
      if (THUMBNAILABLE.includes(thumbKind)) {
        const thumbPath = path.join(work, 'thumbnail.png');
        if (await makeThumbnail(thumbSource, thumbKind, thumbPath)) {
          const stored = await store.putFile(thumbPath, { prefix: 'derived/', contentType: 'image/png' });
          await upsertBlob(db, { sha256: stored.sha256, size: stored.size, storeKey: stored.key });
          update.thumbnail_sha256 = stored.sha256;
        }
      }
      if (Object.keys(update).length > 0) {
        await db.transaction().execute(async (trx) => {
          await trx.updateTable('document_versions').set(update).where('id', '=', versionId).execute();
          if (update.conversion_state === 'converted' || update.conversion_state === 'failed' || update.conversion_state === 'unconverted') {
            await recordDocumentEvent(trx, {
              documentId: version.document_id,
              actorId: null,
              action: update.conversion_state === 'converted' ? 'converted' : 'conversion_failed',
              detail: { version: version.version_no, note: update.conversion_note ?? '' },
            });
          }
        });
      }
      // Text comes next: it needs the rendition of an Office file, so it is queued only now.
      await enqueueTextExtraction(db, versionId);
      return { conversion: update.conversion_state ?? version.conversion_state, thumbnail: !!update.thumbnail_sha256 };
    });
  } finally {
    await fs.rm(work, { recursive: true, force: true });
  }
}
