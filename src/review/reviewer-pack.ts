// The reviewer pack (issue 6 item 6): one PDF with a summary of the review so far — decisions, the reviewers'
// grades beside the self-assessment, annotations, rectifications — bound as the preface of the dossier's binder
// as it stands (one volume, evidence as pinned by the submission). The summary ("审核摘要") is rendered without
// stamps; the binder stamps its pages like every other sheet. Dated by the dossier's state (the latest change to
// anything the pack shows), never by the clock, so the same state gives the same binder pages; only the overdue
// marks of rectifications depend on the day (`today`).
import fs from 'node:fs/promises';
import path from 'node:path';
import type { ObjectStore } from '../adapters/object-store/object-store.ts';
import { evidenceOpener } from '../binder/binder-builds.ts';
import { DEFAULT_BINDER_OPTIONS, MAX_SHEETS_PER_VOLUME, type BinderOptions, type BinderPlan, type PlanItem } from '../binder/binder-types.ts';
import { chinaDateLabel, loadDossierBinderInputs } from '../binder/dossier-binder-plan.ts';
import { loadFontPrograms } from '../binder/pdf/cjk-font.ts';
import { loadSourcePdf } from '../binder/pdf/pdf-source.ts';
import { planVolumes } from '../binder/plan-volumes.ts';
import { renderBinder } from '../binder/render-binder.ts';
import { renderSummaryPdf, type SummarySection } from '../binder/render-summary.ts';
import type { Db } from '../db/database.ts';
import type { ReviewStage } from '../db/schema.ts';
import { listRectifications, overdueDays, RECTIFICATION_STATUS_LABELS, RECTIFICATION_SOURCE_LABELS, todayInChina } from '../rectifications/rectification-repository.ts';
import { DOSSIER_STATE_LABELS, REGION_LEVEL_LABELS, TARGET_LEVEL_LABELS } from '../../views/labels.ts';
import { listAnnotations } from './annotation-repository.ts';
import { loadReviewHistory } from './review-repository.ts';
import { OUTCOME_LABELS } from './review-workflow.ts';
import { formatDay, formatMinute } from '../documents/document-labels.ts';

export const REVIEWER_PACK_TITLE = '审核摘要';
/** The pack's cover heading (a binder's reads 评价佐证材料). */
export const REVIEWER_PACK_DOCUMENT_TITLE = '评审材料包';

export interface ReviewerPackArgs {
  dossierId: string;
  /** The stage the pack is for; by default the active stage, else the latest one. */
  stageId?: string;
  outPath: string;
  /** Scratch space (a directory is made inside it and removed when done). */
  workDir: string;
  /** YYYY-MM-DD in China, for the overdue marks; today by default. */
  today?: string;
}

export interface ReviewerPackResult {
  path: string;
  pageCount: number;
  /** Pages of the summary (they follow the cover). */
  summaryPages: number;
  size: number;
  sha256: string;
  /** e.g. "县（区）级审核/初评", null before the first submission. */
  stageLabel: string | null;
  /** Evidence replaced by placeholder sheets in the binder part. */
  replaced: number;
}

let packTail: Promise<unknown> = Promise.resolve();

/**
 * Runs `fn` once every pack queued before it has finished: at most one pack renders at a time in this process
 * (a pack holds a font program, one evidence document and the summary at a time; two at once would double it).
 */
export function inPackQueue<T>(fn: () => Promise<T>): Promise<T> {
  const run = packTail.then(fn, fn);
  packTail = run.catch(() => undefined);
  return run;
}

const stageName = (s: Pick<ReviewStage, 'region_level' | 'label'>) => `${REGION_LEVEL_LABELS[s.region_level] ?? ''}级${s.label}`;

/** 2026-11-20 16:05, in China Standard Time (no daylight saving). */
const maxIso = (dates: (string | null | undefined)[]) => dates.reduce<string>((m, d) => (d && d > m ? d : m), '');

