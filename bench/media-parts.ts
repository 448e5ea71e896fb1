/**
 * `npm run bench media-parts [--records=200] [--in-flight=32] [--baseline=REV] [--rounds=5]`: CPU per
 * part of the media step on the pipeline benchmark's media (the demo media server, 640×480 JPEGs, demo
 * PDFs, MP3s and MP4s; the demo records link an edm:object JPEG and an isShownBy of their type), then
 * the whole step over the same records with its media threads and without (`threads: 0`), and over
 * images-only records (`_media-mix.ts`: edm:object and isShownBy both JPEGs).
 *
 * `--baseline=REV` also runs the image analysis and the remap of that commit (`git archive`, as
 * `bench pipeline` does) on the same pixels, alternating with the current code over `rounds` rounds:
 * medians of the rounds side by side and their ratio.
 *
 * CPU is this process's (all threads, libvips' included) from `process.cpuUsage()` plus its waited-for
 * children's (the tools) from /proc/self/stat; the demo media server runs in this process, so
 * "download" includes the server's side of each request. Each part is timed alone, in sequence,
 * after a warm-up.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { startDemoMediaServer } from '../src/pipeline/demo-media-server.ts';
import { demoRecord } from '../src/steps/harvest/oai/demo-dataset.ts';
import { createSafeFetcher } from '../src/steps/http/safe-fetch.ts';
import { probeAudioVideo } from '../src/steps/media/audio-video.ts';
import { dominantColors } from '../src/steps/media/dominant-colors.ts';
import { analyseImage, THUMBNAIL_WIDTHS } from '../src/steps/media/image.ts';
import { createMediaProcessor } from '../src/steps/media/media-processor.ts';
import { startMediaRelay } from '../src/steps/media/media-relay.ts';
import { detectMimeType } from '../src/steps/media/media-type.ts';
import { analysePdf } from '../src/steps/media/pdf.ts';
import { createFileThumbnailStore } from '../src/steps/media/thumbnail-store.ts';
import { imagesOnly } from './_media-mix.ts';
import { extractBaseline } from './pipeline.ts';

type Cost = { own: number; children: number; wall: number };

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;

function arg(args: string[], name: string, fallback: number): number {
  const a = args.find((x) => x.startsWith(`--${name}=`));
  return a ? Number(a.slice(a.indexOf('=') + 1)) : fallback;
}

/** CPU ms of this process's waited-for children (clock ticks of 10 ms). */
function childrenCpuMs(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[13]) + Number(fields[14])) * 10;
}

/** Runs `fn` `n` times (after one warm-up), `inFlight` at once; CPU ms per call: own, children, wall. */
async function measure(n: number, fn: (i: number) => Promise<unknown>, inFlight = 1) {
  await fn(-1);
  const cpu0 = process.cpuUsage();
  const child0 = childrenCpuMs();
  const t0 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < n) await fn(next++);
    }),
  );
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { own: (cpu.user + cpu.system) / 1000 / n, children: (childrenCpuMs() - child0) / n, wall: wall / n };
}

