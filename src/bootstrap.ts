// Opens the database and brings it up to date: migrations, shipped standards, and (optionally) demo data.
import type { ObjectStore } from './adapters/object-store/object-store.ts';
import type { Config } from './config.ts';
import { migrateToLatest, openDatabase, type DatabaseHandle } from './db/database.ts';
import { seedDemo } from './demo/seed-demo.ts';
import { installShippedStandards } from './standards/shipped-standards.ts';

export async function openAndMigrate(config: Config): Promise<DatabaseHandle> {
  const database = openDatabase(config);
  try {
    await migrateToLatest(database.db);
  } catch (err) {
    await database.close();
    throw err;
  }
  return database;
}

export async function prepareData(database: DatabaseHandle, config: Config, store?: ObjectStore): Promise<{ seeded: boolean }> {
  await installShippedStandards(database.db);
  const seeded = config.demo ? await seedDemo(database.db, { store }) : false;
  return { seeded };
}
