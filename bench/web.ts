// npm run bench:web — load test of the dossier page of a 300-item standard against the target
// (p95 ≤ 50 ms and ≥ 300 requests/s at 50 concurrent connections); records the figures in docs/BENCHMARKS.md.
// Env: BENCH_SECONDS (default 20), BENCH_SERVER_ARGS (extra node flags for the server, e.g. "--cpu-prof").
import type { EventEmitter } from 'node:events';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { loginDemoStaff, runBench, startServer, stopServer, writeBenchSection, type BenchServer } from './bench-server.ts';
import { openAndMigrate, prepareData } from '../src/bootstrap.ts';
import { loadConfig } from '../src/config.ts';
import { createDossier } from '../src/dossiers/dossier-repository.ts';
import { standardsDir } from '../src/paths.ts';
import { readStandardFile } from '../src/standards/shipped-standards.ts';
import { saveStandard } from '../src/standards/standard-repository.ts';
import type { StandardFile, StandardNode } from '../src/standards/standard-schema.ts';
import { describeProblem, validateStandard } from '../src/standards/standard-validate.ts';

// autocannon ships no types; this is the slice of its API the benchmark relies on.
interface CannonResult { requests: { average: number }; errors: number; timeouts: number; statusCodeStats: Record<string, { count: number }> }
type CannonOpts = { url: string; connections: number; duration: number; headers: Record<string, string>; overallRate?: number };
type Cannon = (opts: CannonOpts) => EventEmitter & PromiseLike<CannonResult>;
const autocannon = createRequire(import.meta.url)('autocannon') as Cannon;

const TARGET = { p95Ms: 50, rps: 300 };
const CONNECTIONS = 50;
const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 20);
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dossier-bench-'));
let server: BenchServer | null = null;

/** 4 chapters × 5 sections × 15 items, shaped like a real 评价指南: ~15% ★ core, ~25% recommended-tier. */
function syntheticStandard(): StandardFile {
  const template = readStandardFile(path.join(standardsDir, 'township-2023-demo.json'));
  const chapters = ['功能任务与资源', '基本医疗服务', '公共卫生服务', '业务管理'];
  const topics = ['医疗质量', '院感防控', '药事', '护理', '病历书写', '慢病随访', '预防接种', '健康档案', '设备维护', '绩效考核'];
  const filler = '建立健全相关管理制度和工作流程，明确岗位职责与分工，定期开展自查评估并持续整改，各项记录完整规范、可追溯，年度考核结果纳入绩效管理并向职工公开。';
  const text = (prefix: string) => (prefix + filler).slice(0, 60);
  const nodes: StandardNode[] = [];
  let n = 0;
  chapters.forEach((title, c) => {
    nodes.push({ code: `${c + 1}`, title });
    for (let s = 1; s <= 5; s++) {
      nodes.push({ code: `${c + 1}.${s}`, title: `${title}（第${s}部分）` });
      for (let i = 1; i <= 15; i++, n++) {
        const topic = topics[n % topics.length]!;
        nodes.push({
          code: `${c + 1}.${s}.${i}`,
          title: `${topic}管理（${n + 1}）`,
          requirements: { C: text(`${topic}：`), B: text(`在C级基础上，${topic}：`), A: text(`在B级基础上，${topic}持续改进：`) },
          core: n % 20 < 3,
          tier: n % 4 === 3 ? 'recommended' : 'basic',
          evidenceHints: [`${topic}管理制度文件`, '近一年工作记录'],
          keywords: [topic],
        });
      }
    }
  });
  const candidate = { ...template, id: 'bench-300', title: '基准测试标准（300条款）', edition: 2099, demonstration: false, nodes };
  const result = validateStandard(candidate);
  if (!result.ok) throw new Error(`synthetic standard invalid:\n${result.problems.map((p) => describeProblem(p, nodes)).join('\n')}`);
  return result.standard;
}

/** Seeds exactly as a first demo start would, then adds the 300-item dossier, ~70% self-assessed. */
async function prepareDatabase(): Promise<string> {
  const config = loadConfig({ DOSSIER_DATA_DIR: dataDir, DOSSIER_DEMO: '1' }); // the app's own defaults, SQLite
  const database = await openAndMigrate(config);
  try {
    await prepareData(database, config);
    const { db } = database;
    await saveStandard(db, syntheticStandard()); // demonstration: false, so currentStandardFor() picks it
    const institution = await db.selectFrom('institutions').selectAll().where('name', '=', '修武县郇封镇卫生院').executeTakeFirstOrThrow();
    const staff = await db.selectFrom('users').select('id').where('username', '=', 'demo-staff').executeTakeFirstOrThrow();
    const dossier = await createDossier(db, { institution, year: new Date().getFullYear(), targetLevel: 'recommended', actorId: staff.id });
    if (dossier.standard_id !== 'bench-300') throw new Error(`dossier uses ${dossier.standard_id}, not bench-300`);
    const items = await db.selectFrom('dossier_items').select('item_code').where('dossier_id', '=', dossier.id).execute();
    const grades = ['A', 'B', 'C', 'B', 'C', 'B', '未达标', null, null, null] as const;
    const narrative = '已建立相关制度并落实，佐证材料见档案。';
    await db.transaction().execute(async (trx) => {
      for (const [i, { item_code: code }] of items.entries()) {
        const grade = grades[i % grades.length];
        const set = { self_grade: grade, narrative, updated_by: staff.id, updated_at: new Date().toISOString() };
        if (grade) await trx.updateTable('dossier_items').set(set).where('dossier_id', '=', dossier.id).where('item_code', '=', code).execute();
      }
    });
    return dossier.id;
  } finally {
    await database.close();
  }
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
const ms = (x: number) => x.toFixed(1);

/** Runs autocannon, keeping every response time so p95 is exact (autocannon itself reports p97.5, not p95). */
async function load(url: string, cookie: string, seconds: number, overallRate?: number) {
  const times: number[] = [];
  const run = autocannon({ url, connections: CONNECTIONS, duration: seconds, headers: { cookie }, overallRate });
  run.on('response', (_client: unknown, _status: number, _bytes: number, time: number) => times.push(time));
  const result = await run;
  const sorted = times.sort((a, b) => a - b);
  const failed = Object.entries(result.statusCodeStats).filter(([code]) => code !== '200').reduce((n, [, s]) => n + s.count, 0);
  return { rps: result.requests.average, p50: percentile(sorted, 50), p95: percentile(sorted, 95), p99: percentile(sorted, 99), failed: failed + result.errors + result.timeouts };
}

/** One request at a time: no queueing, so this is as close to the server's own time as loopback allows. */
async function sequential(url: string, cookie: string, count: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const t0 = performance.now();
    const res = await fetch(url, { headers: { cookie } });
    await res.arrayBuffer();
    times.push(performance.now() - t0);
    if (res.status !== 200) throw new Error(`sequential request ${i}: HTTP ${res.status}`);
  }
  return times.sort((a, b) => a - b);
}

