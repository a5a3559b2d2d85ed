import { itemDomId, type ChapterView, type DossierView, type ItemView } from '../src/dossiers/dossier-view-model.ts';

function percent(done: number, total: number): number {
  return total === 0 ? 0 : Math.round((done / total) * 100);
}

export function ProgressBar(props: { done: number; total: number; label: string; id?: string; oob?: boolean }) {
  const p = percent(props.done, props.total);
  return (
    <div class="progress" id={props.id} hx-swap-oob={props.oob ? 'true' : undefined} title={`${props.label}：${props.done}/${props.total}`}>
      <div class="bar" style={`width:${p}%`}></div>
      <span>
        {props.done}/{props.total}
      </span>
    </div>
  );
}

export function chapterProgressId(code: string): string {
  return `chapter-progress-${code}`;
}

/** One row of the tree; swapped out-of-band when the item is saved. */
export function TreeItem(props: { dossierId: string; item: ItemView; selected?: boolean; oob?: boolean }) {
  const { node, grade, evidence } = props.item;
  const href = `/dossiers/${props.dossierId}/items/${node.code}`;
  return (
    <li id={itemDomId(node.code)} class={`tree-item${props.selected ? ' selected' : ''}`} hx-swap-oob={props.oob ? 'true' : undefined}>
      <a href={href} hx-get={href}>
        <span class="code">
          {node.core ? <span class="core" title="核心条款">★</span> : null}
          {node.code}
        </span>
        <span class="title">{node.title}</span>
        <span class={`evidence ${evidence ? 'has' : 'none'}`} title={evidence ? `${evidence} 份佐证材料` : '缺少佐证材料'}>
          {evidence ? `${evidence}份` : '—'}
        </span>
        <span class={`grade ${grade ? 'g-' + (grade === '未达标' ? 'x' : grade) : 'none'}`}>{grade ?? '未评'}</span>
      </a>
    </li>
  );
}

export function ChapterProgress(props: { chapter: ChapterView; oob?: boolean }) {
  return (
    <ProgressBar
      done={props.chapter.graded}
      total={props.chapter.total}
      label="已自评"
      id={chapterProgressId(props.chapter.node.code)}
      oob={props.oob}
    />
  );
}

export function DossierTree(props: { view: DossierView; selected?: string }) {
  const { view } = props;
  return (
    <nav class="tree" aria-label="标准条款" hx-target="#item-panel" hx-swap="outerHTML" hx-push-url="true">
      {view.chapters.map((ch) => (
        <details open>
          <summary>
            <span class="chapter-title">
              第{ch.node.code}章 {ch.node.title}
            </span>
            <ChapterProgress chapter={ch} />
          </summary>
          {ch.sections.map((s) => (
            <div class="section">
              <h3>
                {s.node.code} {s.node.title}
              </h3>
              <ul>
                {s.items.map((i) => (
                  <TreeItem dossierId={view.dossier.id} item={i} selected={i.node.code === props.selected} />
                ))}
              </ul>
            </div>
          ))}
        </details>
      ))}
    </nav>
  );
}
