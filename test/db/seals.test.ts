// Seals on both databases: canonical JSON, the manifest, the hash chain, immutability under concurrency, atomicity
// with the decision, and the database-side chain check.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalJson, sha256Hex } from '../../src/seals/canonical-json.ts';
import { listSeals, SealConflictError, sealDossier, verifySealChain } from '../../src/seals/seal-chain.ts';
import { buildSealManifest, compareItemCodes, type SealManifest } from '../../src/seals/seal-manifest.ts';
import { createTestDb, type TestDb } from '../helpers/test-db.ts';
import { addDecision, sealFixture, sealHistory, storeDocument, type SealFixture } from '../seals/seal-fixtures.ts';

let t: TestDb;
let f: SealFixture;

beforeAll(async () => {
  t = await createTestDb({ demo: true });
  f = await sealFixture(t.db, t.store, 3);
});
afterAll(() => t.close());

describe('canonicalJson', () => {
  it('sorts keys, drops whitespace, writes numbers and strings stably', () => {
    expect(canonicalJson({ b: 1, a: [true, null, 'x'], c: { z: 0.1, y: -0, x: 1e21, w: 1.5e-7 } })).toBe(
      '{"a":[true,null,"x"],"b":1,"c":{"w":1.5e-7,"x":1e+21,"y":0,"z":0.1}}',
    );
    // Keys by UTF-16 code units; Chinese text and escapes as JSON.stringify writes them (valid UTF-8, lone surrogate escaped).
    expect(canonicalJson({ 乙: '签到\n"表"', a: '\ud800', B: 1 })).toBe('{"B":1,"a":"\\ud800","乙":"签到\\n\\"表\\""}');
    const a = { x: 1, y: { q: [1, 2], p: 'p' } };
    const b = { y: { p: 'p', q: [1, 2] }, x: 1 };
    expect(canonicalJson(a)).toBe(canonicalJson(b));
    expect(canonicalJson(JSON.parse(canonicalJson(a)))).toBe(canonicalJson(a));
  });

  it('throws on values JSON cannot carry', () => {
    expect(() => canonicalJson({ a: undefined })).toThrow(/\$\.a is undefined/);
    expect(() => canonicalJson([1, NaN])).toThrow(/NaN/);
    expect(() => canonicalJson({ a: Infinity })).toThrow();
    expect(() => canonicalJson({ d: new Date() })).toThrow(/Date/);
    expect(() => canonicalJson(10n)).toThrow();
    const loop: Record<string, unknown> = {};
    loop['self'] = loop;
    expect(() => canonicalJson(loop)).toThrow(/circular/);
  });

  it('orders item codes numerically', () => {
    expect(['1.2.10', '1.10.1', '1.2.9', '2', '1.2'].sort(compareItemCodes)).toEqual(['1.2', '1.2.9', '1.2.10', '1.10.1', '2']);
  });
});

