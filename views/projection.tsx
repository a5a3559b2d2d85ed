import type { DossierView } from '../src/dossiers/dossier-view-model.ts';
import { describeBlocker, type LevelResult } from '../src/standards/level-rules.ts';

function LevelConditions(props: { level: LevelResult }) {
  return (
    <ul class="conditions">
      {props.level.conditions.map((c) => (
        <li class={c.met ? 'met' : 'unmet'}>
          <span class="mark">{c.met ? '✓' : '✗'}</span> {c.label}
          <span class="muted">
            {' '}
            （{c.passing}/{c.total}
            {c.kind === 'share' && !c.met ? `，还差 ${c.shortfall} 条` : ''}）
          </span>
          {c.kind === 'every' && !c.met && (
            <ul class="blockers">
              {c.blockers.map((b) => (
                <li>
                  <a href={`#${'item-' + b.code.replaceAll('.', '-')}`}>{describeBlocker(b)}</a>
                </li>
              ))}
            </ul>
          )}
        </li>
      ))}
    </ul>
  );
}

/** The projected result under the standard's rules. Swapped out-of-band after every save. */
export function Projection(props: { view: DossierView; oob?: boolean }) {
  const { target, others } = props.view;
  return (
    <section id="projection" class="projection" hx-swap-oob={props.oob ? 'true' : undefined} aria-live="polite">
      <h2>按当前自评预测</h2>
      {target ? (
        <div class={`verdict ${target.met ? 'met' : 'unmet'}`}>
          <strong>{target.met ? `达到${target.name}` : `未达到${target.name}`}</strong>
          <LevelConditions level={target} />
        </div>
      ) : (
        <p>该标准未定义此评价等级的规则。</p>
      )}
      {others.length > 0 && (
        <details>
          <summary>其他等级</summary>
          {others.map((l) => (
            <div class={`verdict small ${l.met ? 'met' : 'unmet'}`}>
              <strong>{l.met ? `达到${l.name}` : `未达到${l.name}`}</strong>
              <LevelConditions level={l} />
            </div>
          ))}
        </details>
      )}
    </section>
  );
}
