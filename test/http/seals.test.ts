// The 封存记录 tab, archive download and 封存包校验 over HTTP, as the browser uses them (both databases).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '../../src/demo/seed-demo.ts';
import { listSeals } from '../../src/seals/seal-chain.ts';
import { verifySealArchive } from '../../src/seals/seal-verify.ts';
import { createUser } from '../../src/users/user-repository.ts';
import { createTestApp, type Session, type TestApp } from '../helpers/test-app.ts';
import { sealFixture, sealHistory, type SealFixture } from '../seals/seal-fixtures.ts';

let t: TestApp;
let f: SealFixture;
let staff: Session;
let outsider: Session;
let dir: string;
let archiveBytes: Buffer;

async function postArchive(s: Session | null, bytes: Buffer, name = 'seal.zip', csrf = s?.csrf ?? '') {
  const form = new FormData();
  form.append('archive', new File([new Uint8Array(bytes)], name, { type: 'application/zip' }));
  return t.app.request(`/seals/verify?_csrf=${encodeURIComponent(csrf)}`, { method: 'POST', body: form, headers: s ? { cookie: s.cookie } : {} });
}

beforeAll(async () => {
  t = await createTestApp();
  f = await sealFixture(t.db.db, t.db.store, 2);
  await sealHistory(t.db.db, f);
  // A county reviewer of another county (获嘉县): the dossier is outside its scope.
  await createUser(t.db.db, { username: 'other-county', displayName: '获嘉县审核员', password: DEMO_PASSWORD, role: 'county_reviewer', institutionId: null, regionCode: '410724' });
  staff = await t.login('demo-staff');
  outsider = await t.login('other-county');
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dossier-seal-http-'));
});
afterAll(async () => {
  await t.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('封存记录', () => {
  it('lists every seal of every round with hashes, the chain check, and download links', async () => {
    const res = await t.get(`/dossiers/${f.dossierId}/seals`, staff);
    expect(res.status).toBe(200);
    const html = await res.text();
    const seals = await listSeals(t.db.db, f.dossierId);
    for (const s of seals) {
      expect(html).toContain(s.manifest_sha256);
      expect(html).toContain(`/dossiers/${f.dossierId}/seals/${s.sequence}/archive`);
    }
    expect(html).toContain('封存链完整');
    for (const label of ['提交', '退回修改', '通过', '第 2 轮']) expect(html).toContain(label);
    expect(html).toContain('class="active" aria-current="page">封存记录');
    expect(html).toContain('&quot;format&quot;: &quot;dossier-seal/1&quot;'); // the manifest, escaped, in <details>
  });

  it('is not found for a reviewer outside the dossier’s region', async () => {
    expect((await t.get(`/dossiers/${f.dossierId}/seals`, outsider)).status).toBe(404);
    expect((await t.get(`/dossiers/${f.dossierId}/seals/1/archive`, outsider)).status).toBe(404);
    expect((await t.get(`/dossiers/${f.dossierId}/seals/99/archive`, staff)).status).toBe(404);
    expect((await t.get(`/dossiers/${f.dossierId}/seals/abc/archive`, staff)).status).toBe(404);
  });

  it('streams a seal archive that verifies, and records the export in the audit log', async () => {
    const res = await t.get(`/dossiers/${f.dossierId}/seals/3/archive`, staff);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/zip');
    expect(res.headers.get('content-disposition')).toContain('attachment');
    archiveBytes = Buffer.from(await res.arrayBuffer());
    const file = path.join(dir, 'three.zip');
    fs.writeFileSync(file, archiveBytes);
    expect(await verifySealArchive(file)).toMatchObject({ ok: true, seals: 3, last: { sequence: 3 } });
    const audit = await t.db.db.selectFrom('audit_log').selectAll().where('action', '=', 'seal.export').where('subject_id', '=', f.dossierId).execute();
    expect(audit).toHaveLength(1);
    expect(JSON.parse(audit[0]!.detail)).toMatchObject({ sequence: 3 });
  });

  it('shows a broken chain when a manifest was edited in the database', async () => {
    const s = (await listSeals(t.db.db, f.dossierId))[0]!;
    await t.db.db.updateTable('seals').set({ manifest_json: s.manifest_json.replace('"event":"submit"', '"event":"pass"') }).where('id', '=', s.id).execute();
    try {
      const html = await (await t.get(`/dossiers/${f.dossierId}/seals`, staff)).text();
      expect(html).toContain('封存链校验未通过');
      expect(html).toContain('第 1 号封存');
    } finally {
      await t.db.db.updateTable('seals').set({ manifest_json: s.manifest_json }).where('id', '=', s.id).execute();
    }
  });
});

describe('封存包校验', () => {
  it('shows the upload form to any signed-in user, and sends anonymous users to log in', async () => {
    const res = await t.get('/seals/verify', outsider);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('name="archive"');
    expect(html).toContain(`/seals/verify?_csrf=${encodeURIComponent(outsider.csrf)}`);
    const anon = await t.get('/seals/verify');
    expect(anon.status).toBe(302);
  });

  it('verifies an uploaded archive and compares it with the system’s record', async () => {
    const res = await postArchive(staff, archiveBytes);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('校验通过');
    expect(html).toContain('与系统记录一致');
    expect(html).toContain('本包不是最新的'); // seal 3 of 4
    // Outside the dossier's scope: the archive is checked on its own, without revealing the system's record.
    const other = await (await postArchive(outsider, archiveBytes)).text();
    expect(other).toContain('校验通过');
    expect(other).not.toContain('与系统记录');
    expect(fs.readdirSync(path.join(t.db.config.dataDir, 'tmp')).filter((n) => n.startsWith('upload-'))).toEqual([]);
  });

  it('lists each problem of a tampered archive in Chinese', async () => {
    const bytes = Buffer.from(archiveBytes);
    const doc = f.documents[1]!;
    bytes[bytes.indexOf(doc.content.subarray(0, 64)) + 40]! ^= 0x20;
    const html = await (await postArchive(staff, bytes)).text();
    expect(html).toContain('校验未通过');
    expect(html).toContain('文件被改动');
    expect(html).toContain(`originals/${doc.sha256}.pdf`);
    expect(html).toContain(doc.title);
  });

  it('refuses an upload without the CSRF token, and a request without a file', async () => {
    expect((await postArchive(staff, archiveBytes, 'seal.zip', 'wrong')).status).toBe(403);
    const empty = new FormData();
    empty.append('note', 'x');
    const res = await t.app.request(`/seals/verify?_csrf=${encodeURIComponent(staff.csrf)}`, { method: 'POST', body: empty, headers: { cookie: staff.cookie } });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('请选择');
  });
});

describe('verifying a file that is not a ZIP', () => {
  it('answers in Chinese only, without the ZIP library\'s English message', async () => {
    const res = await postArchive(staff, Buffer.from('这不是压缩包，只是一段文字。'.repeat(20)), 'notes.zip');
    const html = await res.text();
    expect(html).toContain('不是有效的 ZIP 压缩包');
    expect(html).not.toMatch(/central directory|signature|End of/i);
  });
});
