// The one registry of job handlers, used by both the in-process workers (`npm start`) and `npm run worker`.
// Features register their handlers here: add `kind: createXxxHandler(deps)` to the object below (and the
// kind's payload to JobPayloads in job-types.ts). Handlers must be idempotent — see the header of worker.ts.
// A kind without a handler here is never claimed, so its jobs wait in 'queued' until one is registered.
import path from 'node:path';
import { deriveDocument } from '../documents/derive-document.ts';
import type { ObjectStore } from '../adapters/object-store/object-store.ts';
import type { Config } from '../config.ts';
import type { DatabaseHandle } from '../db/database.ts';
import type { JobHandlers } from './worker.ts';

export interface JobHandlerDeps {
  config: Config;
  database: DatabaseHandle;
  store: ObjectStore;
}

export function createJobHandlers(deps: JobHandlerDeps): Partial<JobHandlers> {
  const tmpDir = path.join(deps.config.dataDir, 'tmp');
  return {
    derive_document: ({ versionId }) => deriveDocument({ db: deps.database.db, store: deps.store, tmpDir }, versionId),
  };
}
