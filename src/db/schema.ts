// Table types, as Kysely sees them. Rows are `Selectable<...>`. Timestamps are ISO-8601 text and flags are
// 0/1 integers so the same queries run on SQLite and Postgres.
import type { Generated, Insertable, Selectable, Updateable } from 'kysely';

export interface RegionTable {
  code: string; // 6-digit administrative code
  name: string;
  level: 'province' | 'city' | 'county';
  parent_code: string | null;
  /** Denormalised ancestors, so scope checks are one indexed comparison. */
  province_code: string;
  city_code: string | null;
}

export interface InstitutionTable {
  id: string;
  name: string; // licence name (执业许可证登记名称)
  kind: 'township' | 'community';
  county_code: string;
  address: string;
  legal_representative: string;
  phone: string;
  floor_area: number | null; // 房屋建筑面积 m²
  business_floor_area: number | null; // 业务用房面积 m²
  service_population: number | null;
  staff_count: number | null; // 在岗职工
  health_technicians: number | null; // 卫生技术人员
  open_beds: number | null;
  devices_over_10k: number | null; // 万元以上设备台数
  yearly_visits: number | null; // 年门急诊人次
  yearly_discharges: number | null; // 年出院人次
  featured_departments: string;
  senior_physicians: number | null; // 副高及以上职称医师
  registered_gps: number | null; // 注册全科医生
  common_diseases: number | null; // 能识别和诊治的常见病、多发病病种数
  created_at: string;
  updated_at: string;
}

export type Role =
  | 'staff'
  | 'head'
  | 'county_reviewer'
  | 'city_reviewer'
  | 'province_reviewer'
  | 'expert'
  | 'admin';

export interface UserTable {
  id: string;
  username: string;
  display_name: string;
  password_hash: string;
  role: Role;
  institution_id: string | null; // scope of staff and head
  region_code: string | null; // scope of reviewers and experts
  active: number;
  created_at: string;
}

export interface SessionTable {
  id: string; // SHA-256 of the cookie token; the token itself is never stored
  user_id: string;
  csrf_token: string;
  created_at: string;
  expires_at: string;
  ip: string;
}

export interface LoginThrottleTable {
  key: string; // 'u:<username>' or 'ip:<address>'
  failures: number;
  window_started_at: string;
  locked_until: string | null;
}

export interface StandardTable {
  id: string;
  title: string;
  institution_kind: 'township' | 'community' | 'community_hospital';
  edition: number;
  demonstration: number;
  notice: string;
  /** JSON: { grades, levels } — the rules as data. */
  rules_json: string;
  content_sha256: string;
  created_at: string;
}

export interface StandardNodeTable {
  standard_id: string;
  code: string;
  depth: number; // 1 chapter, 2 section, 3 item
  parent_code: string | null;
  position: number;
  title: string;
  requirement_c: string;
  requirement_b: string;
  requirement_a: string;
  core: number;
  tier: 'basic' | 'recommended' | null;
  evidence_hints: string; // JSON array
  keywords: string; // JSON array
}

export type TargetLevel = 'basic' | 'recommended' | 'community_hospital';
export type DossierState = 'draft' | 'submitted' | 'in_review' | 'returned' | 'passed' | 'failed';

export interface DossierTable {
  id: string;
  institution_id: string;
  year: number;
  target_level: TargetLevel;
  standard_id: string;
  state: DossierState;
  /** Index into the review route of the target level while in review (issue: review rounds). */
  stage: number | null;
  round: number;
  created_at: string;
  updated_at: string;
}

export interface DossierItemTable {
  dossier_id: string;
  item_code: string;
  self_grade: string | null;
  narrative: string;
  updated_by: string | null;
  updated_at: string | null;
}

export interface AuditLogTable {
  id: Generated<number>;
  at: string;
  actor_id: string | null;
  ip: string;
  action: string;
  subject_type: string;
  subject_id: string;
  detail: string; // JSON
}

