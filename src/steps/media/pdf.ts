/**
 * PDF facts for media processing (Metis `TextProcessor` + `PdfToImageConverter`), with poppler's
 * command-line tools instead of Ghostscript and iText: a rendering of page 1 for the thumbnails,
 * whether the document contains text, and the resolution (DPI) of its first embedded image.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnTool, type ToolRunner } from './spawn-tool.ts';

export interface PdfFacts {
  /** PNG of the first page (72 dpi, as Ghostscript's default), or undefined when not asked for. */
  firstPage?: Buffer;
  containsText: boolean;
  /** min(x-ppi, y-ppi) of the first embedded image, rounded; undefined without images. */
  dpi?: number;
}

export interface PdfOptions {
  renderFirstPage: boolean;
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Where the tools are started (`spawn-tool.ts`); default: this thread. */
  runner?: ToolRunner;
}

/** Analyses a PDF held in memory (written to a private temp directory for the tools). */
export async function analysePdf(bytes: Buffer, options: PdfOptions): Promise<PdfFacts> {
  const timeoutMs = options.timeoutMs ?? 20_000;
  const dir = await mkdtemp(join(tmpdir(), 'metis-pdf-'));
  try {
    const file = join(dir, 'in.pdf');
    await writeFile(file, bytes);
    const [firstPage, text, images] = await Promise.all([
      options.renderFirstPage
        ? spawnTool(
            'pdftoppm',
            ['-q', '-f', '1', '-l', '1', '-r', '72', '-png', '-singlefile', file, join(dir, 'page')],
            { timeoutMs, signal: options.signal, runner: options.runner },
          ).then(() => readFile(join(dir, 'page.png')))
        : Promise.resolve(undefined),
      // Any non-blank character of extracted text is enough: stop reading there.
      spawnTool('pdftotext', ['-q', '-enc', 'UTF-8', file, '-'], {
        timeoutMs,
        signal: options.signal,
        runner: options.runner,
        stopAtNonSpace: true,
      }),
      spawnTool('pdfimages', ['-list', file], { timeoutMs, signal: options.signal, runner: options.runner }),
    ]);
    return { firstPage, containsText: /\S/.test(text.toString('utf8')), dpi: firstImageDpi(images.toString('utf8')) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Reads `pdfimages -list` output (columns: page num type width height color comp bpc enc interp
 * object ID x-ppi y-ppi size ratio) and returns min(x-ppi, y-ppi) of the first image.
 */
export function firstImageDpi(listing: string): number | undefined {
  for (const line of listing.split('\n').slice(2)) {
    const cols = line.trim().split(/\s+/);
    if (cols.length < 14 || cols[2] !== 'image') continue;
    const x = Number(cols[12]);
    const y = Number(cols[13]);
    if (Number.isFinite(x) && Number.isFinite(y) && x > 0 && y > 0) return Math.round(Math.min(x, y));
  }
  return undefined;
}
