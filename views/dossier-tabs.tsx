// The tabs of a dossier: every dossier sub-page (binder, review, rectification, seals, history) shows them.
const TABS = [
  { key: 'tree', label: '档案与自评', path: '' },
  { key: 'review', label: '审核', path: '/review' },
  { key: 'binder', label: '装订成册', path: '/binder' },
  { key: 'rectifications', label: '整改', path: '/rectifications' },
  { key: 'seals', label: '封存记录', path: '/seals' },
  { key: 'history', label: '操作记录', path: '/history' },
] as const;

export type DossierTabKey = (typeof TABS)[number]['key'];

export function DossierTabs(props: { dossierId: string; active: DossierTabKey }) {
  return (
    <nav class="dossier-tabs" aria-label="档案功能">
      {TABS.map((t) => (
        <a href={`/dossiers/${props.dossierId}${t.path}`} class={t.key === props.active ? 'active' : undefined} aria-current={t.key === props.active ? 'page' : undefined}>
          {t.label}
        </a>
      ))}
    </nav>
  );
}