export interface BlobTable {
  sha256: string;
  size: number;
  store_key: string;
  created_at: string;
}

export interface DocumentTable {
  id: string;
  institution_id: string;
  title: string;
  document_date: string | null; // YYYY-MM-DD
  issuing_department: string;
  current_version_id: string | null;
  created_by: string | null;
  created_at: string;
  updated_at: string;
  trashed_at: string | null;
  trashed_by: string | null;
}

export type ConversionState = 'not_needed' | 'pending' | 'converted' | 'unconverted' | 'failed';

export interface DocumentVersionTable {
  id: string;
  document_id: string;
  version_no: number;
  blob_sha256: string;
  file_name: string; // sanitised display name of the upload
  kind: string; // FileKind
  mime: string;
  size: number;
  page_count: number | null;
  printable: number;
  conversion_state: ConversionState;
  conversion_note: string;
  rendition_sha256: string | null;
  thumbnail_sha256: string | null;
  uploaded_by: string | null;
  created_at: string;
}

export interface ItemEvidenceTable {
  id: string;
  dossier_id: string;
  item_code: string;
  document_id: string;
  version_id: string | null;
  page_from: number | null;
  page_to: number | null;
  position: number;
  created_by: string | null;
  created_at: string;
}

export interface DocumentEventTable {
  id: Generated<number>;
  document_id: string;
  dossier_id: string | null;
  item_code: string | null;
  actor_id: string | null;
  at: string;
  action: string;
  detail: string; // JSON
}

export type JobState = 'queued' | 'running' | 'done' | 'failed' | 'cancelled';

/** Durable background jobs (src/jobs/job-queue.ts). `kind` is a JobKind, payload/result are JSON text. */
export interface JobTable {
  id: string;
  kind: string;
  payload: string;
  state: JobState;
  priority: number;
  attempts: number;
  max_attempts: number;
  run_after: string;
  lease_until: string | null;
  locked_by: string | null;
  progress_done: number;
  progress_total: number; // 0 = unknown
  last_error: string;
  result: string;
  dedupe_key: string | null;
  created_at: string;
  updated_at: string;
  finished_at: string | null;
}

/** Text of one page of a document version (issue 4); indexed for search by src/search/page-index.ts. */
export interface PageTable {
  id: Generated<number>;
  version_id: string;
  page_no: number; // 1-based
  text: string; // NFKC
  confidence: number | null; // mean OCR confidence 0–100; null for a text layer
  source: 'text' | 'ocr' | 'none';
  chars: number; // non-whitespace characters (0 = blank page)
  created_at: string;
  // Postgres only: `tokens tsvector` (written and read with raw SQL in src/search/page-index.ts).
}

export interface Database {
  regions: RegionTable;
  institutions: InstitutionTable;
  users: UserTable;
  sessions: SessionTable;
  login_throttle: LoginThrottleTable;
  standards: StandardTable;
  standard_nodes: StandardNodeTable;
  dossiers: DossierTable;
  dossier_items: DossierItemTable;
  audit_log: AuditLogTable;
  blobs: BlobTable;
  documents: DocumentTable;
  document_versions: DocumentVersionTable;
  item_evidence: ItemEvidenceTable;
  document_events: DocumentEventTable;
  jobs: JobTable;
  pages: PageTable;
}

export type Region = Selectable<RegionTable>;
export type Institution = Selectable<InstitutionTable>;
export type NewInstitution = Insertable<InstitutionTable>;
export type InstitutionUpdate = Updateable<InstitutionTable>;
export type User = Selectable<UserTable>;
export type Standard = Selectable<StandardTable>;
export type StandardNodeRow = Selectable<StandardNodeTable>;
export type Dossier = Selectable<DossierTable>;
export type DossierItem = Selectable<DossierItemTable>;
export type Document = Selectable<DocumentTable>;
export type DocumentVersion = Selectable<DocumentVersionTable>;
export type ItemEvidence = Selectable<ItemEvidenceTable>;
export type DocumentEvent = Selectable<DocumentEventTable>;
