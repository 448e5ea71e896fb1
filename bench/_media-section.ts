/**
 * The `media` section of `npm run bench steps` (and all of `npm run bench media`): one image
 * resource — metadata (size, colour space, six dominant colours after the palette remap) plus the
 * 200 px and 400 px thumbnails — by our sharp-based code and by ImageMagick's `convert` with
 * Metis's exact command line, side by side on the same files in the same run; and the whole media
 * step for a one-image record served over loopback HTTP.
 *
 * CPU time is measured for both sides (ours: this process, libvips threads included; ImageMagick:
 * the children's user + system time from /proc/self/stat), so the comparison survives a loaded machine.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { analyseImage } from '../src/steps/media/image.ts';
import { createMediaProcessor } from '../src/steps/media/media-processor.ts';
import { createMemoryThumbnailStore } from '../src/steps/media/thumbnail-store.ts';
import type { BenchRow, BenchSection } from './_steps-lib.ts';

const run = promisify(execFile);
const MEDIA = new URL('metis-framework/metis-media-service/src/', new URL('../../shared/fixtures/metis/', import.meta.url));
const COLORMAP = fileURLToPath(new URL('main/resources/colormap.png', MEDIA));
const DEFAULT_JPG = new URL('test/resources/__files/default.jpg', MEDIA);
/** Images are slow next to records: the section caps its own iteration count. */
const MAX_ITERATIONS = 15;

interface ImageFile {
  name: string;
  path: string;
  bytes: Buffer;
  mime: string;
}

/** The fixture JPEG and larger JPEG/PNG files made from it (the Metis repositories hold one small image). */
async function makeFiles(dir: string): Promise<ImageFile[]> {
  const jpg = readFileSync(DEFAULT_JPG);
  const specs: Array<[string, Buffer, string]> = [
    ['default.jpg (186×155, fixture)', jpg, 'image/jpeg'],
    ['1000 px JPEG', await sharp(jpg).resize({ width: 1000 }).jpeg({ quality: 90 }).toBuffer(), 'image/jpeg'],
    ['3000 px JPEG', await sharp(jpg).resize({ width: 3000 }).jpeg({ quality: 90 }).toBuffer(), 'image/jpeg'],
    ['1000 px PNG', await sharp(jpg).resize({ width: 1000 }).png().toBuffer(), 'image/png'],
  ];
  return specs.map(([name, bytes, mime], i) => {
    const path = join(dir, `img${i}.${mime === 'image/png' ? 'png' : 'jpg'}`);
    writeFileSync(path, bytes);
    return { name, path, bytes, mime };
  });
}

/** Metis's ThumbnailGenerator command (IM6 `convert`); returns the top six colours by count. */
async function imageMagick(file: ImageFile, out: string): Promise<string[]> {
  const prefix = file.mime === 'image/png' ? 'png:' : 'jpeg:';
  const { stdout } = await run('convert', [
    '-quiet', `${file.path}[0]`, '-format', 'M\n%w\n%h\n%[colorspace]\nM\n', '-write', 'info:',
    '(', '+clone', '-thumbnail', '200x', '-write', `${prefix}${out}-200`, '+delete', ')',
    '-thumbnail', '400x', '-write', `${prefix}${out}-400`,
    '-colorspace', 'sRGB', '-dither', 'Riemersma', '-remap', COLORMAP, '-format', '\nM\n%c\nM', 'histogram:info:',
  ], { maxBuffer: 16 * 1024 * 1024 });
  return stdout
    .split('\n')
    .map((l) => /^\s*(\d+):.*#([0-9A-F]{6})/.exec(l))
    .filter((m): m is RegExpExecArray => m !== null)
    .sort((a, b) => Number(b[1]) - Number(a[1]))
    .slice(0, 6)
    .map((m) => m[2]);
}

/** CPU ms used so far by this process's waited-for children (Linux /proc, clock ticks of 10 ms). */
function childrenCpuMs(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // After "(comm) ", field 3 (state) is index 0, so cutime (16) and cstime (17) are at 13 and 14.
  return (Number(fields[13]) + Number(fields[14])) * 10;
}

async function time(iterations: number, fn: () => Promise<unknown>, childCpu: boolean) {
  await fn(); // warm-up
  const samples: number[] = [];
  const cpu0 = process.cpuUsage();
  const child0 = childrenCpuMs();
  for (let i = 0; i < iterations; i++) {
    const t0 = performance.now();
    await fn();
    samples.push(performance.now() - t0);
  }
  const cpu = process.cpuUsage(cpu0);
  samples.sort((a, b) => a - b);
  return {
    medianMs: samples[samples.length >> 1],
    p99Ms: samples[samples.length - 1],
    cpuMs: childCpu ? (childrenCpuMs() - child0) / iterations : (cpu.user + cpu.system) / 1000 / iterations,
  };
}

export const mediaSection: BenchSection = {
  name: 'media',
  async run(ctx) {
    const iterations = Math.min(ctx.iterations, MAX_ITERATIONS);
    const dir = mkdtempSync(join(tmpdir(), 'bench-media-'));
    const rows: BenchRow[] = [];
    try {
      const files = await makeFiles(dir);
      for (const f of files) {
        const opts = { pngThumbnails: f.mime === 'image/png', inputMimeType: f.mime };
        const ours = await time(iterations, () => analyseImage(f.bytes, `http://bench/${f.name}`, opts), false);
        const im = await time(iterations, () => imageMagick(f, join(dir, 'out')), true);
        const ourColours = (await analyseImage(f.bytes, 'u', opts)).dominantColors;
        const imColours = await imageMagick(f, join(dir, 'out'));
        const same = ourColours.join() === imColours.join() ? 'same 6 colours as ImageMagick' : `${ourColours.filter((c) => imColours.includes(c)).length}/6 colours shared`;
        const set = `${f.name}, ${f.bytes.length} B`;
        const workload = 'image: metadata + 2 thumbnails';
        rows.push({ section: 'media', workload, engine: 'sharp + TS remap', set, ...ours, note: `${(im.medianMs / ours.medianMs).toFixed(1)}× faster (wall), ${same}` });
        rows.push({ section: 'media', workload, engine: 'ImageMagick convert (Metis command)', set, ...im, note: 'CPU = child processes' });
      }

      // The whole step for a record with one image, served over loopback HTTP.
      const image = files[1];
      const server = createServer((_req, res) => res.writeHead(200, { 'content-type': image.mime, 'content-length': String(image.bytes.length) }).end(image.bytes));
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/image.jpg`;
      const record = `<?xml version="1.0" encoding="UTF-8"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:edm="http://www.europeana.eu/schemas/edm/" xmlns:ore="http://www.openarchives.org/ore/terms/"><ore:Aggregation rdf:about="a"><edm:isShownBy rdf:resource="${url}"/></ore:Aggregation><edm:EuropeanaAggregation rdf:about="e"/></rdf:RDF>`;
      const step = createMediaProcessor({ fetchPolicy: { allowLoopback: true }, thumbnailStore: createMemoryThumbnailStore() });
      try {
        const whole = await time(iterations, async () => {
          const o = await step({ recordId: 'r', content: record });
          if (o.status !== 'success') throw new Error(JSON.stringify(o.messages));
        }, false);
        rows.push({
          section: 'media',
          workload: 'whole step, 1-image record over loopback HTTP',
          engine: 'createMediaProcessor',
          set: `${image.name}, ${image.bytes.length} B`,
          ...whole,
          note: 'download, MIME detection, analysis, 2 thumbnails stored, write-back',
        });
      } finally {
        await step.close();
        server.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    return rows;
  },
};
