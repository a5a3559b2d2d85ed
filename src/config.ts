// The one place the environment is read.
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';

const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('0.0.0.0'),
  DOSSIER_DATA_DIR: z.string().optional(),
  DATABASE_URL: z.string().optional(),
  DOSSIER_DEMO: z.enum(['0', '1']).default('1'),
  DOSSIER_SECURE_COOKIES: z.enum(['0', '1']).default('0'),
  DOSSIER_SESSION_HOURS: z.coerce.number().positive().default(12),
  DOSSIER_WORKERS: z.coerce.number().int().min(0).max(64).optional(),
  DOSSIER_MAX_UPLOAD_MB: z.coerce.number().positive().max(10_000).default(200),
});

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  /** postgres://… selects Postgres; otherwise SQLite at `${dataDir}/dossier.sqlite`. */
  databaseUrl: string | null;
  demo: boolean;
  secureCookies: boolean;
  sessionHours: number;
  /** Largest evidence file accepted, in bytes. */
  maxUploadBytes: number;
  /** Background job slots in this process (OCR, conversions); 0 leaves jobs to `npm run worker`. */
  workers: number;
  /** S3_* settings, parsed by the object store factory; S3 is used when S3_ENDPOINT is set. */
  objectStore: { S3_ENDPOINT?: string; S3_BUCKET?: string; S3_ACCESS_KEY?: string; S3_SECRET_KEY?: string; S3_USE_SSL?: string; S3_REGION?: string };
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`配置错误 (environment):\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const url = e.DATABASE_URL?.trim() || null;
  if (url && !/^postgres(ql)?:\/\//.test(url)) throw new Error('配置错误: DATABASE_URL 必须以 postgres:// 开头');
  return {
    port: e.PORT,
    host: e.HOST,
    dataDir: path.resolve(e.DOSSIER_DATA_DIR ?? 'storage'),
    databaseUrl: url,
    demo: e.DOSSIER_DEMO === '1',
    secureCookies: e.DOSSIER_SECURE_COOKIES === '1',
    sessionHours: e.DOSSIER_SESSION_HOURS,
    maxUploadBytes: Math.round(e.DOSSIER_MAX_UPLOAD_MB * 1024 * 1024),
    workers: e.DOSSIER_WORKERS ?? os.availableParallelism(),
    objectStore: {
      S3_ENDPOINT: env['S3_ENDPOINT'] || undefined,
      S3_BUCKET: env['S3_BUCKET'],
      S3_ACCESS_KEY: env['S3_ACCESS_KEY'],
      S3_SECRET_KEY: env['S3_SECRET_KEY'],
      S3_USE_SSL: env['S3_USE_SSL'],
      S3_REGION: env['S3_REGION'],
    },
  };
}
