// The binder PDF of a dossier: volumes planned from the page estimates, written one after the other, each page
// streamed to disk as soon as it is made (memory does not grow with the dossier). A volume's cover, contents and
// stamps ("共 M 页") are written once its page count is known — right after it with per-volume numbering, after the
// last volume with continuous numbering — and all volumes are closed together at the end, sharing one font
// subset per weight. Then the box and spine labels for all volumes.
//
// A preface (args.preface, e.g. the reviewer pack's summary) is read before planning — its page count is part of
// volume 1's estimate — and bound after volume 1's cover; it must be a readable PDF (an error otherwise).
//
// The result also lists `adjusted`: evidence whose page range was clamped to the document (not replaced).
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { RenderBinderArgs, RenderBinderResult, RenderedVolume, ReplacedEvidence } from './binder-types.ts';
import { EvidencePages, evidenceOccurrence, type EvidenceOccurrence } from './evidence-pages.ts';
import type { PageNumbering } from './pdf/binder-document.ts';
import { loadFontPrograms, makeSubset } from './pdf/cjk-font.ts';
import { loadSourcePdf, type SourcePdf } from './pdf/pdf-source.ts';
import type { Measures } from './pdf/sheet-layout.ts';
import { planVolumes } from './plan-volumes.ts';
import { renderLabels } from './render-labels.ts';
import { VolumeBuilder, type VolumeContext } from './volume-builder.ts';

const PROGRESS_EVERY = 50;

export function volumeFileName(volumeNo: number): string {
  return `volume-${String(volumeNo).padStart(2, '0')}.pdf`;
}

export async function renderBinder(args: RenderBinderArgs): Promise<RenderBinderResult & { adjusted: ReplacedEvidence[] }> {
  const { plan, options, outDir } = args;
  const programs = await loadFontPrograms();
  const measures: Measures = { regular: programs.regular, bold: programs.bold };
  let preface: { source: SourcePdf; title: string } | null = null;
  if (args.preface) {
    const loaded = await loadSourcePdf(args.preface.path);
    if (!loaded.ok) throw new Error(`preface ${args.preface.path}: ${loaded.reason}`);
    preface = { source: loaded.source, title: args.preface.title };
  }
  const volumes = planVolumes(plan, options, measures, preface && { title: preface.title, pages: preface.source.pages.length });
  const total = volumes.reduce((n, v) => n + v.estimatedPages, 0);
  const itemCount = plan.chapters.reduce((n, c) => n + c.sections.reduce((k, s) => k + s.items.length, 0), 0);
  await mkdir(outDir, { recursive: true });

  let done = 0;
  let reported = 0;
  const pageDone = async () => {
    done++;
    if (args.onProgress && done - reported >= PROGRESS_EVERY) {
      reported = done;
      await args.onProgress(Math.min(done, total), total);
    }
  };
  const order: EvidenceOccurrence[] = [];
  for (const v of volumes) {
    for (const part of v.parts) {
      for (const slice of part.slices) {
        const occurrence = evidenceOccurrence(part.itemIndex, slice.evidenceIndex);
        if (order[order.length - 1]?.occurrence !== occurrence) order.push({ occurrence, evidence: part.item.evidence[slice.evidenceIndex]! });
      }
    }
  }
  const evidence = new EvidencePages(args.open, measures, order);
  const ctx: VolumeContext = { plan, options, programs, measures, volumeCount: volumes.length, itemCount, evidence, preface, pageDone };

  const open: VolumeBuilder[] = [];
  const rendered: RenderedVolume[] = [];
  try {
    for (const volume of volumes) {
      const builder = await VolumeBuilder.create(ctx, volume, path.join(outDir, volumeFileName(volume.volumeNo)));
      open.push(builder);
      await builder.build();
      ctx.preface = null; // bound into volume 1: let the source go
      if (options.numbering === 'per_volume') await builder.prepare(perVolume(builder.pageCount));
    }
    evidence.release();
    if (options.numbering === 'continuous') {
      const grand = open.reduce((n, b) => n + b.pageCount, 0);
      let offset = 0;
      for (const builder of open) {
        const first = offset;
        await builder.prepare({ number: (i) => first + i + 1, total: grand });
        offset += builder.pageCount;
      }
    }
    // One font subset per weight for the whole build (harfbuzz runs twice, not twice per volume).
    const subsets = {
      regular: await makeSubset(programs.regular, open.flatMap((b) => b.doc.fonts.regular.usedCodePoints())),
      bold: await makeSubset(programs.bold, open.flatMap((b) => b.doc.fonts.bold.usedCodePoints())),
    };
    while (open.length > 0) rendered.push(await open.shift()!.close(subsets));
  } catch (err) {
    for (const b of open) await b.abort();
    for (const v of volumes) await rm(path.join(outDir, volumeFileName(v.volumeNo)), { force: true });
    throw err;
  }

  const labelsPath = path.join(outDir, 'labels.pdf');
  await renderLabels({ plan, retentionPeriod: options.retentionPeriod, volumes: rendered, path: labelsPath });
  if (args.onProgress) await args.onProgress(total, total);
  return {
    volumes: rendered,
    labelsPath,
    replaced: evidence.replaced,
    adjusted: evidence.adjusted,
    pageCount: rendered.reduce((n, v) => n + v.pageCount, 0),
  };
}

function perVolume(count: number): PageNumbering {
  return { number: (i) => i + 1, total: count };
}
