// The seal archive: one ZIP a person can check with standard tools. Streams every file (originals straight from
// the object store, never a whole file in memory) and checks each original against its SHA-256 on the way out.
//
// Layout (docs/decisions/0007-seals.md):
//   README.txt          how to verify, in plain Chinese
//   chain.json          seals 1..N: sequence, round, event, created_at, manifest_sha256, previous_sha256, field digests
//   seals/0001.json …   each manifest exactly as hashed (canonical JSON)
//   originals/<sha256>.<ext>  every original any of those manifests refers to, once
//   binder/…            the binder volumes (optional)
//   SHA256SUMS          `sha256sum -c` compatible, every file except itself
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { PassThrough, Readable, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import yazl from 'yazl';
import type { ObjectStore } from '../adapters/object-store/object-store.ts';
import type { Db } from '../db/database.ts';
import type { Seal } from '../db/schema.ts';
import { sha256Hex } from './canonical-json.ts';
import { listSeals, parseManifest, SEAL_EVENT_LABELS } from './seal-chain.ts';
import { fieldDigests } from './seal-fields.ts';
import { SealError, type SealManifest } from './seal-manifest.ts';

export const CHAIN_FORMAT = 'dossier-seal-chain/1';

export interface BinderFile {
  name: string;
  path: string;
}

export interface WriteSealArchiveArgs {
  db: Db;
  store: ObjectStore;
  dossierId: string;
  /** The seal to export (default: the latest). The archive holds seals 1..sequence. */
  sequence?: number;
  /** A file path (written to a temp file next to it, renamed when complete) or a stream (ended when done). */
  out: NodeJS.WritableStream | string;
  /** Binder files for the seal; default: the volumes of the seal's binder build, if any. */
  binder?: (seal: Seal) => Promise<BinderFile[]>;
}

export interface ChainEntry {
  sequence: number;
  round: number;
  event: string;
  created_at: string;
  manifest_sha256: string;
  previous_sha256: string | null;
  file: string;
  /** Short digests of the manifest's fields (seal-fields.ts): diagnosis only. */
  field_digests: Record<string, string>;
}

export interface ChainFile {
  format: typeof CHAIN_FORMAT;
  dossier_id: string;
  /** The seal this archive was exported for (the last in `seals`). */
  subject_sequence: number;
  seals: ChainEntry[];
}

export class SealNotFoundError extends SealError {
  override readonly name = 'SealNotFoundError';
}

export const sealFileName = (sequence: number) => `seals/${String(sequence).padStart(4, '0')}.json`;

/** A short, safe extension from an upload's file name ('pdf', 'jpg' …), or 'bin'. */
export function originalExtension(fileName: string): string {
  const m = /\.([A-Za-z0-9]{1,8})$/.exec(fileName);
  return m ? m[1]!.toLowerCase() : 'bin';
}

/** A binder file name safe in a ZIP and in a SHA256SUMS line: no separators, no control characters. */
function safeBinderName(name: string): string {
  const cleaned = name
    .normalize('NFC')
    .replace(/[\\/:*?"<>|\p{Cc}\p{Cf}]/gu, '_')
    .replace(/^\.+/, '_')
    .trim()
    .slice(0, 120);
  return cleaned || 'binder.pdf';
}

interface Source {
  name: string;
  size?: number;
  /** Known SHA-256 (originals: content-addressed); the stream is checked against it. */
  expectSha256?: string;
  open: () => Promise<Readable>;
}

async function blobKeys(db: Db, shas: string[]): Promise<Map<string, { key: string; size: number }>> {
  const out = new Map<string, { key: string; size: number }>();
  for (let i = 0; i < shas.length; i += 500) {
    const rows = await db.selectFrom('blobs').select(['sha256', 'store_key', 'size']).where('sha256', 'in', shas.slice(i, i + 500)).execute();
    for (const r of rows) out.set(r.sha256, { key: r.store_key, size: Number(r.size) });
  }
  return out;
}

/** The seal's binder build volumes and labels, streamed from the store. */
async function defaultBinderSources(db: Db, store: ObjectStore, seal: Seal): Promise<Source[]> {
  if (!seal.binder_build_id) return [];
  const build = await db.selectFrom('binder_builds').select(['labels_sha256']).where('id', '=', seal.binder_build_id).executeTakeFirst();
  const volumes = await db
    .selectFrom('binder_volumes')
    .select(['volume_no', 'blob_sha256', 'size'])
    .where('build_id', '=', seal.binder_build_id)
    .orderBy('volume_no')
    .execute();
  const wanted = volumes.map((v) => ({ name: `volume-${String(v.volume_no).padStart(2, '0')}.pdf`, sha: v.blob_sha256 }));
  if (build?.labels_sha256) wanted.push({ name: 'labels.pdf', sha: build.labels_sha256 });
  const keys = await blobKeys(db, wanted.map((w) => w.sha));
  return wanted.map((w) => {
    const blob = keys.get(w.sha);
    if (!blob) throw new SealError(`装订文件 ${w.name} 的存储记录缺失（${w.sha}）`);
    return { name: `binder/${w.name}`, size: blob.size, expectSha256: w.sha, open: () => store.getStream(blob.key) };
  });
}

function readmeText(target: Seal, m: SealManifest, chain: ChainEntry[], hasBinder: boolean): string {
  const levels: Record<string, string> = { basic: '基本标准', recommended: '推荐标准', community_hospital: '社区医院' };
  const n = target.sequence;
  const lines = [
    '基层行证据档案系统 · 评价档案封存包',
    '======================================',
    '',
    `机构：${m.dossier.institution.name}`,
    `年度：${m.dossier.year} 年    评价等级：${levels[m.dossier.target_level] ?? m.dossier.target_level}`,
    `档案编号：${m.dossier.id}`,
    `本包对应：第 ${n} 号封存（${SEAL_EVENT_LABELS[target.event] ?? target.event}，第 ${target.round} 轮，${target.created_at}）`,
    `第 ${n} 号封存清单的 SHA-256：`,
    `  ${target.manifest_sha256}`,
    '',
    '一、这是什么',
    '档案在“提交”和每一次评审决定（通过、退回修改、不通过）时都会被“封存”：系统把当时档案的全部内容——',
    '各条款的自评等级与说明、佐证材料清单及每份原件的 SHA-256 校验值、评审等级与意见、批注与回复、整改记录、',
    '评审决定、操作人和时间——写成一份清单（JSON 格式），计算清单的 SHA-256 校验值，并把上一次封存的校验值',
    '写进这一次的清单，形成一条“封存链”。任何一处内容被改动，校验值就会改变，链条就会对不上。',
    '',
    '二、包里有什么',
    '  README.txt         本说明',
    `  chain.json         封存链：第 1 至第 ${n} 号封存的序号、事件、时间、清单校验值（manifest_sha256）、上一封存校验值（previous_sha256）`,
    `  seals/0001.json …  每一次封存的清单原文，共 ${chain.length} 份（就是被计算校验值的文件本身，一个字节都不能改）`,
    '  originals/         佐证材料原件，文件名就是该文件的 SHA-256 校验值（同一文件只放一份）',
    ...(hasBinder ? ['  binder/            按标准顺序装订成册的 PDF'] : []),
    '  SHA256SUMS         以上每个文件（除它自己外）的 SHA-256 校验值，可直接用 sha256sum 核对',
    '',
    '三、如何核对',
    '方法一：用本系统核对',
    '  命令行：dossier seal verify 本文件.zip   （完好时退出码为 0，否则列出每一处问题）',
    '  或登录系统，打开“封存包校验”页面（/seals/verify），上传本文件。',
    '',
    '方法二：用标准工具手工核对',
    '  1. 解压本文件，进入解压后的目录。',
    '  2. 核对每个文件：',
    '       Linux：  sha256sum -c SHA256SUMS',
    '       macOS：  shasum -a 256 -c SHA256SUMS',
    '     每一行都应显示“成功”或“OK”。Windows 可在 PowerShell 中逐个计算：Get-FileHash -Algorithm SHA256 文件名',
    '  3. 核对封存链：',
    '       sha256sum seals/*.json',
    '     每个结果应与 chain.json 中对应封存的 manifest_sha256 相同；并且第 n 号清单中的 "previous_sha256"',
    '     应等于第 n-1 号清单的 SHA-256（第 1 号为 null）。查看方法：',
    '       grep -o \'"previous_sha256":[^,]*\' seals/0002.json',
    '  4. 核对原件：originals/ 下每个文件的 SHA-256 就是它的文件名，也写在清单各条款 evidence 的 "sha256" 字段中。',
    `  5. 最后，把第 ${n} 号封存的 SHA-256（见本说明开头）与系统“封存记录”页面或纸质存档中的值核对。`,
    '     前 4 步只能证明包内各部分彼此一致；只有这一步能证明整个包没有被整体替换。',
    '',
    '四、注意',
    '  - 清单是“规范 JSON”：键按字母顺序排列，没有空格和换行，UTF-8 编码。请不要用编辑器打开后保存，',
    '    否则校验值会改变；查看时可用浏览器或 JSON 查看工具。',
    '  - chain.json 中的 field_digests 是清单各字段的简短校验值，只用于在不一致时指出是哪个字段被改动。',
    ...(hasBinder ? ['  - binder/ 中的装订 PDF 由封存内容生成，不在封存清单中，只通过 SHA256SUMS 核对。'] : []),
    '',
  ];
  return lines.join('\n');
}

/** Hashes the bytes flowing through; checks the total and the hash when the source ends. */
class HashTap extends Transform {
  readonly hash = createHash('sha256');
  bytes = 0;
  constructor(private readonly onEnd: (sha256: string, bytes: number) => Error | null) {
    super();
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    cb(null, chunk);
  }
  override _flush(cb: TransformCallback): void {
    cb(this.onEnd(this.hash.digest('hex'), this.bytes));
  }
}

export async function writeSealArchive(args: WriteSealArchiveArgs): Promise<{ sequence: number; files: number; bytes: number }> {
  const all = await listSeals(args.db, args.dossierId);
  if (all.length === 0) throw new SealNotFoundError('该档案还没有封存记录。');
  const target = args.sequence === undefined ? all.at(-1)! : all.find((s) => s.sequence === args.sequence);
  if (!target) throw new SealNotFoundError(`该档案没有第 ${args.sequence} 号封存记录。`);
  const chainSeals = all.filter((s) => s.sequence <= target.sequence);

  // Manifests, as stored (the exact bytes hashed), and every original they refer to.
  const originals = new Map<string, { ext: string; size: number; title: string }>();
  const chain: ChainEntry[] = [];
  let targetManifest: SealManifest | null = null;
  for (const s of chainSeals) {
    const m = parseManifest(s.manifest_json);
    if (s.sequence === target.sequence) targetManifest = m;
    for (const item of m.items) {
      for (const e of item.evidence) {
        if (!originals.has(e.sha256)) originals.set(e.sha256, { ext: originalExtension(e.file_name), size: e.size, title: e.title });
      }
    }
    chain.push({
      sequence: s.sequence,
      round: s.round,
      event: s.event,
      created_at: s.created_at,
      manifest_sha256: s.manifest_sha256,
      previous_sha256: s.previous_sha256,
      file: sealFileName(s.sequence),
      field_digests: fieldDigests(m),
    });
  }
  const shas = [...originals.keys()].sort();
  const keys = await blobKeys(args.db, shas);
  const sources: Source[] = shas.map((sha) => {
    const o = originals.get(sha)!;
    const blob = keys.get(sha);
    if (!blob) throw new SealError(`原件《${o.title}》的存储记录缺失（SHA-256 ${sha}），无法导出封存包。`);
    return { name: `originals/${sha}.${o.ext}`, size: blob.size, expectSha256: sha, open: () => args.store.getStream(blob.key) };
  });
  if (args.binder) {
    const used = new Set<string>();
    for (const f of await args.binder(target)) {
      let name = safeBinderName(f.name);
      for (let i = 2; used.has(name); i++) name = `${i}-${safeBinderName(f.name)}`;
      used.add(name);
      const size = (await fs.stat(f.path)).size;
      sources.push({ name: `binder/${name}`, size, open: async () => createReadStream(f.path) });
    }
  } else {
    sources.push(...(await defaultBinderSources(args.db, args.store, target)));
  }

  const chainFile: ChainFile = { format: CHAIN_FORMAT, dossier_id: args.dossierId, subject_sequence: target.sequence, seals: chain };
  const small: { name: string; data: Buffer }[] = [
    { name: 'README.txt', data: Buffer.from(readmeText(target, targetManifest!, chain, sources.some((s) => s.name.startsWith('binder/'))), 'utf8') },
    { name: 'chain.json', data: Buffer.from(`${JSON.stringify(chainFile, null, 2)}\n`, 'utf8') },
    ...chainSeals.map((s) => ({ name: sealFileName(s.sequence), data: Buffer.from(s.manifest_json, 'utf8') })),
  ];

  const mtime = Number.isNaN(Date.parse(target.created_at)) ? new Date() : new Date(target.created_at);
  const zip = new yazl.ZipFile();
  const sums: string[] = [];
  let failure: Error | null = null;
  let reading: Readable | null = null; // the source being copied now (one at a time)
  const output = zip.outputStream as PassThrough;
  const fail = (err: Error) => {
    if (failure) return;
    failure = err;
    reading?.destroy();
    output.destroy(err);
  };
  zip.on('error', (err: Error) => fail(err));

  for (const f of small) {
    zip.addBuffer(f.data, f.name, { mtime, compress: true });
    sums.push(`${sha256Hex(f.data)}  ${f.name}`);
  }
  for (const src of sources) {
    const opts = src.size === undefined ? { mtime, compress: false } : { mtime, compress: false, size: src.size };
    zip.addReadStreamLazy(src.name, opts, (cb) => {
      src.open().then(
        (stream) => {
          const tap = new HashTap((sha, bytes) => {
            if (src.expectSha256 && sha !== src.expectSha256) {
              return new SealError(`存储中的文件 ${src.name} 已损坏：SHA-256 为 ${sha}，应为 ${src.expectSha256}（${bytes} 字节）。`);
            }
            sums.push(`${sha}  ${src.name}`);
            return null;
          });
          if (failure) {
            stream.destroy();
            return;
          }
          reading = stream;
          // pipe() does not forward errors: a failing source or a bad hash aborts the whole archive.
          stream.on('error', (err) => fail(err));
          tap.on('error', (err) => fail(err));
          cb(null, stream.pipe(tap));
        },
        (err: unknown) => {
          fail(err instanceof Error ? err : new Error(String(err)));
          cb(err, new PassThrough());
        },
      );
    });
  }
  // Added last and produced lazily: by the time yazl reaches it, every other file has been hashed.
  zip.addReadStreamLazy('SHA256SUMS', { mtime, compress: true }, (cb) => cb(null, Readable.from([Buffer.from(`${sums.join('\n')}\n`, 'utf8')])));
  zip.end();

  let bytes = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      bytes += chunk.length;
      cb(null, chunk);
    },
  });
  const files = small.length + sources.length + 1;

  if (typeof args.out === 'string') {
    const finalPath = path.resolve(args.out);
    const temp = `${finalPath}.${randomBytes(6).toString('hex')}.part`;
    try {
      const ws = createWriteStream(temp, { flags: 'wx' });
      await pipeline(output, counter, ws);
      if (failure) throw failure;
      if (!output.readableEnded) throw new SealError('封存包写入未完成。');
      const fh = await fs.open(temp, 'r+');
      try {
        await fh.sync();
      } finally {
        await fh.close();
      }
      await fs.rename(temp, finalPath);
    } catch (err) {
      await fs.rm(temp, { force: true });
      throw failure ?? err;
    }
  } else {
    try {
      await pipeline(output, counter, args.out);
    } catch (err) {
      fail(err as Error); // e.g. the client went away: stop reading the store
      throw failure ?? err;
    }
    if (failure) throw failure;
  }
  return { sequence: target.sequence, files, bytes };
}
