/**
 * `npm run bench pipeline [N] [--runtimes=embedded,kafka1,kafka2] [--media=without,with,images] [--reps=R]
 *   [--baseline=REV] [--verb=ListRecords] [--harvest-only] [--page-size=50] [--cpu-prof] [--trace-first] [--write]`
 *
 * End to end records/s of the whole pipeline (harvest from a local OAI-PMH server → publish, media
 * against the local media server), exactly-once, for N generated records (default 10,000), without
 * the media step, with the demo dataset's media (`with`: an edm:object JPEG and a JPEG, PDF, MP3 or MP4
 * isShownBy) or with images only (`images`: both JPEGs; `_media-mix.ts`), default `without,with`:
 *   - embedded: LocalRuntime + PGlite;
 *   - kafka1 / kafka2: 1 or 2 worker processes (test/support/pipeline-worker.ts) on the broker at
 *     KAFKA_BROKERS with a fresh PostgreSQL database each run.
 * Each run is a fresh child process (`_pipeline-run.ts`); the OAI-PMH and media servers stay in this
 * one, so the provider's work is not counted. Printed per run: records/s, time from submission to the
 * first published record, peak RSS per process, and CPU per record summed over every process that
 * works for the pipeline (the embedded process, or the workers + the Kafka broker + the PostgreSQL
 * backends of the run's database; each with its ended child processes, e.g. the media tools) with its split, and the bytes each step left in the database.
 *
 * `--baseline=REV` also measures that commit of this repository (`git archive` into a temporary
 * folder, node_modules linked) in the same run, alternating with the current code, R times each:
 * the ratio of the two on the same machine at the same time is what a shared machine can tell.
 * `--verb=ListRecords` harvests the current code with ListRecords (the baseline keeps Metis's
 * ListIdentifiers + GetRecord); `--harvest-only` runs tasks whose plan is the harvest step alone.
 * `--cpu-prof` writes CPU profiles and prints where the time goes. `--trace-first` prints the first
 * published record's journey, hop by hop (first-trace.ts; the Kafka observer adds a consumer). `--write` puts the tables into
 * docs/BENCHMARKS.md.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir, cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startDemoOaiServer } from '../src/steps/harvest/oai/demo-server.ts';
import { startDemoMediaServer } from '../src/pipeline/demo-media-server.ts';
import type { RunResult, RunSpec } from './_pipeline-run.ts';
import { MEDIA_MIXES, recordsOf, type MediaMix } from './_media-mix.ts';

type RuntimeKind = RunSpec['kind'];
/** A run's result with the media mix it ran (the run itself knows only media or not). */
type MixResult = RunResult & { mix: MediaMix };

const PARTITIONS = 4;
const ROOT = fileURLToPath(new URL('../', import.meta.url));
const RUNNER = fileURLToPath(new URL('./_pipeline-run.ts', import.meta.url));

function arg(args: string[], name: string): string | undefined {
  const a = args.find((x) => x.startsWith(`--${name}=`) || x === `--${name}`);
  return a === undefined ? undefined : a.includes('=') ? a.slice(a.indexOf('=') + 1) : '';
}

/** Commit `rev` of this repository as a runnable tree (its node_modules and ../shared linked to ours). */
export function extractBaseline(rev: string, dir: string): string {
  const tree = join(dir, 'tree');
  mkdirSync(tree, { recursive: true });
  const tar = execFileSync('git', ['-C', ROOT, 'archive', '--format=tar', rev], { maxBuffer: 1 << 30 });
  execFileSync('tar', ['-x', '-C', tree], { input: tar });
  symlinkSync(join(ROOT, 'node_modules'), join(tree, 'node_modules'));
  // Fixtures and schemas are found at ../shared from the checkout.
  symlinkSync(join(ROOT, '..', 'shared'), join(dir, 'shared'));
  return tree;
}

/** One run in a fresh child process. */
function runChild(spec: RunSpec): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', RUNNER, JSON.stringify(spec)], { cwd: spec.root, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-8000)));
    child.on('exit', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('RESULT '));
      if (code === 0 && line) resolve(JSON.parse(line.slice(7)) as RunResult);
      else reject(new Error(`${spec.tree} ${spec.kind} run failed (exit ${code}):\n${err}`));
    });
  });
}

