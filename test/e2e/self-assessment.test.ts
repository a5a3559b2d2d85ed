// Browser journey: demo-staff logs in, opens the dossier, grades an item, sees the projected result change.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchBrowser, loginInBrowser, startApp, type RunningApp } from '../helpers/browser.ts';

let app: RunningApp;
let browser: Browser;

beforeAll(async () => {
  app = await startApp();
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await app?.close();
});

describe('self-assessment in the browser', () => {
  it('demo-staff grades a blocking ★ item and the projection updates without a reload', async () => {
    const page = await browser.newPage();
    await loginInBrowser(page, app.url, 'demo-staff');
    await page.click('text=修武县郇封镇卫生院');
    await page.waitForSelector('#projection');

    // The first blocker names a ★ item below C; open it from the projection's list.
    const blocker = page.locator('#projection .blockers a').first();
    const blockerText = (await blocker.textContent())!;
    const code = /★(\d+\.\d+\.\d+)/.exec(blockerText)![1]!;
    const blockersBefore = await page.locator('#projection .blockers li').count();
    expect(blockersBefore).toBeGreaterThan(0);

    await page.click(`#item-${code.replaceAll('.', '-')} a`);
    await page.waitForSelector(`#item-panel >> text=${code}`);
    const marker = await page.evaluate(() => ((window as unknown as { __marker: number }).__marker = 42));
    await page.check('#item-panel input[name=grade][value=B]');
    await page.fill('#item-panel textarea[name=narrative]', '已建立制度并定期自查。');
    await page.click('#item-panel button[type=submit]');
    await page.waitForSelector('#item-panel .flash.ok');

    // No full reload happened, the tree row shows the grade, and the blocker is gone.
    expect(await page.evaluate(() => (window as unknown as { __marker: number }).__marker)).toBe(marker);
    await expect.poll(() => page.locator(`#item-${code.replaceAll('.', '-')} .grade`).textContent()).toBe('B');
    await expect.poll(() => page.locator('#projection .blockers li').count()).toBe(blockersBefore - 1);
    expect(await page.locator('#projection').textContent()).not.toContain(`★${code} 未达C`);

    const row = await app.db.db.selectFrom('dossier_items').select(['self_grade', 'narrative']).where('item_code', '=', code).where('self_grade', '=', 'B').executeTakeFirst();
    expect(row?.narrative).toBe('已建立制度并定期自查。');
    await page.close();
  });

  it('each demo account sees its own scope', async () => {
    const expectations: [string, string[], string[]][] = [
      ['demo-staff', ['修武县郇封镇卫生院'], ['周庄镇', '获嘉县']],
      ['demo-county', ['修武县郇封镇卫生院', '修武县周庄镇卫生院'], ['博爱县', '获嘉县']],
      ['demo-city', ['修武县郇封镇卫生院', '博爱县清化镇街道社区卫生服务中心'], ['获嘉县']],
      ['demo-province', ['修武县郇封镇卫生院', '获嘉县城关镇社区卫生服务中心'], []],
    ];
    for (const [username, visible, hidden] of expectations) {
      const ctx = await browser.newContext();
      const page = await ctx.newPage();
      await loginInBrowser(page, app.url, username);
      const text = (await page.locator('main').textContent())!;
      for (const v of visible) expect(text, `${username} sees ${v}`).toContain(v);
      for (const h of hidden) expect(text, `${username} does not see ${h}`).not.toContain(h);
      await ctx.close();
    }
  });
});
