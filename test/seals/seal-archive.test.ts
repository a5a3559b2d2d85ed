// Seal archives: export → verify, and each kind of tampering reported precisely. Also checks the archive with the
// standard tool a person would use (sha256sum -c).
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import yauzl from 'yauzl';
import yazl from 'yazl';
import { canonicalJson, sha256Hex } from '../../src/seals/canonical-json.ts';
import { writeSealArchive } from '../../src/seals/seal-archive.ts';
import { listSeals } from '../../src/seals/seal-chain.ts';
import { verifySealArchive } from '../../src/seals/seal-verify.ts';
import { formatVerifyReport } from '../../src/seals/verify-report.ts';
import { createTestDb, type TestDb } from '../helpers/test-db.ts';
import { sealFixture, sealHistory, type SealFixture } from './seal-fixtures.ts';

const run = promisify(execFile);
let t: TestDb;
let f: SealFixture;
let dir: string;
let archive: string;

async function readZip(file: string): Promise<Map<string, Buffer>> {
  const zip = await yauzl.openPromise(file, { lazyEntries: true, autoClose: false });
  const out = new Map<string, Buffer>();
  for await (const e of zip.eachEntry()) {
    const chunks: Buffer[] = [];
    for await (const c of await zip.openReadStreamPromise(e)) chunks.push(c as Buffer);
    out.set(e.fileName, Buffer.concat(chunks));
  }
  zip.close();
  return out;
}

async function writeZip(entries: Map<string, Buffer>, file: string): Promise<void> {
  const zip = new yazl.ZipFile();
  for (const [name, data] of entries) zip.addBuffer(data, name, { compress: !name.startsWith('originals/') });
  zip.end();
  await new Promise<void>((resolve, reject) => {
    const ws = fs.createWriteStream(file);
    (zip.outputStream as Readable).pipe(ws).on('finish', resolve).on('error', reject);
  });
}

function sumsOf(entries: Map<string, Buffer>): Buffer {
  const lines = [...entries].filter(([n]) => n !== 'SHA256SUMS').map(([n, d]) => `${sha256Hex(d)}  ${n}`);
  return Buffer.from(`${lines.join('\n')}\n`);
}

async function tampered(name: string, change: (entries: Map<string, Buffer>) => void): Promise<string> {
  const entries = await readZip(archive);
  change(entries);
  const out = path.join(dir, `${name}.zip`);
  await writeZip(entries, out);
  return out;
}

