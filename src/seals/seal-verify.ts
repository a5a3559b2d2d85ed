// Verifies a seal archive (seal-archive.ts) without a database and without trusting anything in it: every file is
// re-hashed, every manifest re-hashed and checked against chain.json, SHA256SUMS and the next seal's
// previous_sha256, every original against the SHA-256 the manifests record. Problems are named precisely (file,
// seal sequence, manifest field).
//
// Untrusted input: entry names are validated (no absolute paths, `..`, backslashes, control characters, duplicates),
// entry counts and sizes are bounded, deflated entries with an absurd compression ratio are refused (zip bombs),
// stored entries must not overlap, and only small metadata files (≤ 32 MiB each) are ever held in memory. Nothing
// is extracted to disk. Stored entries (the originals) are hashed in one sequential pass over the archive with two
// alternating read buffers, so reading and hashing overlap.
import { createHash, type Hash } from 'node:crypto';
import fs from 'node:fs/promises';
import yauzl from 'yauzl';
import { canonicalJson, sha256Hex } from './canonical-json.ts';
import { CHAIN_FORMAT, sealFileName } from './seal-archive.ts';
import { describeFieldDifferences, diffFieldDigests, fieldDigests, type FieldDigests } from './seal-fields.ts';
import { SEAL_FORMAT } from './seal-manifest.ts';
import type { VerifyProblem, VerifyReport } from './verify-report.ts';

export type { VerifyProblem, VerifyReport } from './verify-report.ts';

export interface VerifyLimits {
  maxEntries: number;
  /** chain.json, SHA256SUMS, README.txt and each manifest are read into memory: each at most this big. */
  maxMetadataBytes: number;
  /** Total declared uncompressed size; default 4 × the archive's size + 256 MiB. */
  maxTotalBytes: number;
  /** Largest accepted uncompressed ÷ compressed ratio of a deflated entry above 1 MiB. */
  maxRatio: number;
}

const DEFAULT_LIMITS = { maxEntries: 200_000, maxMetadataBytes: 32 * 1024 * 1024, maxRatio: 200 };
const CHUNK = 2 * 1024 * 1024;
const SEAL_RE = /^seals\/(\d{4,9})\.json$/;
const ORIGINAL_RE = /^originals\/([0-9a-f]{64})(?:\.([a-z0-9]{1,8}))?$/;
const BINDER_RE = /^binder\/[^/]+$/;

type Entry = yauzl.Entry;

interface SealInfo {
  sequence: number;
  path: string;
  actual: string;
  parsed: boolean;
  canonical: boolean;
  manifest: Record<string, unknown> | null;
  previous: string | null | undefined;
  event: unknown;
  round: unknown;
  dossierId: unknown;
  innerSequence: unknown;
  format: unknown;
  digests: FieldDigests | null;
}

interface OriginalRef {
  title: string;
  fileName: string;
  itemCode: string;
  sequence: number;
}

class BadArchive extends Error {}

function bad(message: string, path?: string): VerifyProblem {
  return path === undefined ? { kind: 'bad_archive', message } : { kind: 'bad_archive', path, message };
}

function isControlFree(name: string): boolean {
  return !/[\p{Cc}]/u.test(name);
}

function readStreamBounded(stream: NodeJS.ReadableStream, max: number, name: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    stream.on('data', (c: Buffer) => {
      size += c.length;
      if (size > max) {
        (stream as unknown as { destroy(): void }).destroy();
        reject(new BadArchive(`${name} 超过 ${max} 字节的上限`));
        return;
      }
      chunks.push(c);
    });
    stream.on('error', reject);
    stream.on('end', () => resolve(Buffer.concat(chunks, size)));
  });
}

function hashStream(stream: NodeJS.ReadableStream): Promise<{ sha256: string; bytes: number }> {
  return new Promise((resolve, reject) => {
    const h = createHash('sha256');
    let bytes = 0;
    stream.on('data', (c: Buffer) => {
      h.update(c);
      bytes += c.length;
    });
    stream.on('error', reject);
    stream.on('end', () => resolve({ sha256: h.digest('hex'), bytes }));
  });
}

