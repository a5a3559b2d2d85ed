// The review tab of a dossier: the route and where the dossier stands, the institution's submission
// pre-check, the reviewers' grades beside the self-assessment, the decision form and the decision history.
import type { ReviewRoute } from '../src/db/schema.ts';
import { formatDay, formatMinute } from '../src/documents/document-labels.ts';
import type { DossierView, ItemView } from '../src/dossiers/dossier-view-model.ts';
import type { ReviewAccess } from '../src/review/review-access.ts';
import type { ReviewHistory } from '../src/review/review-repository.ts';
import type { SubmissionBlocker } from '../src/review/submission-precheck.ts';
import { OUTCOME_LABELS } from '../src/review/review-workflow.ts';
import { GRADES } from '../src/standards/standard-schema.ts';
import { DossierTabs } from './dossier-tabs.tsx';
import { LongText } from './long-text.tsx';
import { DOSSIER_STATE_LABELS, REGION_LEVEL_LABELS, TARGET_LEVEL_LABELS } from './labels.ts';
import { Flash, Layout, type PageContext } from './layout.tsx';

export interface EvidenceLink {
  document_id: string;
  title: string;
}

export interface ReviewPageProps {
  ctx: PageContext;
  view: DossierView;
  access: ReviewAccess;
  route: ReviewRoute[];
  history: ReviewHistory;
  blockers: SubmissionBlocker[] | null; // null: not shown to this account
  canSubmit: boolean;
  evidence: Map<string, EvidenceLink[]>;
  expertChoices: { id: string; display_name: string }[];
  flash?: { kind: 'ok' | 'error'; message: string };
  /** What the reviewer had entered in the decision form when it was refused: shown again, not lost. */
  decisionDraft?: { outcome: string; reasons: string; items: string };
}

// Stage deadlines are timestamps: shown as their date in China.
const day = (iso: string | null) => (iso ? formatDay(iso) : '');
const minute = formatMinute;

export function reviewRowId(code: string): string {
  return `rv-${code.replaceAll('.', '-')}`;
}

function RouteSteps(p: { route: ReviewRoute[]; view: DossierView; access: ReviewAccess }) {
  const { dossier } = p.view;
  const final = dossier.state === 'passed' || dossier.state === 'failed';
  return (
    <ol class="route-steps" aria-label="审核流程">
      <li class={dossier.state === 'draft' || dossier.state === 'returned' ? 'current' : 'done'}>
        <strong>机构</strong>
        <span>自评与提交</span>
      </li>
      {p.route.map((r) => {
        const cls =
          dossier.state === 'in_review' && dossier.stage === r.position
            ? 'current'
            : final || (dossier.state === 'in_review' && (dossier.stage ?? 0) > r.position)
              ? 'done'
              : '';
        return (
          <li class={cls}>
            <strong>{REGION_LEVEL_LABELS[r.region_level]}级</strong>
            <span>{r.label}</span>
          </li>
        );
      })}
      <li class={final ? `current s-${dossier.state}` : ''}>
        <strong>结论</strong>
        <span>{final ? DOSSIER_STATE_LABELS[dossier.state] : '待定'}</span>
      </li>
    </ol>
  );
}

function Submission(p: ReviewPageProps) {
  if (!p.blockers) return null;
  const id = p.view.dossier.id;
  return (
    <section class="card" id="submission">
      <h2>提交评审</h2>
      {p.blockers.length === 0 ? (
        <p class="ok-text">预检通过：★核心条款均已自评并有佐证材料，按自评结果可以达到{TARGET_LEVEL_LABELS[p.view.dossier.target_level]}。</p>
      ) : (
        <>
          <p>以下问题需要先处理（共 {p.blockers.length} 项）：</p>
          <ul class="blockers">
            {p.blockers.map((b) => (
              <li class={`blocker b-${b.kind}`}>{b.href ? <a href={b.href}>{b.message}</a> : b.message}</li>
            ))}
          </ul>
        </>
      )}
      {p.canSubmit ? (
        <form method="post" action={`/dossiers/${id}/submit`} class="inline-form">
          <input type="hidden" name="_csrf" value={p.ctx.csrfToken} />
          <input type="hidden" name="review_version" value={String(p.view.dossier.review_version)} />
          <button class="primary" type="submit" disabled={p.blockers.length > 0} data-confirm="提交后档案内容将被封存，评审期间不能修改。确定提交？">
            {p.view.dossier.state === 'returned' ? '修改完成，重新提交' : '提交评审'}
          </button>
        </form>
      ) : (
        <p class="muted">只有机构负责人可以提交评审。</p>
      )}
    </section>
  );
}

