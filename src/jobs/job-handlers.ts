// The one registry of job handlers, used by both the in-process workers (`npm start`) and `npm run worker`.
// Features register their handlers here: add `kind: createXxxHandler(deps)` to the object below (and the
// kind's payload to JobPayloads in job-types.ts). Handlers must be idempotent — see the header of worker.ts.
// A kind without a handler here is never claimed, so its jobs wait in 'queued' until one is registered.
import path from 'node:path';
import { createOcrPool, type OcrPool } from '../adapters/ocr.ts';
import { deriveDocument } from '../documents/derive-document.ts';
import { extractText } from '../documents/extract-text.ts';
import { runBinderBuild } from '../binder/binder-builds.ts';
import type { ObjectStore } from '../adapters/object-store/object-store.ts';
import type { Config } from '../config.ts';
import type { DatabaseHandle } from '../db/database.ts';
import type { JobHandlers } from './worker.ts';

export interface JobHandlerDeps {
  config: Config;
  database: DatabaseHandle;
  store: ObjectStore;
}

export interface JobHandlerSet {
  handlers: Partial<JobHandlers>;
  /** Releases what the handlers hold (the OCR workers); call after the job worker has stopped. */
  close(): Promise<void>;
}

export function createJobHandlers(deps: JobHandlerDeps): JobHandlerSet {
  const tmpDir = path.join(deps.config.dataDir, 'tmp');
  // OCR workers load ~20 MB of language data each: start them on first use, one per job slot.
  let pool: OcrPool | null = null;
  const ocr = () => (pool ??= createOcrPool({ workers: Math.max(1, deps.config.workers) }));
  return {
    handlers: {
      derive_document: ({ versionId }) => deriveDocument({ db: deps.database.db, store: deps.store, tmpDir }, versionId),
      extract_text: ({ versionId }, ctx) => extractText({ db: deps.database.db, store: deps.store, tmpDir, ocr }, versionId, ctx),
      build_binder: ({ buildId }, ctx) => runBinderBuild({ db: deps.database.db, store: deps.store, tmpDir }, buildId, ctx),
    },
    close: async () => {
      await pool?.close();
      pool = null;
    },
  };
}
