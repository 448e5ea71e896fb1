/**
 * `npm run bench media-parts [--records=200] [--in-flight=32]`: CPU per part of the media step on
 * the pipeline benchmark's media (the demo media server, 640×480 JPEGs, demo PDFs, MP3s and MP4s;
 * the demo records link an edm:object JPEG and an isShownBy of their type), then the whole step over
 * the same records with its media threads and without (`threads: 0`).
 *
 * CPU is this process's (all threads, libvips' included) from `process.cpuUsage()` plus its waited-for
 * children's (the tools) from /proc/self/stat; the demo media server runs in this process, so
 * "download" includes the server's side of each request. Each part is timed alone, in sequence,
 * after a warm-up.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
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
  const load0 = loadavg()[0];
  const server = await startDemoMediaServer({ width: 640, height: 480 });
  const fetcher = createSafeFetcher({ allowLoopback: true });
  const relay = await startMediaRelay(fetcher);
  const dir = mkdtempSync(join(tmpdir(), 'bench-media-parts-'));
  const url = (i: number, name: string) => `${server.url}${i}/${name}`;
  const rows: Array<[string, string, { own: number; children: number; wall: number }]> = [];
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
    const contents = Array.from({ length: records }, (_, i) => demoRecord(i, { mediaBaseUrl: server.url }).xml);
    for (const threads of [0, undefined]) {
      const step = createMediaProcessor({ fetchPolicy: { allowLoopback: true }, thumbnailStore: createFileThumbnailStore(join(dir, `step-${threads ?? 'd'}`)), threads });
      try {
        rows.push([`whole media step, demo records, ${threads === 0 ? 'threads: 0 (all in this thread)' : `media threads (${cpus().length})`}`, 'per record', await measure(records, (i) => step({ recordId: `r${i}`, content: contents[Math.max(i, 0)] }), inFlight)]);
      } finally {
        await step.close();
      }
    }
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
