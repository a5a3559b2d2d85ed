// A crash between writing a decision and its seal: both or neither. The seal insert is made to fail (as a
// full disk or a killed connection would) and nothing of the decision may remain.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decide } from '../../src/review/review-workflow.ts';
import { createTestDb, testDialect, type TestDb } from '../helpers/test-db.ts';

let t: TestDb;

beforeAll(async () => {
  t = await createTestDb();
});
afterAll(() => t.close());

async function failSealInserts(on: boolean): Promise<void> {
  if (testDialect() === 'postgres') {
    if (on) {
      await sql`create or replace function fail_seal() returns trigger as $$ begin raise exception 'simulated crash while sealing'; end $$ language plpgsql`.execute(t.db);
      await sql`create trigger fail_seal before insert on seals for each row execute function fail_seal()`.execute(t.db);
    } else {
      await sql`drop trigger fail_seal on seals`.execute(t.db);
    }
  } else if (on) {
    await sql`create trigger fail_seal before insert on seals begin select raise(abort, 'simulated crash while sealing'); end`.execute(t.db);
  } else {
    await sql`drop trigger fail_seal`.execute(t.db);
  }
}

describe('decision and seal atomicity', () => {
  it('leaves no decision, no stage change and no audit entry when the seal cannot be written; works after "restart"', async () => {
    const db = t.db;
    const dossier = await db.selectFrom('dossiers').selectAll().where('target_level', '=', 'recommended').where('state', '=', 'in_review').executeTakeFirstOrThrow();
    const institution = await db.selectFrom('institutions').selectAll().where('id', '=', dossier.institution_id).executeTakeFirstOrThrow();
    const stage = await db.selectFrom('review_stages').selectAll().where('dossier_id', '=', dossier.id).where('state', '=', 'active').executeTakeFirstOrThrow();
    const reviewer = await db.selectFrom('users').selectAll().where('username', '=', 'demo-province').executeTakeFirstOrThrow();
    const count = async (table: 'decisions' | 'seals' | 'audit_log' | 'binder_builds') => Number((await db.selectFrom(table).select((e) => e.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    const before = { decisions: await count('decisions'), seals: await count('seals'), audit: await count('audit_log'), builds: await count('binder_builds') };
    const args = { user: reviewer, dossier, institution, stageId: stage.id, expectedVersion: dossier.review_version, outcome: 'pass' as const, reasons: '通过', items: [], ip: '127.0.0.1' };

    await failSealInserts(true);
    await expect(decide(db, args)).rejects.toThrow(/simulated crash while sealing/);
    await failSealInserts(false);

    expect({ decisions: await count('decisions'), seals: await count('seals'), audit: await count('audit_log'), builds: await count('binder_builds') }).toEqual(before);
    const after = await db.selectFrom('dossiers').selectAll().where('id', '=', dossier.id).executeTakeFirstOrThrow();
    expect(after.state).toBe('in_review');
    expect(after.review_version).toBe(dossier.review_version);
    expect((await db.selectFrom('review_stages').select('state').where('id', '=', stage.id).executeTakeFirstOrThrow()).state).toBe('active');

    // The same decision goes through once the fault is gone, and the chain continues where it was.
    await decide(db, args);
    const seals = await db.selectFrom('seals').select(['sequence', 'event']).where('dossier_id', '=', dossier.id).orderBy('sequence').execute();
    expect(seals.map((s) => s.event)).toEqual(['submit', 'pass', 'pass', 'pass']);
    expect((await db.selectFrom('dossiers').select('state').where('id', '=', dossier.id).executeTakeFirstOrThrow()).state).toBe('passed');
  });
});
