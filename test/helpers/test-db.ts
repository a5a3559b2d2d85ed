// A fresh, migrated database per test file: SQLite in a temp dir by default, or a new Postgres database
// when the suite runs in the postgres project (DOSSIER_TEST_DB=postgres, DOSSIER_TEST_PG_URL=admin URL).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createObjectStore } from '../../src/adapters/object-store/create-object-store.ts';
import type { ObjectStore } from '../../src/adapters/object-store/object-store.ts';
import type { Config } from '../../src/config.ts';
import { migrateToLatest, openDatabase, type DatabaseHandle } from '../../src/db/database.ts';
import { seedDemo } from '../../src/demo/seed-demo.ts';
import { installShippedStandards } from '../../src/standards/shipped-standards.ts';

export interface TestDb extends DatabaseHandle {
  config: Config;
  store: ObjectStore;
}

export function testDialect(): 'sqlite' | 'postgres' {
  return process.env['DOSSIER_TEST_DB'] === 'postgres' ? 'postgres' : 'sqlite';
}

export async function createTestDb(opts: { demo?: boolean } = {}): Promise<TestDb> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dossier-test-'));
  let databaseUrl: string | null = null;
  let dropDatabase: (() => Promise<void>) | null = null;
  if (testDialect() === 'postgres') {
    const adminUrl = process.env['DOSSIER_TEST_PG_URL'];
    if (!adminUrl) throw new Error('DOSSIER_TEST_PG_URL is required for the postgres test project');
    const name = `dossier_test_${randomBytes(6).toString('hex')}`;
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`create database ${name}`);
    await admin.end();
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    databaseUrl = url.toString();
    dropDatabase = async () => {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    };
  }
  const config: Config = {
    port: 0,
    host: '127.0.0.1',
    dataDir,
    databaseUrl,
    demo: opts.demo ?? true,
    secureCookies: false,
    sessionHours: 12,
    maxUploadBytes: 200 * 1024 * 1024,
    workers: 0,
    objectStore: {},
  };
  const handle = openDatabase(config);
  await migrateToLatest(handle.db);
  await installShippedStandards(handle.db);
  if (config.demo) await seedDemo(handle.db, { year: 2026 });
  const store = await createObjectStore(config.objectStore, dataDir);
  return {
    ...handle,
    config,
    store,
    close: async () => {
      await store.close();
      await handle.close();
      if (dropDatabase) await dropDatabase();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
