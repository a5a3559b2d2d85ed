// The text of every page of a document version ('extract_text' job): the PDF text layer where it is real,
// OCR where a page is scanned, blank or its text layer is garbage; images and multi-page TIFFs are OCR'd page
// by page; Office files through their PDF rendition. Pages are stored and indexed in one transaction at the end,
// so a re-run (a crashed worker's job taken over) simply redoes the work and replaces the same rows.
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Db } from '../db/database.ts';
import { withLocalCopy } from '../adapters/object-store/local-copy.ts';
import type { ObjectStore } from '../adapters/object-store/object-store.ts';
import type { OcrPool } from '../adapters/ocr.ts';
import { renderImagePageForOcr } from '../adapters/page-renderer.ts';
import { extractPageText, openPdf, PdfPasswordError, PdfReadError, renderPageForOcr } from '../adapters/pdf-text.ts';
import { enqueue } from '../jobs/job-queue.ts';
import { PermanentJobError, type JobContext } from '../jobs/worker.ts';
import { replacePages } from '../search/page-index.ts';
import { blobKey } from './document-repository.ts';
import type { FileKind } from './file-kind.ts';

/** Page images for OCR: about 200 DPI on an A4 page. */
const OCR_IMAGE_WIDTH = 1654;
const MAX_OCR_PAGES = 2000;

export interface ExtractDeps {
  db: Db;
  store: ObjectStore;
  tmpDir: string;
  ocr: () => OcrPool;
}

export interface PageText {
  pageNo: number;
  text: string;
  confidence: number | null;
  source: 'text' | 'ocr' | 'none';
}

/** Queued when a version's derived files are done (Office files need their rendition first). */
export async function enqueueTextExtraction(db: Db, versionId: string): Promise<void> {
  await enqueue(db, 'extract_text', { versionId }, { dedupeKey: `text:${versionId}` });
}

export async function extractText(deps: ExtractDeps, versionId: string, ctx?: Pick<JobContext, 'signal' | 'progress'>): Promise<Record<string, unknown>> {
  const { db } = deps;
  const version = await db.selectFrom('document_versions').selectAll().where('id', '=', versionId).executeTakeFirst();
  if (!version) return { skipped: 'version deleted' };
  const doc = await db.selectFrom('documents').select('id').where('id', '=', version.document_id).executeTakeFirst();
  if (!doc) return { skipped: 'document deleted' };
  const kind = version.kind as FileKind;
  const isOffice = kind === 'doc' || kind === 'docx' || kind === 'xls' || kind === 'xlsx';
  const sourceSha = isOffice ? version.rendition_sha256 : version.blob_sha256;
  if (!sourceSha || !['pdf', 'jpeg', 'png', 'tiff'].includes(isOffice ? 'pdf' : kind)) {
    return { skipped: isOffice ? 'no PDF rendition' : `kind ${kind} has no text` };
  }
  const key = await blobKey(db, sourceSha);
  if (!key) throw new PermanentJobError('原始文件在存储中不存在');
  await fs.mkdir(deps.tmpDir, { recursive: true });
  const pages = await withLocalCopy(deps.store, key, deps.tmpDir, (file) =>
    isOffice || kind === 'pdf' ? pdfPages(deps, file, ctx) : imagePages(deps, file, kind as 'jpeg' | 'png' | 'tiff', version.page_count ?? 1, ctx),
  );
  await replacePages(db, versionId, pages);
  return { pages: pages.length, ocr: pages.filter((p) => p.source === 'ocr').length };
}

async function ocrPage(deps: ExtractDeps, png: Buffer, ctx?: Pick<JobContext, 'signal'>): Promise<Pick<PageText, 'text' | 'confidence' | 'source'>> {
  const result = await deps.ocr().recognize(png, { signal: ctx?.signal });
  return { text: result.text, confidence: result.confidence, source: result.text ? 'ocr' : 'none' };
}

/**
 * Runs `work(pageNo)` for every page with as many pages in flight as the OCR pool has workers (rendering the
 * next page overlaps recognising the previous one), reporting progress as pages finish; results in page order.
 */
async function eachPage(
  deps: ExtractDeps,
  pageNos: number[],
  work: (pageNo: number) => Promise<PageText>,
  progress: () => Promise<void>,
  ctx?: Pick<JobContext, 'signal'>,
): Promise<PageText[]> {
  const results = new Map<number, PageText>();
  let next = 0;
  const lane = async () => {
    while (next < pageNos.length) {
      ctx?.signal.throwIfAborted();
      const pageNo = pageNos[next++]!;
      results.set(pageNo, await work(pageNo));
      await progress();
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(deps.ocr().size, pageNos.length)) }, lane));
  return pageNos.map((n) => results.get(n)!);
}

async function pdfPages(deps: ExtractDeps, file: string, ctx?: Pick<JobContext, 'signal' | 'progress'>): Promise<PageText[]> {
  let pdf;
  try {
    pdf = await openPdf(file);
  } catch (err) {
    if (err instanceof PdfPasswordError || err instanceof PdfReadError) throw new PermanentJobError(err.message);
    throw err;
  }
  try {
    const total = Math.min(pdf.numPages, MAX_OCR_PAGES);
    let done = 0;
    const progress = () => ctx?.progress(++done, total) ?? Promise.resolve();
    // Text layers first (fast, in order); pages without a trustworthy layer are OCR'd after, in parallel.
    const pages = new Map<number, PageText>();
    const needOcr: number[] = [];
    for (let pageNo = 1; pageNo <= total; pageNo++) {
      ctx?.signal.throwIfAborted();
      const layer = await extractPageText(pdf, pageNo);
      if (layer.text && !layer.garbage) {
        pages.set(pageNo, { pageNo, text: layer.text, confidence: null, source: 'text' });
        await progress();
      } else needOcr.push(pageNo);
    }
    const ocred = await eachPage(deps, needOcr, async (pageNo) => ({ pageNo, ...(await ocrPage(deps, await renderPageForOcr(pdf, pageNo), ctx)) }), progress, ctx);
    for (const p of ocred) pages.set(p.pageNo, p);
    return [...pages.values()].sort((a, b) => a.pageNo - b.pageNo);
  } finally {
    await pdf.destroy();
  }
}

async function imagePages(deps: ExtractDeps, file: string, kind: 'jpeg' | 'png' | 'tiff', count: number, ctx?: Pick<JobContext, 'signal' | 'progress'>): Promise<PageText[]> {
  const total = Math.min(count, MAX_OCR_PAGES);
  let done = 0;
  const pageNos = Array.from({ length: total }, (_, i) => i + 1);
  return eachPage(
    deps,
    pageNos,
    async (pageNo) => ({ pageNo, ...(await ocrPage(deps, await renderImagePageForOcr(file, kind, pageNo, OCR_IMAGE_WIDTH), ctx)) }),
    () => ctx?.progress(++done, total) ?? Promise.resolve(),
    ctx,
  );
}
