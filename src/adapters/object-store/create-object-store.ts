// Picks the object store from the environment: S3/MinIO when S3_ENDPOINT is set, else the local filesystem at
// `${dataDir}/objects`.
import path from 'node:path';
import { z } from 'zod';
import { createFilesystemStore } from './filesystem-store.ts';
import type { ObjectStore } from './object-store.ts';
import { createS3Store, type S3StoreOptions } from './s3-store.ts';

export interface ObjectStoreEnv {
  S3_ENDPOINT?: string | undefined;
  S3_BUCKET?: string | undefined;
  S3_ACCESS_KEY?: string | undefined;
  S3_SECRET_KEY?: string | undefined;
  S3_USE_SSL?: string | undefined;
  S3_REGION?: string | undefined;
}

const blankToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const optionalString = z.preprocess(blankToUndefined, z.string().trim().optional());

const s3EnvSchema = z.object({
  S3_ENDPOINT: optionalString,
  S3_BUCKET: z.preprocess(
    blankToUndefined,
    z
      .string()
      .trim()
      .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'S3 桶名只能包含小写字母、数字、点和连字符，长度 3–63')
      .optional(),
  ),
  // Keys are taken verbatim (not trimmed), but must not be blank.
  S3_ACCESS_KEY: z.preprocess(blankToUndefined, z.string().optional()),
  S3_SECRET_KEY: z.preprocess(blankToUndefined, z.string().optional()),
  S3_USE_SSL: z.preprocess(
    (v) => (typeof v === 'string' ? (v.trim() === '' ? undefined : v.trim().toLowerCase()) : v),
    z.enum(['1', '0', 'true', 'false', 'yes', 'no', 'on', 'off'], { message: 'S3_USE_SSL 应为 1 或 0' }).optional(),
  ),
  S3_REGION: optionalString,
});

/** Parses the S3 settings; null when S3_ENDPOINT is not set (filesystem store). Throws `配置错误: …`. */
export function parseS3Env(env: ObjectStoreEnv): S3StoreOptions | null {
  const parsed = s3EnvSchema.safeParse({
    S3_ENDPOINT: env.S3_ENDPOINT,
    S3_BUCKET: env.S3_BUCKET,
    S3_ACCESS_KEY: env.S3_ACCESS_KEY,
    S3_SECRET_KEY: env.S3_SECRET_KEY,
    S3_USE_SSL: env.S3_USE_SSL,
    S3_REGION: env.S3_REGION,
  });
  if (!parsed.success) {
    // Never echo the values: one of them is a secret.
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`配置错误 (S3):\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  if (!e.S3_ENDPOINT) return null;

  const missing = (['S3_BUCKET', 'S3_ACCESS_KEY', 'S3_SECRET_KEY'] as const).filter((k) => !e[k]);
  if (missing.length > 0) {
    throw new Error(`配置错误: 已设置 S3_ENDPOINT，但缺少 ${missing.join('、')}`);
  }

  const ep = parseEndpoint(e.S3_ENDPOINT);
  const sslFlag = e.S3_USE_SSL === undefined ? undefined : ['1', 'true', 'yes', 'on'].includes(e.S3_USE_SSL);
  if (ep.scheme && sslFlag !== undefined && sslFlag !== (ep.scheme === 'https')) {
    throw new Error(`配置错误: S3_ENDPOINT 使用 ${ep.scheme}://，与 S3_USE_SSL=${e.S3_USE_SSL} 矛盾`);
  }
  const useSSL = sslFlag ?? ep.scheme === 'https';
  const opts: S3StoreOptions = {
    endPoint: ep.host,
    port: ep.port ?? (useSSL ? 443 : 80),
    useSSL,
    accessKey: e.S3_ACCESS_KEY!,
    secretKey: e.S3_SECRET_KEY!,
    bucket: e.S3_BUCKET!,
  };
  if (e.S3_REGION) opts.region = e.S3_REGION;
  return opts;
}

/** `host`, `host:port`, `[::1]:9000`, or `http(s)://host[:port]` (no path). */
export function parseEndpoint(raw: string): { host: string; port?: number; scheme?: 'http' | 'https' } {
  const bad = (why: string) => new Error(`配置错误: S3_ENDPOINT=${JSON.stringify(raw)} 无效 (${why})`);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(raw)) {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw bad('无法解析的 URL');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw bad('只支持 http:// 或 https://');
    if (url.username || url.password) throw bad('不要在地址中写账号，请用 S3_ACCESS_KEY / S3_SECRET_KEY');
    if ((url.pathname !== '/' && url.pathname !== '') || url.search || url.hash) throw bad('地址不能带路径');
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    if (!host) throw bad('缺少主机名');
    const out: { host: string; port?: number; scheme: 'http' | 'https' } = {
      host,
      scheme: url.protocol === 'https:' ? 'https' : 'http',
    };
    if (url.port) out.port = Number(url.port);
    return out;
  }
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([A-Za-z0-9.-]+))(?::(\d{1,5}))?$/.exec(raw);
  if (!m) throw bad('应为 host:port 或 http://host:port');
  const host = (m[1] ?? m[2])!;
  if (m[3] === undefined) return { host };
  const port = Number(m[3]);
  if (port < 1 || port > 65535) throw bad('端口超出范围');
  return { host, port };
}

export interface CreateObjectStoreOptions {
  /** S3 only: create the bucket if missing before returning (default true). Fails when S3 is unreachable. */
  ensureBucket?: boolean;
}

export async function createObjectStore(
  env: ObjectStoreEnv,
  dataDir: string,
  opts: CreateObjectStoreOptions = {},
): Promise<ObjectStore> {
  const s3 = parseS3Env(env);
  if (!s3) return createFilesystemStore(path.join(dataDir, 'objects'));
  const store = createS3Store(s3);
  if (opts.ensureBucket !== false) {
    try {
      await store.ensureBucket();
    } catch (err) {
      await store.close();
      throw err;
    }
  }
  return store;
}
