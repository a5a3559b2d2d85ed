// The institution profile (推荐表 fields, seed 001): one zod schema with Chinese messages, shared by the
// web form and the CSV import. Inputs arrive as text (form fields, CSV cells); numbers are parsed here.
import { z } from 'zod';
import type { InstitutionTable } from '../db/schema.ts';

export type InstitutionKind = InstitutionTable['kind'];
export const INSTITUTION_KINDS = ['township', 'community'] as const satisfies readonly InstitutionKind[];

export type InstitutionField = Exclude<keyof InstitutionTable, 'id' | 'created_at' | 'updated_at'>;

export interface InstitutionFieldDef {
  key: InstitutionField;
  /** The Chinese label; also the CSV column header. */
  label: string;
  type: 'text' | 'longtext' | 'kind' | 'county' | 'integer' | 'decimal';
  unit?: string;
  required?: boolean;
  /** Form section the field is shown in. */
  group: 'basic' | 'resources' | 'services';
}

/** Every editable field, in the order of the form and of the CSV template. */
export const INSTITUTION_FIELDS: readonly InstitutionFieldDef[] = [
  { key: 'name', label: '机构名称', type: 'text', required: true, group: 'basic' },
  { key: 'kind', label: '机构类型', type: 'kind', required: true, group: 'basic' },
  { key: 'county_code', label: '县区代码', type: 'county', required: true, group: 'basic' },
  { key: 'address', label: '地址', type: 'text', group: 'basic' },
  { key: 'legal_representative', label: '法定代表人', type: 'text', group: 'basic' },
  { key: 'phone', label: '联系电话', type: 'text', group: 'basic' },
  { key: 'floor_area', label: '房屋建筑面积', type: 'decimal', unit: '平方米', group: 'resources' },
  { key: 'business_floor_area', label: '业务用房面积', type: 'decimal', unit: '平方米', group: 'resources' },
  { key: 'service_population', label: '服务人口', type: 'integer', unit: '人', group: 'resources' },
  { key: 'staff_count', label: '在岗职工数', type: 'integer', unit: '人', group: 'resources' },
  { key: 'health_technicians', label: '卫生技术人员数', type: 'integer', unit: '人', group: 'resources' },
  { key: 'open_beds', label: '开放床位数', type: 'integer', unit: '张', group: 'resources' },
  { key: 'devices_over_10k', label: '万元以上设备台数', type: 'integer', unit: '台', group: 'resources' },
  { key: 'yearly_visits', label: '年门急诊人次', type: 'integer', unit: '人次', group: 'services' },
  { key: 'yearly_discharges', label: '年出院人次', type: 'integer', unit: '人次', group: 'services' },
  { key: 'senior_physicians', label: '副高及以上职称医师数', type: 'integer', unit: '人', group: 'services' },
  { key: 'registered_gps', label: '注册全科医生数', type: 'integer', unit: '人', group: 'services' },
  { key: 'common_diseases', label: '常见病种数', type: 'integer', unit: '种', group: 'services' },
  { key: 'featured_departments', label: '特色科室', type: 'longtext', group: 'services' },
];

export const INSTITUTION_FIELD_LABELS = Object.fromEntries(INSTITUTION_FIELDS.map((f) => [f.key, f.label])) as Record<
  InstitutionField,
  string
>;

export const NAME_MAX = 100;
export const PHONE_MAX = 40;
export const TEXT_MAX = 500;
const INTEGER_MAX = 1_000_000_000;
const AREA_MAX = 10_000_000;

/** Full-width digits and punctuation (common in Chinese input methods) to their ASCII forms. */
export function toHalfWidth(s: string): string {
  return s.replace(/[０-９．－＋]/g, (ch) => String.fromCharCode(ch.charCodeAt(0) - 0xfee0));
}

const NUMBER_TEXT = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;

/** '' / missing → null; numeric text → number; anything else is passed on so z.number() rejects it. */
function toNumberOrNull(v: unknown): unknown {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string') return v;
  const s = toHalfWidth(v).replace(/[\s,，]/g, '');
  if (s === '') return null;
  return NUMBER_TEXT.test(s) ? Number(s) : v;
}

function count(label: string) {
  return z.preprocess(
    toNumberOrNull,
    z
      .number({ error: `${label}应填写数字` })
      .int(`${label}应为整数`)
      .min(0, `${label}不能为负数`)
      .max(INTEGER_MAX, `${label}数值过大`)
      .nullable(),
  );
}

function area(label: string) {
  return z.preprocess(
    toNumberOrNull,
    z
      .number({ error: `${label}应填写数字` })
      .min(0, `${label}不能为负数`)
      .max(AREA_MAX, `${label}数值过大`)
      .nullable(),
  );
}

function text(label: string, max: number) {
  return z.preprocess(
    (v) => (v === undefined || v === null ? '' : typeof v === 'string' ? v.replace(/\r\n?/g, '\n') : v),
    z.string({ error: `${label}格式不正确` }).trim().max(max, `${label}不能超过 ${max} 字`),
  );
}

const L = INSTITUTION_FIELD_LABELS;

export const institutionSchema = z.object({
  name: z
    .string({ error: `${L.name}不能为空` })
    .trim()
    .min(1, `${L.name}不能为空`)
    .max(NAME_MAX, `${L.name}不能超过 ${NAME_MAX} 字`),
  kind: z.enum(INSTITUTION_KINDS, { error: `${L.kind}应为乡镇卫生院或社区卫生服务中心` }),
  county_code: z
    .string({ error: `${L.county_code}不能为空` })
    .trim()
    .min(1, `${L.county_code}不能为空`)
    .regex(/^\d{6}$/, `${L.county_code}应为 6 位数字的县级行政区划代码`),
  address: text(L.address, TEXT_MAX),
  legal_representative: text(L.legal_representative, TEXT_MAX),
  phone: text(L.phone, PHONE_MAX),
  floor_area: area(L.floor_area),
  business_floor_area: area(L.business_floor_area),
  service_population: count(L.service_population),
  staff_count: count(L.staff_count),
  health_technicians: count(L.health_technicians),
  open_beds: count(L.open_beds),
  devices_over_10k: count(L.devices_over_10k),
  yearly_visits: count(L.yearly_visits),
  yearly_discharges: count(L.yearly_discharges),
  featured_departments: text(L.featured_departments, TEXT_MAX),
  senior_physicians: count(L.senior_physicians),
  registered_gps: count(L.registered_gps),
  common_diseases: count(L.common_diseases),
});

export type InstitutionValues = z.output<typeof institutionSchema>;

/** Field → its first message (one message per field is enough for a form). */
export type FieldErrors = Partial<Record<InstitutionField, string>>;

export function fieldErrors(error: z.ZodError): FieldErrors {
  const out: FieldErrors = {};
  for (const issue of error.issues) {
    const key = issue.path[0] as InstitutionField | undefined;
    if (key && !(key in out)) out[key] = issue.message;
  }
  return out;
}

/** Messages in field order, one per field. */
export function errorMessages(errors: FieldErrors): string[] {
  return INSTITUTION_FIELDS.flatMap((f) => (errors[f.key] ? [errors[f.key]!] : []));
}

/** The text a form field shows for a stored value. */
export function valuesToForm(v: Partial<Record<InstitutionField, string | number | null>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of INSTITUTION_FIELDS) {
    const x = v[f.key];
    out[f.key] = x === null || x === undefined ? '' : String(x);
  }
  return out;
}
