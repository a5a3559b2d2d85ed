// Structural checks a schema cannot express: unique codes, parents present and earlier, natural order,
// item-only fields on items only. Errors name the node index so importers can map it to a row number.
import { z } from 'zod';
import {
  type StandardFile,
  codeDepth,
  compareCodes,
  GRADES,
  parentCode,
  standardFileSchema,
} from './standard-schema.ts';

export interface StandardProblem {
  /** Index into `nodes`, when the problem belongs to one node. */
  nodeIndex?: number;
  /** Field or path the problem is about, for messages. */
  field?: string;
  message: string;
}

export type ValidationResult = { ok: true; standard: StandardFile } | { ok: false; problems: StandardProblem[] };

export function validateStandard(input: unknown): ValidationResult {
  const parsed = standardFileSchema.safeParse(input);
  if (!parsed.success) return { ok: false, problems: zodProblems(parsed.error) };
  const problems = structuralProblems(parsed.data);
  return problems.length ? { ok: false, problems } : { ok: true, standard: parsed.data };
}

function zodProblems(error: z.ZodError): StandardProblem[] {
  return error.issues.map((issue) => {
    const [head, index, ...rest] = issue.path;
    if (head === 'nodes' && typeof index === 'number') {
      return { nodeIndex: index, field: rest.join('.') || undefined, message: issue.message };
    }
    return { field: issue.path.join('.') || undefined, message: issue.message };
  });
}

export function structuralProblems(std: StandardFile): StandardProblem[] {
  const problems: StandardProblem[] = [];
  if (std.grades.join('|') !== GRADES.join('|')) {
    problems.push({ field: 'grades', message: `评分等级必须依次为 ${GRADES.join('、')}` });
  }
  const levelIds = new Set<string>();
  for (const level of std.levels) {
    if (levelIds.has(level.id)) problems.push({ field: 'levels', message: `评价等级 ${level.id} 重复` });
    levelIds.add(level.id);
  }
  const seen = new Set<string>();
  let previous: string | null = null;
  let items = 0;
  std.nodes.forEach((node, nodeIndex) => {
    const { code } = node;
    if (seen.has(code)) problems.push({ nodeIndex, field: 'code', message: `编号 ${code} 重复` });
    const parent = parentCode(code);
    if (parent !== null && !seen.has(parent)) {
      problems.push({ nodeIndex, field: 'code', message: `编号 ${code} 的上级 ${parent} 不存在或排在其后` });
    }
    if (previous !== null && compareCodes(previous, code) >= 0 && !seen.has(code)) {
      problems.push({ nodeIndex, field: 'code', message: `编号 ${code} 应排在 ${previous} 之前（须按章节条款顺序排列）` });
    }
    seen.add(code);
    previous = code;
    const isItem = codeDepth(code) === 3;
    if (isItem) {
      items++;
      if (!node.requirements) problems.push({ nodeIndex, field: 'requirements', message: `条款 ${code} 缺少 C/B/A 各级要求` });
      if (node.core === undefined) problems.push({ nodeIndex, field: 'core', message: `条款 ${code} 未标明是否核心条款（★）` });
      if (!node.tier) problems.push({ nodeIndex, field: 'tier', message: `条款 ${code} 未标明属于基本标准还是推荐标准` });
    } else if (node.requirements || node.core !== undefined || node.tier || node.evidenceHints || node.keywords) {
      problems.push({ nodeIndex, field: 'code', message: `${code} 是章或节，不能填写条款要求、★、标准类别、佐证提示或关键词` });
    }
  });
  if (items === 0) problems.push({ field: 'nodes', message: '标准中没有任何条款' });
  return problems;
}

export function describeProblem(p: StandardProblem, nodes?: readonly { code?: string }[]): string {
  const where = p.nodeIndex !== undefined ? `第 ${p.nodeIndex + 1} 个节点${nodes?.[p.nodeIndex]?.code ? `（${nodes[p.nodeIndex]!.code}）` : ''}` : '';
  const field = p.field ? `[${p.field}] ` : '';
  return `${where}${where ? '：' : ''}${field}${p.message}`;
}
