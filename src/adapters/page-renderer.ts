// Renders one page of a PDF or image as PNG, for previews (and later OCR and annotation). Bounded work:
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
