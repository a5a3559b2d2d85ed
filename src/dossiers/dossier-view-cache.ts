// The dossier page is read far more often than a dossier changes. Its view (and the rendered item tree)
// is kept per process, keyed by everything that can change it: the dossier's and the institution's
// updated_at and the newest document event (every evidence link, unlink, reorder, trash and restore
// writes one). A key that no longer matches is simply never hit again; entries are bounded (LRU).
import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import type { User } from '../db/schema.ts';
import { evidenceCounts } from '../documents/document-repository.ts';
import { loadStandard } from '../standards/standard-repository.ts';
import { dossierItems, findDossier } from './dossier-repository.ts';
import { buildDossierView, type DossierView } from './dossier-view-model.ts';

const MAX_ENTRIES = 200;
const views = new Map<string, DossierView>();

async function evidenceStamp(db: Db): Promise<number> {
  const row = await sql<{ n: number | null }>`select max(id) as n from document_events`.execute(db);
  return Number(row.rows[0]?.n ?? 0);
}

/** The dossier's view for `user`, or null when it does not exist or is outside the user's scope. */
export async function loadDossierView(db: Db, user: User, id: string): Promise<DossierView | null> {
  const found = await findDossier(db, user, id);
  if (!found) return null;
  const { dossier, institution } = found;
  const key = `${id}|${dossier.updated_at}|${institution.updated_at}|${await evidenceStamp(db)}`;
  const hit = views.get(key);
  if (hit) {
    views.delete(key);
    views.set(key, hit); // most recently used last
    return hit;
  }
  const standard = await loadStandard(db, dossier.standard_id);
  if (!standard) throw new Error(`standard ${dossier.standard_id} missing`);
  const view = buildDossierView(dossier, institution, standard, await dossierItems(db, id), await evidenceCounts(db, id));
  views.set(key, view);
  if (views.size > MAX_ENTRIES) views.delete(views.keys().next().value!);
  return view;
}

/** Drops a dossier's cached views after a write in this process (two writes may share a millisecond). */
export function forgetDossierView(id: string): void {
  for (const key of [...views.keys()]) if (key.startsWith(`${id}|`)) views.delete(key);
}

const trees = new WeakMap<DossierView, string>();

/** The rendered item tree of a cached view, rendered once per view. */
export function cachedTreeHtml(view: DossierView, render: () => string): string {
  let html = trees.get(view);
  if (html === undefined) {
    html = render();
    trees.set(view, html);
  }
  return html;
}