function LastDecision(p: { history: ReviewHistory; dossierId: string }) {
  const last = p.history.decisions.at(-1);
  if (!last || last.outcome === 'pass') return null;
  const items = JSON.parse(last.items_json) as string[];
  return (
    <section class={`card decision-notice o-${last.outcome}`} id="last-decision">
      <h2>
        {REGION_LEVEL_LABELS[last.region_level]}级{last.stage_label}：{OUTCOME_LABELS[last.outcome]}
      </h2>
      <p class="muted">
        {last.decided_by_name} · {minute(last.decided_at)} · 第 {last.round} 轮
      </p>
      {last.reasons && <p class="reasons">{last.reasons}</p>}
      {items.length > 0 && (
        <p>
          需修改的条款：
          {items.map((code) => (
            <a class="chip" href={`#${reviewRowId(code)}`}>
              {code}
            </a>
          ))}
        </p>
      )}
    </section>
  );
}

function DecisionForm(p: ReviewPageProps) {
  const stage = p.access.activeStage;
  if (!p.access.canReview || !stage) return null;
  if (p.ctx.user?.role === 'expert') return <p class="card muted">评审专家负责逐条评审和批注；通过、退回或不通过的决定由本级审核人员作出。</p>;
  const disagreements = disagreeingItems(p);
  const draft = p.decisionDraft;
  const last = p.route.at(-1)?.position === stage.position;
  return (
    <section class="card" id="decision">
      <h2>
        作出决定（{REGION_LEVEL_LABELS[stage.region_level]}级{stage.label}）
      </h2>
      <p class="muted">
        截止日期 {day(stage.deadline)}。{last ? '本级为最后一级，通过即为最终结论。' : '通过后提交上一级继续评审。'}
      </p>
      <form method="post" action={`/dossiers/${p.view.dossier.id}/review/decision`} class="decision-form">
        <input type="hidden" name="_csrf" value={p.ctx.csrfToken} />
        <input type="hidden" name="stage_id" value={stage.id} />
        <input type="hidden" name="review_version" value={String(p.view.dossier.review_version)} />
        <fieldset class="outcomes">
          <legend>结论</legend>
          <label>
            <input type="radio" name="outcome" value="pass" required checked={draft?.outcome === 'pass'} /> 通过
          </label>
          <label>
            <input type="radio" name="outcome" value="return" checked={draft?.outcome === 'return'} /> 退回修改
          </label>
          <label>
            <input type="radio" name="outcome" value="fail" checked={draft?.outcome === 'fail'} /> 不通过（6 个月内不得再次申请）
          </label>
        </fieldset>
        <label>
          意见与理由（退回或不通过时必填）
          <textarea name="reasons" rows={3} maxlength={4000}>
            {draft?.reasons ?? ''}
          </textarea>
        </label>
        <label>
          需修改的条款（条款号，用空格或逗号分隔；已预填与自评不一致的条款）
          <input name="items" value={draft?.items ?? disagreements.join(' ')} />
        </label>
        <button class="primary" type="submit" data-confirm="决定提交后将封存档案，不能撤回。确定提交？">
          提交决定
        </button>
      </form>
    </section>
  );
}

function Experts(p: ReviewPageProps) {
  const stage = p.access.activeStage;
  const canAssign = p.access.canReview && p.ctx.user?.role !== 'expert';
  if (!stage && p.history.experts.length === 0) return null;
  const assigned = new Set(p.history.experts.map((e) => e.id));
  const choices = p.expertChoices.filter((e) => !assigned.has(e.id));
  return (
    <section class="card" id="experts">
      <h2>评审专家</h2>
      {p.history.experts.length === 0 ? <p class="muted">尚未指派专家。</p> : <p>{p.history.experts.map((e) => e.display_name).join('、')}</p>}
      {canAssign && choices.length > 0 && (
        <form method="post" action={`/dossiers/${p.view.dossier.id}/review/experts`} class="inline-form">
          <input type="hidden" name="_csrf" value={p.ctx.csrfToken} />
          <select name="user_id" aria-label="选择专家">
            {choices.map((e) => (
              <option value={e.id}>{e.display_name}</option>
            ))}
          </select>
          <button type="submit">指派</button>
        </form>
      )}
    </section>
  );
}

