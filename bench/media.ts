/**
 * `npm run bench media [--iterations=N]`: cost of one image resource in media processing — metadata
 * (size, colour space, six dominant colours) plus the 200 px and 400 px thumbnails — done by our
 * sharp-based code and by ImageMagick's `convert` with Metis's exact command line, side by side on
 * the same files in the same run. Also the whole step (loopback HTTP download, analysis, thumbnail
 * store, write-back) for a one-image record, and whether both produce the same dominant colours.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { analyseImage } from '../src/steps/media/image.ts';
import { createMediaProcessor } from '../src/steps/media/media-processor.ts';
import { createMemoryThumbnailStore } from '../src/steps/media/thumbnail-store.ts';

const run = promisify(execFile);
const FIXTURES = new URL('../../shared/fixtures/metis/metis-framework/metis-media-service/src/', import.meta.url);
const COLORMAP = fileURLToPath(new URL('main/resources/colormap.png', FIXTURES));
const DEFAULT_JPG = new URL('test/resources/__files/default.jpg', FIXTURES);

interface ImageFile {
  name: string;
  path: string;
  bytes: Buffer;
  mime: string;
}

/** The fixture JPEG, and larger JPEG/PNG files made from it (the Metis repositories hold one small image). */
async function makeFiles(dir: string): Promise<ImageFile[]> {
  const jpg = readFileSync(DEFAULT_JPG);
  const specs: Array<[string, Buffer, string]> = [
    ['default.jpg (186×155)', jpg, 'image/jpeg'],
    ['1000px.jpg', await sharp(jpg).resize({ width: 1000 }).jpeg({ quality: 90 }).toBuffer(), 'image/jpeg'],
    ['3000px.jpg', await sharp(jpg).resize({ width: 3000 }).jpeg({ quality: 90 }).toBuffer(), 'image/jpeg'],
    ['1000px.png', await sharp(jpg).resize({ width: 1000 }).png().toBuffer(), 'image/png'],
  ];
  return specs.map(([name, bytes, mime], i) => {
    const path = join(dir, `img${i}.${mime === 'image/png' ? 'png' : 'jpg'}`);
    writeFileSync(path, bytes);
    return { name, path, bytes, mime };
  });
}

/** Metis's ThumbnailGenerator command (IM6 `convert`), with its histogram parsed into the top six colours by count. */
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

async function time(iterations: number, fn: () => Promise<unknown>): Promise<{ median: number; mean: number }> {
  await fn(); // warm-up
  const samples: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const t0 = performance.now();
    await fn();
    samples.push(performance.now() - t0);
  }
  samples.sort((a, b) => a - b);
  return { median: samples[Math.floor(samples.length / 2)], mean: samples.reduce((a, b) => a + b, 0) / samples.length };
}

/** Entry point for `bench/run.ts`. */
export default async function main(args: string[]): Promise<void> {
  const iterations = Number(args.find((a) => a.startsWith('--iterations='))?.split('=')[1] ?? 15);
  const dir = mkdtempSync(join(tmpdir(), 'bench-media-'));
  const files = await makeFiles(dir);
  const { stdout: imVersion } = await run('convert', ['-version']);
  console.log(`# media benchmark: ${iterations} iterations per cell (median / mean ms), ${cpus().length} CPUs, Node ${process.version}, sharp ${sharp.versions.sharp} (libvips ${sharp.versions.vips}), ${imVersion.split('\n')[0].replace('Version: ', '')}\n`);
  console.log('| image | bytes | ours: metadata + 2 thumbnails | ImageMagick convert (Metis command) | speed-up | same 6 colours |');
  console.log('|---|---:|---:|---:|---:|---|');
  for (const f of files) {
    const opts = { pngThumbnails: f.mime === 'image/png', inputMimeType: f.mime };
    const ours = await time(iterations, () => analyseImage(f.bytes, `http://bench/${f.name}`, opts));
    const im = await time(iterations, () => imageMagick(f, join(dir, 'out')));
    const ourColours = (await analyseImage(f.bytes, 'u', opts)).dominantColors;
    const imColours = await imageMagick(f, join(dir, 'out'));
    const same = ourColours.join() === imColours.join() ? 'yes' : `${ourColours.filter((c) => imColours.includes(c)).length}/6 shared`;
    console.log(
      `| ${f.name} | ${f.bytes.length} | ${ours.median.toFixed(1)} / ${ours.mean.toFixed(1)} | ${im.median.toFixed(1)} / ${im.mean.toFixed(1)} | ${(im.median / ours.median).toFixed(1)}× | ${same} |`,
    );
  }

  // The whole step for a record with one image, served over loopback HTTP.
  const image = files[1];
  const server = createServer((_req, res) => res.writeHead(200, { 'content-type': image.mime, 'content-length': String(image.bytes.length) }).end(image.bytes));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/image.jpg`;
  const record = `<?xml version="1.0" encoding="UTF-8"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:edm="http://www.europeana.eu/schemas/edm/" xmlns:ore="http://www.openarchives.org/ore/terms/"><ore:Aggregation rdf:about="a"><edm:isShownBy rdf:resource="${url}"/></ore:Aggregation><edm:EuropeanaAggregation rdf:about="e"/></rdf:RDF>`;
  const step = createMediaProcessor({ fetchPolicy: { allowLoopback: true }, thumbnailStore: createMemoryThumbnailStore() });
  const whole = await time(iterations, async () => {
    const o = await step({ recordId: 'r', content: record });
    if (o.status !== 'success') throw new Error(JSON.stringify(o.messages));
  });
  console.log(`\nWhole step, one ${image.name} record over loopback HTTP (download, analysis, 2 thumbnails stored, write-back): median ${whole.median.toFixed(1)} ms, mean ${whole.mean.toFixed(1)} ms`);
  await step.close();
  server.close();
  rmSync(dir, { recursive: true, force: true });
}
