// The pages the binder makes itself: cover, chapter divider, item header, "缺少佐证材料", placeholder for evidence
// that cannot be printed, missing-evidence report, blank verso. Each returns laid-out pages (font metrics only),
// rendered later with the volume's fonts. The contents pages live in toc.ts.
import { DEFAULT_DOCUMENT_TITLE, type BinderPlan, type PlanChapter, type PlanEvidence, type PlanItem, type PlanSection } from '../binder-types.ts';
import { fitText, wrapText } from './text-layout.ts';
import { A4_HEIGHT, A4_WIDTH, CONTENT_WIDTH, Flow, MARGIN, chapterHeading, newPage, type LaidPage, type Measures } from './sheet-layout.ts';

const CENTER = A4_WIDTH / 2 + (MARGIN.left - MARGIN.right) / 2;

export function standardLabel(plan: Pick<BinderPlan, 'standardTitle' | 'standardEdition'>): string {
  return plan.standardTitle.includes(String(plan.standardEdition)) ? plan.standardTitle : `${plan.standardTitle}（${plan.standardEdition}版）`;
}

function centeredLines(page: LaidPage, m: Measures, text: string, y: number, size: number, bold: boolean, gray = 0, width = CONTENT_WIDTH): number {
  const lines = wrapText(bold ? m.bold : m.regular, text, size, width);
  for (const line of lines) {
    page.ops.push({ t: 'text', x: CENTER, y, s: line, size, bold, gray, align: 'center' });
    y -= size * 1.45;
  }
  return y;
}

export interface CoverArgs {
  plan: BinderPlan;
  volumeNo: number;
  volumeCount: number;
  firstItem: string;
  lastItem: string;
  pageCount: number;
  /** Printed page numbers of the volume's first and last page (continuous numbering across volumes). */
  pageRange: [number, number];
}

export function coverSheet(m: Measures, a: CoverArgs): LaidPage {
  const page = newPage();
  const { plan } = a;
  page.ops.push({ t: 'text', x: CENTER, y: 752, s: '优质服务基层行活动', size: 15, gray: 0.25, align: 'center' });
  page.ops.push({ t: 'text', x: CENTER, y: 688, s: plan.documentTitle ?? DEFAULT_DOCUMENT_TITLE, size: 32, bold: true, align: 'center' });
  let y = centeredLines(page, m, plan.institutionName, 612, 22, true);
  page.ops.push({ t: 'line', x1: MARGIN.left + 40, y1: y - 4, x2: A4_WIDTH - MARGIN.right - 40, y2: y - 4, width: 1.2, gray: 0 });
  const rows: [string, string][] = [
    ['评价年度', `${plan.year}年度`],
    ['评价等级', plan.targetLevelLabel],
    ['能力标准', standardLabel(plan)],
    ['册　　次', `第 ${a.volumeNo} 册 / 共 ${a.volumeCount} 册`],
    ['条款范围', a.firstItem === a.lastItem ? a.firstItem : `${a.firstItem} — ${a.lastItem}`],
    ['本册页数', a.pageRange[0] === 1 ? `共 ${a.pageCount} 页` : `共 ${a.pageCount} 页（第 ${a.pageRange[0]}–${a.pageRange[1]} 页）`],
    ['装订日期', plan.dateLabel],
  ];
  y = Math.min(y - 60, 470);
  const labelX = MARGIN.left + 50;
  const valueX = labelX + 88;
  for (const [label, value] of rows) {
    page.ops.push({ t: 'text', x: labelX, y, s: `${label}：`, size: 13, bold: true });
    const lines = wrapText(m.regular, value, 13, A4_WIDTH - MARGIN.right - 30 - valueX);
    for (const line of lines) {
      page.ops.push({ t: 'text', x: valueX, y, s: line, size: 13 });
      y -= 19;
    }
    y -= 11;
  }
  if (plan.demonstration) {
    centeredLines(page, m, '演示内容：本档案所依据的能力标准为演示数据，条款文字并非官方原文。', 96, 9, false, 0.35);
  }
  return page;
}

export function blankVerso(): LaidPage {
  const page = newPage();
  page.ops.push({ t: 'text', x: CENTER, y: A4_HEIGHT / 2, s: '（此页无正文）', size: 10, gray: 0.45, align: 'center' });
  return page;
}

