// The reviewer pack over HTTP: a dossier submitted to the county, graded, annotated (and answered) and with a
// rectification; the pack is one valid PDF with the summary (审核摘要) after the binder's cover and the binder
// behind it; scope (404 outside), audit, temporary files removed after the download and after an abort.
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { PDFDocument } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId, nowIso } from '../../src/ids.ts';
import { createRectification, rectificationIdForToken } from '../../src/rectifications/rectification-repository.ts';
import { inPackQueue } from '../../src/review/reviewer-pack.ts';
import { createUser } from '../../src/users/user-repository.ts';
import { createTestApp, demoDossier, linkToCoreItems, type Session, type TestApp } from '../helpers/test-app.ts';

const run = promisify(execFile);

let t: TestApp;
let dossierId: string;
let staff: Session;
let head: Session;
let county: Session;
let outsider: Session;
let itemCode: string;
let dir: string;

const htmx = { 'hx-request': 'true' };
const flat = (s: string) => s.replace(/\s+/g, '');

async function upload(url: string, files: { name: string; bytes: Uint8Array }[], s: Session) {
  const form = new FormData();
  for (const f of files) form.append('file', new File([f.bytes as BlobPart], f.name));
  const res = await t.app.request(url, { method: 'POST', body: form, headers: { cookie: s.cookie, 'x-csrf-token': s.csrf, accept: 'application/json' } });
  expect(res.status).toBe(200);
  return ((await res.json()) as { results: { ok: boolean; documentId: string }[] }).results;
}

async function packTempDirs(): Promise<string[]> {
  const entries = await readdir(path.join(t.db.config.dataDir, 'tmp')).catch(() => [] as string[]);
  return entries.filter((e) => e.startsWith('review-pack-'));
}

async function waitFor(check: () => Promise<boolean>, ms = 5000): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return check();
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'reviewer-pack-test-'));
  t = await createTestApp();
  let institutionId: string;
  ({ dossierId, institutionId } = await demoDossier(t));
  await createUser(t.db.db, { username: 'boai-county', displayName: '博爱县审核员', password: 'boai-password-1', role: 'county_reviewer', regionCode: '410822' });
  [staff, head, county, outsider] = await Promise.all([t.login('demo-staff'), t.login('demo-head'), t.login('demo-county'), t.login('boai-county', 'boai-password-1')]);
  const db = t.db.db;
  itemCode = (await db.selectFrom('dossier_items').select('item_code').where('dossier_id', '=', dossierId).orderBy('item_code').executeTakeFirstOrThrow()).item_code;

  // Evidence: a 3-page PDF on the first item, and the same document on every core item (so that it can be submitted).
  const pdf = await PDFDocument.create();
  for (let i = 0; i < 3; i++) pdf.addPage([595, 842]).drawText(`PACK-EVIDENCE page ${i + 1}`, { x: 50, y: 780, size: 18 });
  const [uploaded] = await upload(`/dossiers/${dossierId}/items/${itemCode}/evidence/upload`, [{ name: '培训签到表.pdf', bytes: await pdf.save() }], staff);
  expect(uploaded!.ok).toBe(true);
  const documentId = uploaded!.documentId;
  await db.updateTable('dossier_items').set({ self_grade: 'A', narrative: '已落实。', updated_at: nowIso() }).where('dossier_id', '=', dossierId).execute();
  await linkToCoreItems(db, dossierId, documentId, itemCode);

  // Submitted by the head: the county stage is active.
  const d = await db.selectFrom('dossiers').select('review_version').where('id', '=', dossierId).executeTakeFirstOrThrow();
  expect((await t.post(`/dossiers/${dossierId}/submit`, { review_version: String(d.review_version) }, head)).status).toBe(303);
  const version = (await db.selectFrom('documents').select('current_version_id').where('id', '=', documentId).executeTakeFirstOrThrow()).current_version_id!;

  // The county grades an item, annotates the evidence; the institution answers; a rectification is recorded.
  const graded = await t.post(`/dossiers/${dossierId}/review/items/${itemCode}`, { grade: 'C', note: 'PACK-NOTE 制度未按年度更新', onsite_finding: 'PACK-ONSITE 现场未见记录' }, county, htmx);
  expect(graded.status).toBe(200);
  const annotated = await t.post(
    `/dossiers/${dossierId}/annotations`,
    { version_id: version, item_code: itemCode, page_no: '2', x: '0.1', y: '0.2', w: '0.3', h: '0.15', body: 'PACK-ANNOTATION 签到表缺少培训日期' },
    county,
    htmx,
  );
  expect(annotated.status).toBe(200);
  const annotation = await db.selectFrom('annotations').select('id').where('dossier_id', '=', dossierId).executeTakeFirstOrThrow();
  expect((await t.post(`/dossiers/${dossierId}/annotations/${annotation.id}/replies`, { body: 'PACK-REPLY 已补充日期' }, staff, htmx)).status).toBe(200);
  const staffUser = await db.selectFrom('users').select('id').where('username', '=', 'demo-staff').executeTakeFirstOrThrow();
  await createRectification(db, {
    id: rectificationIdForToken(dossierId, staffUser.id, 'pack-test-token-0001'),
    dossierId,
    itemCode,
    problem: 'PACK-PROBLEM 培训记录不全',
    measures: 'PACK-MEASURES 补齐签到表',
    responsible: '张医生',
    deadline: '2020-01-31',
    source: 'institution',
    annotationId: null,
    actorId: staffUser.id,
  });
});

