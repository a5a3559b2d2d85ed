// The binder plan of a dossier as it stands: the standard's order, the self-assessment, and each item's
// evidence in the item's order with where its printable bytes live. Also the hash of all of it (with the
// options), which makes "same state + options ⇒ same bytes" checkable and lets a seal name the build.
import { createHash } from 'node:crypto';
import type { Db } from '../db/database.ts';
import type { FileKind } from '../documents/file-kind.ts';
import { loadStandard } from '../standards/standard-repository.ts';
import { evidenceWithVersions } from '../documents/document-repository.ts';
import { TARGET_LEVEL_LABELS } from '../../views/labels.ts';
import type { BinderOptions, BinderPlan, PlanChapter, PlanEvidence, PlanItem, PlanSection } from './binder-types.ts';

/** Where an evidence's printable content is: a stored blob to read as PDF or image, or why it cannot print. */
export type EvidenceSource = { type: 'pdf' | 'image'; blobSha256: string } | { type: 'unavailable'; reason: string };

export interface DossierBinderInputs {
  plan: BinderPlan;
  sources: Map<string, EvidenceSource>;
  inputSha256: string;
}

const IMAGE_KINDS: FileKind[] = ['jpeg', 'png', 'tiff'];
const OFFICE_KINDS: FileKind[] = ['doc', 'docx', 'xls', 'xlsx'];

function printableSource(v: { kind: string; blob_sha256: string; rendition_sha256: string | null; conversion_state: string; conversion_note: string }): EvidenceSource {
  const kind = v.kind as FileKind;
  if (kind === 'pdf') return { type: 'pdf', blobSha256: v.blob_sha256 };
  if (IMAGE_KINDS.includes(kind)) return { type: 'image', blobSha256: v.blob_sha256 };
  if (OFFICE_KINDS.includes(kind)) {
    if (v.rendition_sha256) return { type: 'pdf', blobSha256: v.rendition_sha256 };
    if (v.conversion_state === 'pending') return { type: 'unavailable', reason: '文件正在转换为 PDF，尚未完成（请稍后重新生成）' };
    return { type: 'unavailable', reason: `文件未能转换为 PDF${v.conversion_note ? `：${v.conversion_note}` : ''}` };
  }
  if (kind === 'ofd') return { type: 'unavailable', reason: 'OFD 版式文件暂不支持打印，请另行提供 PDF 或纸质件' };
  return { type: 'unavailable', reason: '无法识别的文件类型，不能打印' };
}

/** A date in China Standard Time, as printed on covers: 2026年11月20日. */
export function chinaDateLabel(iso: string): string {
  const d = new Date(new Date(iso).getTime() + 8 * 3_600_000);
  return `${d.getUTCFullYear()}年${d.getUTCMonth() + 1}月${d.getUTCDate()}日`;
}

function requirementText(n: { requirement_c: string; requirement_b: string; requirement_a: string }): string {
  return [n.requirement_c && `C级：${n.requirement_c}`, n.requirement_b && `B级：${n.requirement_b}`, n.requirement_a && `A级：${n.requirement_a}`]
    .filter(Boolean)
    .join('\n');
}

export async function loadDossierBinderInputs(db: Db, dossierId: string, options: BinderOptions): Promise<DossierBinderInputs> {
  const dossier = await db.selectFrom('dossiers').selectAll().where('id', '=', dossierId).executeTakeFirstOrThrow();
  const institution = await db.selectFrom('institutions').selectAll().where('id', '=', dossier.institution_id).executeTakeFirstOrThrow();
  const standard = await loadStandard(db, dossier.standard_id);
  if (!standard) throw new Error(`standard ${dossier.standard_id} missing`);
  const entries = new Map((await db.selectFrom('dossier_items').selectAll().where('dossier_id', '=', dossierId).execute()).map((e) => [e.item_code, e]));
  const links = await evidenceWithVersions(db, dossierId)
    .select([
      'item_evidence.id',
      'item_evidence.item_code',
      'item_evidence.page_from',
      'item_evidence.page_to',
      'item_evidence.created_at',
      'documents.title',
      'document_versions.file_name',
      'document_versions.kind',
      'document_versions.blob_sha256',
      'document_versions.rendition_sha256',
      'document_versions.conversion_state',
      'document_versions.conversion_note',
      'document_versions.page_count',
    ])
    .orderBy('item_evidence.item_code')
    .orderBy('item_evidence.position')
    .orderBy('item_evidence.id')
    .execute();

  const sources = new Map<string, EvidenceSource>();
  const evidenceByItem = new Map<string, PlanEvidence[]>();
  let stateDate = dossier.updated_at;
  for (const l of links) {
    const list = evidenceByItem.get(l.item_code) ?? [];
    const pages = l.page_from && l.page_to ? l.page_to - l.page_from + 1 : (l.page_count ?? 1);
    list.push({ key: l.id, title: l.title, fileName: l.file_name, pageFrom: l.page_from, pageTo: l.page_to, estimatedPages: Math.max(1, pages) });
    evidenceByItem.set(l.item_code, list);
    sources.set(l.id, printableSource(l));
    if (l.created_at > stateDate) stateDate = l.created_at;
  }
  for (const e of entries.values()) if (e.updated_at && e.updated_at > stateDate) stateDate = e.updated_at;

  const chapters: PlanChapter[] = [];
  let chapter: PlanChapter | null = null;
  let section: PlanSection | null = null;
  for (const node of standard.nodes) {
    if (node.depth === 1) {
      chapter = { code: node.code, title: node.title, sections: [] };
      chapters.push(chapter);
    } else if (node.depth === 2) {
      section = { code: node.code, title: node.title, items: [] };
      chapter?.sections.push(section);
    } else {
      const entry = entries.get(node.code);
      if (!entry || !section) continue;
      const item: PlanItem = {
        code: node.code,
        title: node.title,
        core: node.core === 1,
        requirement: requirementText(node),
        selfGrade: entry.self_grade,
        narrative: entry.narrative,
        evidence: evidenceByItem.get(node.code) ?? [],
      };
      section.items.push(item);
    }
  }
  const plan: BinderPlan = {
    institutionName: institution.name,
    year: dossier.year,
    targetLevelLabel: TARGET_LEVEL_LABELS[dossier.target_level],
    standardTitle: standard.standard.title,
    standardEdition: standard.standard.edition,
    demonstration: standard.standard.demonstration === 1,
    dateLabel: chinaDateLabel(stateDate),
    creationDate: stateDate,
    chapters: chapters.map((ch) => ({ ...ch, sections: ch.sections.filter((s) => s.items.length > 0) })).filter((ch) => ch.sections.length > 0),
  };
  const hash = createHash('sha256');
  hash.update(JSON.stringify(plan));
  hash.update(JSON.stringify([...sources.entries()]));
  hash.update(JSON.stringify(options));
  return { plan, sources, inputSha256: hash.digest('hex') };
}
