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
  /** Bumped by every review transition (optimistic lock: one of two concurrent decisions stands). */
  review_version: Generated<number>;
  submitted_at: Generated<string | null>;
  decided_at: Generated<string | null>;
  /** The dossier whose evidence was carried over (new campaign year or 回头看). */
  previous_dossier_id: Generated<string | null>;
  purpose: Generated<'assessment' | 're_review'>;
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
  // Its search index: page_fts (SQLite) or page_terms (Postgres, migration 0006), written and read with raw SQL in
  // src/search/page-index.ts.
}

export type BinderBuildState = 'queued' | 'running' | 'done' | 'failed';

export interface BinderBuildTable {
  id: string;
  dossier_id: string;
  options_json: string; // canonical JSON of BinderOptions
  state: BinderBuildState;
  job_id: string | null;
  requested_by: string | null;
  created_at: string;
  finished_at: string | null;
  input_sha256: string | null;
  page_count: number | null;
  volume_count: number | null;
  labels_sha256: string | null;
  report_json: string; // JSON: replaced documents, warnings
  error: string;
}

export interface BinderVolumeTable {
  build_id: string;
  volume_no: number;
  blob_sha256: string;
  size: number;
  page_count: number;
  first_item: string;
  last_item: string;
}

export type RegionLevel = 'county' | 'city' | 'province';

/** One stage of a review route; province_code '' is the national default a province may override. */
export interface ReviewRouteTable {
  province_code: string;
  target_level: TargetLevel;
  position: number;
  region_level: RegionLevel;
  label: string;
  deadline_days: number;
}

export type ReviewStageState = 'active' | 'passed' | 'returned' | 'failed';

export interface ReviewStageTable {
  id: string;
  dossier_id: string;
  round: number;
  position: number;
  region_level: RegionLevel;
  region_code: string;
  label: string;
  state: ReviewStageState;
  opened_at: string;
  deadline: string;
  closed_at: string | null;
}

export interface ReviewAssignmentTable {
  dossier_id: string;
  user_id: string;
  assigned_by: string | null;
  created_at: string;
}

export interface ReviewGradeTable {
  dossier_id: string;
  round: number;
  position: number;
  item_code: string;
  grade: string | null;
  note: string;
  onsite_finding: string;
  reviewer_id: string | null;
  updated_at: string;
}

export interface AnnotationTable {
  id: string;
  dossier_id: string;
  round: number;
  position: number | null;
  item_code: string | null;
  document_id: string;
  version_id: string;
  page_no: number;
  /** Rectangle as fractions (0–1) of the page, origin top-left. */
  x: number;
  y: number;
  w: number;
  h: number;
  body: string;
  author_id: string;
  created_at: string;
  resolved_at: string | null;
  resolved_by: string | null;
}

export interface AnnotationReplyTable {
  id: string;
  annotation_id: string;
  body: string;
  author_id: string;
  created_at: string;
}

export type DecisionOutcome = 'pass' | 'return' | 'fail';

export interface DecisionTable {
  id: string;
  dossier_id: string;
  stage_id: string;
  round: number;
  position: number;
  outcome: DecisionOutcome;
  reasons: string;
  items_json: string; // JSON array of item codes to fix
  decided_by: string;
  decided_at: string;
}

export type RectificationStatus = 'open' | 'in_progress' | 'done';

export interface RectificationTable {
  id: string;
  dossier_id: string;
  item_code: string;
  problem: string;
  measures: string;
  responsible: string;
  deadline: string | null;
  status: RectificationStatus;
  source: 'reviewer' | 'institution';
  annotation_id: string | null;
  created_by: string | null;
  created_at: string;
  updated_at: string;
  completed_at: string | null;
}

export interface RectificationEvidenceTable {
  rectification_id: string;
  document_id: string;
}

export type SealEvent = 'submit' | 'pass' | 'return' | 'fail';

export interface SealTable {
  id: string;
  dossier_id: string;
  sequence: number;
  round: number;
  event: SealEvent;
  decision_id: string | null;
  manifest_json: string; // canonical JSON: exactly the bytes hashed
  manifest_sha256: string;
  previous_sha256: string | null;
  binder_build_id: string | null;
  created_by: string | null;
  created_at: string;
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
  binder_builds: BinderBuildTable;
  binder_volumes: BinderVolumeTable;
  review_routes: ReviewRouteTable;
  review_stages: ReviewStageTable;
  review_assignments: ReviewAssignmentTable;
  review_grades: ReviewGradeTable;
  annotations: AnnotationTable;
  annotation_replies: AnnotationReplyTable;
  decisions: DecisionTable;
  rectifications: RectificationTable;
  rectification_evidence: RectificationEvidenceTable;
  seals: SealTable;
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
export type BinderBuild = Selectable<BinderBuildTable>;
export type BinderVolume = Selectable<BinderVolumeTable>;
export type ReviewRoute = Selectable<ReviewRouteTable>;
export type ReviewStage = Selectable<ReviewStageTable>;
export type ReviewGrade = Selectable<ReviewGradeTable>;
export type Annotation = Selectable<AnnotationTable>;
export type AnnotationReply = Selectable<AnnotationReplyTable>;
export type Decision = Selectable<DecisionTable>;
export type Rectification = Selectable<RectificationTable>;
export type Seal = Selectable<SealTable>;
