import type { Db } from '../db/database.ts';
import { demoAccountsText, seedDemo } from '../demo/seed-demo.ts';

export async function seedDemoCommand(db: Db): Promise<number> {
  const seeded = await seedDemo(db);
  console.log(seeded ? `已写入演示数据。\n${demoAccountsText()}` : '数据库中已有账号，未写入演示数据。');
  return 0;
}