export function dividerSheet(m: Measures, chapter: PlanChapter, sections: { section: PlanSection; items: number }[], continued: boolean): LaidPage {
  const page = newPage();
  let y = centeredLines(page, m, chapterHeading(chapter.code, chapter.title) + (continued ? '（续）' : ''), 560, 26, true);
  page.ops.push({ t: 'line', x1: MARGIN.left + 60, y1: y - 2, x2: A4_WIDTH - MARGIN.right - 60, y2: y - 2, width: 1, gray: 0.3 });
  y -= 40;
  const x = MARGIN.left + 70;
  const width = A4_WIDTH - MARGIN.right - 70 - x;
  for (const { section, items } of sections) {
    if (y < MARGIN.bottom + 30) break;
    const text = fitText(m.regular, `${section.code}  ${section.title}`, 12, width - 60);
    page.ops.push({ t: 'text', x, y, s: text, size: 12 });
    page.ops.push({ t: 'text', x: x + width, y, s: `${items} 条`, size: 11, gray: 0.35, align: 'right' });
    y -= 22;
  }
  return page;
}

export interface ItemHeaderArgs {
  chapter: PlanChapter;
  section: PlanSection;
  item: PlanItem;
  /** 1 unless the item is split across volumes. */
  part: number;
  partCount: number;
}

function evidencePages(e: PlanEvidence): string {
  if (e.pageFrom !== null || e.pageTo !== null) {
    const from = e.pageFrom ?? 1;
    return e.pageTo !== null ? (from === e.pageTo ? `第 ${from} 页` : `第 ${from}–${e.pageTo} 页`) : `第 ${from} 页起`;
  }
  return e.estimatedPages > 0 ? `${e.estimatedPages} 页` : '';
}

/** The item's header sheet(s): code, ★, requirement, self grade, narrative and the list of its evidence. */
export function itemHeaderSheets(m: Measures, a: ItemHeaderArgs): LaidPage[] {
  const { item } = a;
  const suffix = a.partCount > 1 ? `（第 ${a.part}/${a.partCount} 部分）` : '';
  const flow = new Flow(m, (page) => {
    page.ops.push({ t: 'text', x: MARGIN.left, y: A4_HEIGHT - MARGIN.top - 12, s: `条款 ${item.code}${suffix}（续）`, size: 11, bold: true, gray: 0.3 });
    return A4_HEIGHT - MARGIN.top - 26;
  });
  const context = fitText(m.regular, `${chapterHeading(a.chapter.code, a.chapter.title)} › ${a.section.code} ${a.section.title}`, 9, CONTENT_WIDTH);
  flow.paragraph(context, { size: 9, gray: 0.4, leading: 14 });
  flow.space(4);
  flow.ensure(30);
  flow.y -= 24;
  flow.op({ t: 'text', x: MARGIN.left, y: flow.y, s: `条款 ${item.code}${suffix}`, size: 18, bold: true });
  if (item.core) {
    const x = A4_WIDTH - MARGIN.right;
    flow.op({ t: 'rect', x: x - 78, y: flow.y - 5, w: 78, h: 22, stroke: 0, width: 1 });
    flow.op({ t: 'text', x: x - 39, y: flow.y + 1, s: '★ 核心条款', size: 11, bold: true, align: 'center' });
  }
  flow.space(6);
  flow.paragraph(`${item.core ? '★ ' : ''}${item.title}`, { size: 14, bold: true, leading: 21 });
  flow.rule({ gray: 0.3, width: 0.8 });

  const heading = (text: string) => {
    flow.space(4);
    flow.paragraph(text, { size: 11.5, bold: true, leading: 19, firstLineKeep: 19 + 16 * 2 });
  };
  heading('评价要求');
  flow.paragraph(item.requirement.trim() || '（无）', { size: 10.5, leading: 16.5 });
  heading(`自评等级：${item.selfGrade ?? '未自评'}`);
  heading('自评说明');
  flow.paragraph(item.narrative.trim() || '（未填写）', { size: 10.5, leading: 16.5, gray: item.narrative.trim() ? 0 : 0.45 });
  heading(`佐证材料（${item.evidence.length} 份）`);
  if (item.evidence.length === 0) {
    flow.paragraph('本条款没有关联佐证材料。', { size: 10.5, leading: 16.5, gray: 0.3 });
  } else {
    flow.space(2);
    flow.table(
      ['序号', '材料名称', '文件名', '页数'],
      item.evidence.map((e, i) => [String(i + 1), e.title, e.fileName, evidencePages(e)]),
      { widths: [0.08, 0.44, 0.33, 0.15] },
    );
  }
  return flow.pages;
}

