// Chinese labels for document states, shared by pages and fragments.
import type { ConversionState } from '../db/schema.ts';

export const CONVERSION_LABELS: Record<ConversionState, string> = {
  not_needed: '无需转换',
  pending: '转换中',
  converted: '已转换',
  unconverted: '未转换',
  failed: '转换失败',
};

export const EVENT_LABELS: Record<string, string> = {
  upload: '上传',
  version: '上传新版本',
  link: '关联到条款',
  unlink: '取消关联',
  reorder: '调整顺序',
  rename: '修改标题',
  edit: '修改信息',
  trash: '移入回收站',
  restore: '从回收站恢复',
  converted: '生成 PDF 副本',
  conversion_failed: '转换失败',
};

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(0)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

export function formatTime(iso: string): string {
  // Shown in China Standard Time regardless of the server's zone.
  return new Date(iso).toLocaleString('zh-CN', { timeZone: 'Asia/Shanghai', hour12: false }).replace(/\//g, '-');
}
