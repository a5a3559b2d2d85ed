// Compiled SQLite statements are reused per SQL text, without changing what any query returns.
import SQLite from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { withStatementCache } from '../../src/db/database.ts';

let sqlite: SQLite.Database;
afterEach(() => sqlite?.open && sqlite.close());

describe('withStatementCache', () => {
  it('returns the same compiled statement for the same SQL text, a new one for other text', () => {
    sqlite = new SQLite(':memory:');
    const db = withStatementCache(sqlite);
    const a = db.prepare('select 1 as n');
    expect(db.prepare('select 1 as n')).toBe(a);
    expect(db.prepare('select 2 as n')).not.toBe(a);
    expect(a.all([])).toEqual([{ n: 1 }]);
  });

  it('keeps at most `size` statements, dropping the least recently used', () => {
    sqlite = new SQLite(':memory:');
    const db = withStatementCache(sqlite, 2);
    const one = db.prepare('select 1');
    const two = db.prepare('select 2');
    expect(db.prepare('select 1')).toBe(one); // now "select 2" is the least recently used
    db.prepare('select 3');
    expect(db.prepare('select 1')).toBe(one);
    expect(db.prepare('select 2')).not.toBe(two);
  });

  it('gives a fresh statement while the cached one is still iterating', () => {
    sqlite = new SQLite(':memory:');
    const db = withStatementCache(sqlite);
    sqlite.exec('create table t (n integer); insert into t values (1), (2)');
    const outer = db.prepare('select n from t order by n');
    const seen: unknown[] = [];
    for (const row of outer.iterate([])) seen.push(row, db.prepare('select n from t order by n').all([]));
    expect(seen).toEqual([{ n: 1 }, [{ n: 1 }, { n: 2 }], { n: 2 }, [{ n: 1 }, { n: 2 }]]);
  });

  it('through Kysely: repeated queries, writes and transactions behave as without the cache', async () => {
    sqlite = new SQLite(':memory:');
    const db = new Kysely<{ t: { id: number; v: string } }>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
    await db.schema.createTable('t').addColumn('id', 'integer', (c) => c.primaryKey()).addColumn('v', 'text').execute();
    for (let i = 1; i <= 3; i++) await db.insertInto('t').values({ id: i, v: `v${i}` }).execute();
    await expect(db.insertInto('t').values({ id: 1, v: 'dup' }).execute()).rejects.toThrow(/UNIQUE/);
    const read = (id: number) => db.selectFrom('t').select('v').where('id', '=', id).executeTakeFirst();
    expect(await read(2)).toEqual({ v: 'v2' });
    await db.transaction().execute(async (trx) => {
      await trx.updateTable('t').set({ v: 'changed' }).where('id', '=', 2).execute();
    });
    expect(await read(2)).toEqual({ v: 'changed' });
    await db.schema.alterTable('t').addColumn('w', 'text').execute();
    expect(await db.selectFrom('t').selectAll().where('id', '=', 3).executeTakeFirst()).toEqual({ id: 3, v: 'v3', w: null });
    await db.destroy();
  });
});