describe('the manifest', () => {
  it('is the same for the same state, and holds items, evidence with SHA-256, and the state after the event', async () => {
    const args = { dossierId: f.dossierId, event: 'submit' as const, decisionId: null, actorId: f.staffId, at: '2026-06-01T08:00:00.000Z' };
    const one = await buildSealManifest(t.db, args);
    const two = await buildSealManifest(t.db, args);
    expect(canonicalJson(one)).toBe(canonicalJson(two));
    expect(one.format).toBe('dossier-seal/1');
    expect(one.sequence).toBe(1);
    expect(one.previous_sha256).toBeNull();
    expect(one.dossier.institution.name).toBe('修武县郇封镇卫生院');
    expect(one.dossier.standard.content_sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(one.items.map((i) => i.code)).toEqual([...one.items.map((i) => i.code)].sort(compareItemCodes));
    const evidence = one.items.flatMap((i) => i.evidence);
    expect(evidence.map((e) => e.sha256).sort()).toEqual(f.documents.map((d) => d.sha256).sort());
    expect(evidence[0]).toMatchObject({ title: expect.stringContaining('培训签到表'), file_name: expect.stringMatching(/\.pdf$/), size: expect.any(Number), position: 1 });
    expect(one.actor).toMatchObject({ id: f.staffId, name: expect.any(String), role: 'staff' });
    expect(one.decision).toBeNull();
  });

  it('follows the current version for unpinned links and keeps a pinned one', async () => {
    const doc = f.documents[1]!;
    const pinnedVersion = await t.db.selectFrom('documents').select('current_version_id').where('id', '=', doc.id).executeTakeFirstOrThrow();
    // A second document whose link is pinned to its first version, then a new version is uploaded.
    const other = await storeDocument(t.db, t.store, { institutionId: f.institutionId, actorId: f.staffId, title: '固定版本', fileName: 'v1.pdf', content: Buffer.from('%PDF v1 pinned') });
    const v1 = await t.db.selectFrom('documents').select('current_version_id').where('id', '=', other.id).executeTakeFirstOrThrow();
    await t.db
      .insertInto('item_evidence')
      .values({ id: 'ev_pinned_test', dossier_id: f.dossierId, item_code: f.items[1]!, document_id: other.id, version_id: v1.current_version_id, page_from: 2, page_to: 3, position: 9, created_by: f.staffId, created_at: '2026-01-01T00:00:00.000Z' })
      .execute();
    const m = await buildSealManifest(t.db, { dossierId: f.dossierId, event: 'submit', decisionId: null, actorId: null, at: '2026-06-01T08:00:00.000Z' });
    const pinned = m.items.flatMap((i) => i.evidence).find((e) => e.document_id === other.id)!;
    expect(pinned).toMatchObject({ version_id: v1.current_version_id, page_from: 2, page_to: 3, sha256: sha256Hex(Buffer.from('%PDF v1 pinned')) });
    const followed = m.items.flatMap((i) => i.evidence).find((e) => e.document_id === doc.id)!;
    expect(followed.version_id).toBe(pinnedVersion.current_version_id);
    await t.db.deleteFrom('item_evidence').where('id', '=', 'ev_pinned_test').execute();
  });
});

describe('the seal chain', () => {
  it('seals submission and every decision, each chained to the previous one', async () => {
    await sealHistory(t.db, f);
    const seals = await listSeals(t.db, f.dossierId);
    expect(seals.map((s) => [s.sequence, s.event, s.round])).toEqual([
      [1, 'submit', 1],
      [2, 'return', 1],
      [3, 'submit', 2],
      [4, 'pass', 2],
    ]);
    for (const [i, s] of seals.entries()) {
      expect(s.manifest_sha256).toBe(sha256Hex(s.manifest_json));
      expect(s.previous_sha256).toBe(i === 0 ? null : seals[i - 1]!.manifest_sha256);
      const m = JSON.parse(s.manifest_json) as SealManifest;
      expect(canonicalJson(m)).toBe(s.manifest_json); // stored exactly as hashed
      expect(m.sequence).toBe(s.sequence);
      expect(m.previous_sha256).toBe(s.previous_sha256);
    }
    const returned = JSON.parse(seals[1]!.manifest_json) as SealManifest;
    expect(returned.dossier.state).toBe('returned');
    expect(returned.decision).toMatchObject({
      outcome: 'return',
      reasons: '部分条款材料不足',
      items: [f.items[0]],
      stage: { label: '审核/初评', region_level: 'county', region_code: '410821', region_name: '修武县' },
      decided_by: { id: f.countyId, name: expect.any(String) },
    });
    expect(returned.annotations[0]).toMatchObject({ body: '签到表缺少日期', page: 1, rect: { x: 0.1, y: 0.25, w: 0.5, h: 0.125 }, replies: [{ body: '已补充' }] });
    expect(returned.rectifications[0]).toMatchObject({ problem: '签到表缺少日期', responsible: '张三', deadline: '2026-12-31', status: 'open' });
    const item = returned.items.find((i) => i.code === f.items[0])!;
    expect(item.reviews).toEqual([{ round: 1, position: 0, grade: 'C', note: '制度齐全', onsite_finding: '', reviewer: { id: f.countyId, name: expect.any(String) }, updated_at: expect.any(String) }]);
    const passed = JSON.parse(seals[3]!.manifest_json) as SealManifest;
    expect(passed.dossier.state).toBe('passed');
    expect(passed.items.find((i) => i.code === f.items[0])!.reviews).toHaveLength(2); // every round stays in the record
    expect(await verifySealChain(t.db, f.dossierId)).toMatchObject({ ok: true, seals: 4, problems: [], last: { sequence: 4, manifest_sha256: seals[3]!.manifest_sha256 } });
  });

  it('writes a decision and its seal together or not at all', async () => {
    const before = (await listSeals(t.db, f.dossierId)).length;
    const decisionsBefore = await t.db.selectFrom('decisions').select('id').where('dossier_id', '=', f.dossierId).execute();
    // A crash after the seal but before commit: neither stays.
    await expect(
      t.db.transaction().execute(async (trx) => {
        const decisionId = await addDecision(trx, f, { round: 3, outcome: 'fail' });
        await sealDossier(trx, { dossierId: f.dossierId, event: 'fail', decisionId, actorId: f.countyId, at: new Date().toISOString() });
        throw new Error('process killed');
      }),
    ).rejects.toThrow('process killed');
    // Sealing fails (the decision was already sealed): the new decision is rolled back with it.
    const sealedDecision = (await listSeals(t.db, f.dossierId))[1]!.decision_id!;
    await expect(
      t.db.transaction().execute(async (trx) => {
        await addDecision(trx, f, { round: 3, outcome: 'fail' });
        await sealDossier(trx, { dossierId: f.dossierId, event: 'return', decisionId: sealedDecision, actorId: f.countyId, at: new Date().toISOString() });
      }),
    ).rejects.toBeInstanceOf(SealConflictError);
    expect(await listSeals(t.db, f.dossierId)).toHaveLength(before);
    expect(await t.db.selectFrom('decisions').select('id').where('dossier_id', '=', f.dossierId).execute()).toHaveLength(decisionsBefore.length);
  });

  it('two concurrent seals of one decision: exactly one succeeds, the other fails cleanly', async () => {
    const decisionId = await addDecision(t.db, f, { round: 3, outcome: 'fail' });
    const before = (await listSeals(t.db, f.dossierId)).length;
    const attempt = () =>
      t.db.transaction().execute((trx) => sealDossier(trx, { dossierId: f.dossierId, event: 'fail', decisionId, actorId: f.countyId, at: new Date().toISOString() }));
    const results = await Promise.allSettled([attempt(), attempt()]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const failed = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(failed.reason).toBeInstanceOf(SealConflictError);
    expect((failed.reason as Error).message).toMatch(/封存/);
    expect(await listSeals(t.db, f.dossierId)).toHaveLength(before + 1);
    expect((await verifySealChain(t.db, f.dossierId)).ok).toBe(true);
  });

  it('concurrent seals queue on the dossier and never fork the chain', async () => {
    const attempts = Array.from({ length: 4 }, () =>
      t.db.transaction().execute((trx) => sealDossier(trx, { dossierId: f.dossierId, event: 'submit', decisionId: null, actorId: f.staffId, at: new Date().toISOString() })),
    );
    const results = await Promise.allSettled(attempts);
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(SealConflictError);
    expect(results.some((r) => r.status === 'fulfilled')).toBe(true);
    const seals = await listSeals(t.db, f.dossierId);
    expect(seals.map((s) => s.sequence)).toEqual(seals.map((_, i) => i + 1));
    expect(await verifySealChain(t.db, f.dossierId)).toMatchObject({ ok: true, problems: [] });
  });

  it('detects a manifest edited in the database, a re-hashed one, and a deleted seal', async () => {
    const seals = await listSeals(t.db, f.dossierId);
    const target = seals[1]!;
    const edited = target.manifest_json.replace('"state":"returned"', '"state":"passed"');
    expect(edited).not.toBe(target.manifest_json);
    await t.db.updateTable('seals').set({ manifest_json: edited }).where('id', '=', target.id).execute();
    let report = await verifySealChain(t.db, f.dossierId);
    expect(report.ok).toBe(false);
    expect(report.problems).toEqual([expect.objectContaining({ kind: 'manifest_changed', sequence: 2 })]);
    expect(report.problems[0]!.message).toContain('第 2 号封存');

    // The hash re-computed too: the next seal's link no longer matches.
    await t.db.updateTable('seals').set({ manifest_sha256: sha256Hex(edited) }).where('id', '=', target.id).execute();
    report = await verifySealChain(t.db, f.dossierId);
    expect(report.problems).toEqual([expect.objectContaining({ kind: 'chain_broken', sequence: 3 })]);

    // Restore, then remove seal 3.
    await t.db.updateTable('seals').set({ manifest_json: target.manifest_json, manifest_sha256: target.manifest_sha256 }).where('id', '=', target.id).execute();
    expect((await verifySealChain(t.db, f.dossierId)).ok).toBe(true);
    const third = seals[2]!;
    await t.db.deleteFrom('seals').where('id', '=', third.id).execute();
    report = await verifySealChain(t.db, f.dossierId);
    expect(report.problems).toEqual([expect.objectContaining({ kind: 'seal_missing', sequence: 3 })]);
    await t.db.insertInto('seals').values(third).execute();
    expect((await verifySealChain(t.db, f.dossierId)).ok).toBe(true);
  });
});