afterAll(async () => {
  await t?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('the reviewer pack', () => {
  let file: string;
  let bytes: Buffer;

  it('downloads as one PDF named after the institution, which qpdf finds clean', async () => {
    const res = await t.get(`/dossiers/${dossierId}/review/pack.pdf`, county);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    const disposition = res.headers.get('content-disposition') ?? '';
    expect(disposition).toMatch(/^attachment;/);
    expect(decodeURIComponent(/filename\*=UTF-8''(.+)$/.exec(disposition)![1]!)).toMatch(/^修武县郇封镇卫生院-\d{4}-审核材料\.pdf$/);
    bytes = Buffer.from(await res.arrayBuffer());
    expect(res.headers.get('content-length')).toBe(String(bytes.length));
    expect(bytes.subarray(0, 5).toString()).toBe('%PDF-');
    file = path.join(dir, 'pack.pdf');
    await writeFile(file, bytes);
    const { stdout } = await run('qpdf', ['--check', file]);
    expect(stdout).toContain('No syntax or stream encoding errors');
  });

  it('holds the cover, then the summary with grades, annotations and rectifications, then the binder', async () => {
    const { stdout } = await run('pdftotext', ['-layout', file, '-']);
    const pages = stdout.split('\f').slice(0, -1);
    expect(pages[0]).toContain('修武县郇封镇卫生院');
    expect(pages[0]).toContain('评审材料包');
    expect(pages[0]).not.toContain('评价佐证材料');
    expect(pages[1]).toContain('审核摘要');
    const summaryEnd = pages.findIndex((p) => /目\s*录/.test(p));
    expect(summaryEnd).toBeGreaterThan(1);
    const summary = flat(pages.slice(1, summaryEnd).join('\n'));
    for (const s of ['审核摘要', 'PACK-NOTE', 'PACK-ONSITE', '不一致', 'PACK-ANNOTATION', 'PACK-REPLY', '未解决', 'PACK-PROBLEM', 'PACK-MEASURES', '张医生', '逾期', '评审中']) {
      expect(summary, s).toContain(flat(s));
    }
    // Summary pages are stamped by the binder, with the title as label.
    pages.slice(1, summaryEnd).forEach((p, i) => expect(flat(p)).toContain(`审核摘要第${i + 2}页/共${pages.length}页`));
    // The binder part: the contents list the summary first; item headers and the evidence follow.
    expect(flat(pages[summaryEnd]!)).toContain('审核摘要');
    const rest = pages.slice(summaryEnd + 1).join('\n');
    expect(flat(rest)).toContain(`条款${itemCode}`);
    expect(rest).toContain('PACK-EVIDENCE page 3');
  });

  it('records the download in the audit log', async () => {
    const rows = await t.db.db.selectFrom('audit_log').selectAll().where('action', '=', 'review.pack').where('subject_id', '=', dossierId).execute();
    expect(rows).toHaveLength(1);
    expect(JSON.parse(rows[0]!.detail)).toMatchObject({ stage: expect.stringContaining('审核'), pages: expect.any(Number) });
  });

  it('removes its temporary files once the download is read', async () => {
    expect(await waitFor(async () => (await packTempDirs()).length === 0)).toBe(true);
  });

  it('is the same file again for the same state', async () => {
    const again = Buffer.from(await (await t.get(`/dossiers/${dossierId}/review/pack.pdf`, county)).arrayBuffer());
    expect(Buffer.compare(again, bytes)).toBe(0);
  });

  it('is available to the institution, not to a reviewer of another county (404)', async () => {
    const own = await t.get(`/dossiers/${dossierId}/review/pack.pdf`, staff);
    expect(own.status).toBe(200);
    await own.arrayBuffer();
    expect((await t.get(`/dossiers/${dossierId}/review/pack.pdf`, outsider)).status).toBe(404);
    expect((await t.get(`/dossiers/no-such-dossier/review/pack.pdf`, county)).status).toBe(404);
    expect((await t.get(`/dossiers/${dossierId}/review/pack.pdf?stage=no-such-stage`, county)).status).toBe(404);
  });

  it('can be made for an earlier stage (?stage=)', async () => {
    // The demo's 推荐标准 dossier of 周庄镇 passed the county and the city and waits at the province.
    const rec = await t.db.db.selectFrom('dossiers').select('id').where('target_level', '=', 'recommended').where('state', '=', 'in_review').executeTakeFirstOrThrow();
    const countyStage = await t.db.db.selectFrom('review_stages').select('id').where('dossier_id', '=', rec.id).where('region_level', '=', 'county').executeTakeFirstOrThrow();
    const res = await t.get(`/dossiers/${rec.id}/review/pack.pdf?stage=${countyStage.id}`, county);
    expect(res.status).toBe(200);
    const other = path.join(dir, 'earlier.pdf');
    await writeFile(other, Buffer.from(await res.arrayBuffer()));
    const { stdout } = await run('pdftotext', ['-f', '2', '-l', '2', '-layout', other, '-']);
    expect(flat(stdout)).toContain('县（区）级审核·第1轮');
    expect(flat(stdout)).toContain('本材料对应环节：县（区）级审核（第1轮），已结束');
    expect(flat(stdout)).toContain('市级初评');
  });

  it('removes its temporary files when the client goes away mid-download', async () => {
    const res = await t.get(`/dossiers/${dossierId}/review/pack.pdf`, county);
    expect(res.status).toBe(200);
    expect(await packTempDirs()).toHaveLength(1); // the file being sent
    const reader = res.body!.getReader();
    await reader.read();
    await reader.cancel();
    expect(await waitFor(async () => (await packTempDirs()).length === 0)).toBe(true);
  });

  it('is linked from the review tab', async () => {
    const html = await (await t.get(`/dossiers/${dossierId}/review`, county)).text();
    expect(html).toContain(`href="/dossiers/${dossierId}/review/pack.pdf"`);
    expect(html).toContain('下载审核材料包（PDF）');
  });
});

describe('the pack queue', () => {
  it('runs one pack at a time, in order, and goes on after a failure', async () => {
    let running = 0;
    let most = 0;
    const order: number[] = [];
    const job = (n: number, fail = false) => async () => {
      running++;
      most = Math.max(most, running);
      await new Promise((r) => setTimeout(r, 20));
      running--;
      order.push(n);
      if (fail) throw new Error('boom');
      return n;
    };
    const results = await Promise.allSettled([inPackQueue(job(1)), inPackQueue(job(2, true)), inPackQueue(job(3))]);
    expect(most).toBe(1);
    expect(order).toEqual([1, 2, 3]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
  });
});
