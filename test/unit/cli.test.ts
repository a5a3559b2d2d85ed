// The `dossier` CLI as a user runs it: a real process against a fresh SQLite data directory.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyPassword } from '../../src/auth/password.ts';

const run = promisify(execFile);
const bin = path.resolve('bin/dossier.mjs');
let dataDir: string;

async function dossier(args: string[], input?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = { ...process.env, DOSSIER_DATA_DIR: dataDir, DATABASE_URL: '' };
  try {
    const child = run(process.execPath, [bin, ...args], { env, timeout: 60_000 });
    if (input !== undefined) {
      child.child.stdin?.end(input);
    }
    const { stdout, stderr } = await child;
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

beforeAll(() => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dossier-cli-'));
});
afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

describe('dossier CLI', () => {
  it('migrates, seeds the demo once, and lists dossiers as JSON', async () => {
    expect((await dossier(['migrate'])).code).toBe(0);
    const seed = await dossier(['seed-demo']);
    expect(seed.stdout).toContain('demo-staff');
    expect((await dossier(['seed-demo'])).stdout).toContain('未写入');
    const list = await dossier(['dossiers', 'list', '--json']);
    expect(list.code).toBe(0);
    const rows = JSON.parse(list.stdout) as { id: string; institution_name: string; county_code: string; year: number; level: string; state: string }[];
    expect(rows.length).toBeGreaterThanOrEqual(4);
    expect(Object.keys(rows[0]!).sort()).toEqual(['county_code', 'id', 'institution_name', 'level', 'state', 'year']);
    expect(rows.some((r) => r.institution_name === '修武县郇封镇卫生院' && r.county_code === '410821' && r.state === 'draft')).toBe(true);
  });

  it('builds the binder volumes of a dossier into a directory, the same bytes every time', async () => {
    const rows = JSON.parse((await dossier(['dossiers', 'list', '--json'])).stdout) as { id: string; institution_name: string; level: string }[];
    const id = rows.find((r) => r.institution_name === '修武县郇封镇卫生院')!.id;
    const out1 = path.join(dataDir, 'binder-1');
    const out2 = path.join(dataDir, 'binder-2');
    const first = await dossier(['binder', id, '--out', out1, '--max-sheets', '120']);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/共 \d+ 册、\d+ 页/);
    const volumes = fs.readdirSync(out1).filter((f) => f.startsWith('volume-')).sort();
    expect(volumes.length).toBeGreaterThan(1);
    expect(fs.existsSync(path.join(out1, 'labels.pdf'))).toBe(true);
    await run('qpdf', ['--check', path.join(out1, volumes[0]!)]);
    expect((await dossier(['binder', id, '--out', out2, '--max-sheets', '120'])).code).toBe(0);
    for (const v of volumes) expect(fs.readFileSync(path.join(out2, v)).equals(fs.readFileSync(path.join(out1, v)))).toBe(true);

    // An output folder that cannot be made is an error at once (Node's recursive mkdir would spin under /proc).
    for (const bad of ['/proc/nope/binder', path.join(out1, volumes[0]!, 'sub')]) {
      const r = await dossier(['binder', id, '--out', bad]);
      expect(r.code, bad).toBe(2);
      expect(r.stderr).toContain('无法写入输出目录');
    }

    const unknown = await dossier(['binder', 'd_nope', '--out', out1]);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toContain('找不到档案');
    const bad = await dossier(['binder', id, '--out', out1, '--split', 'weekly']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('选项有误');
  }, 120_000);

  it('adds a user with the password from stdin, and rejects a bad scope', async () => {
    const ok = await dossier(['user', 'add', '--username', 'county2', '--name', '审核员二', '--role', 'county_reviewer', '--region', '410822'], 'secret-pass-1\n');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('county2');
    const bad = await dossier(['user', 'add', '--username', 'city2', '--role', 'city_reviewer', '--region', '410822', '--password', 'secret-pass-2']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('级别与角色不符');
    const dup = await dossier(['user', 'add', '--username', 'county2', '--role', 'admin', '--password', 'secret-pass-3']);
    expect(dup.stderr).toContain('已被使用');
  });

  it('sets a new password (from stdin), refuses weak ones and unknown accounts, and unlocks', async () => {
    const ok = await dossier(['user', 'passwd', '--username', 'county2'], 'new-secret-9\n');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('已为 county2 设置新密码');
    const db = new Database(path.join(dataDir, 'dossier.sqlite'), { readonly: true });
    try {
      const row = db.prepare('select password_hash from users where username = ?').get('county2') as { password_hash: string };
      expect(await verifyPassword('new-secret-9', row.password_hash)).toBe(true);
      expect(await verifyPassword('secret-pass-1', row.password_hash)).toBe(false);
    } finally {
      db.close();
    }
    const weak = await dossier(['user', 'passwd', '--username', 'county2', '--password', '11111111']);
    expect(weak.code).toBe(2);
    expect(weak.stderr).toContain('密码过于简单');
    const unknown = await dossier(['user', 'passwd', '--username', 'nobody', '--password', 'new-secret-9']);
    expect(unknown.stderr).toContain('找不到账号 nobody');
    const unlock = await dossier(['user', 'unlock', '--username', 'county2', '--address', '10.0.0.7']);
    expect(unlock.code).toBe(0);
    expect(unlock.stdout).toContain('已解除锁定');
    expect((await dossier(['user', 'unlock'])).code).toBe(2);
  });

  it('imports a standard from CSV, and imports nothing when a row is bad', async () => {
    const good = path.join(dataDir, 'good.csv');
    fs.writeFileSync(
      good,
      '\ufeff编号,标题,C级要求,B级要求,A级要求,核心,类别,佐证提示,关键词\n' +
        '1,功能任务与资源配置,,,,,,,\n1.1,功能任务,,,,,,,\n' +
        '1.1.1,功能定位,明确功能定位,在C基础上定期评估,在B基础上持续改进,★,基本,制度文件,制度、功能\n' +
        '1.1.2,应急处置,制定预案,在C基础上演练,在B基础上改进,,推荐,演练记录,应急\n',
    );
    const res = await dossier(['standards', 'import', good, '--id', 'test-import', '--title', '测试标准', '--kind', 'township', '--edition', '2024']);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('2 个条款');

    const bad = path.join(dataDir, 'bad.csv');
    fs.writeFileSync(bad, '编号,标题,C级要求,B级要求,A级要求,核心,类别\n1,章,,,,,\n1.1,节,,,,,\n1.1.1,条,c,b,a,也许,基本\n1.1.1,重复,c,b,a,,基本\n');
    const r2 = await dossier(['standards', 'import', bad, '--id', 'test-bad', '--title', '坏标准', '--kind', 'township', '--edition', '2024']);
    expect(r2.code).toBe(1);
    expect(r2.stderr).toContain('第 4 行');
    expect(r2.stderr).toContain('第 5 行');
    const list = await dossier(['standards', 'list']);
    expect(list.stdout).toContain('test-import');
    expect(list.stdout).not.toContain('test-bad');
  });

  it('explains unknown commands', async () => {
    const res = await dossier(['frobnicate']);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('未知命令');
  });
});
