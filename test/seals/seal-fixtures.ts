// Fixtures for the seal tests: evidence files stored and linked to items the way intake does it (without the file
// inspection), and review rows (stage, grades, annotation, decision, rectification) inserted directly.
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import type { ObjectStore } from '../../src/adapters/object-store/object-store.ts';
import type { Db } from '../../src/db/database.ts';
import type { DecisionOutcome, SealEvent } from '../../src/db/schema.ts';
import { insertDocument, linkEvidence, upsertBlob } from '../../src/documents/document-repository.ts';
import { newId, nowIso } from '../../src/ids.ts';
import { sealDossier } from '../../src/seals/seal-chain.ts';
import { demoDossierIn } from '../helpers/test-app.ts';

export interface SealFixture {
  dossierId: string;
  institutionId: string;
  staffId: string;
  countyId: string;
  items: string[];
  documents: { id: string; title: string; sha256: string; content: Buffer }[];
}

export async function demoSealFixture(db: Db): Promise<Omit<SealFixture, 'documents'>> {
  const d = await demoDossierIn(db);
  const staff = await db.selectFrom('users').select('id').where('username', '=', 'demo-staff').executeTakeFirstOrThrow();
  const county = await db.selectFrom('users').select('id').where('username', '=', 'demo-county').executeTakeFirstOrThrow();
  const items = (await db.selectFrom('dossier_items').select('item_code').where('dossier_id', '=', d.dossierId).execute()).map((r) => r.item_code);
  return { ...d, staffId: staff.id, countyId: county.id, items };
}

export async function storeDocument(
  db: Db,
  store: ObjectStore,
  args: { institutionId: string; actorId: string; title: string; fileName: string; content: Buffer; link?: { dossierId: string; itemCode: string } },
) {
  const stored = await store.putStream(Readable.from([args.content]), { prefix: 'originals/' });
  await upsertBlob(db, { sha256: stored.sha256, size: stored.size, storeKey: stored.key });
  const { document } = await insertDocument(db, {
    institutionId: args.institutionId,
    title: args.title,
    actorId: args.actorId,
    version: {
      blob_sha256: stored.sha256,
      file_name: args.fileName,
      kind: args.fileName.endsWith('.pdf') ? 'pdf' : 'jpeg',
      mime: args.fileName.endsWith('.pdf') ? 'application/pdf' : 'image/jpeg',
      size: stored.size,
      page_count: 1,
      printable: 1,
      conversion_state: 'not_needed',
      conversion_note: '',
      uploaded_by: args.actorId,
    },
  });
  if (args.link) await linkEvidence(db, { ...args.link, documentId: document.id, actorId: args.actorId });
  return { id: document.id, title: args.title, sha256: stored.sha256, content: args.content };
}

/** The demo dossier with `n` small evidence files (random bytes, so none compresses) linked to its first items. */
export async function sealFixture(db: Db, store: ObjectStore, n = 3): Promise<SealFixture> {
  const base = await demoSealFixture(db);
  const documents: SealFixture['documents'] = [];
  for (let i = 0; i < n; i++) {
    const content = Buffer.concat([Buffer.from(`%PDF-1.4 document ${i}\n`), randomBytes(2000 + i * 100)]);
    documents.push(
      await storeDocument(db, store, {
        institutionId: base.institutionId,
        actorId: base.staffId,
        title: `培训签到表 第${i + 1}份`,
        fileName: `签到表-${i + 1}.pdf`,
        content,
        link: { dossierId: base.dossierId, itemCode: base.items[i % base.items.length]! },
      }),
    );
  }
  return { ...base, documents };
}

/** A closed county stage and its decision, with a review grade, an annotation with a reply and a rectification. */
export async function addDecision(db: Db, f: SealFixture, args: { round: number; outcome: DecisionOutcome; at?: string }): Promise<string> {
  const at = args.at ?? nowIso();
  const stageId = newId('st');
  await db
    .insertInto('review_stages')
    .values({
      id: stageId,
      dossier_id: f.dossierId,
      round: args.round,
      position: 0,
      region_level: 'county',
      region_code: '410821',
      label: '审核/初评',
      state: args.outcome === 'pass' ? 'passed' : args.outcome === 'return' ? 'returned' : 'failed',
      opened_at: at,
      deadline: at,
      closed_at: at,
    })
    .execute();
  const item = f.items[0]!;
  await db
    .insertInto('review_grades')
    .values({ dossier_id: f.dossierId, round: args.round, position: 0, item_code: item, grade: 'C', note: '制度齐全', onsite_finding: '', reviewer_id: f.countyId, updated_at: at })
    .execute();
  if (f.documents[0]) {
    const doc = await db.selectFrom('documents').select('current_version_id').where('id', '=', f.documents[0].id).executeTakeFirstOrThrow();
    const annotationId = newId('an');
    await db
      .insertInto('annotations')
      .values({
        id: annotationId,
        dossier_id: f.dossierId,
        round: args.round,
        position: 0,
        item_code: item,
        document_id: f.documents[0].id,
        version_id: doc.current_version_id!,
        page_no: 1,
        x: 0.1,
        y: 0.25,
        w: 0.5,
        h: 0.125,
        body: '签到表缺少日期',
        author_id: f.countyId,
        created_at: at,
        resolved_at: null,
        resolved_by: null,
      })
      .execute();
    await db.insertInto('annotation_replies').values({ id: newId('ar'), annotation_id: annotationId, body: '已补充', author_id: f.staffId, created_at: at }).execute();
  }
  await db
    .insertInto('rectifications')
    .values({
      id: newId('rc'),
      dossier_id: f.dossierId,
      item_code: item,
      problem: '签到表缺少日期',
      measures: '补充签到日期',
      responsible: '张三',
      deadline: '2026-12-31',
      status: 'open',
      source: 'reviewer',
      annotation_id: null,
      created_by: f.countyId,
      created_at: at,
      updated_at: at,
      completed_at: null,
    })
    .execute();
  const decisionId = newId('dc');
  await db
    .insertInto('decisions')
    .values({
      id: decisionId,
      dossier_id: f.dossierId,
      stage_id: stageId,
      round: args.round,
      position: 0,
      outcome: args.outcome,
      reasons: args.outcome === 'pass' ? '符合要求' : '部分条款材料不足',
      items_json: JSON.stringify(args.outcome === 'pass' ? [] : [item]),
      decided_by: f.countyId,
      decided_at: at,
    })
    .execute();
  return decisionId;
}

/** submit (round 1) → return → submit (round 2) → pass: four seals, as the review workflow would write them. */
export async function sealHistory(db: Db, f: SealFixture): Promise<void> {
  const tick = (n: number) => new Date(Date.UTC(2026, 5, 1, 8, n)).toISOString();
  const step = async (event: SealEvent, state: 'submitted' | 'returned' | 'passed', round: number, outcome: DecisionOutcome | null, n: number) => {
    await db.transaction().execute(async (trx) => {
      const decisionId = outcome ? await addDecision(trx, f, { round, outcome, at: tick(n) }) : null;
      await trx.updateTable('dossiers').set({ state, round }).where('id', '=', f.dossierId).execute();
      await sealDossier(trx, { dossierId: f.dossierId, event, decisionId, actorId: outcome ? f.countyId : f.staffId, at: tick(n) });
    });
  };
  await step('submit', 'submitted', 1, null, 1);
  await step('return', 'returned', 1, 'return', 2);
  await step('submit', 'submitted', 2, null, 3);
  await step('pass', 'passed', 2, 'pass', 4);
}