function latestReview(p: ReviewPageProps, code: string) {
  return p.history.grades.get(code)?.filter((g) => g.grade).at(-1);
}

function disagreeingItems(p: ReviewPageProps): string[] {
  const out: string[] = [];
  for (const ch of p.view.chapters)
    for (const s of ch.sections)
      for (const i of s.items) {
        const r = latestReview(p, i.node.code);
        if (r && r.grade !== i.grade) out.push(i.node.code);
      }
  return out;
}

export function ReviewItemRow(p: { props: ReviewPageProps; item: ItemView; saved?: boolean; error?: string }) {
  const { props, item } = p;
  const code = item.node.code;
  const stage = props.access.activeStage;
  const all = props.history.grades.get(code) ?? [];
  const mine = stage ? all.find((g) => g.round === stage.round && g.position === stage.position) : undefined;
  const earlier = all.filter((g) => g !== mine && (g.grade || g.note || g.onsite_finding));
  const latest = latestReview(props, code);
  const disagree = latest !== undefined && latest.grade !== item.grade;
  const evidence = props.evidence.get(code) ?? [];
  const base = `/dossiers/${props.view.dossier.id}`;
  return (
    <tr id={reviewRowId(code)} class={disagree ? 'disagree' : undefined}>
      <td class="code">
        {item.node.core ? <span class="core" title="核心条款">★</span> : null}
        {code}
      </td>
      <td>
        <a href={`${base}/items/${code}`}>{item.node.title}</a>
        {item.entry.narrative && <LongText class="small muted narrative" text={item.entry.narrative} />}
      </td>
      <td class="grade">{item.grade ?? <span class="muted">未评</span>}</td>
      <td class="evidence">
        {evidence.length === 0 ? (
          <span class="muted">无</span>
        ) : (
          evidence.map((e) => (
            <a class="doc-link" href={`${base}/documents/${e.document_id}/view?item=${encodeURIComponent(code)}`}>
              {e.title}
            </a>
          ))
        )}
      </td>
      <td class="earlier">
        {earlier.map((g) => (
          <p class="small">
            <b>{g.grade ?? '—'}</b> {g.note && <LongText text={g.note} inline />} {g.onsite_finding && <span class="onsite">现场：{g.onsite_finding}</span>}
            <span class="muted"> （{g.reviewer_name ?? ''}，第{g.round}轮）</span>
          </p>
        ))}
        {disagree && <span class="badge warn">与自评不一致</span>}
      </td>
      {props.access.canReview && stage && (
        <td class="mine">
          <form hx-post={`${base}/review/items/${code}`} hx-target={`#${reviewRowId(code)}`} hx-swap="outerHTML" method="post" action={`${base}/review/items/${code}`}>
            <input type="hidden" name="_csrf" value={props.ctx.csrfToken} />
            <select name="grade" aria-label={`${code} 评审等级`}>
              <option value="">—</option>
              {GRADES.map((g) => (
                <option value={g} selected={mine?.grade === g}>
                  {g}
                </option>
              ))}
            </select>
            <input name="note" value={mine?.note ?? ''} placeholder="评审意见" maxlength={2000} aria-label={`${code} 评审意见`} />
            <input name="onsite_finding" value={mine?.onsite_finding ?? ''} placeholder="现场复核发现" maxlength={2000} aria-label={`${code} 现场复核发现`} />
            <button type="submit">保存</button>
            {p.saved && <span class="ok-text small">已保存</span>}
            {p.error && <span class="error-text small">{p.error}</span>}
          </form>
        </td>
      )}
    </tr>
  );
}

