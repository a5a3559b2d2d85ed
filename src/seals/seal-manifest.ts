// The seal manifest: the dossier's state at a submission or decision, as one JSON document whose canonical form
// (canonical-json.ts) is hashed and chained (seal-chain.ts). Read inside the caller's transaction, after the
// caller has applied the event (so `dossier.state` is the state after it). See docs/decisions/0007-seals.md.
import { evidenceWithVersions } from '../documents/document-repository.ts';
import type { Db } from '../db/database.ts';
import type { DecisionOutcome, DossierState, SealEvent, TargetLevel } from '../db/schema.ts';

export type { SealEvent };

export const SEAL_FORMAT = 'dossier-seal/1';

export interface PersonRef {
  id: string;
  name: string;
}

export interface SealEvidence {
  document_id: string;
  version_id: string;
  version_no: number;
  title: string;
  file_name: string;
  /** SHA-256 of the original file as uploaded (the blob). */
  sha256: string;
  size: number;
  page_from: number | null;
  page_to: number | null;
  position: number;
}

export interface SealReview {
  round: number;
  position: number;
  grade: string | null;
  note: string;
  onsite_finding: string;
  reviewer: PersonRef | null;
  updated_at: string;
}

export interface SealItem {
  code: string;
  title: string;
  self_grade: string | null;
  narrative: string;
  evidence: SealEvidence[];
  reviews: SealReview[];
}

export interface SealAnnotation {
  id: string;
  round: number;
  position: number | null;
  item_code: string | null;
  document_id: string;
  version_id: string;
  page: number;
  rect: { x: number; y: number; w: number; h: number };
  body: string;
  author: PersonRef;
  created_at: string;
  resolved: { at: string; by: PersonRef | null } | null;
  replies: { id: string; body: string; author: PersonRef; created_at: string }[];
}

export interface SealRectification {
  id: string;
  item_code: string;
  problem: string;
  measures: string;
  responsible: string;
  deadline: string | null;
  status: string;
  source: string;
  annotation_id: string | null;
  evidence_document_ids: string[];
  created_at: string;
  updated_at: string;
  completed_at: string | null;
}

export interface SealDecision {
  id: string;
  outcome: DecisionOutcome;
  reasons: string;
  items: string[];
  round: number;
  stage: { id: string; position: number; label: string; region_level: string; region_code: string; region_name: string };
  decided_by: PersonRef;
  decided_at: string;
}

export interface SealManifest {
  format: typeof SEAL_FORMAT;
  /** Position in the dossier's chain: 1, 2, 3 … */
  sequence: number;
  /** manifest_sha256 of seal sequence − 1; null for the first seal. Hashed with the rest: this is the chain. */
  previous_sha256: string | null;
  dossier: {
    id: string;
    institution: { id: string; name: string; county_code: string };
    year: number;
    target_level: TargetLevel;
    purpose: string;
    previous_dossier_id: string | null;
    standard: { id: string; title: string; edition: number; content_sha256: string };
    round: number;
    /** The state after the event. */
    state: DossierState;
  };
  event: SealEvent;
  decision: SealDecision | null;
  actor: (PersonRef & { role: string }) | null;
  at: string;
  items: SealItem[];
  annotations: SealAnnotation[];
  rectifications: SealRectification[];
}

export interface SealArgs {
  dossierId: string;
  event: SealEvent;
  decisionId: string | null;
  actorId: string | null;
  at: string;
}

export class SealError extends Error {
  override readonly name: string = 'SealError';
}

