// What the benchmarks share: the real server in its own process, a demo-staff login over HTTP, and the
// docs/BENCHMARKS.md section writer.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { DEMO_PASSWORD } from '../src/demo/seed-demo.ts';

export const ROOT = path.resolve(import.meta.dirname, '..');

export interface BenchServer {
  base: string;
  pid: number;
  child: ChildProcess;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer().once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/**
 * The server as `node --import tsx src/server.ts` (no npm/tsx wrapper, so its pid is the one to measure), in its own
 * process so the load generator's CPU and event loop do not count as the server's. BENCH_SERVER_ARGS adds node flags.
 */
export async function startServer(dataDir: string, env: NodeJS.ProcessEnv = {}): Promise<BenchServer> {
  const port = await freePort();
  const extra = (process.env['BENCH_SERVER_ARGS'] ?? '').split(/\s+/).filter(Boolean);
  const fullEnv: NodeJS.ProcessEnv = {
    ...process.env,
    DOSSIER_DATA_DIR: dataDir,
    PORT: String(port),
    HOST: '127.0.0.1',
    DOSSIER_DEMO: '1',
    DATABASE_URL: '',
    NODE_ENV: 'production',
    ...env,
  };
  for (const k of ['S3_ENDPOINT', 'S3_BUCKET', 'S3_ACCESS_KEY', 'S3_SECRET_KEY', 'S3_USE_SSL', 'S3_REGION']) delete fullEnv[k];
  const child = spawn(process.execPath, [...extra, '--import', 'tsx', 'src/server.ts'], { cwd: ROOT, env: fullEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout!.on('data', (d) => (log += d));
  child.stderr!.on('data', (d) => (log += d));
  const base = `http://127.0.0.1:${port}`;
  for (const deadline = Date.now() + 30_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 200))) {
    if (child.exitCode !== null) break;
    if (await fetch(`${base}/healthz`).then((r) => r.ok, () => false)) return { base, pid: child.pid!, child };
  }
  child.kill('SIGKILL');
  throw new Error(`server did not become healthy:\n${log}`);
}

/** SIGTERM lets the server close its database (and write a --cpu-prof profile); SIGKILL after 12 s. */
export async function stopServer(child: ChildProcess | null | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 12_000);
  await exited;
  clearTimeout(timer);
}

const cookieOf = (res: Response, name: string) => res.headers.getSetCookie().find((c) => c.startsWith(`${name}=`))?.split(';')[0];
const csrfOf = (html: string) => /<meta name="csrf-token" content="([^"]+)"/.exec(html)?.[1];

/** demo-staff through the login form (pre-session cookie + token), then a page for the session's CSRF token. */
export async function loginDemoStaff(base: string): Promise<{ cookie: string; csrf: string }> {
  const page = await fetch(`${base}/login`);
  const pre = cookieOf(page, 'dossier_pre');
  const csrf = csrfOf(await page.text());
  if (!pre || !csrf) throw new Error('login page gave no pre-session cookie or CSRF token');
  const body = new URLSearchParams({ username: 'demo-staff', password: DEMO_PASSWORD, _csrf: csrf });
  const res = await fetch(`${base}/login`, { method: 'POST', body, headers: { cookie: pre }, redirect: 'manual' });
  const cookie = cookieOf(res, 'dossier_session');
  if (res.status !== 303 || !cookie) throw new Error(`login failed: HTTP ${res.status}`);
  const token = csrfOf(await (await fetch(`${base}/dossiers`, { headers: { cookie } })).text());
  if (!token) throw new Error('no CSRF token on /dossiers after login');
  return { cookie, csrf: token };
}

/** Replaces this benchmark's `## bench:NAME` section of docs/BENCHMARKS.md (up to the next heading), keeping the rest. */
export function writeBenchSection(name: string, section: string): void {
  const file = path.join(ROOT, 'docs', 'BENCHMARKS.md');
  const old = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '# Benchmarks\n';
  const re = new RegExp(`^## bench:${name}\\n[\\s\\S]*?(?=^## |(?![\\s\\S]))`, 'm');
  const next = re.test(old) ? old.replace(re, `${section}\n`) : `${old.trimEnd()}\n\n${section}`;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${next.trimEnd()}\n`);
}

/** Stops the server and removes the work directory on exit, error or Ctrl-C; runs `main` once. */
export function runBench(main: () => Promise<void>, cleanup: () => Promise<void>): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void cleanup().finally(() => process.exit(130)));
  main()
    .catch((err) => ((process.exitCode = 1), console.error(err instanceof Error ? err.message : err)))
    .finally(() => cleanup());
}
