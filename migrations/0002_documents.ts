// Evidence documents: content-addressed blobs, documents with versions, links to dossier items, history.
// Frozen in time: never import app code.
import { type Kysely, PostgresAdapter } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;
  await db.schema
    .createTable('blobs')
    .addColumn('sha256', 'text', (c) => c.primaryKey())
    .addColumn('size', pg ? 'bigint' : 'integer', (c) => c.notNull())
    .addColumn('store_key', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('documents')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('institution_id', 'text', (c) => c.notNull().references('institutions.id'))
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('document_date', 'text')
    .addColumn('issuing_department', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('current_version_id', 'text')
    .addColumn('created_by', 'text', (c) => c.references('users.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('trashed_at', 'text')
    .addColumn('trashed_by', 'text', (c) => c.references('users.id'))
    .execute();
  await db.schema.createIndex('documents_institution').on('documents').columns(['institution_id', 'trashed_at', 'created_at']).execute();

  await db.schema
    .createTable('document_versions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('document_id', 'text', (c) => c.notNull().references('documents.id'))
    .addColumn('version_no', 'integer', (c) => c.notNull())
    .addColumn('blob_sha256', 'text', (c) => c.notNull().references('blobs.sha256'))
    .addColumn('file_name', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('mime', 'text', (c) => c.notNull())
    .addColumn('size', pg ? 'bigint' : 'integer', (c) => c.notNull())
    .addColumn('page_count', 'integer')
    .addColumn('printable', 'integer', (c) => c.notNull().defaultTo(1))
    // not_needed | pending | converted | unconverted (tool missing) | failed
    .addColumn('conversion_state', 'text', (c) => c.notNull())
    .addColumn('conversion_note', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('rendition_sha256', 'text', (c) => c.references('blobs.sha256'))
    .addColumn('thumbnail_sha256', 'text', (c) => c.references('blobs.sha256'))
    .addColumn('uploaded_by', 'text', (c) => c.references('users.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('document_versions_no', ['document_id', 'version_no'])
    .execute();
  await db.schema.createIndex('document_versions_blob').on('document_versions').column('blob_sha256').execute();

  await db.schema
    .createTable('item_evidence')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('dossier_id', 'text', (c) => c.notNull().references('dossiers.id'))
    .addColumn('item_code', 'text', (c) => c.notNull())
    .addColumn('document_id', 'text', (c) => c.notNull().references('documents.id'))
    // Null follows the document's current version; submission pins the version that was judged.
    .addColumn('version_id', 'text', (c) => c.references('document_versions.id'))
    .addColumn('page_from', 'integer')
    .addColumn('page_to', 'integer')
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.references('users.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('item_evidence_once', ['dossier_id', 'item_code', 'document_id'])
    .execute();
  await db.schema.createIndex('item_evidence_document').on('item_evidence').column('document_id').execute();

  await db.schema
    .createTable('document_events')
    .addColumn('id', pg ? 'serial' : 'integer', (c) => (pg ? c.primaryKey() : c.primaryKey().autoIncrement()))
    .addColumn('document_id', 'text', (c) => c.notNull())
    .addColumn('dossier_id', 'text')
    .addColumn('item_code', 'text')
    .addColumn('actor_id', 'text')
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('detail', 'text', (c) => c.notNull().defaultTo('{}'))
    .execute();
  await db.schema.createIndex('document_events_document').on('document_events').columns(['document_id', 'at']).execute();
  await db.schema.createIndex('document_events_item').on('document_events').columns(['dossier_id', 'item_code']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['document_events', 'item_evidence', 'document_versions', 'documents', 'blobs']) await db.schema.dropTable(t).execute();
}
