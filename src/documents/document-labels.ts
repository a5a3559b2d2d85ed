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

// Every displayed timestamp goes through these: stored times are UTC ISO strings, users read China Standard Time
// whatever the server's zone. Padded parts so columns line up ("2026-01-05 09:03:09", not "2026/1/5 9:03:09").
const CHINA_PARTS = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Asia/Shanghai',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
});

function chinaParts(iso: string): Record<string, string> | null {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return null;
  return Object.fromEntries(CHINA_PARTS.formatToParts(d).map((p) => [p.type, p.value]));
}

/** Date and time in China, to the second. */
export function formatTime(iso: string): string {
  const p = chinaParts(iso);
  return p ? `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second}` : iso;
}

/** Date and time in China, to the minute (lists where seconds are noise). */
export function formatMinute(iso: string): string {
  return formatTime(iso).slice(0, 16);
}

/** The calendar date in China of a stored timestamp (not for plain calendar dates such as deadlines typed by users). */
export function formatDay(iso: string): string {
  return formatTime(iso).slice(0, 10);
}
