// Where a document version's text stands: waiting, being read (pages done / total), done, or failed with why.
// Read from its 'extract_text' job and its stored pages.
import type { Db } from '../db/database.ts';

export interface TextStatus {
  state: 'none' | 'waiting' | 'queued' | 'running' | 'done' | 'failed';
  done: number;
  total: number;
  error: string;
  pages: number;
  ocrPages: number;
  jobId: string | null;
}

/** Text status of many versions at once (library and evidence lists). */
export async function textStatuses(db: Db, versionIds: string[]): Promise<Map<string, TextStatus>> {
  const out = new Map<string, TextStatus>();
  if (versionIds.length === 0) return out;
  const keys = versionIds.map((v) => `text:${v}`);
  const jobs = await db
    .selectFrom('jobs')
    .select(['id', 'dedupe_key', 'state', 'progress_done', 'progress_total', 'last_error'])
    .where('dedupe_key', 'in', keys)
    .execute();
  const pageRows = await db
    .selectFrom('pages')
    .select(['version_id', (eb) => eb.fn.countAll<number>().as('n'), (eb) => eb.fn.sum<number>(eb.case().when('source', '=', 'ocr').then(1).else(0).end()).as('ocr')])
    .where('version_id', 'in', versionIds)
    .groupBy('version_id')
    .execute();
  const pages = new Map(pageRows.map((r) => [r.version_id, { n: Number(r.n), ocr: Number(r.ocr ?? 0) }]));
  const byKey = new Map(jobs.map((j) => [j.dedupe_key, j]));
  const deriving = await db
    .selectFrom('jobs')
    .select('dedupe_key')
    .where('dedupe_key', 'in', versionIds.map((v) => `derive:${v}`))
    .where('state', 'in', ['queued', 'running'])
    .execute();
  const derivingSet = new Set(deriving.map((d) => d.dedupe_key));
  for (const v of versionIds) {
    const job = byKey.get(`text:${v}`);
    const p = pages.get(v) ?? { n: 0, ocr: 0 };
    const base = { done: 0, total: 0, error: '', pages: p.n, ocrPages: p.ocr, jobId: job?.id ?? null };
    if (!job) out.set(v, { ...base, state: derivingSet.has(`derive:${v}`) ? 'waiting' : 'none' });
    else if (job.state === 'cancelled') out.set(v, { ...base, state: 'failed', error: '已取消' });
    else out.set(v, { ...base, state: job.state, done: job.progress_done, total: job.progress_total, error: job.state === 'failed' ? job.last_error : '' });
  }
  return out;
}

export async function textStatus(db: Db, versionId: string): Promise<TextStatus> {
  return (await textStatuses(db, [versionId])).get(versionId)!;
}
