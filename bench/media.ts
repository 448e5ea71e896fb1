/**
 * `npm run bench media [--iterations=N]`: the media section of `npm run bench steps`, alone —
 * one image resource (metadata + both thumbnails) by our code and by ImageMagick's `convert` with
 * Metis's command, side by side on the same files, plus the whole step for a one-image record.
 */
import { execFileSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import sharp from 'sharp';
import { mediaSection } from './_media-section.ts';
import { FIXTURES_DIR, SCHEMA_DIR, markdownTable } from './_steps-lib.ts';

/** Entry point for `bench/run.ts`. */
export default async function main(args: string[]): Promise<void> {
  const iterations = Number(args.find((a) => a.startsWith('--iterations='))?.split('=')[1] ?? 15);
  const im = execFileSync('convert', ['-version']).toString().split('\n')[0].replace('Version: ', '');
  console.log(
    `# media benchmark — ${new Date().toISOString()}, node ${process.version}, ${cpus().length} CPUs, load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}, ` +
      `sharp ${sharp.versions.sharp} (libvips ${sharp.versions.vips}), ${im}, ${iterations} iterations per cell\n`,
  );
  const rows = await mediaSection.run({ sets: [], iterations, fixturesDir: FIXTURES_DIR, schemaDir: SCHEMA_DIR });
  console.log(markdownTable(rows));
}
