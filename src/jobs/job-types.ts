// The job kinds and their payloads. Add a kind by adding a property to JobPayloads (here, or from a feature
// module with `declare module '../jobs/job-types.ts' { interface JobPayloads { my_kind: {...} } }`), then
// register its handler in src/jobs/job-handlers.ts. Payloads are stored as JSON: keep them small (ids, not
// content) and JSON-safe.
import type { Selectable } from 'kysely';
import type { JobState, JobTable } from '../db/schema.ts';

export type { JobState };

export interface JobPayloads {
  /** PDF rendition + thumbnail of an uploaded document version. */
  derive_document: { versionId: string };
  /** OCR / text extraction of a document version. */
  extract_text: { versionId: string };
  /** Assemble a printable binder. */
  build_binder: { buildId: string };
}

export type JobKind = keyof JobPayloads;

/** A row as stored (payload and result are JSON text). */
export type JobRow = Selectable<JobTable>;

/** A row with payload and result parsed; narrowing on `kind` narrows `payload`. */
export type Job<K extends JobKind = JobKind> = {
  [P in K]: Omit<JobRow, 'kind' | 'payload' | 'result'> & {
    kind: P;
    payload: JobPayloads[P];
    result: Record<string, unknown>;
  };
}[K];

export const JOB_STATES: readonly JobState[] = ['queued', 'running', 'done', 'failed', 'cancelled'];
