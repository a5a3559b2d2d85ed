// Browser journey (evidence): a staff user uploads a mixed batch into an item — three succeed, a corrupt PDF is
// rejected with its reason — previews a document, links it to a second item, reorders, replaces a version.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Document as DocxDocument, Packer, Paragraph } from 'docx';
import { PDFDocument } from 'pdf-lib';
import type { Browser } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deriveDocument } from '../../src/documents/derive-document.ts';
import { launchBrowser, loginInBrowser, startApp, type RunningApp } from '../helpers/browser.ts';

let app: RunningApp;
let browser: Browser;
let dir: string;

async function makeFiles(): Promise<Record<string, string>> {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dossier-e2e-'));
  const pdf = await PDFDocument.create();
  for (let i = 0; i < 2; i++) pdf.addPage([595, 842]).drawText(`Training sign-in sheet, page ${i + 1}`, { x: 60, y: 760, size: 20 });
  const files: Record<string, string> = {
    pdf: path.join(dir, '培训签到表.pdf'),
    jpeg: path.join(dir, '应急演练照片.jpg'),
    docx: path.join(dir, '院务会议记录.docx'),
    corrupt: path.join(dir, '损坏的文件.pdf'),
    v2: path.join(dir, '培训签到表（修订）.pdf'),
  };
  fs.writeFileSync(files.pdf!, await pdf.save());
  fs.writeFileSync(files.jpeg!, await sharp({ create: { width: 600, height: 800, channels: 3, background: '#dde3ea' } }).jpeg().toBuffer());
  fs.writeFileSync(files.docx!, await Packer.toBuffer(new DocxDocument({ sections: [{ children: [new Paragraph('院务会议记录：研究院感培训工作。')] }] })));
  fs.writeFileSync(files.corrupt!, '%PDF-1.7\n1 0 obj <<');
  const v2 = await PDFDocument.create();
  v2.addPage([595, 842]).drawText('Revised', { x: 60, y: 760, size: 20 });
  fs.writeFileSync(files.v2!, await v2.save());
  return files;
}

