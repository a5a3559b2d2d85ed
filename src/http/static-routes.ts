// Static assets: our stylesheet and htmx, served from the installed package (no CDN).
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Hono } from 'hono';
import { publicDir } from '../paths.ts';

const require = createRequire(import.meta.url);
const htmxPath = path.join(path.dirname(require.resolve('htmx.org/package.json')), 'dist', 'htmx.min.js');

// pdf.js (the annotation viewer): its browser build; pages ask for it with ?v=<version>, so it may be cached long.
const pdfjsDir = path.dirname(require.resolve('pdfjs-dist/package.json'));
const LONG_CACHE = 'public, max-age=2592000';

const ASSETS: Record<string, { file: string; type: string; cache?: string }> = {
  'htmx.min.js': { file: htmxPath, type: 'text/javascript; charset=utf-8' },
  'app.css': { file: path.join(publicDir, 'app.css'), type: 'text/css; charset=utf-8' },
  'app.js': { file: path.join(publicDir, 'app.js'), type: 'text/javascript; charset=utf-8' },
  'annotate.js': { file: path.join(publicDir, 'annotate.js'), type: 'text/javascript; charset=utf-8' },
  'pdf.min.mjs': { file: path.join(pdfjsDir, 'build', 'pdf.min.mjs'), type: 'text/javascript; charset=utf-8', cache: LONG_CACHE },
  'pdf.worker.min.mjs': { file: path.join(pdfjsDir, 'build', 'pdf.worker.min.mjs'), type: 'text/javascript; charset=utf-8', cache: LONG_CACHE },
};

// pdf.js data it fetches by itself: CMaps (CJK fonts that are not embedded), standard fonts, wasm decoders.
const PDFJS_DATA: Record<string, { dir: string; pattern: RegExp; type: (name: string) => string }> = {
  cmaps: { dir: path.join(pdfjsDir, 'cmaps'), pattern: /^[\w.-]+\.bcmap$/, type: () => 'application/octet-stream' },
  standard_fonts: { dir: path.join(pdfjsDir, 'standard_fonts'), pattern: /^[\w.-]+\.(pfb|ttf)$/, type: (n) => (n.endsWith('.ttf') ? 'font/ttf' : 'application/octet-stream') },
  wasm: { dir: path.join(pdfjsDir, 'wasm'), pattern: /^[\w.-]+\.(wasm|js)$/, type: (n) => (n.endsWith('.js') ? 'text/javascript; charset=utf-8' : 'application/wasm') },
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
    return c.body(new Uint8Array(body), 200, { 'content-type': asset.type, 'cache-control': asset.cache ?? 'public, max-age=3600' });
  });
  app.get('/pdfjs/:dir/:name', (c) => {
    const data = PDFJS_DATA[c.req.param('dir')];
    const name = c.req.param('name');
    if (!data || !data.pattern.test(name) || name.startsWith('.')) return c.notFound();
    const file = path.join(data.dir, name);
    if (!fs.existsSync(file)) return c.notFound();
    return c.body(new Uint8Array(fs.readFileSync(file)), 200, { 'content-type': data.type(name), 'cache-control': LONG_CACHE });
  });
  return app;
}