/** Self time per function and per source file over the CPU profiles in `dir`. */
function summarizeProfiles(dir: string): string {
  const out: string[] = [];
  const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((x) => x.endsWith('.cpuprofile')).sort();
  for (const f of files) {
    const p = JSON.parse(readFileSync(join(dir, f), 'utf8')) as {
      nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number } }>;
      samples: number[];
      timeDeltas: number[];
    };
    const byId = new Map(p.nodes.map((n) => [n.id, n]));
    const self = new Map<string, number>();
    const byFile = new Map<string, number>();
    let total = 0;
    p.samples.forEach((id, i) => {
      const dt = p.timeDeltas[i] ?? 0;
      total += dt;
      const n = byId.get(id)!;
      const url = n.callFrame.url.replace(/^file:\/\//, '').replace(/.*\/work\/main\//, '').replace(/.*node_modules\//, 'node_modules/');
      const fn = `${n.callFrame.functionName || '(anonymous)'} ${url ? `${url}:${n.callFrame.lineNumber + 1}` : ''}`.trim();
      self.set(fn, (self.get(fn) ?? 0) + dt);
      const file = url ? (url.startsWith('node_modules/') ? url.split('/').slice(0, url.startsWith('node_modules/@') ? 3 : 2).join('/') : url) : n.callFrame.functionName || '(native)';
      byFile.set(file, (byFile.get(file) ?? 0) + dt);
    });
    const pct = (v: number) => `${((100 * v) / total).toFixed(1)}%`;
    // Threads that mostly slept (the module loader's) tell nothing.
    if ((self.get('(idle)') ?? 0) > 0.9 * total) continue;
    out.push(`### ${f} (${(total / 1e6).toFixed(1)} s sampled)`);
    out.push('by file / package: ' + [...byFile].sort((a, b) => b[1] - a[1]).slice(0, 12).map(([k, v]) => `${k} ${pct(v)}`).join(', '));
    out.push('top functions (self): ' + [...self].sort((a, b) => b[1] - a[1]).slice(0, 12).map(([k, v]) => `${k} ${pct(v)}`).join('; '));
  }
  return out.join('\n');
}

const LABEL: Record<RuntimeKind, string> = { embedded: 'embedded (LocalRuntime + PGlite)', kafka1: 'Kafka, 1 worker', kafka2: 'Kafka, 2 workers' };
const MIX_LABEL: Record<MediaMix, string> = { without: 'no', with: 'demo mix', images: 'images only' };

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

const cpuMsPerRecord = (r: RunResult) => (1000 * Object.values(r.cpuSeconds).reduce((a, b) => a + b, 0)) / r.records;

/** One row per runtime × media × tree: medians over the repetitions, the CPU split of the median run. */
function table(results: MixResult[], n: number): string {
  const groups = new Map<string, MixResult[]>();
  for (const r of results) groups.set(`${r.kind}|${r.mix}|${r.tree}`, [...(groups.get(`${r.kind}|${r.mix}|${r.tree}`) ?? []), r]);
  const rows: string[] = [];
  const byKey = new Map<string, number>();
  for (const [key, rs] of groups) {
    const r0 = rs[0]!;
    const cpu = median(rs.map(cpuMsPerRecord));
    const mid = rs.reduce((a, b) => (Math.abs(cpuMsPerRecord(b) - cpu) < Math.abs(cpuMsPerRecord(a) - cpu) ? b : a));
    const split = Object.entries(mid.cpuSeconds)
      .sort((a, b) => b[1] - a[1])
      .map(([k, v]) => `${k} ${((1000 * v) / mid.records).toFixed(2)}`)
      .join(', ');
    const rss = Object.values(mid.peakRssMb).join(' / ');
    const rps = median(rs.map((r) => r.recordsPerSecond));
    byKey.set(key, rps);
    const first = rs.map((r) => r.firstPublishedMs).filter((x): x is number => x !== undefined);
    const states = [...new Set(rs.map((r) => r.state))].join(', ');
    rows.push(`| ${LABEL[r0.kind]} | ${MIX_LABEL[r0.mix]} | ${r0.tree} | ${rs.length} | ${rps.toFixed(1)} | ${first.length ? (median(first) / 1000).toFixed(2) : '–'} | ${rss} | **${cpu.toFixed(2)}** | ${split} | ${states} |`);
  }
  const ratios: string[] = [];
  for (const [key, rps] of byKey) {
    const [kind, media, tree] = key.split('|');
    const base = tree === 'current' ? byKey.get(`${kind}|${media}|baseline`) : undefined;
    const cur = groups.get(key)!;
    const baseRuns = groups.get(`${kind}|${media}|baseline`);
    if (base !== undefined && baseRuns) {
      ratios.push(
        `${LABEL[kind as RuntimeKind]}${media === 'without' ? '' : `, media ${MIX_LABEL[media as MediaMix]}`}: records/s ${(rps / base).toFixed(2)}× the baseline's, CPU per record ${(median(cur.map(cpuMsPerRecord)) / median(baseRuns.map(cpuMsPerRecord))).toFixed(2)}×`,
      );
    }
  }
  return [
    `| runtime (${n} records, ${PARTITIONS} partitions) | media | code | runs | records/s | first published s | peak RSS MB per process | CPU ms / record (all processes) | CPU ms / record by process | task |`,
    '|---|---|---|---:|---:|---:|---:|---:|---|---|',
    ...rows,
    ...(ratios.length ? ['', ...ratios.map((x) => `- ${x}`)] : []),
  ].join('\n');
}

