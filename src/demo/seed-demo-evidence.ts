// Demo evidence for the demo 乡镇卫生院's dossier: the committed files in src/demo/evidence/ (made by
// make-demo-evidence.ts), taken in through the same intake steps as a browser upload and linked to items.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import type { ObjectStore } from '../adapters/object-store/object-store.ts';
import type { Db } from '../db/database.ts';
import { intakeFile } from '../documents/document-intake.ts';
import { enqueueDerivedFiles } from '../documents/derive-document.ts';
import { linkEvidence, recordDocumentEvent } from '../documents/document-repository.ts';

const evidenceDir = fileURLToPath(new URL('./evidence/', import.meta.url));

const manifestSchema = z.array(
  z.object({
    file: z.string(),
    title: z.string(),
    documentDate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
    issuingDepartment: z.string(),
    items: z.array(z.string()).min(1),
    pages: z.tuple([z.number().int(), z.number().int()]).optional(), // informational
  }),
);

async function sha256Of(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export async function seedDemoEvidence(db: Db, store: ObjectStore, args: { dossierId: string; institutionId: string; actorId: string; files?: string[] }): Promise<number> {
  const manifest = manifestSchema.parse(JSON.parse(await fs.readFile(path.join(evidenceDir, 'manifest.json'), 'utf8')));
  const items = new Set(
    (await db.selectFrom('dossier_items').select('item_code').where('dossier_id', '=', args.dossierId).execute()).map((r) => r.item_code),
  );
  let count = 0;
  for (const entry of manifest.filter((e) => !args.files || args.files.includes(e.file))) {
    const file = path.join(evidenceDir, entry.file);
    const { size } = await fs.stat(file);
    const outcome = await intakeFile(
      { db, store, actorId: args.actorId, institutionId: args.institutionId, maxFileBytes: Number.MAX_SAFE_INTEGER, onVersionCreated: enqueueDerivedFiles },
      { fieldName: 'file', originalName: entry.file, tempPath: file, size, sha256: await sha256Of(file), truncated: false },
    );
    if (!outcome.ok) throw new Error(`demo evidence ${entry.file}: ${outcome.reason}`);
    await db
      .updateTable('documents')
      .set({ title: entry.title, document_date: entry.documentDate, issuing_department: entry.issuingDepartment })
      .where('id', '=', outcome.documentId)
      .execute();
    for (const code of entry.items.filter((c) => items.has(c))) {
      // The manifest's page ranges cover whole documents; link the whole document.
      if (await linkEvidence(db, { dossierId: args.dossierId, itemCode: code, documentId: outcome.documentId, actorId: args.actorId })) {
        await recordDocumentEvent(db, { documentId: outcome.documentId, actorId: args.actorId, action: 'link', dossierId: args.dossierId, itemCode: code });
      }
    }
    count++;
  }
  return count;
}
