// The report both verifiers give: the archive check (seal-verify.ts) and the database check (seal-chain.ts).

export type VerifyProblemKind =
  | 'file_changed'
  | 'file_missing'
  | 'manifest_changed'
  | 'chain_broken'
  | 'seal_missing'
  | 'unexpected_file'
  | 'bad_archive';

export interface VerifyProblem {
  kind: VerifyProblemKind;
  /** The file inside the archive (archive check), when the problem concerns one. */
  path?: string;
  /** The seal sequence, when the problem concerns one seal. */
  sequence?: number;
  /** Chinese, precise: which file, which field, which seal. */
  message: string;
}

export interface VerifyReport {
  ok: boolean;
  /** Seal manifests checked. */
  seals: number;
  /** Files in the archive (0 for the database check). */
  files: number;
  /** Bytes hashed. */
  bytes: number;
  problems: VerifyProblem[];
  /** The dossier the archive or chain belongs to, when known. */
  dossierId?: string;
  /** The last seal checked and its manifest SHA-256: compare it with the app's 封存记录 page or a printed copy. */
  last?: { sequence: number; manifest_sha256: string } | null;
}

export const PROBLEM_LABELS: Record<VerifyProblemKind, string> = {
  file_changed: '文件被改动',
  file_missing: '文件缺失',
  manifest_changed: '封存清单被改动',
  chain_broken: '封存链断开',
  seal_missing: '缺少封存记录',
  unexpected_file: '多出的文件',
  bad_archive: '压缩包无效',
};

/** Plain text for the command line. */
export function formatVerifyReport(r: VerifyReport, archiveName?: string): string {
  const lines: string[] = [];
  if (r.ok) {
    lines.push(`校验通过${archiveName ? `：${archiveName}` : ''}。`);
  } else {
    lines.push(`校验未通过${archiveName ? `：${archiveName}` : ''}，发现 ${r.problems.length} 个问题：`);
    r.problems.forEach((p, i) => {
      const where = [p.sequence !== undefined ? `第 ${p.sequence} 号封存` : '', p.path ?? ''].filter(Boolean).join(' · ');
      lines.push(`  ${i + 1}. [${PROBLEM_LABELS[p.kind]}]${where ? ` ${where}：` : ' '}${p.message}`);
    });
  }
  lines.push(`已检查 ${r.seals} 个封存清单、${r.files} 个文件，共 ${r.bytes} 字节。`);
  if (r.last) {
    lines.push(`最后一次封存：第 ${r.last.sequence} 号，SHA-256 ${r.last.manifest_sha256}`);
    lines.push('请将此值与系统“封存记录”页面（或纸质存档）中的值核对：一致才说明整个封存链未被替换。');
  }
  return lines.join('\n');
}
