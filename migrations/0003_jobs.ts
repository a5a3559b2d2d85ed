// Durable job queue: background work (renditions, OCR, binders) survives restarts and crashes.
// Frozen in time: never import app code.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('jobs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull().defaultTo('{}')) // JSON
    .addColumn('state', 'text', (c) =>
      c.notNull().check(sql`state in ('queued','running','done','failed','cancelled')`),
    )
    .addColumn('priority', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('max_attempts', 'integer', (c) => c.notNull().defaultTo(5))
    .addColumn('run_after', 'text', (c) => c.notNull())
    // While running: the lease; a worker that stops heartbeating loses the job to the next claimer.
    .addColumn('lease_until', 'text')
    .addColumn('locked_by', 'text')
    .addColumn('progress_done', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('progress_total', 'integer', (c) => c.notNull().defaultTo(0)) // 0 = unknown
    .addColumn('last_error', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('result', 'text', (c) => c.notNull().defaultTo('{}')) // JSON
    // One live job per logical task (e.g. 'derive:<versionId>'); null = no de-duplication.
    .addColumn('dedupe_key', 'text', (c) => c.unique())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('finished_at', 'text')
    .execute();
  await db.schema.createIndex('jobs_claim').on('jobs').columns(['state', 'run_after', 'priority']).execute();
  await db.schema.createIndex('jobs_lease').on('jobs').column('lease_until').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('jobs').execute();
}
