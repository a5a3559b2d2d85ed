// The dossier page is served from a per-process cache of rendered pages with the session's CSRF token spliced in.
// It must send exactly the bytes the page renders to without the cache, and every write must show on the next view.
import { Hono } from 'hono';
import { jsx } from 'hono/jsx';
import { PDFDocument } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findSession } from '../../src/auth/sessions.ts';
import { loadDossierView } from '../../src/dossiers/dossier-view-cache.ts';
import { nowIso } from '../../src/ids.ts';
import { DossierPage } from '../../views/dossier-page.tsx';
import { EmptyItemPanel } from '../../views/item-panel.tsx';
import { createTestApp, demoDossier, type Session, type TestApp } from '../helpers/test-app.ts';

let t: TestApp;
let staff: Session;
let dossierId: string;
let items: string[];

beforeAll(async () => {
  t = await createTestApp();
  staff = await t.login('demo-staff');
  ({ dossierId } = await demoDossier(t));
  items = (await t.db.db.selectFrom('dossier_items').select('item_code').where('dossier_id', '=', dossierId).orderBy('item_code').execute()).map((r) => r.item_code);
});
afterAll(() => t.close());

/** The page as the route rendered it before the page cache: c.html() of the JSX, for the session's account and token. */
async function uncached(s: Session): Promise<{ body: string; type: string | null; length: string | null }> {
  const token = /dossier_session=([^;]+)/.exec(s.cookie)![1]!;
  const session = (await findSession(t.db.db, token))!;
  const view = (await loadDossierView(t.db.db, session.user, dossierId))!;
  const element = jsx(DossierPage, { ctx: { user: session.user, csrfToken: session.csrfToken }, view, panel: jsx(EmptyItemPanel, {}) });
  const app = new Hono().get('/', (c) => c.html(element as unknown as string)); // what `c.html(<DossierPage … />)` was
  const res = await app.request('/');
  return { body: await res.text(), type: res.headers.get('content-type'), length: res.headers.get('content-length') };
}

async function page(s: Session): Promise<string> {
  const res = await t.get(`/dossiers/${dossierId}`, s);
  expect(res.status).toBe(200);
  return res.text();
}

async function pdf(label: string): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  doc.addPage([595, 842]).drawText(label, { x: 50, y: 780, size: 18 });
  return doc.save();
}

