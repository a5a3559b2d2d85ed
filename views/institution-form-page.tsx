import type { CountyOption } from '../src/institutions/institution-repository.ts';
import {
  errorMessages,
  type FieldErrors,
  INSTITUTION_FIELDS,
  type InstitutionFieldDef,
  NAME_MAX,
  PHONE_MAX,
  TEXT_MAX,
} from '../src/institutions/institution-schema.ts';
import { CountyOptions } from './institution-list-page.tsx';
import { KIND_LABELS } from './labels.ts';
import { Flash, Layout, type PageContext } from './layout.tsx';

export interface InstitutionFormProps {
  ctx: PageContext;
  /** null: a new institution. */
  institution: { id: string; name: string } | null;
  /** The text each field shows (what the user entered, or the stored values). */
  values: Record<string, string>;
  errors?: FieldErrors;
  /** A problem not tied to one field. */
  error?: string;
  counties: CountyOption[];
}

const GROUPS: { key: InstitutionFieldDef['group']; title: string }[] = [
  { key: 'basic', title: '基本信息' },
  { key: 'resources', title: '资源配置' },
  { key: 'services', title: '服务能力' },
];

function Field(props: { f: InstitutionFieldDef; value: string; error?: string; counties: CountyOption[] }) {
  const { f, value, error } = props;
  const id = `f-${f.key}`;
  const common = {
    id,
    name: f.key,
    required: f.required,
    'aria-invalid': error ? 'true' : undefined,
    'aria-describedby': error ? `${id}-error` : undefined,
  };
  let control;
  switch (f.type) {
    case 'kind':
      control = (
        <select {...common}>
          <option value="">请选择</option>
          {(['township', 'community'] as const).map((k) => (
            <option value={k} selected={value === k}>
              {KIND_LABELS[k]}
            </option>
          ))}
        </select>
      );
      break;
    case 'county':
      control = (
        <select {...common}>
          <option value="">请选择</option>
          <CountyOptions counties={props.counties} selected={value} />
        </select>
      );
      break;
    case 'longtext':
      control = (
        <textarea {...common} rows={3} maxlength={TEXT_MAX}>
          {value}
        </textarea>
      );
      break;
    case 'integer':
      control = <input {...common} type="text" inputmode="numeric" value={value} />;
      break;
    case 'decimal':
      control = <input {...common} type="text" inputmode="decimal" value={value} />;
      break;
    default:
      control = (
        <input
          {...common}
          type={f.key === 'phone' ? 'tel' : 'text'}
          value={value}
          maxlength={f.key === 'name' ? NAME_MAX : f.key === 'phone' ? PHONE_MAX : TEXT_MAX}
        />
      );
  }
  return (
    <div class={error ? 'field invalid' : 'field'}>
      <label for={id}>
        {f.key === 'county_code' ? '县（区）' : f.label}
        {f.unit && <span class="muted">（{f.unit}）</span>}
        {f.required && <span class="required" aria-hidden="true"> *</span>}
      </label>
      {control}
      {error && (
        <p class="field-error" id={`${id}-error`}>
          {error}
        </p>
      )}
    </div>
  );
}

export function InstitutionFormPage(p: InstitutionFormProps) {
  const title = p.institution ? `编辑机构信息：${p.institution.name}` : '新建机构';
  const action = p.institution ? `/institutions/${p.institution.id}` : '/institutions';
  const messages = p.errors ? errorMessages(p.errors) : [];
  return (
    <Layout ctx={p.ctx} title={title} active="/institutions">
      <p class="breadcrumb">
        <a href="/institutions">机构</a>
        {p.institution && (
          <>
            {' › '}
            <a href={`/institutions/${p.institution.id}`}>{p.institution.name}</a>
          </>
        )}
        {' › '}
        {p.institution ? '编辑' : '新建'}
      </p>
      <h1>{title}</h1>
      {p.error && <Flash kind="error">{p.error}</Flash>}
      {messages.length > 0 && (
        <Flash kind="error">
          请修改以下 {messages.length} 处后再保存：
          <ul>
            {messages.map((m) => (
              <li>{m}</li>
            ))}
          </ul>
        </Flash>
      )}
      <form method="post" action={action} class="stack" novalidate>
        <input type="hidden" name="_csrf" value={p.ctx.csrfToken} />
        {GROUPS.map((g) => (
          <fieldset>
            <legend>{g.title}</legend>
            {INSTITUTION_FIELDS.filter((f) => f.group === g.key).map((f) => (
              <Field f={f} value={p.values[f.key] ?? ''} error={p.errors?.[f.key]} counties={p.counties} />
            ))}
          </fieldset>
        ))}
        <p class="muted small">带 * 的为必填项；数字项可以留空。机构名称应与《医疗机构执业许可证》登记的名称一致。</p>
        <div class="actions">
          <button type="submit" class="primary">
            保存
          </button>
          <a href={p.institution ? `/institutions/${p.institution.id}` : '/institutions'}>取消</a>
        </div>
      </form>
    </Layout>
  );
}