export async function renderReviewerPack(deps: { db: Db; store: ObjectStore }, a: ReviewerPackArgs): Promise<ReviewerPackResult> {
  const { db } = deps;
  const dossier = await db.selectFrom('dossiers').selectAll().where('id', '=', a.dossierId).executeTakeFirstOrThrow();
  const inputs = await loadDossierBinderInputs(db, dossier.id, DEFAULT_BINDER_OPTIONS);
  const history = await loadReviewHistory(db, dossier.id);
  const annotations = await listAnnotations(db, { dossierId: dossier.id });
  const rectifications = await listRectifications(db, dossier.id);
  const today = a.today ?? todayInChina();

  let stage: ReviewStage | null;
  if (a.stageId) {
    stage = history.stages.find((s) => s.id === a.stageId) ?? null;
    if (!stage) throw new Error(`stage ${a.stageId} is not a stage of dossier ${dossier.id}`);
  } else {
    stage = history.stages.find((s) => s.state === 'active') ?? history.stages.at(-1) ?? null;
  }
  const stageLabel = stage ? stageName(stage) : null;

  const stateDate = maxIso([
    inputs.plan.creationDate,
    dossier.updated_at,
    ...history.stages.flatMap((s) => [s.opened_at, s.closed_at]),
    ...history.decisions.map((d) => d.decided_at),
    ...[...history.grades.values()].flat().map((g) => g.updated_at),
    ...annotations.flatMap((n) => [n.created_at, n.resolved_at, ...n.replies.map((r) => r.created_at)]),
    ...rectifications.map((r) => r.updated_at),
  ]);
  const plan: BinderPlan = { ...inputs.plan, documentTitle: REVIEWER_PACK_DOCUMENT_TITLE, creationDate: stateDate, dateLabel: chinaDateLabel(stateDate) };

  const sections: SummarySection[] = [
    decisionsSection(dossier, stage, history),
    gradesSection(plan, history),
    annotationsSection(annotations, history),
    rectificationsSection(rectifications, today),
  ];
  const subtitle = [
    plan.institutionName,
    `${dossier.year}年度`,
    TARGET_LEVEL_LABELS[dossier.target_level],
    stageLabel ?? '尚未提交评审',
    `第 ${stage?.round ?? dossier.round} 轮`,
  ].join(' · ');

  await fs.mkdir(a.workDir, { recursive: true });
  const work = await fs.mkdtemp(path.join(a.workDir, 'pack-'));
  try {
    const summaryPath = path.join(work, 'summary.pdf');
    await fs.writeFile(
      summaryPath,
      await renderSummaryPdf({ title: REVIEWER_PACK_TITLE, subtitle, sections, creationDate: stateDate, stamps: false }),
    );
    const summary = await loadSourcePdf(summaryPath);
    if (!summary.ok) throw new Error(`reviewer pack summary: ${summary.reason}`);
    const summaryPages = summary.source.pages.length;

    // One volume: the largest limit the options allow, or — for a dossier bigger than that — no limit at all.
    const options: BinderOptions = { ...DEFAULT_BINDER_OPTIONS, maxSheetsPerVolume: MAX_SHEETS_PER_VOLUME };
    const programs = await loadFontPrograms();
    const preface = { title: REVIEWER_PACK_TITLE, pages: summaryPages };
    if (planVolumes(plan, options, { regular: programs.regular, bold: programs.bold }, preface).length > 1) options.maxSheetsPerVolume = Number.MAX_SAFE_INTEGER;

    const inDir = path.join(work, 'in');
    await fs.mkdir(inDir);
    const result = await renderBinder({
      plan,
      options,
      open: evidenceOpener(db, deps.store, inputs.sources, inDir),
      outDir: path.join(work, 'out'),
      preface: { path: summaryPath, title: REVIEWER_PACK_TITLE },
    });
    const volume = result.volumes[0];
    if (!volume || result.volumes.length !== 1) throw new Error(`reviewer pack: expected one volume, got ${result.volumes.length}`);
    await fs.mkdir(path.dirname(a.outPath), { recursive: true });
    try {
      await fs.rename(volume.path, a.outPath);
    } catch {
      await fs.copyFile(volume.path, a.outPath); // another file system
    }
    return {
      path: a.outPath,
      pageCount: volume.pageCount,
      summaryPages,
      size: volume.size,
      sha256: volume.sha256,
      stageLabel,
      replaced: result.replaced.length,
    };
  } finally {
    await fs.rm(work, { recursive: true, force: true });
  }
}

type History = Awaited<ReturnType<typeof loadReviewHistory>>;

function decisionsSection(
  dossier: { state: keyof typeof DOSSIER_STATE_LABELS; round: number },
  stage: ReviewStage | null,
  history: History,
): SummarySection {
  const paragraphs = [`档案状态：${DOSSIER_STATE_LABELS[dossier.state]}，第 ${dossier.round} 轮。`];
  if (stage) {
    paragraphs.push(
      `本材料对应环节：${stageName(stage)}（第 ${stage.round} 轮），${stage.state === 'active' ? `评审中，截止 ${formatDay(stage.deadline)}` : '已结束'}。`,
    );
  }
  const byStage = new Map(history.decisions.map((d) => [d.stage_id, d]));
  const rows = history.stages.map((s) => {
    const d = byStage.get(s.id);
    const items = d ? (JSON.parse(d.items_json) as string[]) : [];
    return [
      String(s.round),
      stageName(s),
      d ? OUTCOME_LABELS[d.outcome] : s.state === 'active' ? '评审中' : '—',
      d ? `${d.decided_by_name}\n${formatMinute(d.decided_at)}` : `收到 ${formatMinute(s.opened_at)}`,
      d?.reasons ?? '',
      items.join('、'),
    ];
  });
  if (rows.length === 0) paragraphs.push('尚未提交评审，没有审核记录。');
  return {
    heading: '一、审核经过与决定',
    paragraphs,
    ...(rows.length > 0
      ? { table: { columns: ['轮次', '环节', '结论', '决定人与时间', '意见与理由', '需修改的条款'], widths: [0.55, 1.5, 0.9, 1.45, 3.2, 1.4], rows, size: 8.5 } }
      : {}),
  };
}

