// Browser journey (issue 6 "done when"): demo-head submits; demo-county annotates a page and returns the
// dossier; demo-head answers and resubmits; county passes; demo-city passes (basic). For the 推荐标准 dossier
// demo-province decides last. Every step produced a seal; the exported archive verifies, and a one-byte
// change to a file in it is reported.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import yauzl from 'yauzl';
import yazl from 'yazl';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { intakeFile } from '../../src/documents/document-intake.ts';
import { linkEvidence } from '../../src/documents/document-repository.ts';
import { nowIso } from '../../src/ids.ts';
import { verifySealArchive } from '../../src/seals/seal-verify.ts';
import { demoDossierIn } from '../helpers/test-app.ts';
import { launchBrowser, loginInBrowser, startApp, type RunningApp } from '../helpers/browser.ts';

const DEMO_PDF = fileURLToPath(new URL('../../src/demo/evidence/17-yiliao-zhiliang-guanli-zhidu-huibian.pdf', import.meta.url));

let app: RunningApp;
let browser: Browser;
let dossierId: string;
let documentId: string;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'review-e2e-'));

/** Completes the demo dossier (all items graded, one document as evidence of every item) so it can be submitted. */
async function prepare(): Promise<void> {
  const db = app.db.db;
  const d = await demoDossierIn(db);
  dossierId = d.dossierId;
  const staff = await db.selectFrom('users').select('id').where('username', '=', 'demo-staff').executeTakeFirstOrThrow();
  const bytes = fs.readFileSync(DEMO_PDF);
  const outcome = await intakeFile(
    { db, store: app.db.store, actorId: staff.id, institutionId: d.institutionId, maxFileBytes: Number.MAX_SAFE_INTEGER },
    { fieldName: 'file', originalName: path.basename(DEMO_PDF), tempPath: DEMO_PDF, size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex'), truncated: false },
  );
  if (!outcome.ok) throw new Error(outcome.reason);
  documentId = outcome.documentId;
  await db.updateTable('documents').set({ title: '医疗质量管理制度汇编' }).where('id', '=', documentId).execute();
  const items = await db.selectFrom('dossier_items').select('item_code').where('dossier_id', '=', dossierId).execute();
  for (const it of items) await linkEvidence(db, { dossierId, itemCode: it.item_code, documentId, actorId: staff.id });
  await db.updateTable('dossier_items').set({ self_grade: 'A', narrative: '制度健全，落实到位。', updated_at: nowIso() }).where('dossier_id', '=', dossierId).execute();
  await db.updateTable('dossiers').set({ updated_at: nowIso() }).where('id', '=', dossierId).execute();
}

async function as(username: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  const page = await context.newPage();
  page.on('dialog', (d) => void d.accept());
  await loginInBrowser(page, app.url, username);
  return page;
}

async function decideInBrowser(page: Page, id: string, outcome: 'pass' | 'return' | 'fail', reasons = '') {
  await page.goto(`${app.url}/dossiers/${id}/review`);
  await page.check(`#decision input[name=outcome][value=${outcome}]`);
  if (reasons) await page.fill('#decision textarea[name=reasons]', reasons);
  await page.click('#decision button[type=submit]');
  await page.waitForSelector('.flash.ok');
}

async function sealEvents(id: string): Promise<string[]> {
  return (await app.db.db.selectFrom('seals').select('event').where('dossier_id', '=', id).orderBy('sequence').execute()).map((s) => s.event);
}

/** Rewrites a ZIP with one byte of `target` flipped. */
async function tamper(src: string, dest: string, target: (name: string) => boolean): Promise<string> {
  const zip = await new Promise<yauzl.ZipFile>((res, rej) => yauzl.open(src, { lazyEntries: true }, (e, z) => (e ? rej(e) : res(z!))));
  const out = new yazl.ZipFile();
  let changed = '';
  await new Promise<void>((resolve, reject) => {
    zip.on('entry', (entry: yauzl.Entry) => {
      zip.openReadStream(entry, (err, stream) => {
        if (err) return reject(err);
        const chunks: Buffer[] = [];
        stream!.on('data', (c: Buffer) => chunks.push(c));
        stream!.on('end', () => {
          const data = Buffer.concat(chunks);
          if (!changed && target(entry.fileName)) {
            const at = Math.floor(data.length / 2);
            data[at] = data[at]! ^ 0x01;
            changed = entry.fileName;
          }
          out.addBuffer(data, entry.fileName);
          zip.readEntry();
        });
      });
    });
    zip.on('end', () => resolve());
    zip.readEntry();
  });
  out.end();
  await new Promise<void>((res) => out.outputStream.pipe(fs.createWriteStream(dest)).on('close', () => res()));
  return changed;
}

beforeAll(async () => {
  app = await startApp();
  browser = await launchBrowser();
  await prepare();
});
afterAll(async () => {
  await browser?.close();
  await app?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('a review round in the browser', () => {
  it('submit → county annotates and returns → head answers and resubmits → county and city pass', async () => {
    const head = await as('demo-head');
    await head.click('text=修武县郇封镇卫生院');
    await head.click('nav.dossier-tabs >> text=审核');
    await head.waitForSelector('#submission >> text=预检通过');
    await head.click('#submission button[type=submit]');
    await head.waitForSelector('text=档案已提交评审并已封存');
    await head.screenshot({ path: '/tmp/review-submitted.png', fullPage: false });

    const county = await as('demo-county');
    await county.click('nav.mainnav >> text=待审档案');
    await county.click('table.inbox >> text=修武县郇封镇卫生院');
    await county.waitForSelector('#decision');
    // Grade an item below the self grade: the row is highlighted.
    const row = county.locator('#rv-1-1-1');
    await row.locator('select[name=grade]').selectOption('C');
    await row.locator('input[name=note]').fill('制度未按年度更新');
    await row.locator('button[type=submit]').click();
    await county.waitForSelector('#rv-1-1-1.disagree >> text=已保存');
    // Annotate the evidence in the viewer.
    await county.click('#rv-1-1-1 a.doc-link');
    await county.waitForSelector('#viewer[data-rendered="1"]', { timeout: 30_000 });
    await county.click('button.viewer-add');
    const box = (await county.locator('.viewer-overlay').boundingBox())!;
    await county.mouse.move(box.x + box.width * 0.15, box.y + box.height * 0.1);
    await county.mouse.down();
    await county.mouse.move(box.x + box.width * 0.8, box.y + box.height * 0.2, { steps: 5 });
    await county.mouse.up();
    await county.fill('#annotation-form textarea[name=body]', '制度汇编缺少修订日期，请补充。');
    await county.click('#annotation-form button[type=submit]');
    await county.waitForSelector('.viewer-overlay .viewer-rect:not(.viewer-draft)');
    await county.screenshot({ path: '/tmp/review-annotated.png' });
    await decideInBrowser(county, dossierId, 'return', '请补充制度修订日期，并更新 1.1.1 相关制度。');
    expect((await app.db.db.selectFrom('dossiers').select('state').where('id', '=', dossierId).executeTakeFirstOrThrow()).state).toBe('returned');

    await head.goto(`${app.url}/dossiers/${dossierId}/review`);
    await head.waitForSelector('#last-decision >> text=请补充制度修订日期');
    await head.screenshot({ path: '/tmp/review-returned.png' });
    await head.goto(`${app.url}/dossiers/${dossierId}/documents/${documentId}/view?item=1.1.1`);
    await head.waitForSelector('#viewer[data-rendered="1"]', { timeout: 30_000 });
    await head.fill('#annotation-threads .viewer-reply textarea', '已补充修订日期，见新版本。');
    await head.click('#annotation-threads .viewer-reply button[type=submit]');
    await head.waitForSelector('#annotation-threads .viewer-replies li');
    await head.goto(`${app.url}/dossiers/${dossierId}/review`);
    await head.click('#submission button[type=submit]');
    await head.waitForSelector('text=档案已提交评审并已封存');

    await decideInBrowser(county, dossierId, 'pass');
    const city = await as('demo-city');
    await city.click('nav.mainnav >> text=待审档案');
    await city.click('table.inbox >> text=修武县郇封镇卫生院');
    await city.waitForSelector('#decision');
    await decideInBrowser(city, dossierId, 'pass', '现场复核达到基本标准。');
    await city.screenshot({ path: '/tmp/review-passed.png', fullPage: true });
    const final = await app.db.db.selectFrom('dossiers').select(['state', 'round']).where('id', '=', dossierId).executeTakeFirstOrThrow();
    expect(final).toEqual({ state: 'passed', round: 2 });
    expect(await sealEvents(dossierId)).toEqual(['submit', 'return', 'submit', 'pass', 'pass']);
  }, 180_000);

  it('the province decides last on the 推荐标准 dossier', async () => {
    const rec = await app.db.db.selectFrom('dossiers').select('id').where('target_level', '=', 'recommended').where('state', '=', 'in_review').executeTakeFirstOrThrow();
    const province = await as('demo-province');
    await province.click('nav.mainnav >> text=待审档案');
    await province.click('table.inbox >> text=修武县周庄镇卫生院');
    await province.waitForSelector('#decision >> text=本级为最后一级');
    await decideInBrowser(province, rec.id, 'pass', '现场复核达到推荐标准。');
    expect((await app.db.db.selectFrom('dossiers').select('state').where('id', '=', rec.id).executeTakeFirstOrThrow()).state).toBe('passed');
    expect(await sealEvents(rec.id)).toEqual(['submit', 'pass', 'pass', 'pass']);
  }, 60_000);

  it('every step is listed on the seals tab; the exported archive verifies and a one-byte change is reported', async () => {
    const head = await as('demo-head');
    await head.goto(`${app.url}/dossiers/${dossierId}/seals`);
    expect(await head.locator('text=退回修改').count()).toBeGreaterThan(0);
    await head.screenshot({ path: '/tmp/review-seals.png', fullPage: true });
    const res = await head.request.get(`${app.url}/dossiers/${dossierId}/seals/5/archive`);
    expect(res.status()).toBe(200);
    const archive = path.join(tmp, 'seal.zip');
    fs.writeFileSync(archive, await res.body());
    const ok = await verifySealArchive(archive);
    expect(ok.problems).toEqual([]);
    expect(ok.ok).toBe(true);
    expect(ok.seals).toBe(5);

    const bad = path.join(tmp, 'seal-tampered.zip');
    const changed = await tamper(archive, bad, (n) => n.startsWith('originals/'));
    const report = await verifySealArchive(bad);
    expect(report.ok).toBe(false);
    expect(report.problems.some((p) => p.path === changed)).toBe(true);

    // The same check in the app's verify page.
    await head.goto(`${app.url}/seals/verify`);
    await head.setInputFiles('input[name=archive]', bad);
    await head.click('main form.stack button[type=submit]');
    await head.waitForSelector(`text=${changed}`);
    await head.screenshot({ path: '/tmp/review-verify.png', fullPage: true });
  }, 90_000);
});
