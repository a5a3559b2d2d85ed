import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { User } from '../../src/db/schema.ts';
import { importInstitutions, MAX_IMPORT_BYTES, parseInstitutionCsv } from '../../src/institutions/institution-csv-import.ts';
import { createTestDb, type TestDb } from '../helpers/test-db.ts';

const HEADER = '机构名称,机构类型,县区代码,地址,法定代表人,联系电话,房屋建筑面积,业务用房面积,服务人口,在岗职工数,卫生技术人员数,开放床位数,万元以上设备台数,年门急诊人次,年出院人次,特色科室,副高及以上职称医师数,注册全科医生数,常见病种数';

const utf8 = (text: string, bom = false): Uint8Array => {
  const body = new TextEncoder().encode(text);
  if (!bom) return body;
  const out = new Uint8Array(body.length + 3);
  out.set([0xef, 0xbb, 0xbf]);
  out.set(body, 3);
  return out;
};
const gbk = (text: string): Uint8Array => new Uint8Array(iconv.encode(text, 'gbk'));
const csv = (...lines: string[]): string => lines.join('\r\n') + '\r\n';

const rowsOf = (r: ReturnType<typeof parseInstitutionCsv>) => (r.ok ? r.rows : []);
const errorsOf = (r: { ok: boolean; errors?: { row: number | null; message: string }[] }) => (r.ok ? [] : r.errors!);

