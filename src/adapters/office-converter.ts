// Word/Excel → PDF through LibreOffice in headless mode, so office uploads can be previewed, paged and
// printed like everything else. LibreOffice is the heavy, crash-prone part of intake, hence:
//  - a private, throw-away user profile per conversion (two soffice processes on one profile block or corrupt
//    it; a fresh profile costs ~0.3 s over a warm one, measured, which buys never inheriting a broken profile);
//  - a per-process queue allowing 1 (default) or 2 conversions at once — each soffice takes ~200 MB and a core;
//  - a hard timeout that kills the whole process group (soffice → oosplash → soffice.bin);
//  - a copy of the input with the right extension, because soffice picks its import filter by extension.
// LibreOffice exits 0 even when it could not load the input, so success is judged by the output file alone.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { access, copyFile, mkdir, mkdtemp, open, rename, rm, stat, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join, parse } from 'node:path';
import { pathToFileURL } from 'node:url';
import { FILE_KIND_EXTENSIONS, type FileKind } from '../documents/file-kind.ts';

export type ConvertResult =
  | { ok: true; pdfPath: string }
  /** `detail`: tool output for the server log, not for users. */
  | { ok: false; reason: string; missingTool?: boolean; detail?: string };

export interface OfficeConverterSettings {
  /** Explicit soffice path; otherwise PATH and the usual install locations are searched. */
  binary: string | null;
  timeoutMs: number;
  /** Simultaneous conversions in this process, clamped to 1–2. */
  concurrency: number;
}

const settings: OfficeConverterSettings = { binary: null, timeoutMs: 120_000, concurrency: 1 };

/** Called once at startup from configuration (this module reads no DOSSIER_* environment itself). */
export function configureOfficeConverter(patch: Partial<OfficeConverterSettings>): void {
  Object.assign(settings, patch);
  settings.concurrency = Math.min(2, Math.max(1, Math.floor(settings.concurrency)));
  resolvedBinary = null;
}

export const CONVERT_REASONS = {
  missingTool: '服务器未安装 LibreOffice，文档已保存但未转换（未转换）',
  failed: '文档转换失败（文件可能已损坏或设置了密码），文档已保存但未转换',
  unsupported: '该文件类型不需要或不支持转换为 PDF',
  timeout: (seconds: number) => `文档转换超时（超过 ${seconds} 秒），文档已保存但未转换`,
} as const;

const CONVERTIBLE: ReadonlySet<FileKind> = new Set(['doc', 'docx', 'xls', 'xlsx']);
const MAX_LOG_CHARS = 4000;

export async function officeAvailable(): Promise<boolean> {
  return (await findOfficeBinary()) !== null;
}

/**
 * Converts `inputPath` (whatever its name) to `${outDir}/${input base name}.pdf`. Never throws for a bad
 * document or a missing tool — the original is already stored and conversion is best-effort.
 */
export async function convertToPdf(
  inputPath: string,
  kind: FileKind,
  outDir: string,
  options: { timeoutMs?: number } = {},
): Promise<ConvertResult> {
  if (!CONVERTIBLE.has(kind)) return { ok: false, reason: CONVERT_REASONS.unsupported };
  const binary = await findOfficeBinary();
  if (!binary) return { ok: false, reason: CONVERT_REASONS.missingTool, missingTool: true };
  const timeoutMs = options.timeoutMs ?? settings.timeoutMs;
  return withSlot(() =>
    convertInSlot(binary, inputPath, kind, outDir, timeoutMs).catch(
      // Our own I/O (temp dir, copy, move) failing — disk full, input gone — is a failed conversion too.
      (e: Error): ConvertResult => ({ ok: false, reason: CONVERT_REASONS.failed, detail: e.message }),
    ),
  );
}

async function convertInSlot(binary: string, inputPath: string, kind: FileKind, outDir: string, timeoutMs: number): Promise<ConvertResult> {
  const work = await mkdtemp(join(tmpdir(), 'dossier-lo-'));
  try {
    const profileDir = join(work, 'profile');
    const inDir = join(work, 'in');
    const convDir = join(work, 'out');
    await Promise.all([mkdir(inDir), mkdir(convDir)]);
    // Fixed ASCII name: the upload's own name never reaches LibreOffice's command line.
    const copy = join(inDir, `document.${FILE_KIND_EXTENSIONS[kind]}`);
    await copyFile(inputPath, copy); // copy_file_range/reflink where possible; never buffered in memory

    const profileUrl = pathToFileURL(profileDir).href;
    const args = [
      '--headless', '--norestore', '--nolockcheck', '--nologo', '--nodefault',
      '--convert-to', 'pdf', '--outdir', convDir,
      `-env:UserInstallation=${profileUrl}`,
      copy,
    ];
    // TMPDIR inside the work dir: LibreOffice's own lu*.tmp scratch dirs would otherwise be left in /tmp
    // whenever a conversion is killed.
    const run = await runGroup(binary, args, timeoutMs, { ...process.env, TMPDIR: work });
    await removeIpcSocket(profileUrl);
    if (run.spawnError?.code === 'ENOENT') {
      resolvedBinary = null;
      return { ok: false, reason: CONVERT_REASONS.missingTool, missingTool: true };
    }
    if (run.timedOut) return { ok: false, reason: CONVERT_REASONS.timeout(Math.max(1, Math.ceil(timeoutMs / 1000))), detail: run.output };

    const produced = join(convDir, 'document.pdf');
    if (!(await looksLikePdf(produced))) return { ok: false, reason: CONVERT_REASONS.failed, detail: run.output || run.spawnError?.message };

    await mkdir(outDir, { recursive: true });
    const pdfPath = join(outDir, `${parse(inputPath).name}.pdf`);
    await moveFile(produced, pdfPath);
    return { ok: true, pdfPath };
  } finally {
    await rm(work, { recursive: true, force: true }).catch(() => undefined);
  }
}

