// Demo data for a first start on an empty database: regions, institutions, accounts, dossiers.
import type { ObjectStore } from '../adapters/object-store/object-store.ts';
import type { Db } from '../db/database.ts';
import type { InstitutionTable, Role } from '../db/schema.ts';
import { createDossier } from '../dossiers/dossier-repository.ts';
import { newId, nowIso } from '../ids.ts';
import { createRegion } from '../regions/region-repository.ts';
import { installShippedStandards } from '../standards/shipped-standards.ts';
import { createUser } from '../users/user-repository.ts';
import { seedDemoEvidence } from './seed-demo-evidence.ts';
import { seedDemoReviews } from './seed-demo-reviews.ts';

export const DEMO_PASSWORD = 'demo12345';

export const DEMO_ACCOUNTS: { username: string; displayName: string; role: Role; scope: string }[] = [
  { username: 'demo-admin', displayName: '系统管理员（演示）', role: 'admin', scope: '' },
  { username: 'demo-staff', displayName: '王芳（郇封镇卫生院）', role: 'staff', scope: 'inst:xunfeng' },
  { username: 'demo-head', displayName: '李建国（郇封镇卫生院院长）', role: 'head', scope: 'inst:xunfeng' },
  { username: 'demo-county', displayName: '修武县卫健局审核员', role: 'county_reviewer', scope: '410821' },
  { username: 'demo-city', displayName: '焦作市卫健委审核员', role: 'city_reviewer', scope: '410800' },
  { username: 'demo-province', displayName: '河南省卫健委审核员', role: 'province_reviewer', scope: '410000' },
  { username: 'demo-expert', displayName: '张敏（评审专家）', role: 'expert', scope: '410800' },
  { username: 'demo-zz-head', displayName: '赵志强（周庄镇卫生院院长）', role: 'head', scope: 'inst:zhouzhuang' },
];

const REGIONS: { code: string; name: string; parent: string | null }[] = [
  { code: '410000', name: '河南省', parent: null },
  { code: '410800', name: '焦作市', parent: '410000' },
  { code: '410700', name: '新乡市', parent: '410000' },
  { code: '410821', name: '修武县', parent: '410800' },
  { code: '410822', name: '博爱县', parent: '410800' },
  { code: '410724', name: '获嘉县', parent: '410700' },
];

type DemoInstitution = Omit<InstitutionTable, 'id' | 'created_at' | 'updated_at'> & { key: string };

const INSTITUTIONS: DemoInstitution[] = [
  {
    key: 'xunfeng', name: '修武县郇封镇卫生院', kind: 'township', county_code: '410821', address: '修武县郇封镇建设路18号',
    legal_representative: '李建国', phone: '0391-7000001', floor_area: 4200, business_floor_area: 3600, service_population: 32000,
    staff_count: 68, health_technicians: 56, open_beds: 40, devices_over_10k: 23, yearly_visits: 52000, yearly_discharges: 1350,
    featured_departments: '中医康复科、慢病管理门诊', senior_physicians: 2, registered_gps: 5, common_diseases: 86,
  },
  {
    key: 'zhouzhuang', name: '修武县周庄镇卫生院', kind: 'township', county_code: '410821', address: '修武县周庄镇人民路6号',
    legal_representative: '赵志强', phone: '0391-7000002', floor_area: 5600, business_floor_area: 4800, service_population: 41000,
    staff_count: 92, health_technicians: 78, open_beds: 60, devices_over_10k: 35, yearly_visits: 86000, yearly_discharges: 2100,
    featured_departments: '骨伤科、妇产科', senior_physicians: 4, registered_gps: 8, common_diseases: 112,
  },
  {
    key: 'qinghua', name: '博爱县清化镇街道社区卫生服务中心', kind: 'community', county_code: '410822', address: '博爱县清化镇街道丰收路22号',
    legal_representative: '陈丽', phone: '0391-8000003', floor_area: 2800, business_floor_area: 2300, service_population: 46000,
    staff_count: 54, health_technicians: 45, open_beds: 20, devices_over_10k: 16, yearly_visits: 47000, yearly_discharges: 400,
    featured_departments: '全科医学科、康复科', senior_physicians: 3, registered_gps: 9, common_diseases: 104,
  },
  {
    key: 'chengguan', name: '获嘉县城关镇社区卫生服务中心', kind: 'community', county_code: '410724', address: '获嘉县城关镇中山路9号',
    legal_representative: '刘伟', phone: '0373-4000004', floor_area: 2500, business_floor_area: 2000, service_population: 38000,
    staff_count: 41, health_technicians: 35, open_beds: 10, devices_over_10k: 12, yearly_visits: 36000, yearly_discharges: 150,
    featured_departments: '家庭医生签约服务', senior_physicians: 1, registered_gps: 6, common_diseases: 90,
  },
  {
    key: 'kangcun', name: '获嘉县亢村镇卫生院', kind: 'township', county_code: '410724', address: '获嘉县亢村镇文化路3号',
    legal_representative: '孙红', phone: '0373-4000005', floor_area: 3100, business_floor_area: 2600, service_population: 27000,
    staff_count: 45, health_technicians: 37, open_beds: 30, devices_over_10k: 14, yearly_visits: 39000, yearly_discharges: 900,
    featured_departments: '中医馆', senior_physicians: 1, registered_gps: 4, common_diseases: 80,
  },
];

