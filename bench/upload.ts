// npm run bench:upload — one large evidence file over HTTP into the local (filesystem) object store, against
// the issue's targets: server RSS growth ≤ 64 MB while it streams, and throughput at least half that of a plain
// `cp` of the same file on the same filesystem. Records the figures in docs/BENCHMARKS.md ("## bench:upload").
// Env: BENCH_UPLOAD_MB (default 500), BENCH_CLIENT (http | fetch | curl, default http), BENCH_SERVER_ARGS (extra node
// flags for the server).
//
// The file is a real, valid PDF that passes intake honestly: one A4 page showing one uncompressed RGB image of
// random pixels (incompressible), with a correct xref — `pdfinfo` reads it like any scanned PDF.
import { spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { openAndMigrate, prepareData } from '../src/bootstrap.ts';
import { loadConfig } from '../src/config.ts';
import { loginDemoStaff, runBench, startServer, stopServer, writeBenchSection, type BenchServer } from './bench-server.ts';

const MiB = 1024 * 1024;
const TARGET = { rssGrowthMiB: 64, cpRatio: 0.5 };
const SIZE_MIB = Number(process.env['BENCH_UPLOAD_MB'] ?? 500);
const SAMPLE_MS = 50;
const CLIENT = (['fetch', 'curl'] as const).find((c) => c === process.env['BENCH_CLIENT']) ?? 'http';
const CLIENT_TEXT = {
  http: 'node:http (file piped into the request)',
  fetch: 'fetch (web ReadableStream body)',
  curl: '`curl -F file=@…` (native client; it streams the file from disk)',
}[CLIENT];
const INSTITUTION = '修武县郇封镇卫生院';

const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dossier-bench-upload-'));
const dataDir = path.join(workDir, 'data');
const bigFile = path.join(workDir, `bench-${SIZE_MIB}mb.pdf`);
let server: BenchServer | null = null;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ------------------------------------------------------------------------------------------------ the file

/**
 * Writes a one-page PDF whose page draws a `width`×`height` DeviceRGB image stored unfiltered (random bytes),
 * so the file is ≈ width·height·3 bytes and every byte of it is image data a viewer would show as noise.
 */
function writeImagePdf(file: string, width: number, height: number): number {
  const fd = fs.openSync(file, 'w');
  let offset = 0;
  const offsets: number[] = [];
  const write = (b: Buffer | string) => {
    const buf = typeof b === 'string' ? Buffer.from(b, 'latin1') : b;
    for (let done = 0; done < buf.length; ) done += fs.writeSync(fd, buf, done, buf.length - done);
    offset += buf.length;
  };
  const obj = (n: number, body: string) => {
    offsets[n] = offset;
    write(`${n} 0 obj\n${body}\nendobj\n`);
  };
  try {
    write('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n');
    obj(1, '<< /Type /Catalog /Pages 2 0 R >>');
    obj(2, '<< /Type /Pages /Kids [3 0 R] /Count 1 >>');
    obj(3, '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /XObject << /Im0 5 0 R >> >> /Contents 4 0 R >>');
    const content = 'q 595 0 0 842 0 0 cm /Im0 Do Q';
    obj(4, `<< /Length ${content.length} >>\nstream\n${content}\nendstream`);
    const length = width * height * 3;
    offsets[5] = offset;
    write(`5 0 obj\n<< /Type /XObject /Subtype /Image /Width ${width} /Height ${height} /ColorSpace /DeviceRGB /BitsPerComponent 8 /Length ${length} >>\nstream\n`);
    const chunk = 4 * MiB;
    for (let left = length; left > 0; left -= chunk) write(randomBytes(Math.min(chunk, left)));
    write('\nendstream\nendobj\n');
    const xref = offset;
    const entries = offsets.slice(1).map((o) => `${String(o).padStart(10, '0')} 00000 n \n`);
    write(`xref\n0 ${offsets.length}\n0000000000 65535 f \n${entries.join('')}trailer\n<< /Size ${offsets.length} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`);
  } finally {
    fs.closeSync(fd);
  }
  return offset;
}

/** An image of about `mib` MiB: 8192 pixels wide, as many rows as fit. */
function writePdfOfSize(file: string, mib: number): number {
  const width = 8192;
  const height = Math.max(1, Math.floor((mib * MiB) / (width * 3)));
  return writeImagePdf(file, width, height);
}

function checkWithPdfinfo(file: string): string {
  const r = spawnSync('pdfinfo', [file], { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } });
  if (r.error) throw new Error(`pdfinfo not available (${r.error.message}); install poppler-utils`);
  const pages = /^Pages:\s+(\d+)/m.exec(r.stdout)?.[1];
  if (r.status !== 0 || pages !== '1') throw new Error(`pdfinfo rejects the generated PDF (status ${r.status}):\n${r.stdout}${r.stderr}`);
  return r.stderr.trim();
}