describe('parseInstitutionCsv (no database)', () => {
  it('reads a UTF-8 file with BOM, maps kinds and parses numbers', () => {
    const r = parseInstitutionCsv(
      utf8(
        csv(
          HEADER,
          '修武县王屯乡卫生院,乡镇卫生院,410821,修武县王屯乡1号,张三,0391-1234567,"3,200.5",2800,"25,000",50,42,30,12,45000,800,中医科,2,4,85',
          '修武县七贤镇社区卫生服务中心,社区卫生服务中心,410821,,,,,,,,,,,,,,,,',
        ),
        true,
      ),
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.encoding).toBe('utf-8');
    expect(r.rows).toHaveLength(2);
    const [a, b] = r.rows;
    expect(a!.row).toBe(2);
    expect(a!.values).toMatchObject({
      name: '修武县王屯乡卫生院',
      kind: 'township',
      county_code: '410821',
      floor_area: 3200.5,
      business_floor_area: 2800,
      service_population: 25000,
      common_diseases: 85,
      featured_departments: '中医科',
    });
    expect(b!.row).toBe(3);
    expect(b!.values).toMatchObject({ kind: 'community', address: '', floor_area: null, open_beds: null });
  });

  it('reads a GBK file', () => {
    const r = parseInstitutionCsv(gbk(csv('机构名称,机构类型,县区代码,特色科室', '博爱县许良镇卫生院,乡镇卫生院,410822,骨伤科、康复科')));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.encoding).toBe('gb18030');
    expect(r.rows[0]!.values).toMatchObject({ name: '博爱县许良镇卫生院', featured_departments: '骨伤科、康复科' });
  });

  it('accepts headers with units, a required-mark and 推荐表 wording', () => {
    const r = parseInstitutionCsv(utf8(csv('机构名称*,机构类型,县区代码,房屋建筑面积（平方米）,法人代表', '甲卫生院,卫生院,410821,100,李四')));
    expect(errorsOf(r)).toEqual([]);
    expect(rowsOf(r)[0]!.values).toMatchObject({ floor_area: 100, legal_representative: '李四' });
  });

  it('reports every bad row with its row number', () => {
    const r = parseInstitutionCsv(
      utf8(
        csv(
          '机构名称,机构类型,县区代码,开放床位数,房屋建筑面积,联系电话',
          '好卫生院,乡镇卫生院,410821,10,100,',
          '床位小数卫生院,乡镇卫生院,410821,10.5,,',
          '负数卫生院,乡镇卫生院,410821,,-3,',
          '类型错卫生院,诊所,410821,,,',
          ',乡镇卫生院,4108,abc,,',
          `电话长卫生院,乡镇卫生院,410821,,,${'1'.repeat(41)}`,
        ),
      ),
    );
    expect(r.ok).toBe(false);
    const errors = errorsOf(r);
    expect(errors.map((e) => e.row)).toEqual([3, 4, 5, 6, 6, 6, 7]);
    expect(errors[0]!.message).toBe('第 3 行：开放床位数应为整数');
    expect(errors[1]!.message).toContain('房屋建筑面积不能为负数');
    expect(errors[2]!.message).toContain('机构类型“诊所”无法识别');
    expect(errors.filter((e) => e.row === 6).map((e) => e.message)).toEqual([
      '第 6 行：机构名称不能为空',
      '第 6 行：县区代码应为 6 位数字的县级行政区划代码',
      '第 6 行：开放床位数应填写数字',
    ]);
    expect(errors[6]!.message).toContain('联系电话不能超过 40 字');
  });

  it('numbers rows by the line a record starts on (multi-line cells, blank lines)', () => {
    const r = parseInstitutionCsv(utf8(csv('机构名称,机构类型,县区代码,特色科室', '甲卫生院,乡镇卫生院,410821,"中医科\n康复科"', '', '乙卫生院,乡镇卫生院,41082X,')));
    expect(errorsOf(r).map((e) => e.row)).toEqual([5]);
  });

  it('reports duplicates within the file', () => {
    const r = parseInstitutionCsv(
      utf8(csv('机构名称,机构类型,县区代码', '甲卫生院,乡镇卫生院,410821', '甲卫生院,乡镇卫生院,410822', ' 甲卫生院 ,乡镇卫生院,410821')),
    );
    expect(errorsOf(r)).toEqual([{ row: 4, message: expect.stringContaining('与第 2 行重复') }]);
  });

  it('rejects a file missing a required column, or with an unknown column, at row 1', () => {
    const missing = parseInstitutionCsv(utf8(csv('机构名称,机构类型,地址', '甲卫生院,乡镇卫生院,某地')));
    expect(errorsOf(missing)).toHaveLength(1);
    expect(errorsOf(missing)[0]!.row).toBe(1);
    expect(errorsOf(missing)[0]!.message).toContain('缺少必需的列：县区代码');

    const unknown = parseInstitutionCsv(utf8(csv('机构名称,机构类型,县区代码,备注', '甲卫生院,乡镇卫生院,410821,x')));
    expect(errorsOf(unknown)).toEqual([{ row: 1, message: expect.stringContaining('无法识别的列：D 列“备注”') }]);
  });

  it('rejects empty, header-only, binary and oversized files', () => {
    expect(errorsOf(parseInstitutionCsv(new Uint8Array()))[0]!.message).toBe('文件为空');
    expect(errorsOf(parseInstitutionCsv(utf8(csv(HEADER))))[0]).toMatchObject({ row: 1 });
    expect(errorsOf(parseInstitutionCsv(new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0, 0, 1, 2])))[0]!.message).toContain('无法识别文件编码');
    const big = new Uint8Array(MAX_IMPORT_BYTES + 1).fill(0x41);
    expect(errorsOf(parseInstitutionCsv(big))[0]!.message).toContain('上限为 2 MB');
  });

  it('rejects more than 5,000 data rows', () => {
    const lines = ['机构名称,机构类型,县区代码'];
    for (let i = 0; i < 5001; i++) lines.push(`卫生院${i},乡镇卫生院,410821`);
    expect(errorsOf(parseInstitutionCsv(utf8(csv(...lines))))[0]!.message).toContain('数据行过多');
  });
});

