import type { Child } from 'hono/jsx';
import type { ItemView } from '../src/dossiers/dossier-view-model.ts';
import { GRADES } from '../src/standards/standard-schema.ts';
import { Flash } from './layout.tsx';

export interface ItemPanelProps {
  dossierId: string;
  item: ItemView;
  canEdit: boolean;
  csrfToken: string;
  /** Values to show instead of the stored ones (after a failed save). */
  draft?: { grade: string; narrative: string };
  errors?: string[];
  saved?: boolean;
  readOnlyReason?: string;
  /** The item's evidence section (views/item-evidence.tsx), loaded by the route. */
  evidence?: Child;
}

export const NARRATIVE_MAX = 5000;

export function ItemPanel(p: ItemPanelProps) {
  const { node, entry } = p.item;
  const grade = p.draft?.grade ?? entry.self_grade ?? '';
  const narrative = p.draft?.narrative ?? entry.narrative;
  const hints: string[] = JSON.parse(node.evidence_hints);
  const keywords: string[] = JSON.parse(node.keywords);
  const action = `/dossiers/${p.dossierId}/items/${node.code}`;
  return (
    <section id="item-panel" class="item-panel" aria-labelledby="item-title">
      <header>
        <h2 id="item-title">
          {node.core ? <span class="core" title="核心条款">★</span> : null}
          {node.code} {node.title}
        </h2>
        <span class="badge">{node.tier === 'recommended' ? '推荐标准' : '基本标准'}</span>
      </header>
      <dl class="requirements">
        <dt>C 级</dt>
        <dd>{node.requirement_c}</dd>
        <dt>B 级</dt>
        <dd>{node.requirement_b}</dd>
        <dt>A 级</dt>
        <dd>{node.requirement_a}</dd>
      </dl>
      {hints.length > 0 && (
        <p class="hints">
          <strong>佐证材料：</strong>
          {hints.join('、')}
        </p>
      )}
      {keywords.length > 0 && <p class="muted small">关键词：{keywords.join('、')}</p>}
      {p.errors && p.errors.length > 0 && (
        <Flash kind="error">
          {p.errors.map((e) => (
            <div>{e}</div>
          ))}
        </Flash>
      )}
      {p.saved && <Flash kind="ok">已保存。</Flash>}
      {p.canEdit ? (
        <form method="post" action={action} hx-post={action} hx-target="#item-panel" hx-swap="outerHTML" class="self-assessment">
          <input type="hidden" name="_csrf" value={p.csrfToken} />
          <fieldset>
            <legend>自评等级</legend>
            <div class="grades">
              {GRADES.map((g) => (
                <label class="grade-choice">
                  <input type="radio" name="grade" value={g} checked={grade === g} />
                  {g}
                </label>
              ))}
              <label class="grade-choice">
                <input type="radio" name="grade" value="" checked={grade === ''} />
                暂不评
              </label>
            </div>
          </fieldset>
          <label>
            自评说明
            <textarea name="narrative" rows={6} maxlength={NARRATIVE_MAX} placeholder="说明本条款的落实情况、佐证材料所在位置等">
              {narrative}
            </textarea>
          </label>
          <button type="submit" class="primary">
            保存
          </button>
        </form>
      ) : (
        <div class="self-assessment readonly">
          <p>
            <strong>自评等级：</strong>
            {entry.self_grade ?? '未评'}
          </p>
          <p>
            <strong>自评说明：</strong>
            {entry.narrative || '（无）'}
          </p>
          {p.readOnlyReason && <p class="muted small">{p.readOnlyReason}</p>}
        </div>
      )}
      {p.evidence}
    </section>
  );
}

export function EmptyItemPanel() {
  return (
    <section id="item-panel" class="item-panel empty">
      <p class="muted">从左侧选择一个条款，查看要求并进行自评。</p>
    </section>
  );
}
