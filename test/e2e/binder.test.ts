// Browser journey (issue 5 "done when"): the head builds the binder of the demo dossier with evidence, watches the
// progress, downloads a volume and the ZIP; the PDF passes qpdf --check, shows Chinese text and stamps when
// rendered, and a second build of the same state is byte-identical.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemoEvidence } from '../../src/demo/seed-demo-evidence.ts';
import { demoDossierIn } from '../helpers/test-app.ts';
import { launchBrowser, loginInBrowser, startApp, type RunningApp } from '../helpers/browser.ts';

let app: RunningApp;
let browser: Browser;
let dossierId: string;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'binder-e2e-'));

/** Share of dark pixels in a region of a rendered page (0–1). */
async function ink(png: string, region: { left: number; top: number; width: number; height: number }): Promise<number> {
  const { data, info } = await sharp(png).extract(region).greyscale().raw().toBuffer({ resolveWithObject: true });
  let dark = 0;
  for (const v of data) if (v < 128) dark++;
  return dark / (info.width * info.height);
}

beforeAll(async () => {
  app = await startApp({ workers: 1 });
  browser = await launchBrowser();
  const db = app.db.db;
  const d = await demoDossierIn(db);
  dossierId = d.dossierId;
  const staff = await db.selectFrom('users').select('id').where('username', '=', 'demo-staff').executeTakeFirstOrThrow();
  await seedDemoEvidence(db, app.db.store, {
    dossierId: d.dossierId,
    institutionId: d.institutionId,
    actorId: staff.id,
    files: ['01-yiliao-jigou-zhiye-xukezheng.jpg', '11-yaoshi-guanli-weiyuanhui-huiyi-jilu.pdf', '17-yiliao-zhiliang-guanli-zhidu-huibian.pdf', '15-yaopin-buliang-fanying-jiance-taizhang.tif'],
  });
});
afterAll(async () => {
  await browser?.close();
  await app?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('building the binder in the browser', () => {
  it('demo-head builds, watches progress, downloads; the PDF is valid and visibly stamped', async () => {
    const page = await browser.newPage({ viewport: { width: 1300, height: 1000 } });
    await loginInBrowser(page, app.url, 'demo-head');
    await page.click('text=修武县郇封镇卫生院');
    await page.click('nav.dossier-tabs >> text=装订成册');
    await page.click('form.binder-options button[type=submit]');
    // The build card appears queued or running with a progress bar, then turns done without a reload.
    await page.waitForSelector('.build.b-queued, .build.b-running, .build.b-done');
    const sawProgress = (await page.locator('.build-progress progress').count()) > 0 || (await page.locator('.build.b-done').count()) > 0;
    expect(sawProgress).toBe(true);
    await page.waitForSelector('.build.b-done', { timeout: 120_000 });
    await page.screenshot({ path: '/tmp/binder-done.png' });

    const href = (await page.locator('.build.b-done a[href$="/volumes/1.pdf"]').first().getAttribute('href'))!;
    const res = await page.request.get(app.url + href);
    expect(res.status()).toBe(200);
    expect(res.headers()['content-type']).toBe('application/pdf');
    const pdf = path.join(tmp, 'volume-1.pdf');
    fs.writeFileSync(pdf, await res.body());
    execFileSync('qpdf', ['--check', pdf]); // throws on a broken file
    const text = execFileSync('pdftotext', ['-layout', pdf, '-'], { encoding: 'utf8' });
    expect(text).toContain('修武县郇封镇卫生院');
    expect(text).toContain('目 录');
    expect(text).toMatch(/第 \d+ 页 \/ 共 \d+ 页/);

    // Cover title and the stamp band of the first evidence page carry real glyphs.
    execFileSync('pdftoppm', ['-r', '50', '-png', '-f', '1', '-l', '1', pdf, path.join(tmp, 'cover')]);
    const cover = fs.readdirSync(tmp).find((f) => f.startsWith('cover'))!;
    const { width, height } = await sharp(path.join(tmp, cover)).metadata();
    expect(await ink(path.join(tmp, cover), { left: Math.round(width! * 0.2), top: Math.round(height! * 0.1), width: Math.round(width! * 0.6), height: Math.round(height! * 0.15) })).toBeGreaterThan(0.01);
    expect(await ink(path.join(tmp, cover), { left: Math.round(width! * 0.6), top: Math.round(height! * 0.95), width: Math.round(width! * 0.38), height: Math.round(height! * 0.04) })).toBeGreaterThan(0.003);

    const zip = await page.request.get(app.url + (await page.locator('.build.b-done a[href$="all.zip"]').first().getAttribute('href'))!);
    expect(zip.status()).toBe(200);
    expect((await zip.body()).subarray(0, 2).toString()).toBe('PK');

    // Same state and options: a second build gives the same bytes.
    await page.click('form.binder-options button[type=submit]');
    await page.waitForFunction(() => document.querySelectorAll('.build.b-done').length >= 2, undefined, { timeout: 120_000 });
    const builds = await app.db.db
      .selectFrom('binder_volumes')
      .innerJoin('binder_builds', 'binder_builds.id', 'binder_volumes.build_id')
      .select(['binder_volumes.build_id', 'binder_volumes.blob_sha256'])
      .where('binder_builds.dossier_id', '=', dossierId)
      .where('binder_volumes.volume_no', '=', 1)
      .execute();
    const distinctBuilds = new Set(builds.map((b) => b.build_id));
    expect(distinctBuilds.size).toBeGreaterThanOrEqual(2);
    expect(new Set(builds.map((b) => b.blob_sha256)).size).toBe(1);
  }, 240_000);
});