/** Bytes per record each step left in record_result (content as written, as stored), and table sizes. */
function storageTable(results: RunResult[]): string {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const r of results) {
    const key = `${r.kind}|${r.tree}`;
    if (seen.has(key) || r.media) continue;
    seen.add(key);
    const per = (b: number) => (b / r.records).toFixed(0);
    out.push(`**${LABEL[r.kind]}, ${r.tree} code**: bytes per harvested record written to \`record_result\` by each step (content as written / as stored by PostgreSQL; messages and data):`);
    out.push('', '| step | rows | content B/record | stored B/record | messages+data B/record |', '|---|---:|---:|---:|---:|');
    let c = 0;
    let st = 0;
    let o = 0;
    for (const s of [...r.stepBytes].sort((a, b) => b.contentBytes - a.contentBytes)) {
      out.push(`| ${s.step} | ${s.rows} | ${per(s.contentBytes)} | ${per(s.storedBytes)} | ${per(s.otherBytes)} |`);
      c += s.contentBytes;
      st += s.storedBytes;
      o += s.otherBytes;
    }
    out.push(`| all steps | | ${per(c)} | ${per(st)} | ${per(o)} |`);
    const tables = Object.entries(r.tableBytes).sort((a, b) => b[1] - a[1]);
    out.push('', `Tables after the run (heap + TOAST + indexes), per record: ${tables.map(([k, v]) => `${k} ${per(v)} B`).join(', ')}; WAL during the run: ${r.walBytes === undefined ? '–' : `${per(r.walBytes)} B/record${r.kind === 'embedded' ? '' : ' (server-wide)'}`}.`, '');
  }
  return out.join('\n');
}