beforeAll(async () => {
  app = await startApp();
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await app?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('evidence in the browser', () => {
  it('uploads, previews, links to two items, reorders and replaces a version', async () => {
    const files = await makeFiles();
    const page = await browser.newPage();
    await loginInBrowser(page, app.url, 'demo-staff');
    await page.click('text=修武县郇封镇卫生院');
    await page.waitForURL(/\/dossiers\/d_/);
    const dossierId = /\/dossiers\/(d_\w+)/.exec(page.url())![1];
    const items = await page.locator('.tree-item').evaluateAll((els) => els.map((e) => e.id.replace('item-', '').replaceAll('-', '.')));
    const [first, second] = items;

    // On a narrow screen the panel sits under the long tree: a tree click brings it into view and focuses it.
    await page.setViewportSize({ width: 800, height: 900 });
    await page.click(`#item-${first!.replaceAll('.', '-')} a`);
    await page.waitForSelector('#item-evidence');
    await expect.poll(() => page.evaluate(() => document.getElementById('item-panel')!.getBoundingClientRect().top)).toBeLessThan(900);
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('item-title');
    await page.setViewportSize({ width: 1280, height: 720 });
    await page.setInputFiles('#item-evidence input[type=file]', [files.pdf!, files.jpeg!, files.docx!, files.corrupt!]);
    await page.waitForFunction(() => document.querySelectorAll('#item-evidence .upload-list li.ok, #item-evidence .upload-list li.error').length === 4, null, { timeout: 60_000 });
    expect(await page.locator('#item-evidence .upload-list li.ok').count()).toBe(3);
    const rejected = await page.locator('#item-evidence .upload-list li.error').textContent();
    expect(rejected).toContain('损坏的文件.pdf');
    expect(rejected).toContain('PDF 文件已损坏或不完整');
    // The evidence list refreshes itself after the uploads.
    await expect.poll(() => page.locator('#item-evidence .evidence-list li').count(), { timeout: 10_000 }).toBe(3);

    // Derived files are made by the job worker in production; here we run the job directly.
    const versions = await app.db.db.selectFrom('document_versions').select('id').execute();
    for (const v of versions) await deriveDocument({ db: app.db.db, store: app.db.store, tmpDir: app.db.config.dataDir }, v.id);

    // Preview the PDF.
    await page.click('#item-evidence .evidence-list a:has-text("培训签到表")');
    await page.waitForSelector('.preview .page img');
    await expect.poll(() => page.locator('.preview .page img').first().evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBeGreaterThan(100);
    const docUrl = page.url();

    // Link the same document to a second item, from that item's panel.
    await page.goto(`${app.url}/dossiers/${dossierId}/items/${second}`);
    await page.click('#item-evidence .link-existing summary');
    await page.fill('#item-evidence input[name=q]', '培训');
    await page.waitForSelector('#evidence-candidates form.candidate');
    // A reversed page range is refused with the server's message next to the form; the typed pages stay.
    const candidate = page.locator('#evidence-candidates form.candidate').first();
    await candidate.locator('input[name=page_from]').fill('2');
    await candidate.locator('input[name=page_to]').fill('1');
    await candidate.locator('button').click();
    await expect.poll(() => candidate.locator('.form-errors').textContent()).toContain('起始页不能大于结束页');
    expect(await candidate.locator('input[name=page_from]').inputValue()).toBe('2');
    await candidate.locator('input[name=page_from]').fill('');
    await candidate.locator('input[name=page_to]').fill('');
    await page.click('#evidence-candidates form.candidate button');
    await expect.poll(() => page.locator('#item-evidence .evidence-list li').count()).toBe(1);
    await page.goto(docUrl);
    expect(await page.locator('.links li').count()).toBe(2);

    // Reorder in the first item: move the last document up.
    await page.goto(`${app.url}/dossiers/${dossierId}/items/${first}`);
    const before = await page.locator('#item-evidence .evidence-list li > a').allTextContents();
    await page.locator('#item-evidence .evidence-list li').last().locator('button[title=上移]').click();
    await expect.poll(() => page.locator('#item-evidence .evidence-list li > a').allTextContents()).toEqual([before[0], before[2], before[1]]);

    // Replace the PDF with a new version; the old one stays listed.
    await page.goto(docUrl);
    // Several files dropped on the new-version zone are refused, not turned into several versions.
    await page.evaluate(() => {
      const dt = new DataTransfer();
      dt.items.add(new File(['a'], 'a.pdf'));
      dt.items.add(new File(['b'], 'b.pdf'));
      document.querySelector('form[data-upload]')!.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    });
    expect(await page.locator('form[data-upload] .upload-list li.error').textContent()).toContain('一次只能上传一个文件');
    expect(await page.locator('form[data-upload] .upload-list progress').count()).toBe(0);
    await page.setInputFiles('.versions + form input[type=file], form[data-upload] input[type=file]', files.v2!);
    await page.waitForSelector('form[data-upload] .upload-list li.ok');
    await page.waitForLoadState('load');
    await page.goto(docUrl);
    expect(await page.locator('.versions li').count()).toBe(2);
    await page.screenshot({ path: path.join(dir, 'document.png') });

    // The library's upload keeps the reasons for refused files on screen (no reload over them).
    await page.click('nav >> text=文件库');
    await page.waitForSelector('form[data-upload] input[type=file]');
    await page.setInputFiles('form[data-upload] input[type=file]', [files.jpeg!, files.corrupt!]);
    await page.waitForSelector('form[data-upload] .upload-list li.error');
    await page.waitForSelector('form[data-upload] .upload-refresh');
    await page.waitForTimeout(1500); // longer than the reload delay after a fully successful batch
    expect(await page.locator('form[data-upload] .upload-list li.error').count()).toBe(1);
    await page.close();
  });
});