export function missingEvidenceSheet(m: Measures, item: PlanItem): LaidPage {
  const page = newPage();
  page.ops.push({ t: 'rect', x: MARGIN.left + 40, y: 470, w: CONTENT_WIDTH - 80, h: 120, stroke: 0, width: 1.5 });
  page.ops.push({ t: 'text', x: CENTER, y: 516, s: '缺少佐证材料', size: 30, bold: true, align: 'center' });
  let y = centeredLines(page, m, `${item.core ? '★ ' : ''}条款 ${item.code}  ${item.title}`, 430, 13, false);
  y -= 8;
  centeredLines(page, m, '本条款尚未提供佐证材料。', y, 11, false, 0.35);
  return page;
}

export function placeholderSheet(m: Measures, e: { title: string; fileName: string; reason: string }, itemCode: string): LaidPage {
  const page = newPage();
  page.ops.push({ t: 'text', x: CENTER, y: 640, s: '此佐证材料无法打印', size: 24, bold: true, align: 'center' });
  page.ops.push({ t: 'text', x: CENTER, y: 612, s: `条款 ${itemCode}`, size: 12, gray: 0.35, align: 'center' });
  const rows: [string, string][] = [
    ['材料名称', e.title],
    ['文件名', e.fileName],
    ['原因', e.reason],
  ];
  const labelX = MARGIN.left + 30;
  const valueX = labelX + 72;
  const width = A4_WIDTH - MARGIN.right - 30 - valueX;
  let y = 560;
  const top = y + 24;
  for (const [label, value] of rows) {
    page.ops.push({ t: 'text', x: labelX, y, s: `${label}：`, size: 12, bold: true });
    for (const line of wrapText(m.regular, value || '—', 12, width).slice(0, 8)) {
      page.ops.push({ t: 'text', x: valueX, y, s: line, size: 12 });
      y -= 18;
    }
    y -= 10;
  }
  page.ops.push({ t: 'rect', x: MARGIN.left + 16, y: y + 8, w: CONTENT_WIDTH - 32, h: top - y - 8, stroke: 0.3, width: 1 });
  centeredLines(page, m, '本页代替该材料装订。原件请在系统中查看，或转换为 PDF 后重新生成装订册。', y - 20, 10, false, 0.35);
  return page;
}

export interface MissingReportItem {
  chapter: PlanChapter;
  item: PlanItem;
}

/** Items without evidence, ★ items first: a to-do list at the front of a draft binder. */
export function missingReportSheets(m: Measures, plan: BinderPlan, missing: MissingReportItem[], itemCount: number): LaidPage[] {
  const flow = new Flow(m, (page) => {
    page.ops.push({ t: 'text', x: MARGIN.left, y: A4_HEIGHT - MARGIN.top - 12, s: '缺少佐证材料的条款（续）', size: 11, bold: true, gray: 0.3 });
    return A4_HEIGHT - MARGIN.top - 26;
  });
  flow.paragraph('缺少佐证材料的条款', { size: 20, bold: true, leading: 30 });
  const core = missing.filter((x) => x.item.core).length;
  flow.paragraph(
    `${plan.institutionName} · ${plan.year}年度 · ${plan.targetLevelLabel}：共 ${itemCount} 个条款，其中 ${missing.length} 个没有佐证材料` +
      (core ? `（★核心条款 ${core} 个）` : '') +
      '。本页仅供草稿核对，正式装订前请补齐材料或关闭此选项。',
    { size: 10.5, leading: 17, gray: 0.25 },
  );
  flow.space(8);
  if (missing.length === 0) {
    flow.paragraph('所有条款均已提供佐证材料。', { size: 12 });
    return flow.pages;
  }
  const ordered = [...missing.filter((x) => x.item.core), ...missing.filter((x) => !x.item.core)];
  flow.table(
    ['条款', '名称', '核心', '所在章'],
    ordered.map(({ chapter, item }) => [item.code, item.title, item.core ? '★' : '', chapterHeading(chapter.code, chapter.title)]),
    { widths: [0.13, 0.5, 0.08, 0.29] },
  );
  return flow.pages;
}
