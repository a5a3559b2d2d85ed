import type { DossierListRow } from '../src/dossiers/dossier-repository.ts';
import { formatDay } from '../src/documents/document-labels.ts';
import type { InstitutionRow } from '../src/institutions/institution-repository.ts';
import { INSTITUTION_FIELDS, type InstitutionFieldDef } from '../src/institutions/institution-schema.ts';
import { ProgressBar } from './dossier-tree.tsx';
import { DOSSIER_STATE_LABELS, KIND_LABELS, TARGET_LEVEL_LABELS } from './labels.ts';
import { Flash, Layout, type PageContext } from './layout.tsx';

export interface InstitutionPageProps {
  ctx: PageContext;
  institution: InstitutionRow;
  dossiers: DossierListRow[];
  canEdit: boolean;
  /** Set after a successful save. */
  saved?: boolean;
}

const GROUPS: { key: InstitutionFieldDef['group']; title: string }[] = [
  { key: 'basic', title: '基本信息' },
  { key: 'resources', title: '资源配置' },
  { key: 'services', title: '服务能力' },
];

function display(inst: InstitutionRow, f: InstitutionFieldDef): string {
  if (f.key === 'kind') return KIND_LABELS[inst.kind] ?? inst.kind;
  if (f.key === 'county_code') return `${inst.county_name}（${inst.county_code}）`;
  const v = inst[f.key];
  if (v === null || v === '') return '—';
  if (typeof v === 'number') return `${v.toLocaleString('zh-CN', { maximumFractionDigits: 2 })}${f.unit ? ` ${f.unit}` : ''}`;
  return v;
}

export function InstitutionPage(p: InstitutionPageProps) {
  const inst = p.institution;
  return (
    <Layout ctx={p.ctx} title={inst.name} active="/institutions">
      <p class="breadcrumb">
        <a href="/institutions">机构</a> › {inst.name}
      </p>
      <div class="page-head">
        <h1>{inst.name}</h1>
        {p.canEdit && (
          <div class="actions">
            <a class="button" href={`/institutions/${inst.id}/edit`}>
              编辑机构信息
            </a>
          </div>
        )}
      </div>
      {p.saved && <Flash kind="ok">机构信息已保存。</Flash>}
      {GROUPS.map((g) => (
        <section class="card">
          <h2>{g.title}</h2>
          <dl class="fields">
            {INSTITUTION_FIELDS.filter((f) => f.group === g.key).map((f) => (
              <>
                <dt>{f.key === 'county_code' ? '县（区）' : f.label}</dt>
                <dd class={f.type === 'longtext' ? 'prewrap' : undefined}>{display(inst, f)}</dd>
              </>
            ))}
          </dl>
        </section>
      ))}
      <p class="muted small">最后更新：{formatDay(inst.updated_at)}</p>

      <section class="card">
        <h2>评价档案</h2>
        {p.dossiers.length === 0 ? (
          <p class="muted">
            该机构还没有评价档案。<a href="/dossiers">前往评价档案</a>
          </p>
        ) : (
          <table class="list">
            <thead>
              <tr>
                <th>年度</th>
                <th>评价等级</th>
                <th>状态</th>
                <th>自评进度</th>
              </tr>
            </thead>
            <tbody>
              {p.dossiers.map((d) => (
                <tr>
                  <td>
                    <a href={`/dossiers/${d.id}`}>{d.year} 年</a>
                  </td>
                  <td>
                    <a href={`/dossiers/${d.id}`}>{TARGET_LEVEL_LABELS[d.target_level]}</a>
                  </td>
                  <td>
                    <span class={`state s-${d.state}`}>{DOSSIER_STATE_LABELS[d.state]}</span>
                  </td>
                  <td>
                    <ProgressBar done={d.graded_items} total={d.total_items} label="已自评" />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </Layout>
  );
}
