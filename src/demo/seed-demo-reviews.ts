// Demo review rounds, run through the real workflow (so every step is sealed exactly as in use):
// 修武县周庄镇卫生院's basic-standard dossier of last year has completed a full round (submitted, county
// passed, city passed), and its 推荐标准 dossier of this year is waiting at the province.
import type { ObjectStore } from '../adapters/object-store/object-store.ts';
import type { Db } from '../db/database.ts';
import type { DecisionOutcome, Dossier, Institution, User } from '../db/schema.ts';
import { createDossier } from '../dossiers/dossier-repository.ts';
import { newId, nowIso } from '../ids.ts';
import { decide, submitDossier } from '../review/review-workflow.ts';
import { seedDemoEvidence } from './seed-demo-evidence.ts';

/** Born-digital files (text layers, no OCR needed) whose content fits any 乡镇卫生院. */
const SHARED_FILES = ['12-chufang-dianping-jilu-2025q4.pdf', '18-2026-jiben-gonggong-weisheng-fuwu-gongzuo-jihua.pdf', '23-2026-renyuan-peixun-jixu-jiaoyu-jihua.pdf'];

async function user(db: Db, username: string): Promise<User> {
  return db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirstOrThrow();
}

/** Grades every item so the target level is met: core items B, the rest cycling C/B/A. */
async function gradeAll(db: Db, dossierId: string, actorId: string): Promise<void> {
  const items = await db
    .selectFrom('dossier_items')
    .innerJoin('dossiers', 'dossiers.id', 'dossier_items.dossier_id')
    .innerJoin('standard_nodes', (j) => j.onRef('standard_nodes.standard_id', '=', 'dossiers.standard_id').onRef('standard_nodes.code', '=', 'dossier_items.item_code'))
    .select(['dossier_items.item_code', 'standard_nodes.core'])
    .where('dossier_items.dossier_id', '=', dossierId)
    .orderBy('standard_nodes.position')
    .execute();
  const cycle = ['B', 'A', 'B', 'C', 'A'];
  for (const [i, item] of items.entries()) {
    await db
      .updateTable('dossier_items')
      .set({ self_grade: item.core ? 'A' : cycle[i % cycle.length]!, narrative: '制度健全、落实到位，相关记录完整，佐证材料见档案。', updated_by: actorId, updated_at: nowIso() })
      .where('dossier_id', '=', dossierId)
      .where('item_code', '=', item.item_code)
      .execute();
  }
}

async function fresh(db: Db, id: string): Promise<Dossier> {
  return db.selectFrom('dossiers').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

async function decideActive(db: Db, dossierId: string, institution: Institution, reviewer: User, outcome: DecisionOutcome, reasons = ''): Promise<void> {
  const dossier = await fresh(db, dossierId);
  const stage = await db.selectFrom('review_stages').selectAll().where('dossier_id', '=', dossierId).where('state', '=', 'active').executeTakeFirstOrThrow();
  const items = await db.selectFrom('dossier_items').select('item_code').where('dossier_id', '=', dossierId).orderBy('item_code').limit(3).execute();
  for (const it of items) {
    await db
      .insertInto('review_grades')
      .values({ dossier_id: dossierId, round: stage.round, position: stage.position, item_code: it.item_code, grade: 'B', note: '资料齐全，与现场核实一致。', onsite_finding: '', reviewer_id: reviewer.id, updated_at: nowIso() })
      .execute();
  }
  await decide(db, { user: reviewer, dossier, institution, stageId: stage.id, expectedVersion: dossier.review_version, outcome, reasons, items: [], ip: '127.0.0.1' });
}

export async function seedDemoReviews(db: Db, store: ObjectStore | undefined, institution: Institution, year: number): Promise<void> {
  const head = await user(db, 'demo-zz-head');
  const county = await user(db, 'demo-county');
  const city = await user(db, 'demo-city');

  const basic = await createDossier(db, { institution, year: year - 1, targetLevel: 'basic', actorId: head.id });
  await gradeAll(db, basic.id, head.id);
  if (store) await seedDemoEvidence(db, store, { dossierId: basic.id, institutionId: institution.id, actorId: head.id, files: SHARED_FILES });
  await submitDossier(db, { user: head, dossier: await fresh(db, basic.id), institution, ip: '127.0.0.1' });
  await decideActive(db, basic.id, institution, county, 'pass', '资料审核通过，初评达到基本标准，提请市级复核。');
  await decideActive(db, basic.id, institution, city, 'pass', '现场复核达到基本标准。');

  const recommended = await createDossier(db, { institution, year, targetLevel: 'recommended', actorId: head.id });
  await gradeAll(db, recommended.id, head.id);
  if (store) {
    // The same files, linked again to this year's dossier (content-addressed: no second copy, no second OCR).
    const docs = await db.selectFrom('item_evidence').innerJoin('documents', 'documents.id', 'item_evidence.document_id').select(['item_evidence.item_code', 'item_evidence.document_id']).where('item_evidence.dossier_id', '=', basic.id).execute();
    const items = new Set((await db.selectFrom('dossier_items').select('item_code').where('dossier_id', '=', recommended.id).execute()).map((r) => r.item_code));
    let position = 0;
    for (const d of docs.filter((x) => items.has(x.item_code))) {
      await db
        .insertInto('item_evidence')
        .values({ id: newId('ev'), dossier_id: recommended.id, item_code: d.item_code, document_id: d.document_id, version_id: null, page_from: null, page_to: null, position: position++, created_by: head.id, created_at: nowIso() })
        .execute();
    }
  }
  await submitDossier(db, { user: head, dossier: await fresh(db, recommended.id), institution, ip: '127.0.0.1' });
  await decideActive(db, recommended.id, institution, county, 'pass', '数据审核通过。');
  await decideActive(db, recommended.id, institution, city, 'pass', '初评达到推荐标准，提请省级复核。');
}