// ---------------------------------------------------------------------------------------------- the server

async function prepareDatabase(): Promise<string> {
  const config = loadConfig({ DOSSIER_DATA_DIR: dataDir, DOSSIER_DEMO: '1' });
  const database = await openAndMigrate(config);
  try {
    await prepareData(database, config);
    const inst = await database.db.selectFrom('institutions').select('id').where('name', '=', INSTITUTION).executeTakeFirstOrThrow();
    return inst.id;
  } finally {
    await database.close();
  }
}

// ------------------------------------------------------------------------------------------------ measuring

/** user + sys CPU seconds of `pid`, all threads (/proc/<pid>/stat, clock ticks of 1/100 s). */
function procCpuSeconds(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function procStatusKiB(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no ${field} in /proc/${pid}/status`);
  return Number(m[1]);
}

/** Resets the kernel's peak-RSS mark (VmHWM) of `pid`; false where that is not allowed. */
function resetPeakRss(pid: number): boolean {
  try {
    fs.writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

class RssSampler {
  private timer: NodeJS.Timeout | null = null;
  readonly samples: { t: number; kib: number }[] = [];
  constructor(private readonly pid: number) {}
  start(): void {
    const take = () => this.samples.push({ t: performance.now(), kib: procStatusKiB(this.pid, 'VmRSS') });
    take();
    this.timer = setInterval(take, SAMPLE_MS);
  }
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
  between(t0: number, t1: number): number[] {
    return this.samples.filter((s) => s.t >= t0 && s.t <= t1).map((s) => s.kib);
  }
}

const BOUNDARY = `----DossierBench${randomBytes(8).toString('hex')}`;

interface UploadTiming {
  status: number;
  json: { results?: { ok: boolean; reason?: string; documentId?: string; duplicate?: boolean; fileName: string }[]; error?: string };
  /** NaN when the client cannot tell (curl). */
  bodySentMs: number;
  totalMs: number;
}

/** curl streams the file itself (-F reads it from disk in pieces); it reports no "body sent" time. */
function curlUpload(url: string, headers: Record<string, string>, file: string): Promise<{ status: number; text: string }> {
  const args = ['-sS', '-o', '-', '-w', '\n%{http_code}', '-H', 'Expect:'];
  for (const [k, v] of Object.entries(headers)) if (k !== 'content-type') args.push('-H', `${k}: ${v}`);
  args.push('-F', `file=@${file};type=application/pdf;filename=${path.basename(file)}`, url);
  return new Promise((resolve, reject) => {
    const child = spawn('curl', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.once('error', (e) => reject(new Error(`curl not available (${e.message})`)));
    child.once('close', (code) => {
      if (code !== 0) return reject(new Error(`curl exited with ${code}: ${err}`));
      const nl = out.lastIndexOf('\n');
      resolve({ status: Number(out.slice(nl + 1)), text: out.slice(0, nl) });
    });
  });
}

/**
 * POST one file as multipart, the body streamed from disk: preamble, the file, epilogue. The default client is
 * node:http piping the file (cheap on CPU, like a browser's network stack); BENCH_CLIENT=fetch uses fetch with a
 * web ReadableStream body, which on a 2-core machine takes a noticeable share of the CPU the server needs.
 */
async function uploadFile(base: string, institutionId: string, session: { cookie: string; csrf: string }, file: string): Promise<UploadTiming> {
  const name = path.basename(file);
  const preamble = Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\nContent-Type: application/pdf\r\n\r\n`);
  const epilogue = Buffer.from(`\r\n--${BOUNDARY}--\r\n`);
  const url = `${base}/institutions/${institutionId}/documents`;
  const headers = { 'content-type': `multipart/form-data; boundary=${BOUNDARY}`, accept: 'application/json', cookie: session.cookie, 'x-csrf-token': session.csrf };
  const t0 = performance.now();
  let bodySent = 0;
  async function* body() {
    yield preamble;
    for await (const chunk of fs.createReadStream(file, { highWaterMark: 256 * 1024 })) yield chunk as Buffer;
    yield epilogue;
    bodySent = performance.now();
  }
  let status: number;
  let text: string;
  if (CLIENT === 'curl') {
    ({ status, text } = await curlUpload(url, headers, file));
    bodySent = NaN;
  } else if (CLIENT === 'fetch') {
    const res = await fetch(url, {
      method: 'POST',
      body: Readable.toWeb(Readable.from(body())) as ReadableStream<Uint8Array>,
      duplex: 'half',
      headers,
    } as RequestInit & { duplex: 'half' });
    status = res.status;
    text = await res.text();
  } else {
    const length = preamble.length + fs.statSync(file).size + epilogue.length;
    const req = http.request(url, { method: 'POST', headers: { ...headers, 'content-length': String(length) } });
    const response = new Promise<http.IncomingMessage>((resolve, reject) => req.once('response', resolve).once('error', reject));
    await pipeline(Readable.from(body()), req);
    const res = await response;
    status = res.statusCode ?? 0;
    text = '';
    for await (const chunk of res) text += String(chunk);
  }
  const t1 = performance.now();
  let json: UploadTiming['json'];
  try {
    json = JSON.parse(text) as UploadTiming['json'];
  } catch {
    json = { error: text.slice(0, 300) };
  }
  return { status, json, bodySentMs: Number.isNaN(bodySent) ? NaN : (bodySent || t1) - t0, totalMs: t1 - t0 };
}

