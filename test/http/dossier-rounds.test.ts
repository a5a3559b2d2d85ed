// Rounds: a new campaign year's dossier carries over evidence; 回头看 starts from a passed dossier.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId, nowIso } from '../../src/ids.ts';
import { createTestApp, demoDossier, type Session, type TestApp } from '../helpers/test-app.ts';

let t: TestApp;
let zzHead: Session;
let passedId: string;
let institutionId: string;

beforeAll(async () => {
  t = await createTestApp();
  zzHead = await t.login('demo-zz-head');
  const passed = await t.db.db.selectFrom('dossiers').select(['id', 'institution_id']).where('state', '=', 'passed').where('target_level', '=', 'basic').executeTakeFirstOrThrow();
  passedId = passed.id;
  institutionId = passed.institution_id;
  // One document linked to two items of last year's dossier.
  const db = t.db.db;
  const sha = 'b'.repeat(64);
  await db.insertInto('blobs').values({ sha256: sha, size: 1, store_key: `sha256/bb/${sha}`, created_at: nowIso() }).execute();
  const docId = newId('doc');
  await db.insertInto('documents').values({ id: docId, institution_id: institutionId, title: '院感制度', document_date: null, issuing_department: '', current_version_id: null, created_by: null, created_at: nowIso(), updated_at: nowIso(), trashed_at: null, trashed_by: null }).execute();
  for (const [i, code] of ['1.1.1', '3.3.1'].entries()) {
    await db.insertInto('item_evidence').values({ id: newId('ev'), dossier_id: passedId, item_code: code, document_id: docId, version_id: null, page_from: 2, page_to: 3, position: i, created_by: null, created_at: nowIso() }).execute();
  }
});
afterAll(() => t.close());

describe('dossier rounds', () => {
  it('starts a 回头看 re-review from a passed dossier and carries its evidence over', async () => {
    const res = await t.post('/dossiers', { institution_id: institutionId, year: '2027', target_level: 'basic', carry_over_from: passedId, purpose: 're_review' }, zzHead);
    expect(res.status).toBe(303);
    const id = res.headers.get('location')!.split('/').pop()!;
    const d = await t.db.db.selectFrom('dossiers').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(d.purpose).toBe('re_review');
    expect(d.previous_dossier_id).toBe(passedId);
    const links = await t.db.db.selectFrom('item_evidence').select(['item_code', 'page_from', 'page_to', 'version_id']).where('dossier_id', '=', id).orderBy('item_code').execute();
    expect(links).toEqual([
      { item_code: '1.1.1', page_from: 2, page_to: 3, version_id: null },
      { item_code: '3.3.1', page_from: 2, page_to: 3, version_id: null },
    ]);
  });

  it("refuses another institution's dossier as the source", async () => {
    const { dossierId } = await demoDossier(t);
    const res = await t.post('/dossiers', { institution_id: institutionId, year: '2028', target_level: 'basic', carry_over_from: dossierId }, zzHead);
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('只能沿用本机构以往档案');
  });

  it('refuses a 回头看 without a passed dossier to start from', async () => {
    const res = await t.post('/dossiers', { institution_id: institutionId, year: '2029', target_level: 'basic', purpose: 're_review' }, zzHead);
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('回头看');
  });
});
