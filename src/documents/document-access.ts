// Who may do what with an institution's documents. Reading follows the account's scope; changing is for
// the institution's own staff and head.
import type { Context } from 'hono';
import { visibleInstitutionIds } from '../auth/scope.ts';
import type { Institution, User } from '../db/schema.ts';
import { currentUser, notFound } from '../http/access.ts';
import { findDocument, type DocumentRow } from './document-repository.ts';

export function canChangeDocuments(user: User, institutionId: string): boolean {
  return (user.role === 'staff' || user.role === 'head') && user.institution_id === institutionId;
}

export async function visibleInstitution(c: Context, id: string): Promise<Institution> {
  const db = c.get('db');
  const inst = await db
    .selectFrom('institutions')
    .selectAll()
    .where('id', '=', id)
    .where('id', 'in', visibleInstitutionIds(db, currentUser(c)))
    .executeTakeFirst();
  if (!inst) notFound('机构');
  return inst;
}

export async function visibleDocument(c: Context, id: string): Promise<DocumentRow> {
  const doc = await findDocument(c.get('db'), currentUser(c), id);
  if (!doc) notFound('文件');
  return doc;
}