function ItemsTable(p: ReviewPageProps) {
  const reviewing = p.access.canReview && p.access.activeStage;
  return (
    <section class="card" id="review-items">
      <h2>条款评审</h2>
      <p class="muted small">标黄的条款为评审等级与自评不一致。点击佐证材料在浏览器中查看并批注。</p>
      <div class="table-scroll">
      <table class="list review-table">
        <thead>
          <tr>
            <th>条款</th>
            <th>内容与自评说明</th>
            <th>自评</th>
            <th>佐证材料</th>
            <th>评审记录</th>
            {reviewing && <th>本级评审</th>}
          </tr>
        </thead>
        {p.view.chapters.map((ch) => (
          <tbody>
            <tr class="chapter-row">
              <th colspan={reviewing ? 6 : 5}>
                {ch.node.code} {ch.node.title}
              </th>
            </tr>
            {ch.sections.flatMap((s) => s.items.map((item) => <ReviewItemRow props={p} item={item} />))}
          </tbody>
        ))}
      </table>
      </div>
    </section>
  );
}

function DecisionHistory(p: { history: ReviewHistory }) {
  if (p.history.stages.length === 0) return null;
  const byStage = new Map(p.history.decisions.map((d) => [d.stage_id, d]));
  return (
    <section class="card" id="review-history">
      <h2>审核经过</h2>
      <table class="list">
        <thead>
          <tr>
            <th>轮次</th>
            <th>环节</th>
            <th>收到</th>
            <th>截止</th>
            <th>结论</th>
            <th>决定人</th>
            <th>意见</th>
          </tr>
        </thead>
        <tbody>
          {p.history.stages.map((s) => {
            const d = byStage.get(s.id);
            return (
              <tr>
                <td>{s.round}</td>
                <td>
                  {REGION_LEVEL_LABELS[s.region_level]}级{s.label}
                </td>
                <td>{minute(s.opened_at)}</td>
                <td class={s.state === 'active' && s.deadline < new Date().toISOString() ? 'overdue' : undefined}>{day(s.deadline)}</td>
                <td>{d ? <span class={`outcome o-${d.outcome}`}>{OUTCOME_LABELS[d.outcome]}</span> : <span class="muted">评审中</span>}</td>
                <td>{d ? `${d.decided_by_name} ${minute(d.decided_at)}` : ''}</td>
                <td>{d?.reasons}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}

export function ReviewPage(p: ReviewPageProps) {
  const { dossier, institution } = p.view;
  const stage = p.access.activeStage;
  return (
    <Layout ctx={p.ctx} title={`审核 · ${institution.name}`} active="/dossiers">
      <p class="crumbs">
        <a href="/dossiers">评价档案</a> / <a href={`/dossiers/${dossier.id}`}>{institution.name}</a> / 审核
      </p>
      <h1>
        {institution.name} · {dossier.year}年 · {TARGET_LEVEL_LABELS[dossier.target_level]}
      </h1>
      <DossierTabs dossierId={dossier.id} active="review" />
      {p.flash && <Flash kind={p.flash.kind}>{p.flash.message}</Flash>}
      <div id="flash-area"></div>
      <section class="card review-status">
        <RouteSteps route={p.route} view={p.view} access={p.access} />
        <p>
          状态：<span class={`state s-${dossier.state}`}>{DOSSIER_STATE_LABELS[dossier.state]}</span> · 第 {dossier.round} 轮
          {stage && (
            <>
              {' '}
              · 当前环节：{REGION_LEVEL_LABELS[stage.region_level]}级{stage.label}（截止 {day(stage.deadline)}）
            </>
          )}
        </p>
        <p class="review-pack">
          <a href={`/dossiers/${dossier.id}/review/pack.pdf`} download>
            下载审核材料包（PDF）
          </a>{' '}
          <span class="muted small">审核摘要（决定、评审等级、批注、整改）与当前档案的装订册合为一个文件；生成需要一些时间。</span>
        </p>
      </section>
      <LastDecision history={p.history} dossierId={dossier.id} />
      <Submission {...p} />
      <DecisionForm {...p} />
      <Experts {...p} />
      <section class="card" id="review-annotations-card">
        <h2>未解决的文件批注</h2>
        <p class="muted small">审核人员在佐证材料上圈出的问题。机构可以逐条回复；审核人员确认后标为已解决。</p>
        <div id="review-annotations" hx-get={`/dossiers/${dossier.id}/annotations?open=1&list_id=review-annotations`} hx-trigger="load" hx-swap="innerHTML">
          <p class="muted">正在加载…</p>
        </div>
      </section>
      <ItemsTable {...p} />
      <DecisionHistory history={p.history} />
    </Layout>
  );
}
