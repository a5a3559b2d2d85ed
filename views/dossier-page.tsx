import { raw } from 'hono/html';
import type { Child } from 'hono/jsx';
import { cachedTreeHtml } from '../src/dossiers/dossier-view-cache.ts';
import type { DossierView } from '../src/dossiers/dossier-view-model.ts';
import { DOSSIER_STATE_LABELS, KIND_LABELS, TARGET_LEVEL_LABELS } from './labels.ts';
import { DemoBadge, Layout, type PageContext } from './layout.tsx';
import { DossierTree, ProgressBar } from './dossier-tree.tsx';
import { Projection } from './projection.tsx';
import { DossierTabs } from './dossier-tabs.tsx';

function MissingEvidence(props: { view: DossierView }) {
  const missing = props.view.missingEvidence;
  return (
    <section class="missing card" id="missing-evidence">
      <h2>缺少佐证材料（{missing.length}）</h2>
      {missing.length === 0 ? (
        <p class="muted">每个条款都已有佐证材料。</p>
      ) : (
        <details open={missing.length <= 12}>
          <summary>{missing.filter((i) => i.node.core).length} 个核心条款（★）缺少材料</summary>
          <ul class="missing-list">
            {missing.map((i) => (
              <li>
                <a href={`/dossiers/${props.view.dossier.id}/items/${i.node.code}`}>
                  {i.node.core ? '★' : ''}
                  {i.node.code} {i.node.title}
                </a>
              </li>
            ))}
          </ul>
        </details>
      )}
    </section>
  );
}

export function DossierPage(props: { ctx: PageContext; view: DossierView; selected?: string; panel: Child }) {
  const { view } = props;
  const { dossier, institution, standard } = view;
  return (
    <Layout ctx={props.ctx} title={`${institution.name} ${dossier.year}年 ${TARGET_LEVEL_LABELS[dossier.target_level]}`} active="/dossiers">
      <div class="dossier-head">
        <div>
          <p class="crumbs">
            <a href="/dossiers">评价档案</a> / {institution.name}
          </p>
          <h1>
            {institution.name} · {dossier.year}年 · {TARGET_LEVEL_LABELS[dossier.target_level]}
          </h1>
          <p class="muted">
            {KIND_LABELS[institution.kind]} · 标准：{standard.standard.title} <DemoBadge show={standard.standard.demonstration === 1} /> · 状态：
            <span class={`state s-${dossier.state}`}>{DOSSIER_STATE_LABELS[dossier.state]}</span>
          </p>
        </div>
        <div class="overall">
          <p class="small">
            <a href={`/institutions/${institution.id}/documents`}>文件库</a>
          </p>
          <span class="muted small">自评进度</span>
          <ProgressBar done={view.graded} total={view.total} label="已自评" id="overall-progress" />
        </div>
      </div>
      <DossierTabs dossierId={dossier.id} active="tree" />
      {dossier.state === 'returned' && (
        <p class="flash error">
          档案已被退回修改。<a href={`/dossiers/${dossier.id}/review`}>查看审核意见和需修改的条款</a>，修改后由机构负责人重新提交。
        </p>
      )}
      {dossier.state === 'in_review' && <p class="flash info">档案正在评审中，自评和佐证材料暂不能修改。</p>}
      {standard.standard.demonstration === 1 && (
        <p class="demo-notice">{standard.standard.notice || '本标准为演示内容，条款文字并非官方原文。'}</p>
      )}
      <div class="dossier-layout">
        {props.selected ? <DossierTree view={view} selected={props.selected} /> : raw(cachedTreeHtml(view, () => String(<DossierTree view={view} />)))}
        <div class="dossier-side">
          {props.panel}
          <Projection view={view} />
          <MissingEvidence view={view} />
        </div>
      </div>
    </Layout>
  );
}
