// The ordered list of migrations. Listed explicitly (not read from the folder) so they load the same
// under tsx, vitest and a bundler.
import type { Migration } from 'kysely';
import * as m0001 from './0001_foundation.ts';
import * as m0002 from './0002_documents.ts';
import * as m0003 from './0003_jobs.ts';
import * as m0004 from './0004_page_text.ts';
import * as m0005 from './0005_binders_reviews_seals.ts';
import * as m0006 from './0006_page_terms.ts';

export const migrations: Record<string, Migration> = {
  '0001_foundation': m0001,
  '0002_documents': m0002,
  '0003_jobs': m0003,
  '0004_page_text': m0004,
  '0005_binders_reviews_seals': m0005,
  '0006_page_terms': m0006,
};