export default async function main(args: string[]): Promise<void> {
  const records = arg(args, 'records', 200);
  const inFlight = arg(args, 'in-flight', 32);
  const rounds = arg(args, 'rounds', 5);
  const baseline = args.find((a) => a.startsWith('--baseline='))?.slice('--baseline='.length);
  const load0 = loadavg()[0];
  const server = await startDemoMediaServer({ width: 640, height: 480 });
  const fetcher = createSafeFetcher({ allowLoopback: true });
  const relay = await startMediaRelay(fetcher);
  const dir = mkdtempSync(join(tmpdir(), 'bench-media-parts-'));
  const url = (i: number, name: string) => `${server.url}${i}/${name}`;
  const rows: Array<[string, string, Cost]> = [];
  try {
    const jpeg = (await fetcher.fetchBytes(url(0, 'thumb.jpg'))).body;
    const pdf = (await fetcher.fetchBytes(url(0, 'main.pdf'))).body;
    const imageOptions = { pngThumbnails: false, inputMimeType: 'image/jpeg' };
    const n = Math.max(20, Math.min(records, 200));

    rows.push(['download 640×480 JPEG (safe fetcher, loopback)', 'per image', await measure(n, (i) => fetcher.fetchBytes(url(Math.max(i, 0), 'thumb.jpg')))]);
    rows.push(['MIME detection (media-type.ts)', 'per resource', await measure(n, () => detectMimeType({ bytes: jpeg, fileName: 'thumb.jpg', contentTypeHint: 'image/jpeg' }))]);
    rows.push(['image analysis, whole (sharp + remap), this thread', 'per image', await measure(n, (i) => analyseImage(jpeg, `u${i}`, imageOptions))]);
    const large = await sharp(jpeg)
      .resize({ width: THUMBNAIL_WIDTHS.LARGE, kernel: 'lanczos3' })
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true });
    const raw = { data: large.data, width: large.info.width, height: large.info.height, channels: large.info.channels };
    rows.push(['  of which: dominant-colour remap of the 400 px pixels', 'per image', await measure(n, async () => dominantColors(raw))]);
    const store = createFileThumbnailStore(dir);
    const thumbs = (await analyseImage(jpeg, 'u', imageOptions)).thumbnails;
    rows.push(['thumbnail store (files), both thumbnails', 'per image', await measure(n, (i) => Promise.all(thumbs.map((t) => store.put(`${i}-${t.name}`, t.bytes, t.mimeType))))]);
    rows.push(['PDF tools (pdftotext + pdfimages), this thread forks', 'per PDF', await measure(Math.min(n, 60), () => analysePdf(pdf, { renderFirstPage: false }))]);
    rows.push(['ffprobe of a demo MP3 (through the relay)', 'per MP3', await measure(Math.min(n, 60), (i) => {
      const e = relay.expose(url(Math.max(i, 0), 'main.mp3'));
      return probeAudioVideo(e.url, 60_000).finally(() => e.release());
    })]);
    rows.push(['ffprobe of a demo MP4 (through the relay)', 'per MP4', await measure(Math.min(n, 60), (i) => {
      const e = relay.expose(url(Math.max(i, 0), 'main.mp4'));
      return probeAudioVideo(e.url, 60_000).finally(() => e.release());
    })]);

    // The whole step on demo records, with and without its threads, `inFlight` records at once.
    const demo = Array.from({ length: records }, (_, i) => demoRecord(i, { mediaBaseUrl: server.url }).xml);
    for (const [mix, contents] of [['demo records', demo], ['images-only records', demo.map(imagesOnly)]] as const) {
      for (const threads of [0, undefined]) {
        const step = createMediaProcessor({ fetchPolicy: { allowLoopback: true }, thumbnailStore: createFileThumbnailStore(join(dir, `step-${mix.length}-${threads ?? 'd'}`)), threads });
        try {
          rows.push([`whole media step, ${mix}, ${threads === 0 ? 'threads: 0 (all in this thread)' : `media threads (${cpus().length})`}`, 'per record', await measure(records, (i) => step({ recordId: `r${i}`, content: contents[Math.max(i, 0)] }), inFlight)]);
        } finally {
          await step.close();
        }
      }
    }
    // Last: it takes long enough for the server to close an idle kept-alive connection under the parts above.
    if (baseline) await sideBySide(baseline, jpeg, imageOptions, n, rounds, dir);
  } finally {
    await relay.close();
    await fetcher.close();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(`| part | unit | CPU ms, this process | CPU ms, tools (children) | wall ms |`);
  console.log('|---|---|---:|---:|---:|');
  for (const [name, unit, m] of rows) console.log(`| ${name} | ${unit} | ${m.own.toFixed(2)} | ${m.children.toFixed(2)} | ${m.wall.toFixed(2)} |`);
  console.log(`\n${new Date().toISOString()}, ${cpus().length} cores, load average ${load0.toFixed(1)} → ${loadavg()[0].toFixed(1)}, Node ${process.version}, ${records} demo records, ${inFlight} in flight for the whole step`);
}

