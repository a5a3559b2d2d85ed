// Foundation: regions, institutions, accounts, sessions, standards, dossiers, self-assessment, audit log.
// Frozen in time: never import app code. Types are chosen to mean the same on SQLite and Postgres.
import { type Kysely, PostgresAdapter, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;

  await db.schema
    .createTable('regions')
    .addColumn('code', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('level', 'text', (c) => c.notNull().check(sql`level in ('province','city','county')`))
    .addColumn('parent_code', 'text', (c) => c.references('regions.code'))
    .addColumn('province_code', 'text', (c) => c.notNull())
    .addColumn('city_code', 'text')
    .execute();
  await db.schema.createIndex('regions_parent').on('regions').column('parent_code').execute();

  await db.schema
    .createTable('institutions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('township','community')`))
    .addColumn('county_code', 'text', (c) => c.notNull().references('regions.code'))
    .addColumn('address', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('legal_representative', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('phone', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('floor_area', 'real')
    .addColumn('business_floor_area', 'real')
    .addColumn('service_population', 'integer')
    .addColumn('staff_count', 'integer')
    .addColumn('health_technicians', 'integer')
    .addColumn('open_beds', 'integer')
    .addColumn('devices_over_10k', 'integer')
    .addColumn('yearly_visits', 'integer')
    .addColumn('yearly_discharges', 'integer')
    .addColumn('featured_departments', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('senior_physicians', 'integer')
    .addColumn('registered_gps', 'integer')
    .addColumn('common_diseases', 'integer')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('institutions_county').on('institutions').column('county_code').execute();
  await db.schema.createIndex('institutions_name').on('institutions').columns(['county_code', 'name']).unique().execute();

  await db.schema
    .createTable('users')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('username', 'text', (c) => c.notNull().unique())
    .addColumn('display_name', 'text', (c) => c.notNull())
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) =>
      c.notNull().check(sql`role in ('staff','head','county_reviewer','city_reviewer','province_reviewer','expert','admin')`),
    )
    .addColumn('institution_id', 'text', (c) => c.references('institutions.id'))
    .addColumn('region_code', 'text', (c) => c.references('regions.code'))
    .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('sessions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('csrf_token', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('ip', 'text', (c) => c.notNull().defaultTo(''))
    .execute();
  await db.schema.createIndex('sessions_user').on('sessions').column('user_id').execute();

  await db.schema
    .createTable('login_throttle')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('failures', 'integer', (c) => c.notNull())
    .addColumn('window_started_at', 'text', (c) => c.notNull())
    .addColumn('locked_until', 'text')
    .execute();

  await db.schema
    .createTable('standards')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('institution_kind', 'text', (c) => c.notNull())
    .addColumn('edition', 'integer', (c) => c.notNull())
    .addColumn('demonstration', 'integer', (c) => c.notNull())
    .addColumn('notice', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('rules_json', 'text', (c) => c.notNull())
    .addColumn('content_sha256', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('standard_nodes')
    .addColumn('standard_id', 'text', (c) => c.notNull().references('standards.id').onDelete('cascade'))
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('depth', 'integer', (c) => c.notNull())
    .addColumn('parent_code', 'text')
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('requirement_c', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('requirement_b', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('requirement_a', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('core', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('tier', 'text')
    .addColumn('evidence_hints', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('keywords', 'text', (c) => c.notNull().defaultTo('[]'))
    .addPrimaryKeyConstraint('standard_nodes_pk', ['standard_id', 'code'])
    .execute();
  await db.schema.createIndex('standard_nodes_order').on('standard_nodes').columns(['standard_id', 'position']).execute();

  await db.schema
    .createTable('dossiers')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('institution_id', 'text', (c) => c.notNull().references('institutions.id'))
    .addColumn('year', 'integer', (c) => c.notNull())
    .addColumn('target_level', 'text', (c) =>
      c.notNull().check(sql`target_level in ('basic','recommended','community_hospital')`),
    )
    .addColumn('standard_id', 'text', (c) => c.notNull().references('standards.id'))
    .addColumn('state', 'text', (c) =>
      c.notNull().check(sql`state in ('draft','submitted','in_review','returned','passed','failed')`),
    )
    .addColumn('stage', 'integer')
    .addColumn('round', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('dossiers_one_per_target', ['institution_id', 'year', 'target_level'])
    .execute();

  await db.schema
    .createTable('dossier_items')
    .addColumn('dossier_id', 'text', (c) => c.notNull().references('dossiers.id').onDelete('cascade'))
    .addColumn('item_code', 'text', (c) => c.notNull())
    .addColumn('self_grade', 'text', (c) => c.check(sql`self_grade in ('A','B','C','未达标')`))
    .addColumn('narrative', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('updated_by', 'text', (c) => c.references('users.id'))
    .addColumn('updated_at', 'text')
    .addPrimaryKeyConstraint('dossier_items_pk', ['dossier_id', 'item_code'])
    .execute();

  await db.schema
    .createTable('audit_log')
    .addColumn('id', pg ? 'serial' : 'integer', (c) => (pg ? c.primaryKey() : c.primaryKey().autoIncrement()))
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text')
    .addColumn('ip', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('subject_type', 'text', (c) => c.notNull())
    .addColumn('subject_id', 'text', (c) => c.notNull())
    .addColumn('detail', 'text', (c) => c.notNull().defaultTo('{}'))
    .execute();
  await db.schema.createIndex('audit_subject').on('audit_log').columns(['subject_type', 'subject_id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['audit_log', 'dossier_items', 'dossiers', 'standard_nodes', 'standards', 'login_throttle', 'sessions', 'users', 'institutions', 'regions']) {
    await db.schema.dropTable(t).execute();
  }
}
