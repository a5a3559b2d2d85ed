// What blocks a submission (issue 6 §2). Each blocker says what to do, and links to where to do it.
import type { Db } from '../db/database.ts';
import type { DossierView } from '../dossiers/dossier-view-model.ts';
import { isEditable } from '../dossiers/dossier-repository.ts';
import { describeBlocker } from '../standards/level-rules.ts';
import { recommendedPrerequisites } from './recommended-prerequisites.ts';
import { formatDay } from '../documents/document-labels.ts';

export interface SubmissionBlocker {
  kind: 'state' | 'core_item' | 'projection' | 'prerequisite' | 'reapply_lock';
  message: string;
  href?: string;
}

export const REAPPLY_LOCK_MONTHS = 6;

/** The date (ISO) before which the institution may not apply again for this target level, or null. */
export async function reapplyLockedUntil(db: Db, institutionId: string, target: DossierView['dossier']['target_level']): Promise<string | null> {
  const last = await db
    .selectFrom('decisions')
    .innerJoin('dossiers', 'dossiers.id', 'decisions.dossier_id')
    .select('decisions.decided_at')
    .where('dossiers.institution_id', '=', institutionId)
    .where('dossiers.target_level', '=', target)
    .where('decisions.outcome', '=', 'fail')
    .orderBy('decisions.decided_at', 'desc')
    .executeTakeFirst();
  if (!last) return null;
  const until = new Date(last.decided_at);
  until.setUTCMonth(until.getUTCMonth() + REAPPLY_LOCK_MONTHS);
  return until.getTime() > Date.now() ? until.toISOString() : null;
}

export async function submissionBlockers(db: Db, view: DossierView): Promise<SubmissionBlocker[]> {
  const { dossier, institution } = view;
  const base = `/dossiers/${dossier.id}`;
  const out: SubmissionBlocker[] = [];
  if (!isEditable(dossier)) {
    out.push({ kind: 'state', message: dossier.state === 'in_review' ? '档案正在评审中，不能重复提交。' : '档案已有最终结论，不能再次提交。' });
    return out;
  }
  const lock = await reapplyLockedUntil(db, institution.id, dossier.target_level);
  if (lock) out.push({ kind: 'reapply_lock', message: `上次复核未通过，${formatDay(lock)} 之前不能再次申请（间隔不少于 6 个月）。` });

  for (const ch of view.chapters)
    for (const s of ch.sections)
      for (const i of s.items) {
        if (!i.node.core) continue;
        const href = `${base}/items/${i.node.code}`;
        if (!i.grade) out.push({ kind: 'core_item', message: `★${i.node.code} ${i.node.title}：尚未自评。`, href });
        if (i.evidence === 0) out.push({ kind: 'core_item', message: `★${i.node.code} ${i.node.title}：缺少佐证材料。`, href });
      }

  if (view.target && !view.target.met) {
    for (const c of view.target.conditions.filter((x) => !x.met)) {
      const detail = c.kind === 'share' ? `还差 ${c.shortfall} 个条款` : c.blockers.slice(0, 5).map(describeBlocker).join('；');
      out.push({ kind: 'projection', message: `按自评结果预计达不到${view.target.name}：${c.label}（${detail}）。` });
    }
  }

  if (dossier.target_level === 'recommended') {
    for (const p of recommendedPrerequisites(institution)) {
      if (p.met === true) continue;
      out.push({
        kind: 'prerequisite',
        message: p.met === null ? `推荐标准前提条件无法判断（机构信息缺少相关数据）：${p.label}。` : `不满足推荐标准前提条件：${p.label}。`,
        href: `/institutions/${institution.id}`,
      });
    }
  }
  return out;
}
