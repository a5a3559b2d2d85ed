// GET /healthz: database and storage status as JSON, for load balancers and operators.
import fs from 'node:fs/promises';
import path from 'node:path';
import { Hono } from 'hono';
import { sql } from 'kysely';
import type { AppDeps } from '../http/context.ts';

async function check(fn: () => Promise<unknown>): Promise<{ ok: boolean; error?: string }> {
  try {
    await fn();
    return { ok: true };
  } catch (err) {
    return { ok: false, error: (err as Error).message.slice(0, 200) };
  }
}

export function healthRoutes(deps: AppDeps): Hono {
  const app = new Hono();
  app.get('/healthz', async (c) => {
    const database = await check(() => sql`select 1`.execute(deps.database.db));
    const storage = await check(async () => {
      const probe = path.join(deps.config.dataDir, `.healthz-${process.pid}`);
      await fs.writeFile(probe, 'ok');
      await fs.rm(probe);
    });
    const objects = await deps.store.check();
    const ok = database.ok && storage.ok && objects.ok;
    return c.json(
      {
        status: ok ? 'ok' : 'error',
        database: { ...database, dialect: deps.database.dialect },
        storage: { ...storage, kind: "data-dir" },
        objectStore: { ...objects, kind: deps.store.kind },
      },
      ok ? 200 : 503,
    );
  });
  return app;
}
