// Binder builds (issue 5), review rounds, annotations, decisions, rectification and seals (issue 6).
// See docs/decisions/0002-data-model.md. Frozen in time: never import app code.
import { type Kysely, PostgresAdapter, sql } from 'kysely';

/** The review routes of seed 000/004 as data; '' = the national default a province may override. */
const DEFAULT_ROUTES: [string, number, string, string, number][] = [
  ['basic', 0, 'county', '审核/初评', 30],
  ['basic', 1, 'city', '复核', 30],
  ['recommended', 0, 'county', '审核', 20],
  ['recommended', 1, 'city', '初评', 30],
  ['recommended', 2, 'province', '复核', 30],
  ['community_hospital', 0, 'county', '初评', 30],
  ['community_hospital', 1, 'city', '复核', 30],
];

export async function up(db: Kysely<any>): Promise<void> {
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;

  // Optimistic lock: every review transition bumps it, so two concurrent decisions cannot both stand.
  await db.schema.alterTable('dossiers').addColumn('review_version', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable('dossiers').addColumn('submitted_at', 'text').execute();
  await db.schema.alterTable('dossiers').addColumn('decided_at', 'text').execute();
  // Evidence carried over from an earlier dossier (a new campaign year or a 回头看 re-review).
  await db.schema.alterTable('dossiers').addColumn('previous_dossier_id', 'text').execute();
  await db.schema.alterTable('dossiers').addColumn('purpose', 'text', (c) => c.notNull().defaultTo('assessment')).execute(); // assessment | re_review

  await db.schema
    .createTable('binder_builds')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('dossier_id', 'text', (c) => c.notNull().references('dossiers.id'))
    .addColumn('options_json', 'text', (c) => c.notNull()) // canonical JSON of BinderOptions
    .addColumn('state', 'text', (c) => c.notNull().check(sql`state in ('queued','running','done','failed')`))
    .addColumn('job_id', 'text')
    .addColumn('requested_by', 'text', (c) => c.references('users.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('finished_at', 'text')
    .addColumn('input_sha256', 'text') // hash of the dossier state the binder was built from
    .addColumn('page_count', 'integer')
    .addColumn('volume_count', 'integer')
    .addColumn('labels_sha256', 'text', (c) => c.references('blobs.sha256')) // box-cover and spine labels PDF
    .addColumn('report_json', 'text', (c) => c.notNull().defaultTo('{}')) // replaced documents, warnings
    .addColumn('error', 'text', (c) => c.notNull().defaultTo(''))
    .execute();
  await db.schema.createIndex('binder_builds_dossier').on('binder_builds').columns(['dossier_id', 'created_at']).execute();

  await db.schema
    .createTable('binder_volumes')
    .addColumn('build_id', 'text', (c) => c.notNull().references('binder_builds.id'))
    .addColumn('volume_no', 'integer', (c) => c.notNull())
    .addColumn('blob_sha256', 'text', (c) => c.notNull().references('blobs.sha256'))
    .addColumn('size', pg ? 'bigint' : 'integer', (c) => c.notNull())
    .addColumn('page_count', 'integer', (c) => c.notNull())
    .addColumn('first_item', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('last_item', 'text', (c) => c.notNull().defaultTo(''))
    .addPrimaryKeyConstraint('binder_volumes_pk', ['build_id', 'volume_no'])
    .execute();

  await db.schema
    .createTable('review_routes')
    .addColumn('province_code', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('target_level', 'text', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('region_level', 'text', (c) => c.notNull().check(sql`region_level in ('county','city','province')`))
    .addColumn('label', 'text', (c) => c.notNull())
    .addColumn('deadline_days', 'integer', (c) => c.notNull().defaultTo(30))
    .addPrimaryKeyConstraint('review_routes_pk', ['province_code', 'target_level', 'position'])
    .execute();
  for (const [target_level, position, region_level, label, deadline_days] of DEFAULT_ROUTES) {
    await db.insertInto('review_routes').values({ province_code: '', target_level, position, region_level, label, deadline_days }).execute();
  }

  // One row each time a stage receives the dossier (a return and resubmission opens a new row).
  await db.schema
    .createTable('review_stages')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('dossier_id', 'text', (c) => c.notNull().references('dossiers.id'))
    .addColumn('round', 'integer', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('region_level', 'text', (c) => c.notNull())
    .addColumn('region_code', 'text', (c) => c.notNull().references('regions.code'))
    .addColumn('label', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull().check(sql`state in ('active','passed','returned','failed')`))
    .addColumn('opened_at', 'text', (c) => c.notNull())
    .addColumn('deadline', 'text', (c) => c.notNull())
    .addColumn('closed_at', 'text')
    .execute();
  await db.schema.createIndex('review_stages_inbox').on('review_stages').columns(['state', 'region_code']).execute();
  await db.schema.createIndex('review_stages_dossier').on('review_stages').columns(['dossier_id', 'opened_at']).execute();

  await db.schema
    .createTable('review_assignments')
    .addColumn('dossier_id', 'text', (c) => c.notNull().references('dossiers.id'))
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('assigned_by', 'text', (c) => c.references('users.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('review_assignments_pk', ['dossier_id', 'user_id'])
    .execute();

  await db.schema
    .createTable('review_grades')
    .addColumn('dossier_id', 'text', (c) => c.notNull().references('dossiers.id'))
    .addColumn('round', 'integer', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('item_code', 'text', (c) => c.notNull())
    .addColumn('grade', 'text')
    .addColumn('note', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('onsite_finding', 'text', (c) => c.notNull().defaultTo('')) // 现场复核 finding
    .addColumn('reviewer_id', 'text', (c) => c.references('users.id'))
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('review_grades_pk', ['dossier_id', 'round', 'position', 'item_code'])
    .execute();

  await db.schema
    .createTable('annotations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('dossier_id', 'text', (c) => c.notNull().references('dossiers.id'))
    .addColumn('round', 'integer', (c) => c.notNull())
    .addColumn('position', 'integer') // review stage; null when written by the institution
    .addColumn('item_code', 'text')
    .addColumn('document_id', 'text', (c) => c.notNull().references('documents.id'))
    .addColumn('version_id', 'text', (c) => c.notNull().references('document_versions.id'))
    .addColumn('page_no', 'integer', (c) => c.notNull())
    // Rectangle as fractions (0–1) of the rendered page, origin top-left.
    .addColumn('x', 'real', (c) => c.notNull())
    .addColumn('y', 'real', (c) => c.notNull())
    .addColumn('w', 'real', (c) => c.notNull())
    .addColumn('h', 'real', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('author_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('resolved_at', 'text')
    .addColumn('resolved_by', 'text', (c) => c.references('users.id'))
    .execute();
  await db.schema.createIndex('annotations_dossier').on('annotations').columns(['dossier_id', 'document_id', 'page_no']).execute();

  await db.schema
    .createTable('annotation_replies')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('annotation_id', 'text', (c) => c.notNull().references('annotations.id'))
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('author_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('annotation_replies_annotation').on('annotation_replies').columns(['annotation_id', 'created_at']).execute();

  await db.schema
    .createTable('decisions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('dossier_id', 'text', (c) => c.notNull().references('dossiers.id'))
    .addColumn('stage_id', 'text', (c) => c.notNull().references('review_stages.id'))
    .addColumn('round', 'integer', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('outcome', 'text', (c) => c.notNull().check(sql`outcome in ('pass','return','fail')`))
    .addColumn('reasons', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('items_json', 'text', (c) => c.notNull().defaultTo('[]')) // items to fix
    .addColumn('decided_by', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('decided_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('decisions_one_per_stage', ['stage_id']) // exactly one decision stands
    .execute();
  await db.schema.createIndex('decisions_dossier').on('decisions').columns(['dossier_id', 'decided_at']).execute();

  await db.schema
    .createTable('rectifications')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('dossier_id', 'text', (c) => c.notNull().references('dossiers.id'))
    .addColumn('item_code', 'text', (c) => c.notNull())
    .addColumn('problem', 'text', (c) => c.notNull())
    .addColumn('measures', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('responsible', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('deadline', 'text') // YYYY-MM-DD
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('open','in_progress','done')`))
    .addColumn('source', 'text', (c) => c.notNull().check(sql`source in ('reviewer','institution')`))
    .addColumn('annotation_id', 'text', (c) => c.references('annotations.id'))
    .addColumn('created_by', 'text', (c) => c.references('users.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('completed_at', 'text')
    .execute();
  await db.schema.createIndex('rectifications_dossier').on('rectifications').columns(['dossier_id', 'item_code']).execute();

  await db.schema
    .createTable('rectification_evidence')
    .addColumn('rectification_id', 'text', (c) => c.notNull().references('rectifications.id'))
    .addColumn('document_id', 'text', (c) => c.notNull().references('documents.id'))
    .addPrimaryKeyConstraint('rectification_evidence_pk', ['rectification_id', 'document_id'])
    .execute();

  // Append-only chain per dossier: seal n records sha256(manifest n) and seal n-1's sha256.
  await db.schema
    .createTable('seals')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('dossier_id', 'text', (c) => c.notNull().references('dossiers.id'))
    .addColumn('sequence', 'integer', (c) => c.notNull()) // 1, 2, 3 … per dossier
    .addColumn('round', 'integer', (c) => c.notNull())
    .addColumn('event', 'text', (c) => c.notNull()) // submit | pass | return | fail | final
    .addColumn('decision_id', 'text', (c) => c.references('decisions.id'))
    .addColumn('manifest_json', 'text', (c) => c.notNull()) // canonical JSON, exactly the bytes hashed
    .addColumn('manifest_sha256', 'text', (c) => c.notNull())
    .addColumn('previous_sha256', 'text')
    .addColumn('binder_build_id', 'text', (c) => c.references('binder_builds.id'))
    .addColumn('created_by', 'text', (c) => c.references('users.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('seals_sequence', ['dossier_id', 'sequence'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of [
    'seals',
    'rectification_evidence',
    'rectifications',
    'decisions',
    'annotation_replies',
    'annotations',
    'review_grades',
    'review_assignments',
    'review_stages',
    'review_routes',
    'binder_volumes',
    'binder_builds',
  ])
    await db.schema.dropTable(t).execute();
  for (const c of ['review_version', 'submitted_at', 'decided_at', 'previous_dossier_id', 'purpose']) await db.schema.alterTable('dossiers').dropColumn(c).execute();
}
