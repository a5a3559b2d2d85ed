// Tools such as pdftoppm and LibreOffice need a file on disk. This gives them one for any store.
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { ObjectStore } from './object-store.ts';

export async function withLocalCopy<T>(store: ObjectStore, key: string, tmpDir: string, fn: (file: string) => Promise<T>): Promise<T> {
  const direct = await store.localPath?.(key);
  if (direct) return fn(direct);
  await fs.mkdir(tmpDir, { recursive: true });
  const file = path.join(tmpDir, `copy-${randomBytes(10).toString('hex')}`);
  try {
    await pipeline(await store.getStream(key), createWriteStream(file));
    return await fn(file);
  } finally {
    await fs.rm(file, { force: true });
  }
}