async function main(): Promise<void> {
  const cpus = os.cpus();
  const machine = `${cpus.length} × ${cpus[0]?.model.trim() ?? 'unknown CPU'}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, Node ${process.version}, ${os.platform()} ${os.release()}`;
  const date = new Date().toISOString().slice(0, 10);
  console.log(`machine: ${machine}\ndate: ${date}`);
  const dossierId = await prepareDatabase();
  server = await startServer(dataDir, { DOSSIER_DEMO: '1' });
  const base = server.base;
  const { cookie } = await loginDemoStaff(base);
  const url = `${base}/dossiers/${dossierId}`;

  // Guard against benchmarking an error page or a smaller dossier.
  const probe = await fetch(url, { headers: { cookie } });
  const html = await probe.text();
  const items = html.split('class="tree-item').length - 1;
  if (probe.status !== 200 || items !== 300) throw new Error(`dossier page: HTTP ${probe.status}, ${items} items (expected 200, 300)`);
  const kib = (Buffer.byteLength(html) / 1024).toFixed(0);
  console.log(`page: ${kib} KiB of HTML, ${items} items`);

  await load(url, cookie, 5); // warm-up: JIT, SQLite page cache
  const seq = await sequential(url, cookie, 200);
  console.log(`load: ${CONNECTIONS} connections, ${SECONDS} s as fast as possible, then ${SECONDS} s at ${TARGET.rps} requests/s…`);
  const f = await load(url, cookie, SECONDS);
  const paced = await load(url, cookie, SECONDS, TARGET.rps);
  const verdict = (ok: boolean) => (ok ? 'PASS' : 'FAIL');
  const pass = f.p95 <= TARGET.p95Ms && f.rps >= TARGET.rps && f.failed + paced.failed === 0;
  const rows: [string, string, string, string][] = [
    ['requests/s (mean, 50 connections)', f.rps.toFixed(0), `≥ ${TARGET.rps}`, verdict(f.rps >= TARGET.rps)],
    ['latency p50 / p99 (50 connections)', `${ms(f.p50)} / ${ms(f.p99)} ms`, '', ''],
    ['latency p95 (50 connections)', `${ms(f.p95)} ms`, `≤ ${TARGET.p95Ms} ms`, verdict(f.p95 <= TARGET.p95Ms)],
    ['errors + timeouts + non-200 (both runs)', String(f.failed + paced.failed), '0', verdict(f.failed + paced.failed === 0)],
    [`latency p50 / p95 at ${TARGET.rps} req/s offered (achieved ${paced.rps.toFixed(0)})`, `${ms(paced.p50)} / ${ms(paced.p95)} ms`, '', ''],
    ['server time p50 / p95 (sequential, unloaded)', `${ms(percentile(seq, 50))} / ${ms(percentile(seq, 95))} ms`, '', ''],
  ];
  for (const r of rows) console.log(`  ${r[0].padEnd(58)} ${r[1].padStart(20)}  ${r[2].padEnd(9)} ${r[3]}`);
  writeBenchSection('web',
    [
      '## bench:web',
      '',
      `GET /dossiers/:id of a 300-item standard (${items} items, ~70% self-assessed, ${kib} KiB HTML), logged in as demo-staff, SQLite.`,
      `Server in its own process; load by autocannon on the same machine (it competes for the 2 cores): ${CONNECTIONS} connections, ${SECONDS} s,`,
      `after a 5 s warm-up; then ${SECONDS} s paced at ${TARGET.rps} requests/s in total. Latencies are client-observed round trips`,
      '(server time + loopback + queueing behind the other connections); "sequential" is 200 requests one at a time, the closest to the server time of one page.',
      '',
      '| Metric | Value | Target | Result |',
      '| --- | --- | --- | --- |',
      ...rows.map((r) => `| ${r.join(' | ')} |`),
      '',
      `Machine: ${machine}. Date: ${date}.`,
      '',
    ].join('\n'),
  );
  console.log(`${verdict(pass)}: p95 ${ms(f.p95)} ms (≤ ${TARGET.p95Ms}), ${f.rps.toFixed(0)} requests/s (≥ ${TARGET.rps}); written to docs/BENCHMARKS.md`);
  if (f.failed + paced.failed) process.exitCode = 1;
}

async function cleanup(): Promise<void> {
  await stopServer(server?.child);
  server = null;
  fs.rmSync(dataDir, { recursive: true, force: true });
}

runBench(main, cleanup);
