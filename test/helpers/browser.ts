// Headless Debian Chromium through playwright-core, and the app served on a loopback port.
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { chromium, type Browser, type Page } from 'playwright-core';
import { DEMO_PASSWORD } from '../../src/demo/seed-demo.ts';
import { createApp } from '../../src/app.tsx';
import { createJobHandlers } from '../../src/jobs/job-handlers.ts';
import { startWorker } from '../../src/jobs/worker.ts';
import { createTestDb, type TestDb } from './test-db.ts';

export const CHROMIUM_PATH = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
  });
}

export interface RunningApp {
  url: string;
  db: TestDb;
  close(): Promise<void>;
}

/** The app on a loopback port; with `workers`, also the background job workers, as `npm start` runs them. */
export async function startApp(opts: { workers?: number } = {}): Promise<RunningApp> {
  const db = await createTestDb();
  const app = createApp({ config: db.config, database: db, store: db.store });
  const jobs = opts.workers ? createJobHandlers({ config: { ...db.config, workers: opts.workers }, database: db, store: db.store }) : null;
  const worker = jobs ? startWorker({ db: db.db, handlers: jobs.handlers, concurrency: opts.workers, pollMs: 200 }) : null;
  const server: ServerType = await new Promise((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    db,
    close: async () => {
      await new Promise<void>((r) => server.close(() => r()));
      await worker?.stop();
      await jobs?.close();
      await db.close();
    },
  };
}

/** Signs in through the login form, as a person would, and waits for the dossier list. */
export async function loginInBrowser(page: Page, baseUrl: string, username: string): Promise<void> {
  await page.goto(`${baseUrl}/login`);
  await page.fill('input[name=username]', username);
  await page.fill('input[name=password]', DEMO_PASSWORD);
  await page.click('button[type=submit]');
  await page.waitForURL(/\/dossiers$/);
}