export default async function main(args: string[]): Promise<void> {
  const n = Number(args.find((a) => /^\d+$/.test(a)) ?? 10_000);
  const runtimes = (arg(args, 'runtimes') ?? 'embedded,kafka1,kafka2').split(',') as RuntimeKind[];
  const medias = (arg(args, 'media') ?? 'without,with').split(',') as MediaMix[];
  const unknown = medias.filter((m) => !MEDIA_MIXES.includes(m));
  if (unknown.length) throw new Error(`--media: unknown ${unknown.join(', ')} (${MEDIA_MIXES.join(', ')})`);
  const reps = Number(arg(args, 'reps') ?? 1);
  const baselineRev = arg(args, 'baseline');
  const verb = arg(args, 'verb');
  const harvestOnly = arg(args, 'harvest-only') !== undefined;
  const pageSize = Number(arg(args, 'page-size') ?? 50);
  const traceFirst = arg(args, 'trace-first') !== undefined;
  const profile = arg(args, 'cpu-prof') !== undefined ? mkdtempSync(join(tmpdir(), 'metis-bench-prof-')) : undefined;
  const dir = mkdtempSync(join(tmpdir(), 'metis-bench-pipe-'));
  const trees: Array<{ tree: string; root: string }> = [{ tree: 'current', root: ROOT }];
  if (baselineRev) {
    const rev = execFileSync('git', ['-C', ROOT, 'rev-parse', '--short', baselineRev], { encoding: 'utf8' }).trim();
    trees.push({ tree: 'baseline', root: extractBaseline(rev, join(dir, 'baseline')) });
    console.log(`baseline: ${rev} (${execFileSync('git', ['-C', ROOT, 'log', '-1', '--format=%s', rev], { encoding: 'utf8' }).trim().slice(0, 100)})`);
  }
  const mediaServer = await startDemoMediaServer({ width: 640, height: 480 });
  const dataset = { mediaBaseUrl: mediaServer.url, landingPageBaseUrl: `${mediaServer.url}details/` };
  // One OAI-PMH server per mix: the records of `images` differ from the demo dataset's.
  const oais = new Map(await Promise.all([...new Set(medias)].map(async (mix) => [mix, await startDemoOaiServer({ size: n, pageSize, dataset, record: recordsOf(mix, dataset) })] as const)));
  const results: MixResult[] = [];
  if (profile) for (const mix of medias) mkdirSync(join(profile, mix), { recursive: true });
  const load0 = loadavg()[0];
  try {
    for (const media of medias) {
      for (const kind of runtimes) {
        for (let rep = 0; rep < reps; rep++) {
          // Alternate the order so neither tree always runs on the warmer (or busier) machine.
          for (const t of rep % 2 ? [...trees].reverse() : trees) {
            const source = t.tree === 'current' && verb ? { verb } : undefined;
            const r = { ...(await runChild({ root: t.root, tree: t.tree, kind, media: media !== 'without', records: n, partitions: PARTITIONS, oaiUrl: oais.get(media)!.url, source, harvestOnly, dir, profileDir: profile && join(profile, media), traceFirst })), mix: media };
            results.push(r);
            console.log(
              `${t.tree} ${kind} media=${media}: ${r.recordsPerSecond.toFixed(1)} records/s (${r.seconds.toFixed(1)} s), first published ${r.firstPublishedMs?.toFixed(0)} ms, ` +
                `CPU ${cpuMsPerRecord(r).toFixed(2)} ms/record (${Object.entries(r.cpuSeconds).map(([k, v]) => `${k} ${v.toFixed(1)} s`).join(', ')}), peak RSS ${Object.values(r.peakRssMb).join('/')} MB, ${r.state}, load ${loadavg()[0].toFixed(1)}`,
            );
            if (r.trace) console.log(`${r.trace}\n`);
          }
        }
      }
    }
  } finally {
    for (const oai of oais.values()) await oai.close();
    await mediaServer.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const env = `${cpus().length} cores (${cpus()[0]?.model.trim()}), load average ${load0.toFixed(1)} → ${loadavg()[0].toFixed(1)} during the run, Node ${process.version}, OAI pages of ${pageSize}${verb ? `, harvest verb ${verb} (current code)` : ''}${harvestOnly ? ', plan: harvest only' : ''}${baselineRev ? `, baseline ${baselineRev}` : ''}`;
  const out = `${table(results, n)}\n\n${storageTable(results)}`;
  console.log(`\n${out}\n\n${env}`);
  const prof = profile ? summarizeProfiles(profile) : '';
  if (prof) console.log(`\nCPU profiles in ${profile}:\n${prof}`);
  if (arg(args, 'write') !== undefined) writeSection(n, out, env);
}

const HEADING = '### Measured by `npm run bench pipeline -- --write`';

function writeSection(n: number, out: string, env: string): void {
  const path = new URL('../docs/BENCHMARKS.md', import.meta.url);
  const doc = readFileSync(path, 'utf8');
  const body = `${HEADING}\n\n${n} generated records (some invalid on purpose), harvested from a local OAI-PMH server and run through every step to publish, exactly-once. Measured ${new Date().toISOString().slice(0, 16)}Z on ${env}.\n\n${out}\n`;
  const start = doc.indexOf(HEADING);
  let next = start >= 0 ? doc.indexOf('\n## ', start + HEADING.length) : -1;
  if (start >= 0 && next < 0) next = doc.length;
  const updated = start >= 0 ? doc.slice(0, start) + body + doc.slice(next) : `${doc.trimEnd()}\n\n${body}`;
  writeFileSync(path, updated);
}
