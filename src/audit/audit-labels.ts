// Chinese names of audit actions and detail fields, for the history tab and the admin audit page.
import { INSTITUTION_FIELDS } from '../institutions/institution-schema.ts';
import { RECTIFICATION_SOURCE_LABELS, RECTIFICATION_STATUS_LABELS } from '../rectifications/rectification-repository.ts';
import { REGION_LEVEL_LABELS, ROLE_LABELS, TARGET_LEVEL_LABELS } from '../../views/labels.ts';

export const AUDIT_ACTION_LABELS: Record<string, string> = {
  login: '登录',
  'dossier.create': '新建档案',
  'dossier.self_assess': '填写自评',
  'dossier.submit': '提交评审',
  'dossier.decide.pass': '评审通过',
  'dossier.decide.return': '退回修改',
  'dossier.decide.fail': '评审不通过',
  'review.grade': '记录评审等级',
  'review.assign_expert': '指派专家',
  'review.pack': '下载审核材料包',
  'annotation.create': '添加批注',
  'annotation.reply': '回复批注',
  'annotation.resolve': '批注标为已解决',
  'annotation.reopen': '重新打开批注',
  'binder.request': '生成装订册',
  'seal.export': '导出封存档案包',
  'rectification.create': '新建整改记录',
  'rectification.update': '修改整改记录',
  'rectification.status': '更新整改状态',
  'rectification.link': '关联整改材料',
  'rectification.unlink': '取消关联整改材料',
  'institution.create': '新建机构',
  'institution.update': '修改机构信息',
  'institution.import': '导入机构',
  'region.create': '新建行政区划',
  'region.rename': '修改行政区划名称',
  'user.create': '新建账号',
  'user.enable': '启用账号',
  'user.disable': '停用账号',
  'user.password': '重设密码',
  'user.unlock': '解除登录锁定',
  'review_route.save': '修改审核流程',
};

export function auditActionLabel(action: string): string {
  return AUDIT_ACTION_LABELS[action] ?? action;
}

/** Groups for the audit filter: a prefix selects every action under it. */
export const AUDIT_ACTION_GROUPS: { prefix: string; label: string }[] = [
  { prefix: 'dossier.', label: '评价档案' },
  { prefix: 'review.', label: '评审' },
  { prefix: 'annotation.', label: '批注' },
  { prefix: 'rectification.', label: '整改' },
  { prefix: 'binder.', label: '装订成册' },
  { prefix: 'seal.', label: '封存' },
  { prefix: 'institution.', label: '机构' },
  { prefix: 'region.', label: '行政区划' },
  { prefix: 'user.', label: '账号' },
  { prefix: 'review_route.', label: '审核流程' },
];

export const AUDIT_SUBJECT_LABELS: Record<string, string> = {
  user: '账号',
  dossier: '档案',
  institution: '机构',
  region: '行政区划',
  annotation: '批注',
  rectification: '整改记录',
  login: '登录锁定',
};

const PURPOSE_LABELS: Record<string, string> = { assessment: '年度评价', re_review: '“回头看”复评' };

const FIELD_LABELS: Record<string, string> = {
  ...Object.fromEntries(INSTITUTION_FIELDS.map((f) => [f.key, f.label])),
  item_code: '条款',
  problem: '问题',
  measures: '整改措施',
  responsible: '责任人',
  deadline: '整改时限',
};

type Fmt = (v: unknown) => string;
const enumOf =
  (labels: Record<string, string>): Fmt =>
  (v) =>
    labels[String(v)] ?? String(v);
const shortHash: Fmt = (v) => `${String(v).slice(0, 12)}…`;

/**
 * Known detail keys: Chinese label and how to show the value. Keys not listed here are internal (record ids,
 * cross-references) and are left out of the page; the raw JSON stays in the database for anyone who needs it.
 */
const DETAIL_FIELDS: Record<string, { label: string; fmt?: Fmt }> = {
  round: { label: '轮次', fmt: (v) => `第 ${String(v)} 轮` },
  stage: { label: '阶段' },
  next: { label: '下一环节' },
  item: { label: '条款' },
  itemCode: { label: '条款' },
  item_code: { label: '条款' },
  items: { label: '条款' },
  pageNo: { label: '页码', fmt: (v) => `第 ${String(v)} 页` },
  grade: { label: '等级' },
  source: { label: '来源', fmt: enumOf(RECTIFICATION_SOURCE_LABELS) },
  target_level: { label: '评价等级', fmt: enumOf(TARGET_LEVEL_LABELS) },
  purpose: { label: '用途', fmt: enumOf(PURPOSE_LABELS) },
  institution: { label: '回复方', fmt: (v) => (v === true ? '机构' : v === false ? '审核人员' : String(v)) },
  deadline: { label: '整改时限' },
  changed: { label: '修改内容', fmt: (v) => list(v, (x) => FIELD_LABELS[String(x)] ?? String(x)) },
  name: { label: '名称' },
  county_code: { label: '县区代码' },
  username: { label: '用户名' },
  address: { label: '来源地址' },
  role: { label: '角色', fmt: enumOf(ROLE_LABELS) },
  count: { label: '数量' },
  encoding: { label: '文件编码' },
  pages: { label: '页数' },
  sequence: { label: '封存序号' },
  sha256: { label: '文件指纹', fmt: shortHash },
  manifest_sha256: { label: '清单指纹', fmt: shortHash },
  stages: {
    label: '流程',
    fmt: (v) =>
      Array.isArray(v) && v.length === 0
        ? '恢复默认流程'
        : list(v, (s) => {
            const st = s as { region_level?: string; label?: string; deadline_days?: number };
            return `${REGION_LEVEL_LABELS[st.region_level ?? ''] ?? ''}${st.label ?? ''}${st.deadline_days ? `（${st.deadline_days} 天）` : ''}`;
          }),
  },
};

function list(v: unknown, each: (x: unknown) => string = String): string {
  return Array.isArray(v) ? v.map(each).join('、') : each(v);
}

function plain(v: unknown): string {
  if (v === true) return '是';
  if (v === false) return '否';
  if (Array.isArray(v)) return list(v);
  return String(v);
}

/** One audit entry's detail as Chinese "标签：值" parts; {from, to} pairs read "原值 → 新值". */
export function auditDetailParts(action: string, detailJson: string): string[] {
  let d: Record<string, unknown>;
  try {
    d = JSON.parse(detailJson) as Record<string, unknown>;
  } catch {
    return [];
  }
  if (!d || typeof d !== 'object') return [];
  // A status change stores its states at the top level.
  if (action === 'rectification.status' && 'to' in d) {
    const st = enumOf(RECTIFICATION_STATUS_LABELS);
    return [`状态：${d['from'] ? `${st(d['from'])} → ` : ''}${st(d['to'])}`];
  }
  const out: string[] = [];
  for (const [k, v] of Object.entries(d)) {
    const f = DETAIL_FIELDS[k];
    if (!f || v === null || v === undefined || v === '' || (Array.isArray(v) && v.length === 0 && k !== 'stages')) continue;
    const fmt = f.fmt ?? plain;
    if (typeof v === 'object' && !Array.isArray(v) && 'to' in v) {
      const pair = v as { from?: unknown; to?: unknown };
      out.push(`${f.label}：${pair.from ? fmt(pair.from) : '（空）'} → ${pair.to ? fmt(pair.to) : '（空）'}`);
    } else {
      out.push(`${f.label}：${fmt(v)}`);
    }
  }
  return out;
}