interface StoredRange {
  name: string;
  start: number;
  end: number;
  hash: Hash;
}

/** One sequential pass over the byte spans of the stored entries (sorted, non-overlapping), reads overlapping hashing. */
async function hashStoredRanges(fh: fs.FileHandle, ranges: StoredRange[]): Promise<void> {
  if (ranges.length === 0) return;
  // Read requests: the spans covering the ranges (small gaps — local headers — are read through), in CHUNK pieces.
  const reads: { pos: number; len: number }[] = [];
  let spanStart = ranges[0]!.start;
  let spanEnd = ranges[0]!.end;
  const flush = () => {
    for (let p = spanStart; p < spanEnd; p += CHUNK) reads.push({ pos: p, len: Math.min(CHUNK, spanEnd - p) });
  };
  for (const r of ranges.slice(1)) {
    if (r.start - spanEnd <= 64 * 1024) spanEnd = Math.max(spanEnd, r.end);
    else {
      flush();
      spanStart = r.start;
      spanEnd = r.end;
    }
  }
  flush();

  const buffers = [Buffer.allocUnsafe(CHUNK), Buffer.allocUnsafe(CHUNK)];
  let ri = 0;
  const issue = (i: number) => {
    const rq = reads[i]!;
    return fh.read(buffers[i % 2]!, 0, rq.len, rq.pos);
  };
  let pending = issue(0);
  for (let i = 0; i < reads.length; i++) {
    const { bytesRead } = await pending;
    const rq = reads[i]!;
    if (bytesRead !== rq.len) throw new BadArchive('压缩包在读取中途结束（文件被截断）');
    if (i + 1 < reads.length) pending = issue(i + 1); // next read runs on the thread pool while we hash this one
    const buf = buffers[i % 2]!;
    const cEnd = rq.pos + rq.len;
    while (ri < ranges.length && ranges[ri]!.end <= rq.pos) ri++;
    for (let j = ri; j < ranges.length && ranges[j]!.start < cEnd; j++) {
      const r = ranges[j]!;
      const from = Math.max(r.start, rq.pos);
      const to = Math.min(r.end, cEnd);
      if (to > from) r.hash.update(buf.subarray(from - rq.pos, to - rq.pos));
    }
  }
}

/** Where each entry's data starts, from its local header; checks the local name equals the central directory's. */
async function localDataStarts(fh: fs.FileHandle, entries: Entry[], fileSize: number): Promise<Map<Entry, number>> {
  const out = new Map<Entry, number>();
  for (let i = 0; i < entries.length; i += 64) {
    await Promise.all(
      entries.slice(i, i + 64).map(async (e) => {
        const off = e.relativeOffsetOfLocalHeader;
        const want = 30 + e.fileNameLength;
        if (off + want > fileSize) throw new BadArchive(`条目 ${e.fileName} 的本地文件头超出文件末尾`);
        const buf = Buffer.alloc(want);
        const { bytesRead } = await fh.read(buf, 0, want, off);
        if (bytesRead !== want || buf.readUInt32LE(0) !== 0x04034b50) throw new BadArchive(`条目 ${e.fileName} 的本地文件头无效`);
        const nameLen = buf.readUInt16LE(26);
        const extraLen = buf.readUInt16LE(28);
        if (nameLen !== e.fileNameLength || !buf.subarray(30, 30 + nameLen).equals(e.fileNameRaw)) {
          throw new BadArchive(`条目 ${e.fileName} 的本地文件头中的文件名与目录不一致`);
        }
        const start = off + 30 + nameLen + extraLen;
        if (start + e.compressedSize > fileSize) throw new BadArchive(`条目 ${e.fileName} 的数据超出文件末尾`);
        out.set(e, start);
      }),
    );
  }
  return out;
}