beforeAll(async () => {
  t = await createTestDb({ demo: true });
  f = await sealFixture(t.db, t.store, 3);
  await sealHistory(t.db, f);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dossier-seal-archive-'));
  archive = path.join(dir, 'seal.zip');
});
afterAll(async () => {
  await t.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('seal archive', () => {
  it('exports the latest seal with its whole chain, and verifies intact', async () => {
    const res = await writeSealArchive({ db: t.db, store: t.store, dossierId: f.dossierId, out: archive });
    expect(res.sequence).toBe(4);
    const entries = await readZip(archive);
    const names = [...entries.keys()];
    expect(names[0]).toBe('README.txt');
    expect(names.at(-1)).toBe('SHA256SUMS');
    expect(names).toEqual(
      expect.arrayContaining(['chain.json', 'seals/0001.json', 'seals/0002.json', 'seals/0003.json', 'seals/0004.json', ...f.documents.map((d) => `originals/${d.sha256}.pdf`)]),
    );
    expect(res.files).toBe(entries.size);
    expect(res.bytes).toBe(fs.statSync(archive).size);
    const seals = await listSeals(t.db, f.dossierId);
    // Each manifest is stored exactly as hashed.
    for (const s of seals) expect(entries.get(`seals/${String(s.sequence).padStart(4, '0')}.json`)!.toString('utf8')).toBe(s.manifest_json);
    for (const d of f.documents) expect(entries.get(`originals/${d.sha256}.pdf`)!.equals(d.content)).toBe(true);
    const readme = entries.get('README.txt')!.toString('utf8');
    expect(readme).toContain('sha256sum -c SHA256SUMS');
    expect(readme).toContain(seals[3]!.manifest_sha256);

    const report = await verifySealArchive(archive);
    expect(report.problems).toEqual([]);
    expect(report).toMatchObject({ ok: true, seals: 4, files: entries.size, dossierId: f.dossierId, last: { sequence: 4, manifest_sha256: seals[3]!.manifest_sha256 } });
    expect(formatVerifyReport(report)).toContain('校验通过');
  });

  it('can be checked by hand with sha256sum -c', async () => {
    const out = path.join(dir, 'extracted');
    for (const [name, data] of await readZip(archive)) {
      fs.mkdirSync(path.dirname(path.join(out, name)), { recursive: true });
      fs.writeFileSync(path.join(out, name), data);
    }
    const { stdout } = await run('sha256sum', ['-c', 'SHA256SUMS'], { cwd: out });
    expect(stdout.trim().split('\n').every((l) => / OK$/.test(l))).toBe(true);
    fs.writeFileSync(path.join(out, 'seals/0002.json'), 'x');
    await expect(run('sha256sum', ['-c', 'SHA256SUMS'], { cwd: out })).rejects.toMatchObject({ stdout: expect.stringContaining('seals/0002.json: FAILED') });
  });

  it('exports an earlier seal (--sequence) with the chain up to it', async () => {
    const file = path.join(dir, 'seal-2.zip');
    expect((await writeSealArchive({ db: t.db, store: t.store, dossierId: f.dossierId, sequence: 2, out: file })).sequence).toBe(2);
    const report = await verifySealArchive(file);
    expect(report).toMatchObject({ ok: true, seals: 2, last: { sequence: 2 } });
    await expect(writeSealArchive({ db: t.db, store: t.store, dossierId: f.dossierId, sequence: 9, out: path.join(dir, 'x.zip') })).rejects.toThrow('第 9 号');
  });

  it('includes binder files from the callback, listed in SHA256SUMS', async () => {
    const pdf = path.join(dir, 'volume.pdf');
    fs.writeFileSync(pdf, '%PDF-1.4 binder');
    const file = path.join(dir, 'binder.zip');
    await writeSealArchive({ db: t.db, store: t.store, dossierId: f.dossierId, out: file, binder: async () => [{ name: '第1册.pdf', path: pdf }] });
    const entries = await readZip(file);
    expect(entries.get('SHA256SUMS')!.toString()).toContain(`${sha256Hex(fs.readFileSync(pdf))}  binder/第1册.pdf`);
    expect((await verifySealArchive(file)).ok).toBe(true);
  });

  it('reports one byte changed in an original, naming the file and the document', async () => {
    const bytes = fs.readFileSync(archive);
    const doc = f.documents[1]!;
    const at = bytes.indexOf(doc.content.subarray(0, 64));
    expect(at).toBeGreaterThan(0);
    bytes[at + 100]! ^= 0x01;
    const file = path.join(dir, 'flipped.zip');
    fs.writeFileSync(file, bytes);
    const report = await verifySealArchive(file);
    expect(report.ok).toBe(false);
    expect(report.problems).toEqual([expect.objectContaining({ kind: 'file_changed', path: `originals/${doc.sha256}.pdf` })]);
    expect(report.problems[0]!.message).toContain(doc.title);
  });

  it('reports an edited manifest field with the seal sequence and the field', async () => {
    const file = await tampered('manifest-edited', (e) => {
      const m = JSON.parse(e.get('seals/0002.json')!.toString('utf8'));
      m.items.find((i: { code: string }) => i.code === f.items[0]).self_grade = 'A';
      e.set('seals/0002.json', Buffer.from(canonicalJson(m)));
    });
    const report = await verifySealArchive(file);
    expect(report.ok).toBe(false);
    const changed = report.problems.find((p) => p.kind === 'manifest_changed')!;
    expect(changed).toMatchObject({ sequence: 2, path: 'seals/0002.json' });
    expect(changed.message).toContain(`items[${f.items[0]}].self_grade`);
    expect(changed.message).toContain('第 3 号封存清单中记录的上一封存值');
    expect(report.problems.every((p) => p.kind === 'manifest_changed')).toBe(true);
  });

  it('still catches an edited manifest when chain.json and SHA256SUMS were rewritten to match', async () => {
    const file = await tampered('consistent-edit', (e) => {
      const m = JSON.parse(e.get('seals/0002.json')!.toString('utf8'));
      m.decision.reasons = '符合要求';
      const json = Buffer.from(canonicalJson(m));
      e.set('seals/0002.json', json);
      const chain = JSON.parse(e.get('chain.json')!.toString('utf8'));
      chain.seals[1].manifest_sha256 = sha256Hex(json);
      e.set('chain.json', Buffer.from(JSON.stringify(chain, null, 2)));
      e.set('SHA256SUMS', sumsOf(e));
    });
    const report = await verifySealArchive(file);
    expect(report.problems).toEqual([expect.objectContaining({ kind: 'manifest_changed', sequence: 2 })]);
    expect(report.problems[0]!.message).toContain('decision.reasons');
  });

  it('reports a seal removed from the chain', async () => {
    const file = await tampered('seal-removed', (e) => {
      e.delete('seals/0002.json');
      const chain = JSON.parse(e.get('chain.json')!.toString('utf8'));
      chain.seals = chain.seals.filter((s: { sequence: number }) => s.sequence !== 2);
      e.set('chain.json', Buffer.from(JSON.stringify(chain, null, 2)));
      e.set('SHA256SUMS', sumsOf(e));
    });
    const report = await verifySealArchive(file);
    expect(report.ok).toBe(false);
    expect(report.problems).toEqual(
      expect.arrayContaining([expect.objectContaining({ kind: 'seal_missing', sequence: 2 }), expect.objectContaining({ kind: 'chain_broken', sequence: 3 })]),
    );
    expect(report.problems).toHaveLength(2);
  });

  it('reports a missing manifest file that chain.json still lists', async () => {
    const file = await tampered('seal-file-missing', (e) => e.delete('seals/0003.json'));
    const report = await verifySealArchive(file);
    expect(report.problems).toContainEqual(expect.objectContaining({ kind: 'seal_missing', sequence: 3, path: 'seals/0003.json' }));
    expect(report.problems).toContainEqual(expect.objectContaining({ kind: 'chain_broken', sequence: 4 }));
  });

  it('reports missing and extra files', async () => {
    const doc = f.documents[0]!;
    const file = await tampered('missing-extra', (e) => {
      e.delete(`originals/${doc.sha256}.pdf`);
      e.set('notes.txt', Buffer.from('hello'));
    });
    const report = await verifySealArchive(file);
    expect(report.problems).toContainEqual(expect.objectContaining({ kind: 'file_missing', path: `originals/${doc.sha256}.pdf` }));
    expect(report.problems).toContainEqual(expect.objectContaining({ kind: 'unexpected_file', path: 'notes.txt' }));
    expect(report.problems.find((p) => p.kind === 'file_missing')!.message).toContain(doc.title);
  });

  it('refuses an archive with a ../ path, and a file that is not a ZIP', async () => {
    const zip = new yazl.ZipFile();
    zip.addBuffer(Buffer.from('evil'), 'aa/evil.txt');
    zip.end();
    const chunks: Buffer[] = [];
    for await (const c of zip.outputStream as Readable) chunks.push(c as Buffer);
    const bytes = Buffer.concat(chunks);
    // yazl refuses to write such a name; patch it in (local header and central directory).
    let n = 0;
    for (let i = bytes.indexOf('aa/evil.txt'); i >= 0; i = bytes.indexOf('aa/evil.txt', i + 1), n++) bytes.write('../evil.txt', i, 'latin1');
    expect(n).toBe(2);
    const file = path.join(dir, 'traversal.zip');
    fs.writeFileSync(file, bytes);
    const report = await verifySealArchive(file);
    expect(report.ok).toBe(false);
    expect(report.problems).toEqual([expect.objectContaining({ kind: 'bad_archive', path: '../evil.txt' })]);

    const notZip = path.join(dir, 'not.zip');
    fs.writeFileSync(notZip, 'PK but not really');
    expect((await verifySealArchive(notZip)).problems).toEqual([expect.objectContaining({ kind: 'bad_archive' })]);
  });

  it('refuses a zip bomb without inflating it', async () => {
    const zip = new yazl.ZipFile();
    zip.addBuffer(Buffer.alloc(50 * 1024 * 1024), 'originals/bomb.bin', { compress: true });
    zip.end();
    const file = path.join(dir, 'bomb.zip');
    await new Promise<void>((resolve) => (zip.outputStream as Readable).pipe(fs.createWriteStream(file)).on('finish', resolve));
    const report = await verifySealArchive(file);
    expect(report.problems).toContainEqual(expect.objectContaining({ kind: 'bad_archive', path: 'originals/bomb.bin' }));
    expect(report.bytes).toBeLessThan(1024 * 1024);
  });

  it('fails the export, leaving no file, when a stored original is damaged', async () => {
    const doc = f.documents[2]!;
    const key = (await t.db.selectFrom('blobs').select('store_key').where('sha256', '=', doc.sha256).executeTakeFirstOrThrow()).store_key;
    const p = await t.store.localPath!(key);
    const original = fs.readFileSync(p!);
    fs.writeFileSync(p!, Buffer.concat([original.subarray(0, 10), Buffer.from('X'), original.subarray(11)]));
    try {
      const out = path.join(dir, 'damaged.zip');
      await expect(writeSealArchive({ db: t.db, store: t.store, dossierId: f.dossierId, out })).rejects.toThrow(/已损坏/);
      expect(fs.existsSync(out)).toBe(false);
      expect(fs.readdirSync(dir).filter((n) => n.includes('.part'))).toEqual([]);
    } finally {
      fs.writeFileSync(p!, original);
    }
  });
});