interface GroupRun {
  timedOut: boolean;
  spawnError: NodeJS.ErrnoException | null;
  /** Combined stdout+stderr, truncated. */
  output: string;
}

/** Runs a command as leader of its own process group, so a timeout can kill soffice.bin too, not just the wrapper. */
function runGroup(cmd: string, args: string[], timeoutMs: number, env: NodeJS.ProcessEnv): Promise<GroupRun> {
  return new Promise((done) => {
    let output = '';
    let timedOut = false;
    let settled = false;
    const child = spawn(cmd, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env });
    const collect = (chunk: Buffer) => {
      if (output.length < MAX_LOG_CHARS) output += chunk.toString('utf8').slice(0, MAX_LOG_CHARS - output.length);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    const killGroup = () => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // ESRCH: the group is already gone.
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup();
    }, timeoutMs);
    const finish = (spawnError: NodeJS.ErrnoException | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      // soffice.bin can outlive the wrapper on some failures; nothing of this group should survive the call.
      killGroup();
      done({ timedOut, spawnError, output: output.trim() });
    };
    child.on('error', (e: NodeJS.ErrnoException) => finish(e));
    child.on('close', () => finish(null));
  });
}

/**
 * LibreOffice's single-instance socket ignores TMPDIR: it is /tmp/OSL_PIPE_<uid>_SingleOfficeIPC_<md5 of the
 * profile URL as UTF-16LE, bytes in unpadded hex> (desktop/source/app/officeipcthread.cxx). soffice removes it
 * on a normal exit; after a SIGKILL it stays. The profile is unique to this conversion, so the exact name
 * is ours to remove — never a pattern.
 */
async function removeIpcSocket(profileUrl: string): Promise<void> {
  const digest = createHash('md5').update(Buffer.from(profileUrl, 'utf16le')).digest();
  const hash = Array.from(digest, (b) => b.toString(16)).join('');
  const uid = process.getuid?.() ?? 0;
  await Promise.all(
    ['/tmp', '/var/tmp'].map((d) => rm(join(d, `OSL_PIPE_${uid}_SingleOfficeIPC_${hash}`), { force: true }).catch(() => undefined)),
  );
}

async function looksLikePdf(path: string): Promise<boolean> {
  try {
    const fh = await open(path, 'r');
    try {
      const head = Buffer.alloc(5);
      const { bytesRead } = await fh.read(head, 0, 5, 0);
      return bytesRead === 5 && head.toString('latin1') === '%PDF-';
    } finally {
      await fh.close();
    }
  } catch {
    return false;
  }
}

async function moveFile(from: string, to: string): Promise<void> {
  try {
    await rename(from, to);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EXDEV') throw e;
    await copyFile(from, to); // tmp and the data directory are often different filesystems
    await unlink(from);
  }
}

// ------------------------------------------------------------------------------------------ binary lookup

let resolvedBinary: string | null = null;

const WELL_KNOWN = [
  '/usr/bin/soffice',
  '/usr/lib/libreoffice/program/soffice',
  '/opt/libreoffice/program/soffice',
  '/snap/bin/libreoffice',
  '/Applications/LibreOffice.app/Contents/MacOS/soffice',
];

/** The soffice executable, or null. Same as `which soffice || which libreoffice`, without spawning `which`. */
export async function findOfficeBinary(): Promise<string | null> {
  if (resolvedBinary) return resolvedBinary;
  const candidates = settings.binary
    ? [settings.binary]
    : [
        ...(process.env['PATH'] ?? '').split(delimiter).filter(Boolean).flatMap((dir) => [join(dir, 'soffice'), join(dir, 'libreoffice')]),
        ...WELL_KNOWN,
      ];
  for (const c of candidates) {
    if (await isExecutableFile(c)) {
      resolvedBinary = c; // only successes are cached: installing LibreOffice later is picked up without a restart
      return c;
    }
  }
  return null;
}

async function isExecutableFile(p: string): Promise<boolean> {
  try {
    await access(p, constants.X_OK);
    return (await stat(p)).isFile();
  } catch {
    return false;
  }
}

// -------------------------------------------------------------------------------------------------- queue

let active = 0;
const waiting: (() => void)[] = [];

async function withSlot<T>(task: () => Promise<T>): Promise<T> {
  if (active >= settings.concurrency) await new Promise<void>((r) => waiting.push(r));
  else active++;
  try {
    return await task();
  } finally {
    // Hand the slot straight to the next waiter (active stays the same) or release it.
    const next = waiting.shift();
    if (next) next();
    else active--;
  }
}
