// Intake of one received file, as ordered steps that can stop early (paperless-style): size → kind by content
// → inspection → same content already here? → object store → database rows (+ derived-file job).
// A file is recorded only after its original is safely in the store; a rejected file leaves nothing behind.
import type { Db } from '../db/database.ts';
import type { ConversionState, Document, DocumentVersion } from '../db/schema.ts';
import { ObjectStoreUnavailableError, type ObjectStore } from '../adapters/object-store/object-store.ts';
import { detectFileKind, FILE_KIND_MIME_TYPES, type FileKind } from './file-kind.ts';
import { inspectFile, REJECT } from './inspect-file.ts';
import { sanitizeFileName } from './safe-file-name.ts';
import type { ReceivedFile } from './receive-upload.ts';
import {
  findByContent,
  insertDocument,
  insertVersion,
  linkEvidence,
  recordDocumentEvent,
  upsertBlob,
} from './document-repository.ts';

export type IntakeOutcome =
  | { ok: true; fileName: string; documentId: string; title: string; duplicate: boolean; message: string }
  | { ok: false; fileName: string; reason: string };

export interface IntakeContext {
  db: Db;
  store: ObjectStore;
  actorId: string;
  institutionId: string;
  maxFileBytes: number;
  /** Called inside the transaction that records a new version (queues its derived files). */
  onVersionCreated?: (trx: Db, version: DocumentVersion) => Promise<void>;
}

export interface IntakeTarget {
  /** Link the document to this dossier item. */
  link?: { dossierId: string; itemCode: string };
  /** Add the file as a new version of this document instead of a new document. */
  replaceDocumentId?: string;
}

const OFFICE_KINDS: FileKind[] = ['doc', 'docx', 'xls', 'xlsx'];

function titleFrom(fileName: string): string {
  const dot = fileName.lastIndexOf('.');
  return (dot > 0 ? fileName.slice(0, dot) : fileName).slice(0, 200) || '未命名文件';
}

export function formatLimit(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${Math.round(bytes / 1024 / 1024)} MB` : `${Math.round(bytes / 1024)} KB`;
}

export async function intakeFile(ctx: IntakeContext, file: ReceivedFile, target: IntakeTarget = {}): Promise<IntakeOutcome> {
  const fileName = sanitizeFileName(file.originalName);
  const reject = (reason: string): IntakeOutcome => ({ ok: false, fileName, reason });

  if (file.truncated) return reject(`文件超过 ${formatLimit(ctx.maxFileBytes)} 的上限，未保存`);
  if (file.size === 0) return reject(REJECT.empty);
  const kind = await detectFileKind(file.tempPath);
  // inspectFile also answers 'unknown' (e.g. a password-protected DOCX gets its own message).
  const inspection = await inspectFile(file.tempPath, kind);
  if (!inspection.ok) return reject(inspection.reason);

  if (!target.replaceDocumentId) {
    const existing = await findByContent(ctx.db, ctx.institutionId, file.sha256);
    if (existing) return linkExisting(ctx, existing, fileName, target);
  }

  let stored;
  try {
    stored = await ctx.store.putFile(file.tempPath, {
      prefix: 'originals/',
      contentType: FILE_KIND_MIME_TYPES[kind],
      ...(file.temporary ? { adopt: { sha256: file.sha256 } } : {}),
    });
  } catch (err) {
    if (err instanceof ObjectStoreUnavailableError) return reject(err.message);
    console.error('[intake] object store write failed:', (err as Error).message);
    return reject('文件保存失败（存储错误），请稍后重试');
  }
  if (stored.sha256 !== file.sha256) return reject('文件在传输中发生变化（校验值不一致），请重新上传');

  const conversion: ConversionState = OFFICE_KINDS.includes(kind) ? 'pending' : 'not_needed';
  const versionInput = {
    blob_sha256: stored.sha256,
    file_name: fileName,
    kind,
    mime: FILE_KIND_MIME_TYPES[kind],
    size: stored.size,
    page_count: inspection.pageCount,
    printable: inspection.printable ? 1 : 0,
    conversion_state: conversion,
    conversion_note: inspection.note ?? '',
    uploaded_by: ctx.actorId,
  };
  return ctx.db.transaction().execute(async (trx) => {
    await upsertBlob(trx, { sha256: stored.sha256, size: stored.size, storeKey: stored.key });
    if (target.replaceDocumentId) {
      const version = await insertVersion(trx, target.replaceDocumentId, versionInput);
      await recordDocumentEvent(trx, { documentId: target.replaceDocumentId, actorId: ctx.actorId, action: 'version', detail: { version: version.version_no, fileName } });
      await ctx.onVersionCreated?.(trx, version);
      return { ok: true as const, fileName, documentId: target.replaceDocumentId, title: fileName, duplicate: false, message: `已上传第 ${version.version_no} 版` };
    }
    const { document, version } = await insertDocument(trx, { institutionId: ctx.institutionId, title: titleFrom(fileName), actorId: ctx.actorId, version: versionInput });
    await recordDocumentEvent(trx, { documentId: document.id, actorId: ctx.actorId, action: 'upload', detail: { fileName, kind, size: stored.size } });
    if (target.link) {
      await linkEvidence(trx, { ...target.link, documentId: document.id, actorId: ctx.actorId });
      await recordDocumentEvent(trx, { documentId: document.id, actorId: ctx.actorId, action: 'link', dossierId: target.link.dossierId, itemCode: target.link.itemCode });
    }
    await ctx.onVersionCreated?.(trx, version);
    const note = inspection.note ? `（${inspection.note}）` : '';
    return { ok: true as const, fileName, documentId: document.id, title: document.title, duplicate: false, message: `上传成功${note}` };
  });
}

/** Same content uploaded again into the same institution: reuse the document (restoring it from the trash). */
async function linkExisting(ctx: IntakeContext, existing: Document, fileName: string, target: IntakeTarget): Promise<IntakeOutcome> {
  return ctx.db.transaction().execute(async (trx) => {
    const notes: string[] = [`相同内容的文件已存在：《${existing.title}》`];
    if (existing.trashed_at) {
      await trx.updateTable('documents').set({ trashed_at: null, trashed_by: null }).where('id', '=', existing.id).execute();
      await recordDocumentEvent(trx, { documentId: existing.id, actorId: ctx.actorId, action: 'restore', detail: { reason: 'duplicate upload' } });
      notes.push('已从回收站恢复');
    }
    if (target.link) {
      const linked = await linkEvidence(trx, { ...target.link, documentId: existing.id, actorId: ctx.actorId });
      if (linked) {
        await recordDocumentEvent(trx, { documentId: existing.id, actorId: ctx.actorId, action: 'link', dossierId: target.link.dossierId, itemCode: target.link.itemCode });
        notes.push('已关联到本条款');
      } else notes.push('本条款已关联该文件');
    } else notes.push('未重复保存');
    return { ok: true as const, fileName, documentId: existing.id, title: existing.title, duplicate: true, message: notes.join('，') };
  });
}
