// Streams a stored blob as an HTTP response (documents, renditions, binder volumes).
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { Readable } from 'node:stream';
import { blobKey } from '../documents/document-repository.ts';
import { notFound } from './access.ts';

export function contentDisposition(kind: 'attachment' | 'inline', name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

export async function sendBlob(c: Context, sha256: string | null, opts: { type: string; name?: string; inline?: boolean }) {
  if (!sha256) notFound('文件');
  const key = await blobKey(c.get('db'), sha256);
  if (!key) notFound('文件');
  const { store } = c.get('deps');
  const stat = await store.stat(key);
  if (!stat) throw new HTTPException(503, { message: '文件暂时无法读取（存储中找不到该文件），请联系管理员。' });
  const stream = await store.getStream(key);
  const headers: Record<string, string> = { 'content-type': opts.type, 'content-length': String(stat.size), 'cache-control': 'private, max-age=3600' };
  if (opts.name) headers['content-disposition'] = contentDisposition(opts.inline ? 'inline' : 'attachment', opts.name);
  return c.body(Readable.toWeb(stream) as ReadableStream, 200, headers);
}
