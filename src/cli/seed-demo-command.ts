import { createObjectStore } from '../adapters/object-store/create-object-store.ts';
import type { Config } from '../config.ts';
import type { Db } from '../db/database.ts';
import { demoAccountsText, seedDemo } from '../demo/seed-demo.ts';

export async function seedDemoCommand(db: Db, config: Config): Promise<number> {
  const store = await createObjectStore(config.objectStore, config.dataDir);
  try {
    const seeded = await seedDemo(db, { store });
    console.log(seeded ? `已写入演示数据（含佐证材料）。\n${demoAccountsText()}` : '数据库中已有账号，未写入演示数据。');
  } finally {
    await store.close();
  }
  return 0;
}