function str(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}

function describeOriginal(ref: OriginalRef | undefined): string {
  if (!ref) return '';
  return `《${ref.title || ref.fileName}》（条款 ${ref.itemCode}，第 ${ref.sequence} 号封存）`;
}

export async function verifySealArchive(zipPath: string, opts: { limits?: Partial<VerifyLimits> } = {}): Promise<VerifyReport> {
  const problems: VerifyProblem[] = [];
  const report = (extra: Partial<VerifyReport> = {}): VerifyReport => {
    const unique = dedupe(problems);
    return { ok: unique.length === 0, seals: 0, files: 0, bytes: 0, ...extra, problems: unique };
  };

  let fileSize: number;
  try {
    const st = await fs.stat(zipPath);
    if (!st.isFile()) throw new Error('not a file');
    fileSize = st.size;
  } catch {
    problems.push(bad('找不到封存包文件，或它不是普通文件。'));
    return report();
  }
  const limits: VerifyLimits = { ...DEFAULT_LIMITS, maxTotalBytes: fileSize * 4 + 256 * 1024 * 1024, ...opts.limits };

  let zip: yauzl.ZipFile;
  try {
    zip = await yauzl.openPromise(zipPath, { lazyEntries: true, autoClose: false, decodeStrings: true, validateEntrySizes: true, strictFileNames: true });
  } catch (err) {
    // The library's English text means nothing to the user; keep it in the server log only.
    console.warn(`seal verify: cannot open ZIP: ${(err as Error).message}`);
    problems.push(bad('所选文件不是有效的 ZIP 压缩包，无法核对。请确认上传的是系统导出的封存档案包（.zip），且文件完整、未被修改或截断。'));
    return report();
  }
  const fh = await fs.open(zipPath, 'r');
  try {
    return await verifyOpen(zip, fh, fileSize, limits, problems, report);
  } catch (err) {
    if (err instanceof BadArchive) {
      problems.push(bad(err.message));
      return report();
    }
    // A read error inside yauzl (corrupt deflate data, a size that does not match) is a broken archive too.
    console.warn(`seal verify: read failed: ${(err as Error).message}`);
    problems.push(bad('读取压缩包失败：文件已损坏或不完整，无法核对。'));
    return report();
  } finally {
    zip.close();
    await fh.close();
  }
}