/** Item codes in standard order: numeric segments compared as numbers (1.2.10 after 1.2.9). */
export function compareItemCodes(a: string, b: string): number {
  const x = a.split('.');
  const y = b.split('.');
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const p = x[i];
    const q = y[i];
    if (p === undefined) return -1;
    if (q === undefined) return 1;
    const np = /^\d+$/.test(p) ? Number(p) : NaN;
    const nq = /^\d+$/.test(q) ? Number(q) : NaN;
    if (!Number.isNaN(np) && !Number.isNaN(nq)) {
      if (np !== nq) return np - nq;
    } else if (p !== q) return p < q ? -1 : 1;
  }
  return 0;
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const num = (v: unknown): number => Number(v);
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const person = (id: string | null, name: string | null): PersonRef | null => (id ? { id, name: name ?? '' } : null);

export async function buildSealManifest(db: Db, args: SealArgs): Promise<SealManifest> {
  const d = await db
    .selectFrom('dossiers')
    .innerJoin('institutions', 'institutions.id', 'dossiers.institution_id')
    .innerJoin('standards', 'standards.id', 'dossiers.standard_id')
    .select([
      'dossiers.id',
      'dossiers.year',
      'dossiers.target_level',
      'dossiers.purpose',
      'dossiers.previous_dossier_id',
      'dossiers.round',
      'dossiers.state',
      'institutions.id as institution_id',
      'institutions.name as institution_name',
      'institutions.county_code',
      'standards.id as standard_id',
      'standards.title as standard_title',
      'standards.edition',
      'standards.content_sha256',
    ])
    .where('dossiers.id', '=', args.dossierId)
    .executeTakeFirst();
  if (!d) throw new SealError(`档案不存在: ${args.dossierId}`);

  const last = await db
    .selectFrom('seals')
    .select(['sequence', 'manifest_sha256'])
    .where('dossier_id', '=', args.dossierId)
    .orderBy('sequence', 'desc')
    .limit(1)
    .executeTakeFirst();

  // Items, with titles from the pinned standard.
  const itemRows = await db
    .selectFrom('dossier_items')
    .leftJoin('standard_nodes', (j) => j.on('standard_nodes.standard_id', '=', d.standard_id).onRef('standard_nodes.code', '=', 'dossier_items.item_code'))
    .select(['dossier_items.item_code', 'dossier_items.self_grade', 'dossier_items.narrative', 'standard_nodes.title'])
    .where('dossier_items.dossier_id', '=', args.dossierId)
    .execute();
  const items = new Map<string, SealItem>();
  for (const r of itemRows) {
    items.set(r.item_code, { code: r.item_code, title: r.title ?? '', self_grade: r.self_grade, narrative: r.narrative, evidence: [], reviews: [] });
  }
  const itemFor = (code: string): SealItem => {
    let it = items.get(code);
    if (!it) {
      // Evidence or a grade on an item the dossier no longer covers: still sealed, never dropped silently.
      it = { code, title: '', self_grade: null, narrative: '', evidence: [], reviews: [] };
      items.set(code, it);
    }
    return it;
  };

  // Evidence links: a link without a pinned version follows the document's current version. Trashed documents are
  // not evidence (as on the dossier page).
  const evidenceRows = await evidenceWithVersions(db, args.dossierId)
    .select([
      'item_evidence.id',
      'item_evidence.item_code',
      'item_evidence.document_id',
      'item_evidence.page_from',
      'item_evidence.page_to',
      'item_evidence.position',
      'documents.title',
      'document_versions.id as version_id',
      'document_versions.version_no',
      'document_versions.file_name',
      'document_versions.blob_sha256',
      'document_versions.size',
    ])
    .execute();
  evidenceRows.sort((a, b) => compareItemCodes(a.item_code, b.item_code) || num(a.position) - num(b.position) || cmp(a.id, b.id));
  for (const r of evidenceRows) {
    itemFor(r.item_code).evidence.push({
      document_id: r.document_id,
      version_id: r.version_id,
      version_no: num(r.version_no),
      title: r.title,
      file_name: r.file_name,
      sha256: r.blob_sha256,
      size: num(r.size),
      page_from: numOrNull(r.page_from),
      page_to: numOrNull(r.page_to),
      position: num(r.position),
    });
  }

  const gradeRows = await db
    .selectFrom('review_grades')
    .leftJoin('users', 'users.id', 'review_grades.reviewer_id')
    .select([
      'review_grades.item_code',
      'review_grades.round',
      'review_grades.position',
      'review_grades.grade',
      'review_grades.note',
      'review_grades.onsite_finding',
      'review_grades.reviewer_id',
      'review_grades.updated_at',
      'users.display_name',
    ])
    .where('review_grades.dossier_id', '=', args.dossierId)
    .execute();
  gradeRows.sort((a, b) => compareItemCodes(a.item_code, b.item_code) || num(a.round) - num(b.round) || num(a.position) - num(b.position));
  for (const r of gradeRows) {
    itemFor(r.item_code).reviews.push({
      round: num(r.round),
      position: num(r.position),
      grade: r.grade,
      note: r.note,
      onsite_finding: r.onsite_finding,
      reviewer: person(r.reviewer_id, r.display_name),
      updated_at: r.updated_at,
    });
  }

  const annotationRows = await db
    .selectFrom('annotations')
    .leftJoin('users as author', 'author.id', 'annotations.author_id')
    .leftJoin('users as resolver', 'resolver.id', 'annotations.resolved_by')
    .selectAll('annotations')
    .select(['author.display_name as author_name', 'resolver.display_name as resolver_name'])
    .where('annotations.dossier_id', '=', args.dossierId)
    .execute();
  const replyRows = await db
    .selectFrom('annotation_replies')
    .innerJoin('annotations', 'annotations.id', 'annotation_replies.annotation_id')
    .leftJoin('users', 'users.id', 'annotation_replies.author_id')
    .selectAll('annotation_replies')
    .select('users.display_name as author_name')
    .where('annotations.dossier_id', '=', args.dossierId)
    .execute();
  replyRows.sort((a, b) => cmp(a.created_at, b.created_at) || cmp(a.id, b.id));
  const replies = new Map<string, SealAnnotation['replies']>();
  for (const r of replyRows) {
    const list = replies.get(r.annotation_id) ?? [];
    list.push({ id: r.id, body: r.body, author: { id: r.author_id, name: r.author_name ?? '' }, created_at: r.created_at });
    replies.set(r.annotation_id, list);
  }
  annotationRows.sort((a, b) => cmp(a.created_at, b.created_at) || cmp(a.id, b.id));
  const annotations: SealAnnotation[] = annotationRows.map((a) => ({
    id: a.id,
    round: num(a.round),
    position: numOrNull(a.position),
    item_code: a.item_code,
    document_id: a.document_id,
    version_id: a.version_id,
    page: num(a.page_no),
    rect: { x: num(a.x), y: num(a.y), w: num(a.w), h: num(a.h) },
    body: a.body,
    author: { id: a.author_id, name: a.author_name ?? '' },
    created_at: a.created_at,
    resolved: a.resolved_at ? { at: a.resolved_at, by: person(a.resolved_by, a.resolver_name) } : null,
    replies: replies.get(a.id) ?? [],
  }));

  const rectRows = await db.selectFrom('rectifications').selectAll().where('dossier_id', '=', args.dossierId).execute();
  const rectEvidence = await db
    .selectFrom('rectification_evidence')
    .innerJoin('rectifications', 'rectifications.id', 'rectification_evidence.rectification_id')
    .select(['rectification_evidence.rectification_id', 'rectification_evidence.document_id'])
    .where('rectifications.dossier_id', '=', args.dossierId)
    .execute();
  rectRows.sort((a, b) => compareItemCodes(a.item_code, b.item_code) || cmp(a.created_at, b.created_at) || cmp(a.id, b.id));
  const rectifications: SealRectification[] = rectRows.map((r) => ({
    id: r.id,
    item_code: r.item_code,
    problem: r.problem,
    measures: r.measures,
    responsible: r.responsible,
    deadline: r.deadline,
    status: r.status,
    source: r.source,
    annotation_id: r.annotation_id,
    evidence_document_ids: rectEvidence
      .filter((e) => e.rectification_id === r.id)
      .map((e) => e.document_id)
      .sort(cmp),
    created_at: r.created_at,
    updated_at: r.updated_at,
    completed_at: r.completed_at,
  }));

  let decision: SealDecision | null = null;
  if (args.decisionId) {
    const r = await db
      .selectFrom('decisions')
      .innerJoin('review_stages', 'review_stages.id', 'decisions.stage_id')
      .leftJoin('regions', 'regions.code', 'review_stages.region_code')
      .leftJoin('users', 'users.id', 'decisions.decided_by')
      .select([
        'decisions.id',
        'decisions.dossier_id',
        'decisions.outcome',
        'decisions.reasons',
        'decisions.items_json',
        'decisions.round',
        'decisions.decided_by',
        'decisions.decided_at',
        'review_stages.id as stage_id',
        'review_stages.position',
        'review_stages.label',
        'review_stages.region_level',
        'review_stages.region_code',
        'regions.name as region_name',
        'users.display_name',
      ])
      .where('decisions.id', '=', args.decisionId)
      .executeTakeFirst();
    if (!r || r.dossier_id !== args.dossierId) throw new SealError(`评审决定不存在或不属于该档案: ${args.decisionId}`);
    let decisionItems: string[] = [];
    try {
      const parsed: unknown = JSON.parse(r.items_json);
      if (Array.isArray(parsed)) decisionItems = parsed.map(String);
    } catch {
      throw new SealError(`评审决定 ${r.id} 的条款列表不是有效的 JSON`);
    }
    decision = {
      id: r.id,
      outcome: r.outcome,
      reasons: r.reasons,
      items: decisionItems,
      round: num(r.round),
      stage: {
        id: r.stage_id,
        position: num(r.position),
        label: r.label,
        region_level: r.region_level,
        region_code: r.region_code,
        region_name: r.region_name ?? '',
      },
      decided_by: { id: r.decided_by, name: r.display_name ?? '' },
      decided_at: r.decided_at,
    };
  }

  let actor: SealManifest['actor'] = null;
  if (args.actorId) {
    const u = await db.selectFrom('users').select(['id', 'display_name', 'role']).where('id', '=', args.actorId).executeTakeFirst();
    if (!u) throw new SealError(`账号不存在: ${args.actorId}`);
    actor = { id: u.id, name: u.display_name, role: u.role };
  }

  return {
    format: SEAL_FORMAT,
    sequence: last ? num(last.sequence) + 1 : 1,
    previous_sha256: last?.manifest_sha256 ?? null,
    dossier: {
      id: d.id,
      institution: { id: d.institution_id, name: d.institution_name, county_code: d.county_code },
      year: num(d.year),
      target_level: d.target_level,
      purpose: d.purpose,
      previous_dossier_id: d.previous_dossier_id,
      standard: { id: d.standard_id, title: d.standard_title, edition: num(d.edition), content_sha256: d.content_sha256 },
      round: num(d.round),
      state: d.state,
    },
    event: args.event,
    decision,
    actor,
    at: args.at,
    items: [...items.values()].sort((a, b) => compareItemCodes(a.code, b.code)),
    annotations,
    rectifications,
  };
}

/** Every original the manifest refers to, once per SHA-256, with the first evidence entry naming it. */
export function manifestOriginals(m: SealManifest): Map<string, { size: number; fileName: string; title: string; itemCode: string }> {
  const out = new Map<string, { size: number; fileName: string; title: string; itemCode: string }>();
  for (const item of m.items) {
    for (const e of item.evidence) {
      if (!out.has(e.sha256)) out.set(e.sha256, { size: e.size, fileName: e.file_name, title: e.title, itemCode: item.code });
    }
  }
  return out;
}
