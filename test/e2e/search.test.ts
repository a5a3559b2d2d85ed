// Browser journey (text and search): upload a scanned PDF and a born-digital PDF, watch their text being read,
// search a 2-character word from each, and land on the right page with the word marked.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PDFDocument } from 'pdf-lib';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, loginInBrowser, startApp, type RunningApp } from '../helpers/browser.ts';

let app: RunningApp;
let browser: Browser;
let dir: string;

const PAGE_CSS = 'body{font-family:"Noto Sans CJK SC",sans-serif;font-size:30px;margin:80px;line-height:1.8}';
const BORN_DIGITAL = ['<h1>医疗质量管理制度</h1><p>本院建立医疗质量管理委员会，每季度召开会议。</p>', '<h1>院感知识培训记录</h1><p>2022年4月组织全院职工参加院感培训，签到表附后。</p>'];
const SCANNED = ['<h1>抢救车检查登记</h1><p>每日检查抢救车药品与器械，记录完整。</p>', '<h1>消毒供应室质量检查</h1><p>本月检查台账齐全，灭菌监测合格。</p>'];

async function makePdfs(): Promise<{ digital: string; scanned: string }> {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dossier-search-e2e-'));
  const page = await browser.newPage({ viewport: { width: 1240, height: 1754 } });
  await page.setContent(`<style>${PAGE_CSS}.p{page-break-after:always}</style>${BORN_DIGITAL.map((h) => `<div class="p">${h}</div>`).join('')}`);
  const digital = path.join(dir, '院感培训记录.pdf');
  fs.writeFileSync(digital, await page.pdf({ format: 'A4' }));
  const scan = await PDFDocument.create();
  for (const html of SCANNED) {
    await page.setContent(`<style>${PAGE_CSS}</style>${html}`);
    const png = await page.screenshot({ type: 'jpeg', quality: 80 });
    const img = await scan.embedJpg(png);
    scan.addPage([595, 842]).drawImage(img, { x: 0, y: 0, width: 595, height: 842 });
  }
  const scanned = path.join(dir, '消毒供应室检查（扫描件）.pdf');
  fs.writeFileSync(scanned, await scan.save());
  await page.close();
  return { digital, scanned };
}

beforeAll(async () => {
  app = await startApp({ workers: 2 });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await app?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('text and search in the browser', () => {
  it('reads the text of both PDFs and finds 2-character words on the right page', async () => {
    const files = await makePdfs();
    const page = await browser.newPage({ viewport: { width: 1300, height: 1000 } });
    await loginInBrowser(page, app.url, 'demo-staff');
    await page.click('nav a:has-text("文件库")');
    await page.setInputFiles('form[data-upload] input[type=file]', [files.digital, files.scanned]);
    await page.waitForFunction(() => document.querySelectorAll('.upload-list li.ok').length === 2, null, { timeout: 60_000 });
    await page.waitForLoadState('load');
    await page.waitForSelector('table.documents');

    // The text column polls itself until both documents are read.
    await expect
      .poll(async () => page.locator('table.documents .text-status.ts-done').count(), { timeout: 120_000, interval: 1000 })
      .toBe(2);
    const scannedRow = page.locator('table.documents tr', { hasText: '消毒供应室检查' });
    expect(await scannedRow.locator('.text-status').textContent()).toContain('OCR');

    for (const [word, title, pageNo] of [
      ['培训', '院感培训记录', 2],
      ['台账', '消毒供应室检查', 2],
    ] as const) {
      await page.goto(`${app.url}/search`);
      await page.fill('input[name=q]', word);
      await page.press('input[name=q]', 'Enter');
      const hit = page.locator('.search-hits li', { hasText: title }).first();
      await hit.waitFor({ timeout: 10_000 });
      expect(await hit.locator('.hit-title').textContent()).toContain(`第 ${pageNo} 页`);
      expect(await hit.locator('.snippet mark').first().textContent()).toBe(word);
      await hit.locator('.hit-title').click();
      await page.waitForSelector('.found .page-text mark');
      expect(await page.locator('.found .page-text mark').first().textContent()).toBe(word);
      expect(await page.locator(`#page-${pageNo}`).getAttribute('class')).toContain('target');
    }
    await page.close();
  });
});
