// Renders one page of a PDF or image as PNG, for previews and annotation (and images for OCR). Bounded work:
// pdftoppm renders only the asked page; sharp decodes only the asked TIFF page and refuses pixel bombs.
import { execFile } from 'node:child_process';
import sharp from 'sharp';
import { MAX_IMAGE_PIXELS } from '../documents/inspect-file.ts';

const RENDER_TIMEOUT_MS = 60_000;

export async function renderPagePng(file: string, kind: 'pdf' | 'jpeg' | 'png' | 'tiff', page: number, width: number): Promise<Buffer> {
  if (kind === 'pdf') {
    return new Promise((resolve, reject) => {
      execFile(
        'pdftoppm',
        ['-f', String(page), '-l', String(page), '-scale-to-x', String(width), '-scale-to-y', '-1', '-png', '-singlefile', file],
        { encoding: 'buffer', maxBuffer: 64 * 1024 * 1024, timeout: RENDER_TIMEOUT_MS },
        (err, stdout) => (err ? reject(err) : resolve(stdout)),
      );
    });
  }
  return sharp(file, { page: kind === 'tiff' ? page - 1 : 0, limitInputPixels: MAX_IMAGE_PIXELS })
    .rotate()
    .resize({ width, withoutEnlargement: true })
    .toColourspace('srgb')
    .png()
    .toBuffer();
}

/**
 * One page of an image file, as the OCR pool wants it: like renderPagePng (EXIF turn applied, at most `width`
 * wide, TIFF page picked) but 8-bit grey on white and PNG at the fastest compression — the pool decodes it again
 * at once and converts to grey anyway, and a small file is worth nothing here (a 300 dpi JPEG scan: ~35 ms less
 * CPU per page than the preview rendering, same pixels after prepareForOcr).
 */
export async function renderImagePageForOcr(file: string, kind: 'jpeg' | 'png' | 'tiff', page: number, width: number): Promise<Buffer> {
  return sharp(file, { page: kind === 'tiff' ? page - 1 : 0, limitInputPixels: MAX_IMAGE_PIXELS })
    .rotate()
    .resize({ width, withoutEnlargement: true })
    .flatten({ background: '#ffffff' })
    .toColourspace('b-w')
    .png({ compressionLevel: 1 })
    .toBuffer();
}
