// First-page preview PNG for the dossier lists. Nice-to-have: every failure returns false (the UI shows a
// type icon instead) and nothing here throws. Bounded work whatever the input: pdftoppm renders one page
// scaled into a 400 px box, sharp decodes one page with an input pixel limit (JPEG shrink-on-load keeps
// even a large photo cheap). Office files get a thumbnail from their converted PDF, not from here.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rename, rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import sharp from 'sharp';
import type { FileKind } from '../documents/file-kind.ts';
import { MAX_IMAGE_PIXELS } from '../documents/inspect-file.ts';

// One-off inputs; see inspect-file.ts.
sharp.cache(false);

/** The thumbnail fits in a THUMBNAIL_SIZE × THUMBNAIL_SIZE box (so at most 400 px wide, and a tall strip stays small too). */
export const THUMBNAIL_SIZE = 400;
const PDFTOPPM_TIMEOUT_MS = 30_000;

export async function makeThumbnail(inputPath: string, kind: FileKind, outPath: string): Promise<boolean> {
  // Written beside the target and renamed into place, so a reader never sees half a PNG.
  const tmpBase = `${outPath}.tmp-${randomBytes(6).toString('hex')}`;
  try {
    switch (kind) {
      case 'pdf':
        if (!(await pdfThumbnail(inputPath, tmpBase))) return false;
        await rename(`${tmpBase}.png`, outPath); // pdftoppm appends ".png" to the prefix
        return true;
      case 'jpeg':
      case 'png':
      case 'tiff':
        await imageThumbnail(inputPath, `${tmpBase}.png`);
        await rename(`${tmpBase}.png`, outPath);
        return true;
      default:
        return false;
    }
  } catch {
    return false;
  } finally {
    await rm(`${tmpBase}.png`, { force: true }).catch(() => undefined);
  }
}

function pdfThumbnail(inputPath: string, outPrefix: string): Promise<boolean> {
  return new Promise((done) => {
    execFile(
      'pdftoppm',
      ['-f', '1', '-l', '1', '-png', '-scale-to', String(THUMBNAIL_SIZE), '-singlefile', resolve(inputPath), resolve(outPrefix)],
      { timeout: PDFTOPPM_TIMEOUT_MS, killSignal: 'SIGKILL', maxBuffer: 1024 * 1024 },
      (error) => done(!error),
    );
  });
}

async function imageThumbnail(inputPath: string, outPath: string): Promise<void> {
  // limitInputPixels: inspectFile already rejected bombs, but this must be safe on its own too.
  // failOn 'none': a slightly damaged scan (truncated JPEG tail) still deserves a preview.
  await sharp(inputPath, { limitInputPixels: MAX_IMAGE_PIXELS, page: 0, pages: 1, failOn: 'none' })
    .rotate() // apply EXIF orientation before resizing
    .resize({ width: THUMBNAIL_SIZE, height: THUMBNAIL_SIZE, fit: 'inside', withoutEnlargement: true })
    // CMYK scans and 16-bit PNG/TIFF → 8-bit sRGB, which is what browsers display reliably.
    .toColourspace('srgb')
    .png()
    .toFile(outPath);
}