export async function databaseIsEmpty(db: Db): Promise<boolean> {
  const row = await db.selectFrom('users').select('id').limit(1).executeTakeFirst();
  return !row;
}

/** Seeds the demo data. Returns false (and does nothing) when the database already has accounts. */
export async function seedDemo(db: Db, opts: { year?: number; store?: ObjectStore } = {}): Promise<boolean> {
  await installShippedStandards(db);
  if (!(await databaseIsEmpty(db))) return false;
  const year = opts.year ?? new Date().getFullYear();
  for (const r of REGIONS) {
    const error = await createRegion(db, { code: r.code, name: r.name, parentCode: r.parent });
    if (error) throw new Error(error);
  }
  const ids = new Map<string, string>();
  const now = nowIso();
  for (const { key, ...inst } of INSTITUTIONS) {
    const id = newId('i');
    ids.set(key, id);
    await db.insertInto('institutions').values({ ...inst, id, created_at: now, updated_at: now }).execute();
  }
  for (const a of DEMO_ACCOUNTS) {
    const institutionId = a.scope.startsWith('inst:') ? ids.get(a.scope.slice(5))! : null;
    const regionCode = a.scope && !a.scope.startsWith('inst:') ? a.scope : null;
    await createUser(db, { username: a.username, displayName: a.displayName, password: DEMO_PASSWORD, role: a.role, institutionId, regionCode });
  }
  const head = await db.selectFrom('users').select('id').where('username', '=', 'demo-head').executeTakeFirstOrThrow();
  const institution = (key: string) => db.selectFrom('institutions').selectAll().where('id', '=', ids.get(key)!).executeTakeFirstOrThrow();

  // The demo 乡镇卫生院's basic-standard dossier, partly self-assessed, so the projection has something to show.
  const main = await createDossier(db, { institution: await institution('xunfeng'), year, targetLevel: 'basic', actorId: head.id });
  await gradeSome(db, main.id, head.id);
  if (opts.store) {
    const staff = await db.selectFrom('users').select('id').where('username', '=', 'demo-staff').executeTakeFirstOrThrow();
    try {
      await seedDemoEvidence(db, opts.store, { dossierId: main.id, institutionId: ids.get('xunfeng')!, actorId: staff.id });
    } catch (err) {
      // The demo is still usable without its sample files; say why they are missing.
      console.warn(`演示佐证材料未能导入：${(err as Error).message}`);
    }
  }
  // A second 乡镇卫生院 with review history: last year's basic standard passed, this year's 推荐标准 at the province.
  await seedDemoReviews(db, opts.store, await institution('zhouzhuang'), year);
  await createDossier(db, { institution: await institution('qinghua'), year, targetLevel: 'basic', actorId: head.id });
  await createDossier(db, { institution: await institution('chengguan'), year, targetLevel: 'community_hospital', actorId: head.id });
  return true;
}

/** Grades about two thirds of the items, leaving two core items below C so blockers are visible. */
async function gradeSome(db: Db, dossierId: string, actorId: string): Promise<void> {
  const items = await db
    .selectFrom('dossier_items')
    .innerJoin('dossiers', 'dossiers.id', 'dossier_items.dossier_id')
    .innerJoin('standard_nodes', (j) =>
      j.onRef('standard_nodes.standard_id', '=', 'dossiers.standard_id').onRef('standard_nodes.code', '=', 'dossier_items.item_code'),
    )
    .select(['dossier_items.item_code', 'standard_nodes.core', 'standard_nodes.position'])
    .where('dossier_items.dossier_id', '=', dossierId)
    .orderBy('standard_nodes.position')
    .execute();
  const pattern = ['B', 'C', 'A', 'C', 'B', 'C', null, 'C', null] as const;
  let coreLeftUngraded = 0;
  for (const [i, item] of items.entries()) {
    let grade: string | null = pattern[i % pattern.length] ?? null;
    if (item.core && coreLeftUngraded < 2 && i > items.length / 2) {
      grade = coreLeftUngraded === 0 ? '未达标' : null;
      coreLeftUngraded++;
    }
    if (!grade) continue;
    await db
      .updateTable('dossier_items')
      .set({ self_grade: grade, narrative: '已建立相关制度并落实，佐证材料见档案。', updated_by: actorId, updated_at: nowIso() })
      .where('dossier_id', '=', dossierId)
      .where('item_code', '=', item.item_code)
      .execute();
  }
}

export function demoAccountsText(): string {
  const lines = DEMO_ACCOUNTS.map((a) => `  ${a.username.padEnd(14)} ${a.displayName}`);
  return `演示账号（密码均为 ${DEMO_PASSWORD}）:\n${lines.join('\n')}`;
}