async function verifyOpen(
  zip: yauzl.ZipFile,
  fh: fs.FileHandle,
  fileSize: number,
  limits: VerifyLimits,
  problems: VerifyProblem[],
  report: (extra?: Partial<VerifyReport>) => VerifyReport,
): Promise<VerifyReport> {
  // 1. The central directory: names, sizes, methods, limits.
  if (zip.entryCount > limits.maxEntries) {
    problems.push(bad(`压缩包中有 ${zip.entryCount} 个条目，超过上限 ${limits.maxEntries}。`));
    return report();
  }
  const entries = new Map<string, Entry>();
  let declaredTotal = 0;
  try {
    for await (const e of zip.eachEntry()) {
      const name = e.fileName;
      if (name.endsWith('/')) continue; // a directory entry: nothing to check
      if (!isControlFree(name) || name.length > 512) {
        problems.push(bad(`条目名称含有控制字符或过长：${JSON.stringify(name).slice(0, 200)}`, name));
        continue;
      }
      if (entries.has(name)) {
        problems.push(bad(`条目名称重复：${name}（解压时一个会覆盖另一个）`, name));
        continue;
      }
      if (e.isEncrypted()) {
        problems.push(bad(`条目 ${name} 被加密，无法核对。`, name));
        continue;
      }
      if (e.compressionMethod !== 0 && e.compressionMethod !== 8) {
        problems.push(bad(`条目 ${name} 使用了不支持的压缩方式（${e.compressionMethod}）。`, name));
        continue;
      }
      if (e.compressionMethod === 0 && e.compressedSize !== e.uncompressedSize) {
        problems.push(bad(`条目 ${name} 未压缩，但记录的两个大小不一致。`, name));
        continue;
      }
      if (e.compressionMethod === 8 && e.uncompressedSize > 1024 * 1024 && e.uncompressedSize / Math.max(1, e.compressedSize) > limits.maxRatio) {
        problems.push(bad(`条目 ${name} 的压缩比异常（${e.compressedSize} 字节解压为 ${e.uncompressedSize} 字节），疑似“压缩炸弹”，未读取。`, name));
        continue;
      }
      declaredTotal += e.uncompressedSize;
      if (declaredTotal > limits.maxTotalBytes) {
        problems.push(bad(`压缩包解压后的总大小超过上限（${limits.maxTotalBytes} 字节），疑似“压缩炸弹”，停止核对。`));
        return report({ files: entries.size });
      }
      entries.set(name, e);
    }
  } catch (err) {
    // yauzl refuses absolute paths, `..` and backslashes in names: the archive could write outside its folder.
    const msg = (err as Error).message;
    const m = /^(invalid relative path|absolute path|invalid characters in fileName): (.*)$/.exec(msg);
    problems.push(m ? bad(`条目路径不安全：${m[2]}（解压时可能写到目标文件夹之外），拒绝核对。`, m[2]) : bad('压缩包目录损坏，无法核对。'));
    if (!m) console.warn(`seal verify: bad central directory: ${msg}`);
    return report({ files: entries.size });
  }

  const files = entries.size;
  let bytes = 0;
  const actual = new Map<string, string>(); // path → sha256 of its content
  const openEntry = (e: Entry) => zip.openReadStreamPromise(e);
  const readSmall = async (e: Entry): Promise<Buffer> => {
    if (e.uncompressedSize > limits.maxMetadataBytes) throw new BadArchive(`${e.fileName} 过大（${e.uncompressedSize} 字节，上限 ${limits.maxMetadataBytes}）`);
    const data = await readStreamBounded(await openEntry(e), limits.maxMetadataBytes, e.fileName);
    bytes += data.length;
    actual.set(e.fileName, sha256Hex(data));
    return data;
  };

  // 2. SHA256SUMS.
  const sums = new Map<string, string>();
  const sumsEntry = entries.get('SHA256SUMS');
  if (!sumsEntry) {
    problems.push({ kind: 'file_missing', path: 'SHA256SUMS', message: '缺少校验值清单 SHA256SUMS。' });
  } else {
    const text = (await readSmall(sumsEntry)).toString('utf8');
    text.split('\n').forEach((line, i) => {
      if (line.trim() === '') return;
      const m = /^([0-9a-fA-F]{64}) [ *](.+)$/.exec(line.replace(/\r$/, ''));
      if (!m) {
        problems.push(bad(`SHA256SUMS 第 ${i + 1} 行格式不正确。`, 'SHA256SUMS'));
        return;
      }
      const p = m[2]!.replace(/^\.\//, '');
      if (sums.has(p)) problems.push(bad(`SHA256SUMS 中 ${p} 出现了两次。`, 'SHA256SUMS'));
      sums.set(p, m[1]!.toLowerCase());
    });
  }

  // 3. chain.json.
  let chain: { dossier_id: string | null; subject: number | null; seals: Map<number, { manifest_sha256: string | null; previous_sha256: string | null | undefined; event: unknown; round: unknown; digests: FieldDigests | null }> } | null = null;
  const chainEntry = entries.get('chain.json');
  if (!chainEntry) {
    problems.push({ kind: 'file_missing', path: 'chain.json', message: '缺少封存链文件 chain.json。' });
  } else {
    const raw = await readSmall(chainEntry);
    try {
      const parsed = JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
      if (parsed['format'] !== CHAIN_FORMAT || !Array.isArray(parsed['seals'])) throw new Error('format');
      const map = new Map<number, { manifest_sha256: string | null; previous_sha256: string | null | undefined; event: unknown; round: unknown; digests: FieldDigests | null }>();
      for (const s of parsed['seals'] as Record<string, unknown>[]) {
        const seq = s?.['sequence'];
        if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 1) throw new Error('sequence');
        if (map.has(seq)) problems.push({ kind: 'chain_broken', path: 'chain.json', sequence: seq, message: `chain.json 中第 ${seq} 号封存出现了两次。` });
        const prev = s['previous_sha256'];
        const digests = s['field_digests'];
        map.set(seq, {
          manifest_sha256: str(s['manifest_sha256']),
          previous_sha256: prev === null ? null : typeof prev === 'string' ? prev : undefined,
          event: s['event'],
          round: s['round'],
          digests: digests && typeof digests === 'object' && !Array.isArray(digests) ? (digests as FieldDigests) : null,
        });
      }
      const subject = parsed['subject_sequence'];
      chain = { dossier_id: str(parsed['dossier_id']), subject: typeof subject === 'number' ? subject : null, seals: map };
    } catch {
      problems.push(bad('chain.json 不是有效的封存链文件。', 'chain.json'));
    }
  }

  // 4. The manifests, one at a time.
  const seals = new Map<number, SealInfo>();
  const referenced = new Map<string, OriginalRef>();
  let unparsedManifests = 0;
  const sealEntries = [...entries.values()]
    .map((e) => ({ e, m: SEAL_RE.exec(e.fileName) }))
    .filter((x): x is { e: Entry; m: RegExpExecArray } => x.m !== null)
    .sort((a, b) => Number(a.m[1]) - Number(b.m[1]));
  for (const { e, m } of sealEntries) {
    const sequence = Number(m[1]);
    if (e.fileName !== sealFileName(sequence)) {
      problems.push({ kind: 'unexpected_file', path: e.fileName, message: `封存清单文件名不规范：${e.fileName}（应为 ${sealFileName(sequence)}）。` });
      continue;
    }
    const data = await readSmall(e);
    const info: SealInfo = {
      sequence,
      path: e.fileName,
      actual: actual.get(e.fileName)!,
      parsed: false,
      canonical: false,
      manifest: null,
      previous: undefined,
      event: undefined,
      round: undefined,
      dossierId: undefined,
      innerSequence: undefined,
      format: undefined,
      digests: null,
    };
    try {
      const text = data.toString('utf8');
      const parsed = JSON.parse(text) as unknown;
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
      const man = parsed as Record<string, unknown>;
      info.parsed = true;
      info.manifest = man;
      try {
        info.canonical = canonicalJson(man) === text;
      } catch {
        info.canonical = false;
      }
      const prev = man['previous_sha256'];
      info.previous = prev === null ? null : typeof prev === 'string' ? prev : undefined;
      info.event = man['event'];
      const dossier = man['dossier'] as Record<string, unknown> | undefined;
      info.round = dossier?.['round'];
      info.dossierId = dossier?.['id'];
      info.innerSequence = man['sequence'];
      info.format = man['format'];
      const items = Array.isArray(man['items']) ? (man['items'] as Record<string, unknown>[]) : [];
      for (const item of items) {
        const evidence = Array.isArray(item?.['evidence']) ? (item['evidence'] as Record<string, unknown>[]) : [];
        for (const ev of evidence) {
          const sha = str(ev?.['sha256']);
          if (!sha) continue;
          if (!referenced.has(sha)) {
            referenced.set(sha, { title: str(ev['title']) ?? '', fileName: str(ev['file_name']) ?? '', itemCode: str(item['code']) ?? '?', sequence });
          }
        }
      }
    } catch {
      unparsedManifests++;
    }
    seals.set(sequence, info);
  }

  // 5. Every other file: stored entries in one sequential pass, deflated ones through yauzl's inflater.
  const rest = [...entries.values()].filter((e) => !actual.has(e.fileName));
  const storedEntries = rest.filter((e) => e.compressionMethod === 0);
  const starts = await localDataStarts(fh, storedEntries, fileSize);
  const ranges: StoredRange[] = storedEntries
    .map((e) => ({ name: e.fileName, start: starts.get(e)!, end: starts.get(e)! + e.compressedSize, hash: createHash('sha256') }))
    .sort((a, b) => a.start - b.start);
  for (let i = 1; i < ranges.length; i++) {
    if (ranges[i]!.start < ranges[i - 1]!.end) throw new BadArchive(`条目 ${ranges[i - 1]!.name} 与 ${ranges[i]!.name} 的数据区重叠（异常构造的压缩包）`);
  }
  await hashStoredRanges(fh, ranges);
  for (const r of ranges) {
    actual.set(r.name, r.hash.digest('hex'));
    bytes += r.end - r.start;
  }
  for (const e of rest.filter((x) => x.compressionMethod !== 0)) {
    const h = await hashStream(await openEntry(e));
    actual.set(e.fileName, h.sha256);
    bytes += h.bytes;
  }

  // 6. Compare.
  const changedSeals = new Set<number>();
  const sumsBlamed: string[] = [];
  const sequences = new Set<number>([...seals.keys(), ...(chain ? chain.seals.keys() : [])]);
  const maxSeq = Math.max(0, ...sequences);

  // 6a. Chain completeness.
  for (let k = 1; k <= maxSeq; k++) {
    const inChain = chain?.seals.has(k) ?? false;
    const file = seals.has(k);
    const path = sealFileName(k);
    if (!file && !inChain) {
      problems.push({ kind: 'seal_missing', sequence: k, path, message: `第 ${k} 号封存不在包中：chain.json 和 seals/ 中都没有它，但包中有更晚的封存（最晚为第 ${maxSeq} 号）。` });
    } else if (!file) {
      if (!entries.has(path)) problems.push({ kind: 'seal_missing', sequence: k, path, message: `chain.json 列出了第 ${k} 号封存，但包中缺少它的清单 ${path}。` });
    } else if (chain && !inChain) {
      problems.push({ kind: 'chain_broken', sequence: k, path: 'chain.json', message: `包中有第 ${k} 号封存清单 ${path}，但 chain.json 中没有它。` });
    }
  }
  if (chain?.subject !== null && chain?.subject !== undefined && chain.subject !== maxSeq) {
    problems.push({ kind: 'chain_broken', path: 'chain.json', message: `chain.json 说本包对应第 ${chain.subject} 号封存，但包中最晚的封存是第 ${maxSeq} 号。` });
  }

  // 6b. Each manifest against its recorded hashes.
  for (const [k, s] of [...seals.entries()].sort((a, b) => a[0] - b[0])) {
    const recorded = chain?.seals.get(k);
    const next = seals.get(k + 1);
    const reasons: string[] = [];
    if (recorded?.manifest_sha256 && recorded.manifest_sha256 !== s.actual) reasons.push(`SHA-256 为 ${s.actual}，与 chain.json 记录的 ${recorded.manifest_sha256} 不符`);
    const sumLine = sums.get(s.path);
    if (sumLine && sumLine !== s.actual) reasons.push('与 SHA256SUMS 中的值不符');
    if (next?.parsed && next.previous !== undefined && next.previous !== s.actual) reasons.push(`与第 ${k + 1} 号封存清单中记录的上一封存值 ${next.previous ?? 'null'} 不符`);
    if (!s.parsed) reasons.push('不是有效的 JSON');
    else {
      if (!s.canonical) reasons.push('不是规范 JSON 格式（可能被编辑器重新保存过）');
      if (s.format !== SEAL_FORMAT) reasons.push(`format 字段为 ${JSON.stringify(s.format)}，应为 "${SEAL_FORMAT}"`);
      if (s.innerSequence !== k) reasons.push(`清单中的 sequence 为 ${JSON.stringify(s.innerSequence)}，与文件名不符`);
      if (chain?.dossier_id && s.dossierId !== chain.dossier_id) reasons.push(`清单中的档案编号 ${JSON.stringify(s.dossierId)} 与 chain.json 中的 ${chain.dossier_id} 不符`);
    }
    // A next seal's stale link alone blames this manifest only when the next one is itself intact (else the
    // next one's edit is the likelier story and is reported there).
    const onlyNextLink = reasons.length === 1 && next?.previous !== s.actual && next !== undefined;
    const nextIntact = next ? chain?.seals.get(k + 1)?.manifest_sha256 === next.actual : false;
    if (reasons.length > 0 && !(onlyNextLink && !nextIntact)) {
      changedSeals.add(k);
      let fields = '';
      if (s.parsed && recorded?.digests) {
        const diffs = diffFieldDigests(recorded.digests, fieldDigests(s.manifest));
        if (diffs.length > 0) fields = `；被改动的字段：${describeFieldDifferences(diffs)}`;
      }
      problems.push({ kind: 'manifest_changed', sequence: k, path: s.path, message: `第 ${k} 号封存清单 ${s.path} 被改动：${reasons.join('；')}${fields}。` });
    } else if (sumLine && sumLine !== s.actual) {
      sumsBlamed.push(s.path);
    }
  }

  // 6c. Links: each manifest's previous_sha256 against the previous manifest, and chain.json against the manifests.
  for (const [k, s] of [...seals.entries()].sort((a, b) => a[0] - b[0])) {
    if (!s.parsed) continue;
    if (k === 1) {
      if (s.previous !== null) problems.push({ kind: 'chain_broken', sequence: 1, path: s.path, message: `第 1 号封存清单的 previous_sha256 应为 null，实为 ${JSON.stringify(s.previous)}：包中缺少更早的封存。` });
    } else {
      const prev = seals.get(k - 1);
      if (!prev) {
        const before = [...seals.keys()].filter((q) => q < k).sort((a, b) => b - a)[0];
        const note = before !== undefined && seals.get(before)!.actual === s.previous ? `（它指向第 ${before} 号封存：中间的封存被删除）` : '';
        problems.push({ kind: 'chain_broken', sequence: k, path: s.path, message: `第 ${k} 号封存清单记录的上一封存值为 ${s.previous ?? 'null'}，但包中没有第 ${k - 1} 号封存清单${note}。` });
      } else if (s.previous !== prev.actual && !changedSeals.has(k - 1)) {
        // (When k − 1 was changed, its own report already names this link.)
        problems.push({ kind: 'chain_broken', sequence: k, path: s.path, message: `第 ${k} 号封存清单中的上一封存值 ${s.previous ?? 'null'} 与第 ${k - 1} 号清单的 SHA-256 ${prev.actual} 不符。` });
      }
    }
    const recorded = chain?.seals.get(k);
    if (recorded && !changedSeals.has(k)) {
      const diffs: string[] = [];
      if (recorded.previous_sha256 !== s.previous) diffs.push(`previous_sha256（chain.json 为 ${recorded.previous_sha256 ?? 'null'}，清单为 ${s.previous ?? 'null'}）`);
      if (recorded.event !== s.event) diffs.push(`event（chain.json 为 ${JSON.stringify(recorded.event)}，清单为 ${JSON.stringify(s.event)}）`);
      if (recorded.round !== s.round) diffs.push(`round（chain.json 为 ${JSON.stringify(recorded.round)}，清单为 ${JSON.stringify(s.round)}）`);
      if (diffs.length > 0) problems.push({ kind: 'chain_broken', sequence: k, path: 'chain.json', message: `chain.json 中第 ${k} 号封存的记录与清单不符：${diffs.join('；')}。` });
    }
  }

  // 6d. Originals: present, and exactly the bytes the manifests recorded.
  const originalsPresent = new Map<string, string>(); // sha → path
  for (const name of entries.keys()) {
    const m = ORIGINAL_RE.exec(name);
    if (!m) continue;
    if (originalsPresent.has(m[1]!)) {
      problems.push({ kind: 'unexpected_file', path: name, message: `原件 ${m[1]} 在包中出现了两次（另一份为 ${originalsPresent.get(m[1]!)}）。` });
      continue;
    }
    originalsPresent.set(m[1]!, name);
  }
  const originalBlamed = new Set<string>();
  for (const [sha, ref] of referenced) {
    const p = originalsPresent.get(sha);
    if (!p) {
      const ext = /\.([A-Za-z0-9]{1,8})$/.exec(ref.fileName)?.[1]?.toLowerCase() ?? 'bin';
      problems.push({ kind: 'file_missing', path: `originals/${sha}.${ext}`, sequence: ref.sequence, message: `缺少原件${describeOriginal(ref)}：originals/${sha}.${ext}。` });
      continue;
    }
    const got = actual.get(p);
    if (got !== sha) {
      originalBlamed.add(p);
      problems.push({ kind: 'file_changed', path: p, message: `原件${describeOriginal(ref)}内容被改动：SHA-256 应为 ${sha}（清单与文件名记录的值），实为 ${got}。` });
    } else if (sums.has(p) && sums.get(p) !== got) {
      sumsBlamed.push(p);
    }
  }
  for (const [sha, p] of originalsPresent) {
    if (referenced.has(sha)) continue;
    if (unparsedManifests > 0) continue; // the unreadable manifest may be the one referring to it
    problems.push({ kind: 'unexpected_file', path: p, message: `原件 ${p} 未被任何封存清单引用。` });
  }

  // 6e. Everything else against SHA256SUMS.
  for (const [name, sha] of actual) {
    if (name === 'SHA256SUMS') continue;
    const known = name === 'README.txt' || name === 'chain.json' || SEAL_RE.test(name) || ORIGINAL_RE.test(name) || BINDER_RE.test(name);
    if (!known) {
      problems.push({ kind: 'unexpected_file', path: name, message: `包中多出了不属于封存包格式的文件 ${name}。` });
      continue;
    }
    if (!sumsEntry) continue;
    const listed = sums.get(name);
    if (listed === undefined) {
      problems.push({ kind: 'unexpected_file', path: name, message: `文件 ${name} 不在 SHA256SUMS 中。` });
    } else if (listed !== sha && !SEAL_RE.test(name) && !ORIGINAL_RE.test(name)) {
      problems.push({ kind: 'file_changed', path: name, message: `文件 ${name} 被改动：SHA-256 为 ${sha}，与 SHA256SUMS 中的 ${listed} 不符。` });
    }
  }
  for (const name of sums.keys()) {
    if (entries.has(name)) continue;
    if (SEAL_RE.test(name)) continue; // reported as a missing seal
    if (ORIGINAL_RE.test(name) && problems.some((p) => p.kind === 'file_missing' && p.path === name)) continue;
    problems.push({ kind: 'file_missing', path: name, message: `SHA256SUMS 列出的文件 ${name} 不在包中。` });
  }
  for (const p of sumsBlamed) {
    problems.push({ kind: 'file_changed', path: 'SHA256SUMS', message: `SHA256SUMS 中 ${p} 的值与文件不符，而该文件与封存清单一致：SHA256SUMS 被改动。` });
  }

  const lastSeq = [...seals.keys()].sort((a, b) => b - a)[0];
  return report({
    seals: seals.size,
    files,
    bytes,
    ...(chain?.dossier_id ? { dossierId: chain.dossier_id } : {}),
    last: lastSeq === undefined ? null : { sequence: lastSeq, manifest_sha256: seals.get(lastSeq)!.actual },
  });
}

function dedupe(problems: VerifyProblem[]): VerifyProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.kind}|${p.path ?? ''}|${p.sequence ?? ''}|${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
