// Chinese labels for enumerations shown in the UI.
import type { DossierState, Role, TargetLevel } from '../src/db/schema.ts';

export const ROLE_LABELS: Record<Role, string> = {
  staff: '机构工作人员',
  head: '机构负责人',
  county_reviewer: '县级审核人员',
  city_reviewer: '市级审核人员',
  province_reviewer: '省级审核人员',
  expert: '评审专家',
  admin: '系统管理员',
};

export const TARGET_LEVEL_LABELS: Record<TargetLevel, string> = {
  basic: '基本标准',
  recommended: '推荐标准',
  community_hospital: '社区医院',
};

export const DOSSIER_STATE_LABELS: Record<DossierState, string> = {
  draft: '自评中',
  submitted: '已提交',
  in_review: '评审中',
  returned: '退回修改',
  passed: '已通过',
  failed: '未通过',
};

export const KIND_LABELS: Record<string, string> = {
  township: '乡镇卫生院',
  community: '社区卫生服务中心',
  community_hospital: '社区医院',
};

export const REGION_LEVEL_LABELS: Record<string, string> = { province: '省', city: '市', county: '县（区）' };