function gradesSection(plan: BinderPlan, history: History): SummarySection {
  const stageNames = new Map(history.stages.map((s) => [`${s.round}:${s.position}`, stageName(s)]));
  const items: PlanItem[] = plan.chapters.flatMap((c) => c.sections.flatMap((s) => s.items));
  let graded = 0;
  let disagreeing = 0;
  const rows: string[][] = [];
  for (const item of items) {
    const all = (history.grades.get(item.code) ?? []).filter((g) => g.grade || g.note || g.onsite_finding);
    const latest = all.filter((g) => g.grade).at(-1);
    const disagree = latest !== undefined && latest.grade !== item.selfGrade;
    if (all.length > 0) graded++;
    if (disagree) disagreeing++;
    if (all.length === 0 && item.selfGrade !== null) continue;
    const record = all
      .map((g) => {
        let s = `${stageNames.get(`${g.round}:${g.position}`) ?? '评审'}（第 ${g.round} 轮${g.reviewer_name ? `，${g.reviewer_name}` : ''}）：${g.grade ?? '未定等级'}`;
        if (g.note) s += `\n意见：${g.note}`;
        if (g.onsite_finding) s += `\n现场复核：${g.onsite_finding}`;
        return s;
      })
      .join('\n');
    rows.push([item.code, item.title, item.core ? '★' : '', item.selfGrade ?? '未自评', record || '—', disagree ? '不一致' : '']);
  }
  const selfGraded = items.filter((i) => i.selfGrade !== null).length;
  const coreMissing = items.filter((i) => i.core && i.selfGrade === null).length;
  const paragraphs = [
    `共 ${items.length} 个条款：机构已自评 ${selfGraded} 个，未自评 ${items.length - selfGraded} 个${coreMissing > 0 ? `（其中★核心条款 ${coreMissing} 个）` : ''}；` +
      `审核人员已评审或写有意见 ${graded} 个，评审等级与自评不一致 ${disagreeing} 个。`,
    rows.length > 0 ? '下表列出审核人员评审过或写有意见的条款，以及未自评的条款；“不一致”指最近一次评审等级与自评等级不同。' : '没有审核人员评审过的条款，也没有未自评的条款。',
  ];
  return {
    heading: '二、条款评审',
    paragraphs,
    ...(rows.length > 0 ? { table: { columns: ['条款', '条款名称', '★', '自评', '评审等级与意见', '一致性'], widths: [0.8, 2.3, 0.35, 0.75, 4.3, 0.75], rows, size: 8.5 } } : {}),
  };
}

function annotationsSection(annotations: Awaited<ReturnType<typeof listAnnotations>>, history: History): SummarySection {
  const stageNames = new Map(history.stages.map((s) => [`${s.round}:${s.position}`, stageName(s)]));
  const open = annotations.filter((n) => !n.resolved_at).length;
  const rows = annotations.map((n) => [
    `${n.document_title}${n.version_no > 1 ? `（第 ${n.version_no} 版）` : ''}${n.item_code ? `\n条款 ${n.item_code}` : ''}`,
    String(n.page_no),
    n.author_name,
    `${(n.position !== null && stageNames.get(`${n.round}:${n.position}`)) || n.stage_label || '—'}\n第 ${n.round} 轮`,
    n.body,
    n.replies.map((r) => `${r.author_name}：${r.body}`).join('\n'),
    n.resolved_at ? '已解决' : '未解决',
  ]);
  return {
    heading: '三、文件批注',
    paragraphs: [annotations.length > 0 ? `共 ${annotations.length} 条批注，未解决 ${open} 条。` : '没有文件批注。'],
    ...(rows.length > 0 ? { table: { columns: ['文件', '页', '批注人', '环节', '批注内容', '回复', '状态'], widths: [1.6, 0.4, 1.1, 1.2, 2.5, 2.2, 0.75], rows, size: 8.5 } } : {}),
  };
}

function rectificationsSection(rows: Awaited<ReturnType<typeof listRectifications>>, today: string): SummarySection {
  const overdue = rows.filter((r) => overdueDays(r, today) > 0).length;
  const count = (s: keyof typeof RECTIFICATION_STATUS_LABELS) => rows.filter((r) => r.status === s).length;
  const table = rows.map((r) => {
    const days = overdueDays(r, today);
    return [
      r.item_code,
      r.problem,
      r.measures,
      r.responsible,
      r.deadline ?? '',
      `${RECTIFICATION_STATUS_LABELS[r.status]}\n（${RECTIFICATION_SOURCE_LABELS[r.source]}）`,
      days > 0 ? `逾期 ${days} 天` : '',
    ];
  });
  return {
    heading: '四、整改记录',
    paragraphs: [
      rows.length > 0
        ? `截至 ${today}：共 ${rows.length} 条，待整改 ${count('open')} 条，整改中 ${count('in_progress')} 条，已完成 ${count('done')} 条，逾期 ${overdue} 条。`
        : '没有整改记录。',
    ],
    ...(table.length > 0
      ? { table: { columns: ['条款', '存在问题', '整改措施', '责任人', '期限', '状态', '逾期'], widths: [0.75, 2.4, 2.4, 0.85, 1.05, 0.9, 0.8], rows: table, size: 8.5 } }
      : {}),
  };
}