/**
 * The image analysis and the remap of commit `rev` next to the current code's, on the same JPEG and
 * the same 400 px pixels, alternating (current, baseline, baseline, current, …) over `rounds` rounds of
 * `n` calls each; both must give the same colours. Prints medians of the rounds' CPU ms per call.
 */
async function sideBySide(rev: string, jpeg: Buffer, imageOptions: { pngThumbnails: boolean; inputMimeType: string }, n: number, rounds: number, dir: string): Promise<void> {
  const root = new URL('../', import.meta.url);
  const short = execFileSync('git', ['-C', root.pathname, 'rev-parse', '--short', rev], { encoding: 'utf8' }).trim();
  const tree = extractBaseline(short, join(dir, 'baseline'));
  type ImageModule = typeof import('../src/steps/media/image.ts');
  type ColoursModule = typeof import('../src/steps/media/dominant-colors.ts');
  const load = async (base: string) => ({
    image: (await import(join(base, 'src/steps/media/image.ts'))) as ImageModule,
    colours: (await import(join(base, 'src/steps/media/dominant-colors.ts'))) as ColoursModule,
  });
  const trees = { current: await load(new URL('./', root).pathname), baseline: await load(tree) };
  const large = await sharp(jpeg).resize({ width: THUMBNAIL_WIDTHS.LARGE, kernel: 'lanczos3' }).toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  const raw = { data: large.data, width: large.info.width, height: large.info.height, channels: large.info.channels };
  assert(JSON.stringify(trees.current.colours.dominantColors(raw)) === JSON.stringify(trees.baseline.colours.dominantColors(raw)), 'the remaps disagree');
  const a = await trees.current.image.analyseImage(jpeg, 'u', imageOptions);
  const b = await trees.baseline.image.analyseImage(jpeg, 'u', imageOptions);
  assert(JSON.stringify(a.dominantColors) === JSON.stringify(b.dominantColors) && a.thumbnails.every((t, i) => t.bytes.equals(b.thumbnails[i]!.bytes)), 'the analyses disagree');
  const parts = {
    'image analysis, whole (sharp + remap)': (m: typeof trees.current) => (i: number) => m.image.analyseImage(jpeg, `u${i}`, imageOptions),
    'dominant-colour remap of the 400 px pixels': (m: typeof trees.current) => async () => m.colours.dominantColors(raw),
  };
  console.log(`Side by side with ${short}, ${rounds} rounds of ${n} calls, CPU ms per call (median of the rounds; this thread, libvips' threads included):\n`);
  console.log('| part | current | baseline ' + short + ' | ratio | current per round | baseline per round |');
  console.log('|---|---:|---:|---:|---|---|');
  for (const [name, part] of Object.entries(parts)) {
    const costs: Record<'current' | 'baseline', number[]> = { current: [], baseline: [] };
    for (let round = 0; round < rounds; round++)
      for (const t of round % 2 ? (['baseline', 'current'] as const) : (['current', 'baseline'] as const)) costs[t].push((await measure(n, part(trees[t]))).own);
    const [c, b2] = [median(costs.current), median(costs.baseline)];
    console.log(`| ${name} | ${c.toFixed(2)} | ${b2.toFixed(2)} | ${(c / b2).toFixed(2)}× | ${costs.current.map((x) => x.toFixed(1)).join(', ')} | ${costs.baseline.map((x) => x.toFixed(1)).join(', ')} |`);
  }
  console.log('');
}

function assert(ok: boolean, message: string): void {
  if (!ok) throw new Error(message);
}
