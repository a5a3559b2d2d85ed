// Values the middleware put on the request context, typed for every handler.
import type { ObjectStore } from '../adapters/object-store/object-store.ts';
import type { Config } from '../config.ts';
import type { DatabaseHandle, Db } from '../db/database.ts';
import type { User } from '../db/schema.ts';

export interface AppDeps {
  config: Config;
  database: DatabaseHandle;
  store: ObjectStore;
}

declare module 'hono' {
  interface ContextVariableMap {
    db: Db;
    deps: AppDeps;
    /** The signed-in account, or null. */
    user: User | null;
    sessionId: string | null;
    /** Token every state-changing request must echo (form field `_csrf` or header `x-csrf-token`). */
    csrfToken: string;
    /** True when htmx asked for a fragment. */
    htmx: boolean;
  }
}

export type { User };