/**
 * A bare node:http server in its own process that reads every byte of the request body and answers `{}` — with
 * `hash`, also SHA-256s it. No framework, parser or disk: the ceiling any Node receiver has on this machine.
 */
async function bareReceiver(hash: boolean): Promise<{ base: string; stop(): void }> {
  const code = `
    const { createHash } = require('node:crypto');
    require('node:http').createServer((req, res) => {
      const h = ${hash} ? createHash('sha256') : null;
      req.on('data', (c) => h && h.update(c));
      req.on('end', () => { if (h) h.digest(); res.setHeader('content-type', 'application/json'); res.end('{}'); });
    }).listen(0, '127.0.0.1', function () { console.log(this.address().port); });`;
  const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout.once('data', (d) => resolve(Number(String(d).trim())));
    child.once('error', reject);
  });
  return { base: `http://127.0.0.1:${port}`, stop: () => child.kill() };
}

async function bareReceiverMBs(hash: boolean, file: string, sizeMiB: number): Promise<number> {
  const bare = await bareReceiver(hash);
  try {
    const t = await uploadFile(bare.base, 'none', { cookie: '', csrf: '' }, file);
    if (t.status !== 200) throw new Error(`bare receiver answered HTTP ${t.status}`);
    return sizeMiB / (t.totalMs / 1000);
  } finally {
    bare.stop();
  }
}

/** MB/s of SHA-256 over 256 MiB already in memory, in this process. */
function sha256Speed(): number {
  const block = randomBytes(16 * MiB);
  const hash = createHash('sha256');
  const t0 = performance.now();
  for (let i = 0; i < 16; i++) hash.update(block);
  hash.digest();
  return 256 / ((performance.now() - t0) / 1000);
}