describe('importInstitutions (database)', () => {
  let db: TestDb;
  let admin: User;
  let countyReviewer: User;

  const institutionCount = async () => Number((await db.db.selectFrom('institutions').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

  beforeAll(async () => {
    db = await createTestDb();
    admin = await db.db.selectFrom('users').selectAll().where('username', '=', 'demo-admin').executeTakeFirstOrThrow();
    countyReviewer = await db.db.selectFrom('users').selectAll().where('username', '=', 'demo-county').executeTakeFirstOrThrow();
  });
  afterAll(async () => {
    await db?.close();
  });

  it('imports a good UTF-8 file in one go and records an audit entry', async () => {
    const before = await institutionCount();
    const r = await importInstitutions(
      db.db,
      admin,
      utf8(csv(HEADER, '修武县方庄镇卫生院,乡镇卫生院,410821,,,,1200,,,,,,,,,,,,', '获嘉县太山镇卫生院,乡镇卫生院,410724,,,,,,,,,,,,,,,,'), true),
      { ip: '127.0.0.1' },
    );
    expect(r).toMatchObject({ ok: true, count: 2 });
    expect(await institutionCount()).toBe(before + 2);
    const row = await db.db.selectFrom('institutions').selectAll().where('name', '=', '修武县方庄镇卫生院').executeTakeFirstOrThrow();
    expect(row).toMatchObject({ county_code: '410821', kind: 'township', floor_area: 1200, open_beds: null });
    const audit = await db.db.selectFrom('audit_log').selectAll().where('action', '=', 'institution.import').execute();
    expect(audit).toHaveLength(1);
    expect(JSON.parse(audit[0]!.detail)).toMatchObject({ count: 2 });
  });

  it('imports a GBK file', async () => {
    const r = await importInstitutions(db.db, admin, gbk(csv('机构名称,机构类型,县区代码', '博爱县磨头镇卫生院,乡镇卫生院,410822')));
    expect(r).toMatchObject({ ok: true, count: 1, encoding: 'gb18030' });
    expect(await db.db.selectFrom('institutions').select('id').where('name', '=', '博爱县磨头镇卫生院').executeTakeFirst()).toBeDefined();
  });

  it('reports unknown, non-county and out-of-scope county codes, and imports nothing', async () => {
    const before = await institutionCount();
    const file = utf8(
      csv(
        '机构名称,机构类型,县区代码',
        '甲卫生院,乡镇卫生院,410821',
        '乙卫生院,乡镇卫生院,999999',
        '丙卫生院,乡镇卫生院,410800',
        '丁卫生院,乡镇卫生院,410724',
      ),
    );
    const asAdmin = await importInstitutions(db.db, admin, file);
    expect(errorsOf(asAdmin)).toEqual([
      { row: 3, message: expect.stringContaining('“999999”在行政区划中不存在') },
      { row: 4, message: expect.stringContaining('不是县级行政区划') },
    ]);
    // A county reviewer of 修武县 may not place institutions in 获嘉县.
    const asReviewer = await importInstitutions(db.db, countyReviewer, file);
    expect(errorsOf(asReviewer).map((e) => e.row)).toEqual([3, 4, 5]);
    expect(errorsOf(asReviewer)[2]!.message).toContain('不在您的管理范围内');
    expect(await institutionCount()).toBe(before);
  });

  it('reports institutions that already exist and duplicates in the file, all or nothing', async () => {
    const before = await institutionCount();
    const r = await importInstitutions(
      db.db,
      admin,
      utf8(
        csv(
          '机构名称,机构类型,县区代码',
          '修武县新卫生院,乡镇卫生院,410821',
          '修武县郇封镇卫生院,乡镇卫生院,410821',
          '修武县新卫生院,乡镇卫生院,410821',
        ),
      ),
    );
    // Every problem at once: the duplicate in the file and the institution that already exists.
    expect(errorsOf(r)).toEqual([
      { row: 3, message: expect.stringContaining('系统中已有该机构') },
      { row: 4, message: expect.stringContaining('与第 2 行重复') },
    ]);

    const r2 = await importInstitutions(db.db, admin, utf8(csv('机构名称,机构类型,县区代码', '修武县新卫生院,乡镇卫生院,410821', '修武县郇封镇卫生院,乡镇卫生院,410821')));
    expect(errorsOf(r2)).toEqual([{ row: 3, message: expect.stringContaining('系统中已有该机构') }]);
    expect(await institutionCount()).toBe(before);
  });

  it('does not touch the database when the file itself is invalid', async () => {
    const before = await institutionCount();
    const r = await importInstitutions(db.db, admin, utf8(csv('机构名称,机构类型', '甲卫生院,乡镇卫生院')));
    expect(errorsOf(r)[0]).toMatchObject({ row: 1 });
    expect(await institutionCount()).toBe(before);
  });
});
