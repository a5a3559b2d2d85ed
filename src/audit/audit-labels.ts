// Chinese names of audit actions, for the history tab and the admin audit page.
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
  'review_route.save': '修改审核流程',
};

export function auditActionLabel(action: string): string {
  return AUDIT_ACTION_LABELS[action] ?? action;
}
