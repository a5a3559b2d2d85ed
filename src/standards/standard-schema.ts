// The file format of one edition of one capability standard (see standards/README.md).
// Standards are data: the item tree and the rules that decide a level live in the file, never in code.
import { z } from 'zod';

export const INSTITUTION_KINDS = ['township', 'community', 'community_hospital'] as const;
export type InstitutionKind = (typeof INSTITUTION_KINDS)[number];
export const INSTITUTION_KIND_LABELS: Record<InstitutionKind, string> = {
  township: '乡镇卫生院',
  community: '社区卫生服务中心',
  community_hospital: '社区医院',
};

/** Grades from best to worst; ranks are derived from this order (A=3 … 未达标=0). */
export const GRADES = ['A', 'B', 'C', '未达标'] as const;
export type Grade = (typeof GRADES)[number];

export const ITEM_TIERS = ['basic', 'recommended'] as const;
export type ItemTier = (typeof ITEM_TIERS)[number];

/** Which items a rule condition looks at. Omitted fields mean "any". */
export const itemFilterSchema = z
  .object({
    tier: z.enum(ITEM_TIERS).optional(),
    core: z.boolean().optional(),
  })
  .strict();
export type ItemFilter = z.infer<typeof itemFilterSchema>;

const gradeSchema = z.enum(GRADES, { message: '等级只能是 A、B、C 或 未达标' });

/**
 * A condition of a level rule.
 * - `every`: each item matching `items` must be graded at least `atLeast` (blockers are listed per item).
 * - `share`: at least `minShare` (0–1) of the items matching `items` must be graded at least `atLeast`.
 */
export const ruleConditionSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('every'), items: itemFilterSchema, atLeast: gradeSchema, label: z.string().min(1) }).strict(),
  z
    .object({
      kind: z.literal('share'),
      items: itemFilterSchema,
      atLeast: gradeSchema,
      minShare: z.number().min(0).max(1),
      label: z.string().min(1),
    })
    .strict(),
]);
export type RuleCondition = z.infer<typeof ruleConditionSchema>;

export const LEVEL_IDS = ['qualified', 'basic', 'recommended'] as const;
export type LevelId = (typeof LEVEL_IDS)[number];

export const levelRuleSchema = z
  .object({
    id: z.enum(LEVEL_IDS),
    name: z.string().min(1),
    /** Items an institution grades in a dossier targeting this level. */
    scope: itemFilterSchema,
    conditions: z.array(ruleConditionSchema).min(1),
    /** Who may use this level, e.g. the 2023 合格 tier for small institutions. Informational. */
    note: z.string().optional(),
  })
  .strict();
export type LevelRule = z.infer<typeof levelRuleSchema>;

const CODE_RE = /^[1-9]\d*(\.[1-9]\d*){0,2}$/;

export const standardNodeSchema = z
  .object({
    code: z.string().regex(CODE_RE, '编号格式应为 1、1.2 或 1.2.3'),
    title: z.string().trim().min(1, '标题不能为空').max(200, '标题不能超过200字'),
    // The following apply to items (depth 3) only.
    requirements: z
      .object({ C: z.string().min(1), B: z.string().min(1), A: z.string().min(1) })
      .strict()
      .optional(),
    core: z.boolean().optional(),
    tier: z.enum(ITEM_TIERS).optional(),
    evidenceHints: z.array(z.string().min(1)).optional(),
    keywords: z.array(z.string().min(1)).optional(),
  })
  .strict();
export type StandardNode = z.infer<typeof standardNodeSchema>;

export const standardFileSchema = z
  .object({
    format: z.literal('dossier-standard/1'),
    id: z.string().regex(/^[a-z0-9][a-z0-9-]{2,63}$/, '标准编号只能包含小写字母、数字和连字符'),
    title: z.string().min(1).max(200),
    institutionKind: z.enum(INSTITUTION_KINDS),
    edition: z.number().int().min(2000).max(2100),
    demonstration: z.boolean(),
    notice: z.string().optional(),
    grades: z.array(gradeSchema).length(4),
    levels: z.array(levelRuleSchema).min(1),
    nodes: z.array(standardNodeSchema).min(1),
  })
  .strict();
export type StandardFile = z.infer<typeof standardFileSchema>;

export function codeDepth(code: string): 1 | 2 | 3 {
  return code.split('.').length as 1 | 2 | 3;
}

export function parentCode(code: string): string | null {
  const i = code.lastIndexOf('.');
  return i < 0 ? null : code.slice(0, i);
}

/** Natural order of codes: 1.2.10 after 1.2.9. */
export function compareCodes(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i] ?? -1;
    const y = pb[i] ?? -1;
    if (x !== y) return x - y;
  }
  return 0;
}