function timeCp(src: string, dst: string, withSync = false): number {
  fs.rmSync(dst, { force: true });
  const t0 = performance.now();
  const r = spawnSync('cp', [src, dst]);
  if (r.status !== 0) throw new Error(`cp failed: ${r.stderr}`);
  if (withSync) spawnSync('sync', [dst]);
  const ms = performance.now() - t0;
  fs.rmSync(dst, { force: true });
  return ms;
}

function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

function filesystemOf(dir: string): string {
  const r = spawnSync('df', ['-T', dir], { encoding: 'utf8' });
  return r.stdout.trim().split('\n')[1]?.split(/\s+/)[1] ?? 'unknown';
}

// -------------------------------------------------------------------------------------------------- main

async function main(): Promise<void> {
  const cpus = os.cpus();
  const fsType = filesystemOf(workDir);
  const machine = `${cpus.length} × ${cpus[0]?.model.trim() ?? 'unknown CPU'}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, Node ${process.version}, ${os.platform()} ${os.release()}, ${fsType} (${os.tmpdir()})`;
  const date = new Date().toISOString().slice(0, 10);
  const load1 = os.loadavg()[0] ?? 0;
  console.log(`machine: ${machine}\nload average (1 min): ${load1.toFixed(2)}\ndate: ${date}`);

  console.log(`writing a ${SIZE_MIB} MiB PDF (one page, uncompressed random-pixel image)…`);
  const tGen = performance.now();
  const size = writePdfOfSize(bigFile, SIZE_MIB);
  const sizeMiB = size / MiB;
  const pdfinfoWarnings = checkWithPdfinfo(bigFile);
  console.log(`  ${size} bytes in ${((performance.now() - tGen) / 1000).toFixed(1)} s; pdfinfo: 1 page${pdfinfoWarnings ? ` (stderr: ${pdfinfoWarnings})` : ''}`);
  const small = path.join(workDir, 'warm-up.pdf');
  writeImagePdf(small, 64, 64);

  const institutionId = await prepareDatabase();
  server = await startServer(dataDir, { DOSSIER_MAX_UPLOAD_MB: '1000', DOSSIER_WORKERS: '0' });
  const { base, pid } = server;
  const session = await loginDemoStaff(base);

  // Warm-up: the first upload loads busboy, sharp, pdfinfo's page cache etc.; the baseline is taken after it.
  const warm = await uploadFile(base, institutionId, session, small);
  if (warm.status !== 200 || !warm.json.results?.[0]?.ok) throw new Error(`warm-up upload failed: HTTP ${warm.status} ${JSON.stringify(warm.json)}`);

  const sampler = new RssSampler(pid);
  sampler.start();
  await sleep(1000);
  const baselineKiB = procStatusKiB(pid, 'VmRSS');
  const hwmReset = resetPeakRss(pid);
  console.log(`uploading over HTTP (server pid ${pid}, RSS before ${(baselineKiB / 1024).toFixed(1)} MiB)…`);
  const cpu0 = procCpuSeconds(pid);
  const tStart = performance.now();
  const up = await uploadFile(base, institutionId, session, bigFile);
  const tEnd = performance.now();
  // The server's own cost, whatever else runs on the machine (timings are noisy when it is shared).
  const serverCpuS = procCpuSeconds(pid) - cpu0;
  await sleep(1000);
  sampler.stop();
  const hwmKiB = hwmReset ? procStatusKiB(pid, 'VmHWM') : null;
  const during = sampler.between(tStart, tEnd + 1000);
  const sampledPeakKiB = Math.max(...during);
  const peakKiB = Math.max(sampledPeakKiB, hwmKiB ?? 0);
  const growthMiB = (peakKiB - baselineKiB) / 1024;

  const result = up.json.results?.[0];
  if (up.status !== 200 || !result?.ok) throw new Error(`upload failed: HTTP ${up.status} ${JSON.stringify(up.json)}`);
  // What the server kept: the original, byte for byte the size sent, and no temp files.
  const stored = filesUnder(path.join(dataDir, 'objects', 'originals')).map((f) => fs.statSync(f).size);
  if (!stored.includes(size)) throw new Error(`no stored object of ${size} bytes under objects/originals (found ${stored.join(', ')})`);
  const leftovers = [...filesUnder(path.join(dataDir, 'tmp')), ...filesUnder(path.join(dataDir, 'objects', 'tmp'))];
  if (leftovers.length) throw new Error(`temp files left behind: ${leftovers.join(', ')}`);

  const uploadMBs = sizeMiB / (up.totalMs / 1000);
  const receiveMBs = sizeMiB / (up.bodySentMs / 1000);

  // The same file again: received, hashed and inspected like the first, then found to be a duplicate, so it is
  // not copied into the store. The difference to the first upload is what storing costs.
  console.log('uploading the same file again (duplicate: not stored twice)…');
  const again = await uploadFile(base, institutionId, session, bigFile);
  if (again.status !== 200 || again.json.results?.[0]?.duplicate !== true) throw new Error(`re-upload: HTTP ${again.status} ${JSON.stringify(again.json)}`);
  const againMBs = sizeMiB / (again.totalMs / 1000);

  console.log('cp of the same file on the same filesystem (twice, the second counts)…');
  const cpDst = path.join(workDir, 'cp-copy.pdf');
  const cpFirstMs = timeCp(bigFile, cpDst);
  const cpMs = timeCp(bigFile, cpDst);
  const cpSyncMs = timeCp(bigFile, cpDst, true);
  const cpMBs = sizeMiB / (cpMs / 1000);
  const cpSyncMBs = sizeMiB / (cpSyncMs / 1000);
  const ratio = uploadMBs / cpMBs;
  const shaMBs = sha256Speed();
  console.log('the same upload into a bare node:http receiver (discarding, then hashing)…');
  const bareMBs = await bareReceiverMBs(false, bigFile, sizeMiB);
  const bareHashMBs = await bareReceiverMBs(true, bigFile, sizeMiB);

  const verdict = (ok: boolean) => (ok ? 'PASS' : 'FAIL');
  const rssOk = growthMiB <= TARGET.rssGrowthMiB;
  const ratioOk = ratio >= TARGET.cpRatio;
  const mib = (kib: number) => `${(kib / 1024).toFixed(1)} MiB`;
  const rows: [string, string, string, string][] = [
    [`upload throughput, ${sizeMiB.toFixed(0)} MiB PDF, HTTP → stored (request start → JSON answer)`, `${uploadMBs.toFixed(0)} MB/s (${(up.totalMs / 1000).toFixed(2)} s)`, '', ''],
    ...(Number.isNaN(up.bodySentMs)
      ? []
      : ([
          ['  of which: request body sent (client side)', `${(up.bodySentMs / 1000).toFixed(2)} s (${receiveMBs.toFixed(0)} MB/s)`, '', ''],
          ['  of which: after the body (intake: pdfinfo, move into the store + fsync, database)', `${((up.totalMs - up.bodySentMs) / 1000).toFixed(2)} s`, '', ''],
        ] as [string, string, string, string][])),
    ['server CPU time for that upload (user + sys, all threads, /proc/<pid>/stat)', `${serverCpuS.toFixed(2)} s (${(sizeMiB / serverCpuS).toFixed(0)} MB per CPU-second)`, '', ''],
    ['same file again → duplicate (received, hashed, inspected; not copied into the store)', `${againMBs.toFixed(0)} MB/s (${(again.totalMs / 1000).toFixed(2)} s)`, '', ''],
    ['plain `cp` of the same file, same filesystem (2nd run)', `${cpMBs.toFixed(0)} MB/s (${(cpMs / 1000).toFixed(2)} s; 1st run ${(cpFirstMs / 1000).toFixed(2)} s)`, '', ''],
    ['upload ÷ cp', ratio.toFixed(2), `≥ ${TARGET.cpRatio}`, verdict(ratioOk)],
    ['server RSS growth (peak − before)', `${growthMiB.toFixed(1)} MiB`, `≤ ${TARGET.rssGrowthMiB} MB`, verdict(rssOk)],
    [
      `server RSS before / peak (sampled every ${SAMPLE_MS} ms, ${during.length} samples${hwmKiB !== null ? '; kernel VmHWM' : ''})`,
      `${mib(baselineKiB)} / ${mib(sampledPeakKiB)}${hwmKiB !== null ? ` (VmHWM ${mib(hwmKiB)})` : ''}`,
      '',
      '',
    ],
    ['for reference: `cp` then `sync`', `${cpSyncMBs.toFixed(0)} MB/s (${(cpSyncMs / 1000).toFixed(2)} s)`, '', ''],
    ['for reference: SHA-256 in one thread, in memory (the upload hashes every byte once, on receipt)', `${shaMBs.toFixed(0)} MB/s`, '', ''],
    ['for reference: same client, bare node:http server discarding the body (ceiling of any Node receiver here) ÷ cp', `${bareMBs.toFixed(0)} MB/s; ${(bareMBs / cpMBs).toFixed(2)}`, '', ''],
    ['for reference: same, the bare server also SHA-256s the body ÷ cp', `${bareHashMBs.toFixed(0)} MB/s; ${(bareHashMBs / cpMBs).toFixed(2)}`, '', ''],
  ];
  const w = Math.max(...rows.map((r) => r[0].length));
  for (const r of rows) console.log(`  ${r[0].padEnd(w)}  ${r[1].padEnd(40)} ${r[2].padEnd(9)} ${r[3]}`);

  writeBenchSection('upload',
    [
      '## bench:upload',
      '',
      `One ${sizeMiB.toFixed(0)} MiB evidence file (${size} bytes) uploaded over HTTP on loopback as multipart/form-data, the request body`,
      `streamed from disk by ${CLIENT_TEXT}; the real server (\`node --import tsx src/server.ts\`, SQLite, filesystem object store, DOSSIER_WORKERS=0) in its`,
      'own process. The file is a valid one-page PDF whose page is an uncompressed random-pixel RGB image (incompressible; `pdfinfo` accepts it),',
      'so it goes through the whole intake: streamed to a temp file while hashed (and written back to disk in the background as it arrives), kind',
      'detection, `pdfinfo`, move (rename) into the content-addressed store (fsync\'d, not hashed again), database rows. Throughput = file size ÷ (request start → JSON answer); MB = 2^20 bytes.',
      `RSS of the server process from /proc/<pid>/status: VmRSS sampled every ${SAMPLE_MS} ms from 1 s before to 1 s after, after a warm-up upload`,
      `of a small file${hwmKiB !== null ? ', plus the kernel\'s own peak (VmHWM, reset just before the upload)' : ''}. \`cp\` copies the same file within the same filesystem, run`,
      'twice without dropping caches, the second run counted (its writes land in the page cache; the upload also fsyncs its stored copy).',
      '',
      '| Metric | Value | Target | Result |',
      '| --- | --- | --- | --- |',
      ...rows.map((r) => `| ${r.map((c) => c.replace(/^ {2}/, '↳ ').replace(/\|/g, '\\|')).join(' | ')} |`),
      '',
      `Machine: ${machine}. Load average (1 min) at start: ${load1.toFixed(2)}. Date: ${date}.`,
      '',
    ].join('\n'),
  );
  console.log(
    `${verdict(rssOk && ratioOk)}: ${uploadMBs.toFixed(0)} MB/s = ${ratio.toFixed(2)} × cp (≥ ${TARGET.cpRatio}), RSS growth ${growthMiB.toFixed(1)} MiB (≤ ${TARGET.rssGrowthMiB}); written to docs/BENCHMARKS.md`,
  );
}

async function cleanup(): Promise<void> {
  await stopServer(server?.child);
  server = null;
  fs.rmSync(workDir, { recursive: true, force: true });
}

runBench(main, cleanup);
