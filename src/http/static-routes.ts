// Static assets: our stylesheet and htmx, served from the installed package (no CDN).
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Hono } from 'hono';
import { publicDir } from '../paths.ts';

const require = createRequire(import.meta.url);
const htmxPath = path.join(path.dirname(require.resolve('htmx.org/package.json')), 'dist', 'htmx.min.js');

const ASSETS: Record<string, { file: string; type: string }> = {
  'htmx.min.js': { file: htmxPath, type: 'text/javascript; charset=utf-8' },
  'app.css': { file: path.join(publicDir, 'app.css'), type: 'text/css; charset=utf-8' },
  'app.js': { file: path.join(publicDir, 'app.js'), type: 'text/javascript; charset=utf-8' },
};

export function staticRoutes(): Hono {
  const app = new Hono();
  const cache = new Map<string, Buffer>();
  app.get('/:name', (c) => {
    const asset = ASSETS[c.req.param('name')];
    if (!asset) return c.notFound();
    let body = cache.get(asset.file);
    if (!body) {
      body = fs.readFileSync(asset.file);
      cache.set(asset.file, body);
    }
    return c.body(new Uint8Array(body), 200, { 'content-type': asset.type, 'cache-control': 'public, max-age=3600' });
  });
  return app;
}
