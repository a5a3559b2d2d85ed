// The binder's contract: what to bind (a plan in standard order), how (options), and what comes back.
import { z } from 'zod';

export interface BinderOptions {
  split: 'pages' | 'chapter';
  /** Most pages per volume (1..2000); a "sheet" is one PDF page here. */
  maxSheetsPerVolume: number;
  numbering: 'continuous' | 'per_volume';
  /** Each chapter starts on a right-hand (odd) page; blank versos are inserted. */
  duplex: boolean;
  /** A "缺少佐证材料" sheet for items without evidence. */
  includeMissingSheets: boolean;
  /** The missing-evidence report at the front of volume 1 (for drafts). */
  missingReport: boolean;
  /** Printed on box labels. */
  retentionPeriod: string;
}

/** The largest page limit per volume the options accept. */
export const MAX_SHEETS_PER_VOLUME = 2000;

export const DEFAULT_BINDER_OPTIONS: BinderOptions = {
  split: 'pages',
  maxSheetsPerVolume: 300,
  numbering: 'per_volume',
  duplex: false,
  includeMissingSheets: true,
  missingReport: false,
  retentionPeriod: '30年',
};

/** Form checkboxes and JSON booleans alike: 'on' / 'true' / '1' / 'yes' are true, 'off' / 'false' / '0' / '' are false. */
const booleanish = (message: string) =>
  z.preprocess((v) => {
    if (typeof v === 'string') {
      const s = v.trim().toLowerCase();
      if (['on', 'true', '1', 'yes'].includes(s)) return true;
      if (['off', 'false', '0', 'no', ''].includes(s)) return false;
    }
    if (v === 1) return true;
    if (v === 0) return false;
    return v;
  }, z.boolean({ error: message }));

/** A blank form field means "use the default". */
const blankAsDefault = <T extends z.ZodType>(schema: T) => z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? undefined : v), schema);

export const binderOptionsSchema = z.object({
  split: blankAsDefault(z.enum(['pages', 'chapter'], { error: '分册方式只能是“按页数”或“按章”' }).default(DEFAULT_BINDER_OPTIONS.split)),
  maxSheetsPerVolume: blankAsDefault(
    z.coerce
      .number({ error: '每册页数上限必须是数字' })
      .int({ error: '每册页数上限必须是整数' })
      .min(1, { error: '每册页数上限不能小于 1' })
      .max(MAX_SHEETS_PER_VOLUME, { error: `每册页数上限不能超过 ${MAX_SHEETS_PER_VOLUME}` })
      .default(DEFAULT_BINDER_OPTIONS.maxSheetsPerVolume),
  ),
  numbering: blankAsDefault(
    z.enum(['continuous', 'per_volume'], { error: '页码方式只能是“各册连续编号”或“每册单独编号”' }).default(DEFAULT_BINDER_OPTIONS.numbering),
  ),
  duplex: booleanish('双面打印选项无效').default(DEFAULT_BINDER_OPTIONS.duplex),
  includeMissingSheets: booleanish('“缺少佐证材料”页选项无效').default(DEFAULT_BINDER_OPTIONS.includeMissingSheets),
  missingReport: booleanish('缺少材料报告选项无效').default(DEFAULT_BINDER_OPTIONS.missingReport),
  retentionPeriod: blankAsDefault(
    z
      .string({ error: '保管期限必须是文字' })
      .trim()
      .min(1, { error: '请填写保管期限' })
      .max(20, { error: '保管期限不能超过 20 个字' })
      .default(DEFAULT_BINDER_OPTIONS.retentionPeriod),
  ),
});

export interface BinderPlan {
  institutionName: string;
  year: number;
  /** e.g. '基本标准' */
  targetLevelLabel: string;
  standardTitle: string;
  standardEdition: number;
  /** The standard is demonstration content: a small "演示内容" note on the cover. */
  demonstration: boolean;
  /** Printed on the cover, e.g. '2026年11月20日' (given; never computed from the clock). */
  dateLabel: string;
  /** ISO date used for /CreationDate. */
  creationDate: string;
  /** The cover's heading and the PDF title's name for the volumes; default 评价佐证材料 (a reviewer pack: 评审材料包). */
  documentTitle?: string;
  chapters: PlanChapter[];
}

export interface PlanChapter {
  code: string;
  title: string;
  sections: PlanSection[];
}

export interface PlanSection {
  code: string;
  title: string;
  items: PlanItem[];
}

export interface PlanItem {
  code: string;
  title: string;
  core: boolean;
  requirement: string;
  selfGrade: string | null;
  narrative: string;
  evidence: PlanEvidence[];
}

export interface PlanEvidence {
  /** Stable id (the link id). */
  key: string;
  title: string;
  fileName: string;
  /** 1-based inclusive range of the source; null = all. */
  pageFrom: number | null;
  pageTo: number | null;
  /** From the database (page_count), used for volume splitting; may be wrong for broken files. */
  estimatedPages: number;
}

/** Opens one evidence's printable content lazily (called once per evidence, in plan order). */
export type EvidenceOpener = (
  e: PlanEvidence,
) => Promise<{ type: 'pdf'; path: string } | { type: 'image'; path: string } | { type: 'unavailable'; reason: string }>;

/**
 * A PDF bound into volume 1 right after the cover (before the contents), e.g. a review summary: its pages are
 * imported like evidence (shrunk above the stamp band) and stamped with `title`, which is also its bookmark and
 * its contents entry (both first).
 */
export interface BinderPreface {
  path: string;
  title: string;
}

export interface RenderBinderArgs {
  plan: BinderPlan;
  options: BinderOptions;
  open: EvidenceOpener;
  outDir: string;
  preface?: BinderPreface;
  onProgress?: (done: number, total: number) => void | Promise<void>;
}

export interface RenderedVolume {
  volumeNo: number;
  path: string;
  pageCount: number;
  firstItem: string;
  lastItem: string;
  sha256: string;
  size: number;
}

export interface ReplacedEvidence {
  key: string;
  title: string;
  reason: string;
}

export interface RenderBinderResult {
  volumes: RenderedVolume[];
  labelsPath: string;
  replaced: ReplacedEvidence[];
  pageCount: number;
}

export const DEFAULT_DOCUMENT_TITLE = '评价佐证材料';