describe('dossier page cache', () => {
  it('sends byte for byte what the page renders to, with each session’s own CSRF token', async () => {
    const first = await t.get(`/dossiers/${dossierId}`, staff); // rendered and stored
    const second = await t.get(`/dossiers/${dossierId}`, staff); // from the cache
    const expected = await uncached(staff);
    const [a, b] = [await first.text(), await second.text()];
    expect(a).toBe(expected.body);
    expect(b).toBe(expected.body);
    expect(second.headers.get('content-type')).toBe(expected.type);
    expect(second.headers.get('content-type')).toBe('text/html; charset=UTF-8');
    expect(second.headers.get('content-security-policy')).toContain("default-src 'self'");
    // Not kept by the browser or a proxy: Back re-fetches the live page.
    expect(second.headers.get('cache-control')).toBe('no-store');
    // The token is in the meta tag, on <body hx-headers> and in the logout form.
    expect(b.split(staff.csrf).length - 1).toBeGreaterThanOrEqual(3);
    expect(b).toContain(`<meta name="csrf-token" content="${staff.csrf}"/>`);
    expect(b).toContain(`<input type="hidden" name="_csrf" value="${staff.csrf}"/>`);

    // A second session of the same account shares the cached page but gets its own token — and only that one.
    const again = await t.login('demo-staff');
    expect(again.csrf).not.toBe(staff.csrf);
    const other = await page(again);
    expect(other).toBe((await uncached(again)).body);
    expect(other).not.toContain(staff.csrf);
    expect(await page(staff)).toBe(expected.body);
  });

  it('each account gets its own page (name, role, navigation) for the same dossier', async () => {
    const head = await t.login('demo-head');
    const county = await t.login('demo-county');
    const [s, h, c] = [await page(staff), await page(head), await page(county)];
    expect(s).toBe((await uncached(staff)).body);
    expect(h).toBe((await uncached(head)).body);
    expect(c).toBe((await uncached(county)).body);
    expect(c).toContain('href="/review"'); // reviewers' navigation
    expect(s).not.toContain('href="/review"');
    expect(new Set([s, h, c]).size).toBe(3);
  });

  it('a self-assessment saved in another session shows on the next view', async () => {
    const before = await page(staff);
    const item = items[3]!;
    const head = await t.login('demo-head');
    const current = await t.db.db.selectFrom('dossier_items').select('self_grade').where('dossier_id', '=', dossierId).where('item_code', '=', item).executeTakeFirstOrThrow();
    const grade = current.self_grade === 'A' ? 'C' : 'A';
    const save = await t.post(`/dossiers/${dossierId}/items/${item}`, { grade, narrative: '缓存测试' }, head, { 'hx-request': 'true' });
    expect(save.status).toBe(200);
    const after = await page(staff);
    expect(after).not.toBe(before);
    expect(after).toBe((await uncached(staff)).body);
  });

  it('writes by other processes (no in-process invalidation) show through the database-derived key', async () => {
    const db = t.db.db;
    // Another app process saves a self-assessment: dossier_items and dossiers.updated_at change.
    const before = await page(staff);
    const item = items[5]!;
    const row = await db.selectFrom('dossier_items').select('self_grade').where('dossier_id', '=', dossierId).where('item_code', '=', item).executeTakeFirstOrThrow();
    await db.updateTable('dossier_items').set({ self_grade: row.self_grade === 'B' ? 'C' : 'B' }).where('dossier_id', '=', dossierId).where('item_code', '=', item).execute();
    await db.updateTable('dossiers').set({ updated_at: nowIso() + 'x' }).where('id', '=', dossierId).execute();
    const afterItem = await page(staff);
    expect(afterItem).not.toBe(before);
    expect(afterItem).toBe((await uncached(staff)).body);

    // Another process edits the institution.
    const inst = await db.selectFrom('dossiers').select('institution_id').where('id', '=', dossierId).executeTakeFirstOrThrow();
    const { name } = await db.selectFrom('institutions').select('name').where('id', '=', inst.institution_id).executeTakeFirstOrThrow();
    await db.updateTable('institutions').set({ name: `${name}（改）`, updated_at: nowIso() + 'y' }).where('id', '=', inst.institution_id).execute();
    const renamed = await page(staff);
    expect(renamed).toContain(`${name}（改）`);
    expect(renamed).toBe((await uncached(staff)).body);

    // Evidence: an upload here, then the document trashed elsewhere (a document event, nothing else).
    const upload = new FormData();
    upload.append('file', new File([(await pdf('cache')) as BlobPart], '缓存测试.pdf'));
    const res = await t.app.request(`/dossiers/${dossierId}/items/${items[0]}/evidence/upload`, {
      method: 'POST',
      body: upload,
      headers: { cookie: staff.cookie, 'x-csrf-token': staff.csrf, accept: 'application/json' },
    });
    expect(res.status).toBe(200);
    const { results } = (await res.json()) as { results: { ok: boolean; documentId: string }[] };
    const linked = await page(staff);
    expect(linked).not.toBe(renamed);
    expect(linked).toBe((await uncached(staff)).body);
    await db.updateTable('documents').set({ trashed_at: nowIso() }).where('id', '=', results[0]!.documentId).execute();
    await db.insertInto('document_events').values({ document_id: results[0]!.documentId, dossier_id: null, item_code: null, actor_id: null, at: nowIso(), action: 'trash', detail: '{}' }).execute();
    const trashed = await page(staff);
    expect(trashed).not.toBe(linked);
    expect(trashed).toBe((await uncached(staff)).body);

    // The account itself changes (an administrator renames it): the layout shows the new name at once.
    await db.updateTable('users').set({ display_name: '缓存测试员' }).where('username', '=', 'demo-staff').execute();
    const renamedUser = await page(staff);
    expect(renamedUser).toContain('缓存测试员');
    expect(renamedUser).toBe((await uncached(staff)).body);
  });

  it('scope and sign-in are checked on every request, cached page or not', async () => {
    await page(staff); // cached for demo-staff
    const outsider = await t.login('demo-zz-head');
    expect((await t.get(`/dossiers/${dossierId}`, outsider)).status).toBe(404);
    const anonymous = await t.get(`/dossiers/${dossierId}`);
    expect(anonymous.status).toBe(302);
    const loggedOut = await t.login('demo-staff');
    await page(loggedOut);
    expect((await t.post('/logout', {}, loggedOut)).status).toBe(303);
    expect((await t.get(`/dossiers/${dossierId}`, loggedOut)).status).toBe(302);
  });
});
