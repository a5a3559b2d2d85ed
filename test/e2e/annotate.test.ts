// Browser journey (annotations): the county reviewer holding the active stage opens a demo evidence PDF in the
// viewer (pdf.js), draws a rectangle with the mouse, writes a comment; the thread and the numbered rectangle
// appear. The institution's staff then opens the same page and replies.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { intakeFile } from '../../src/documents/document-intake.ts';
import { launchBrowser, loginInBrowser, startApp, type RunningApp } from '../helpers/browser.ts';
import { openCountyStage } from '../helpers/test-app.ts';

const DEMO_PDF = fileURLToPath(new URL('../../src/demo/evidence/17-yiliao-zhiliang-guanli-zhidu-huibian.pdf', import.meta.url));
const DEMO_JPEG = fileURLToPath(new URL('../../src/demo/evidence/01-yiliao-jigou-zhiye-xukezheng.jpg', import.meta.url));
const SCREENSHOT = '/tmp/annotate.png';

let app: RunningApp;
let browser: Browser;
let viewerUrl: string;
let imageViewerUrl: string;

/** The demo 乡镇卫生院's dossier, with one demo evidence PDF linked to an item and the county stage active. */
async function prepare(): Promise<{ pdf: string; image: string }> {
  const db = app.db.db;
  const dossier = await db
    .selectFrom('dossiers')
    .innerJoin('institutions', 'institutions.id', 'dossiers.institution_id')
    .select(['dossiers.id', 'dossiers.round', 'dossiers.institution_id'])
    .where('institutions.name', '=', '修武县郇封镇卫生院')
    .where('dossiers.target_level', '=', 'basic')
    .executeTakeFirstOrThrow();
  const staff = await db.selectFrom('users').select('id').where('username', '=', 'demo-staff').executeTakeFirstOrThrow();
  const items = (await db.selectFrom('dossier_items').select('item_code').where('dossier_id', '=', dossier.id).execute()).map((r) => r.item_code);
  const itemCode = items.includes('3.1.1') ? '3.1.1' : items.sort()[0]!;
  const take = async (file: string, title: string) => {
    const bytes = fs.readFileSync(file);
    const outcome = await intakeFile(
      { db, store: app.db.store, actorId: staff.id, institutionId: dossier.institution_id, maxFileBytes: Number.MAX_SAFE_INTEGER },
      { fieldName: 'file', originalName: path.basename(file), tempPath: file, size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex'), truncated: false },
      { link: { dossierId: dossier.id, itemCode } },
    );
    if (!outcome.ok) throw new Error(outcome.reason);
    await db.updateTable('documents').set({ title }).where('id', '=', outcome.documentId).execute();
    return outcome.documentId;
  };
  const pdfId = await take(DEMO_PDF, '郇封镇卫生院医疗质量管理制度汇编');
  const imageId = await take(DEMO_JPEG, '医疗机构执业许可证（副本）');
  await openCountyStage(db, dossier.id);
  return {
    pdf: `/dossiers/${dossier.id}/documents/${pdfId}/view?page=1&item=${itemCode}`,
    image: `/dossiers/${dossier.id}/documents/${imageId}/view?item=${itemCode}`,
  };
}

/** Share of canvas pixels that are not (near) white: the page really was painted. */
async function inkedShare(page: Page): Promise<number> {
  return page.evaluate(() => {
    const canvas = document.querySelector('.viewer-canvas') as HTMLCanvasElement;
    const ctx = canvas.getContext('2d')!;
    const { data } = ctx.getImageData(0, 0, canvas.width, canvas.height);
    let inked = 0;
    for (let i = 0; i < data.length; i += 16) if (data[i]! < 200 || data[i + 1]! < 200 || data[i + 2]! < 200) inked++;
    return inked / (data.length / 16);
  });
}

beforeAll(async () => {
  app = await startApp();
  browser = await launchBrowser();
  ({ pdf: viewerUrl, image: imageViewerUrl } = await prepare());
});
afterAll(async () => {
  await browser?.close();
  await app?.close();
});

describe('annotating evidence in the browser', () => {
  it('a reviewer draws a rectangle and comments; the institution replies', async () => {
    const errors: string[] = [];
    const reviewer = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    reviewer.on('pageerror', (e) => errors.push(e.message));
    reviewer.on('response', (r) => {
      if (r.status() >= 400 && !r.url().endsWith('/favicon.ico')) errors.push(`${r.status()} ${r.url()}`);
    });
    reviewer.on('console', (m) => {
      if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) errors.push(m.text());
    });
    await loginInBrowser(reviewer, app.url, 'demo-county');
    await reviewer.goto(app.url + viewerUrl);
    await reviewer.waitForSelector('#viewer[data-rendered="1"]', { timeout: 30_000 });
    expect(await reviewer.locator('.viewer-page-count').textContent()).toBe('3');
    const share = await inkedShare(reviewer);
    expect(share).toBeGreaterThan(0.005); // red letterhead, black text
    expect(share).toBeLessThan(0.5);

    // Draw: "添加批注", then drag over the title area of the page.
    await reviewer.click('button.viewer-add');
    const box = (await reviewer.locator('.viewer-overlay').boundingBox())!;
    const from = { x: box.x + box.width * 0.12, y: box.y + box.height * 0.08 };
    const to = { x: box.x + box.width * 0.88, y: box.y + box.height * 0.17 };
    await reviewer.mouse.move(from.x, from.y);
    await reviewer.mouse.down();
    await reviewer.mouse.move((from.x + to.x) / 2, (from.y + to.y) / 2, { steps: 4 });
    await reviewer.mouse.move(to.x, to.y, { steps: 4 });
    await reviewer.mouse.up();
    await reviewer.waitForSelector('#annotation-form:not([hidden])');
    const fields = await reviewer.evaluate(() => {
      const f = document.getElementById('annotation-form') as HTMLFormElement;
      return Object.fromEntries(['x', 'y', 'w', 'h', 'page_no'].map((n) => [n, Number((f.elements.namedItem(n) as HTMLInputElement).value)]));
    });
    expect(fields['page_no']).toBe(1);
    expect(fields['x']).toBeCloseTo(0.12, 2);
    expect(fields['y']).toBeCloseTo(0.08, 2);
    expect(fields['w']).toBeCloseTo(0.76, 2);
    expect(fields['h']).toBeCloseTo(0.09, 2);
    // A blank comment is refused with the server's message in the form; the form stays open.
    await reviewer.fill('#annotation-form textarea[name=body]', '   ');
    await reviewer.click('#annotation-form button[type=submit]');
    await expect.poll(() => reviewer.locator('#annotation-form .form-errors').textContent()).toContain('请填写批注内容');
    expect(await reviewer.locator('#annotation-form').isVisible()).toBe(true);
    errors.splice(0, errors.length, ...errors.filter((e) => !e.includes('400')));
    await reviewer.fill('#annotation-form textarea[name=body]', '发文字号与印章不清晰，请补充原件扫描件。');
    await reviewer.click('#annotation-form button[type=submit]');
    await reviewer.waitForSelector('#annotation-threads .viewer-thread');
    await reviewer.waitForSelector('.viewer-overlay .viewer-rect:not(.viewer-draft)');
    expect(await reviewer.locator('#annotation-form').isHidden()).toBe(true);
    expect(await reviewer.locator('#annotation-threads .viewer-thread .viewer-body').textContent()).toBe('发文字号与印章不清晰，请补充原件扫描件。');
    // Where the drag was, as fractions of the page (the page may have scrolled since).
    const page1 = (await reviewer.locator('.viewer-overlay').boundingBox())!;
    const rect = (await reviewer.locator('.viewer-overlay .viewer-rect:not(.viewer-draft)').boundingBox())!;
    expect((rect.x - page1.x) / page1.width).toBeCloseTo(0.12, 2);
    expect((rect.y - page1.y) / page1.height).toBeCloseTo(0.08, 2);
    expect((rect.x + rect.width - page1.x) / page1.width).toBeCloseTo(0.88, 2);
    expect((rect.y + rect.height - page1.y) / page1.height).toBeCloseTo(0.17, 2);
    expect(await reviewer.locator('.viewer-overlay .viewer-rect-num').textContent()).toBe('1');
    // The new thread is the selected one, and clicking the rectangle keeps it highlighted.
    await reviewer.locator('.viewer-overlay .viewer-rect').click();
    await expect.poll(() => reviewer.locator('#annotation-threads .viewer-thread.viewer-active').count()).toBe(1);
    await reviewer.screenshot({ path: SCREENSHOT });

    // Page navigation: page 2 has no rectangle; back on page 1 it is drawn again.
    await reviewer.click('.viewer-next');
    await reviewer.waitForSelector('#viewer[data-rendered="2"]');
    expect(await reviewer.locator('.viewer-overlay .viewer-rect').count()).toBe(0);
    await reviewer.click('#annotation-threads .viewer-thread .viewer-body');
    await reviewer.waitForSelector('#viewer[data-rendered="1"]');
    expect(await reviewer.locator('.viewer-overlay .viewer-rect.viewer-active').count()).toBe(1);
    expect(errors).toEqual([]);
    await reviewer.close();

    // The institution sees the annotation and answers it.
    const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
    const staff = await context.newPage();
    await loginInBrowser(staff, app.url, 'demo-staff');
    await staff.goto(app.url + viewerUrl);
    await staff.waitForSelector('#viewer[data-rendered="1"]', { timeout: 30_000 });
    await staff.waitForSelector('.viewer-overlay .viewer-rect');
    expect(await staff.locator('button.viewer-add').count()).toBe(0);
    await staff.fill('#annotation-threads .viewer-reply textarea', '  ');
    await staff.click('#annotation-threads .viewer-reply button[type=submit]');
    await expect.poll(() => staff.locator('#annotation-threads .viewer-reply .form-errors').textContent()).toContain('请填写回复内容');
    await staff.fill('#annotation-threads .viewer-reply textarea', '已重新扫描原件，将上传新版本。');
    await staff.click('#annotation-threads .viewer-reply button[type=submit]');
    await staff.waitForSelector('#annotation-threads .viewer-replies li');
    expect(await staff.locator('#annotation-threads .viewer-replies li').textContent()).toContain('已重新扫描原件，将上传新版本。');
    expect(await staff.locator('.viewer-overlay .viewer-rect').count()).toBe(1);
    await staff.screenshot({ path: '/tmp/annotate-staff.png' });
    await context.close();
  }, 90_000);

  it('annotates an image (a photographed certificate) the same way', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await loginInBrowser(page, app.url, 'demo-county');
    await page.goto(app.url + imageViewerUrl);
    await page.waitForSelector('#viewer[data-rendered="1"]', { timeout: 30_000 });
    expect(await page.locator('.viewer-image').evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBeGreaterThan(100);
    await page.click('button.viewer-add');
    const box = (await page.locator('.viewer-overlay').boundingBox())!;
    // (The page is taller than the scrolling stage: stay in its visible upper part.)
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.45);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.2, box.y + box.height * 0.15, { steps: 5 }); // dragging up-left works too
    await page.mouse.up();
    await page.fill('#annotation-form textarea[name=body]', '许可证有效期请核对。');
    await page.click('#annotation-form button[type=submit]');
    await page.waitForSelector('.viewer-overlay .viewer-rect:not(.viewer-draft)');
    const r = await page.evaluate(async () => {
      const res = await fetch(document.getElementById('viewer')!.dataset['annotationsUrl']!);
      return ((await res.json()) as { x: number; y: number; w: number; h: number }[])[0]!;
    });
    expect(r.x).toBeCloseTo(0.2, 2);
    expect(r.y).toBeCloseTo(0.15, 2);
    expect(r.w).toBeCloseTo(0.3, 2);
    expect(r.h).toBeCloseTo(0.3, 2);
    await page.screenshot({ path: '/tmp/annotate-image.png' });
    await page.close();
  }, 60_000);
});
