/**
 * `npm run bench pipeline [N] [--runtimes=embedded,kafka1,kafka2] [--media=with,without] [--cpu-prof] [--write]`
 *
 * End to end records/s of the whole pipeline (harvest from a local OAI-PMH server → publish, media
 * against the local media server), exactly-once, for N generated records (default 10,000):
 *   - embedded: LocalRuntime + PGlite in this process;
 *   - kafka1 / kafka2: 1 or 2 worker processes (test/support/pipeline-worker.ts) on the broker at
 *     KAFKA_BROKERS with a fresh PostgreSQL database each run.
 * Also: time from submit to the first published record, peak RSS (VmHWM) per worker, and the same
 * without the media step. `--cpu-prof` writes CPU profiles of the workers (and of this process for
 * the embedded runs) and prints where the time goes. `--write` puts the table into docs/BENCHMARKS.md.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { Session } from 'node:inspector/promises';
import { openPglite, type Db } from '../src/store/db.ts';
import { startEmbedded } from '../src/pipeline/embedded.ts';
import { createMetisPorts, defaultMetisConfig } from '../src/pipeline/ports/create-metis-ports.ts';
import { startDemoOaiServer } from '../src/steps/harvest/oai/demo-server.ts';
import { startDemoMediaServer } from '../src/pipeline/demo-media-server.ts';
import { DEFAULT_STEPS, type StepName, type TaskSpecInput } from '../src/model/index.ts';
import type { PipelineService } from '../src/pipeline/service.ts';
import { PipelineStore } from '../src/store/pipeline-store.ts';
import { createTestDatabase } from '../test/support/pg.ts';
import { uniqueName } from '../test/support/services.ts';
import { kafkaService, spawnWorker, waitForBalancedGroup, type WorkerProcess } from '../test/support/pipeline-harness.ts';
import { pipelineTopics } from '../src/pipeline/topics.ts';

type RuntimeKind = 'embedded' | 'kafka1' | 'kafka2';

interface Result {
  runtime: RuntimeKind;
  media: boolean;
  records: number;
  seconds: number;
  recordsPerSecond: number;
  firstPublishedMs: number | undefined;
  peakRssMb: number[];
  state: string;
}

const PARTITIONS = 4;

function arg(args: string[], name: string): string | undefined {
  const a = args.find((x) => x.startsWith(`--${name}=`) || x === `--${name}`);
  return a === undefined ? undefined : a.includes('=') ? a.slice(a.indexOf('=') + 1) : '';
}

/** Polls until the task ends; records the time of the first published record. */
async function follow(store: PipelineStore, service: PipelineService, taskId: string, submittedAt: number, timeoutMs: number) {
  let firstPublishedMs: number | undefined;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const task = await store.getTask(taskId);
    if (firstPublishedMs === undefined) {
      const p = (await store.progress(taskId)).find((x) => x.step === 'publish');
      if (p && p.success + p.warn + p.fail > 0) firstPublishedMs = performance.now() - submittedAt;
    }
    if (task && ['completed', 'failed', 'cancelled'].includes(task.state)) {
      const s = await service.status(taskId);
      return { state: task.state, seconds: (performance.now() - submittedAt) / 1000, firstPublishedMs, status: s! };
    }
    if (Date.now() > deadline) throw new Error(`task ${taskId} did not finish within ${timeoutMs} ms (state ${task?.state})`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function runOnce(kind: RuntimeKind, media: boolean, n: number, urls: { oai: string }, dir: string, profile: string | undefined): Promise<Result> {
  const steps: StepName[] = media ? [...DEFAULT_STEPS] : DEFAULT_STEPS.filter((s) => s !== 'media');
  const spec: TaskSpecInput = { dataset: { id: '9400', name: 'Bench', country: 'Italy', language: 'it' }, source: { type: 'oai', url: urls.oai, metadataPrefix: 'edm' }, steps };
  const timeoutMs = Math.max(600_000, n * 500);
  if (kind === 'embedded') {
    const db: Db = await openPglite();
    const ports = await createMetisPorts(defaultMetisConfig({ db, cacheDir: join(dir, 'cache'), thumbnailDir: join(dir, 'thumbs-e'), allowLoopback: true }));
    const pipeline = await startEmbedded({ db, ports: ports.ports, partitions: PARTITIONS });
    let peak = process.memoryUsage().rss;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 200);
    const session = profile ? new Session() : undefined;
    if (session) {
      session.connect();
      await session.post('Profiler.enable');
      await session.post('Profiler.start');
    }
    try {
      const t0 = performance.now();
      const task = await pipeline.service.submit(spec);
      const r = await follow(pipeline.store, pipeline.service, task.taskId, t0, timeoutMs);
      if (session) {
        const { profile: p } = await session.post('Profiler.stop');
        writeFileSync(join(profile!, `embedded-${media ? 'media' : 'nomedia'}.cpuprofile`), JSON.stringify(p));
        session.disconnect();
      }
      return { runtime: kind, media, records: n, seconds: r.seconds, recordsPerSecond: n / r.seconds, firstPublishedMs: r.firstPublishedMs, peakRssMb: [Math.round(peak / 1048576)], state: r.state };
    } finally {
      clearInterval(sampler);
      await pipeline.stop();
      await ports.close();
      await db.close();
    }
  }
  const workersN = kind === 'kafka1' ? 1 : 2;
  const tdb = await createTestDatabase('metis_bench_pipe');
  const name = uniqueName('bench_pipe');
  const cfg = {
    pgUrl: tdb.url,
    brokers: process.env.KAFKA_BROKERS ?? '127.0.0.1:9092',
    appId: name,
    topicPrefix: name,
    workDir: join(dir, name),
    partitions: PARTITIONS,
    // One directory per worker: node names profiles per thread (the tsx loader thread writes one too).
    nodeArgs: profile ? ['--cpu-prof', `--cpu-prof-dir=${join(profile, `${kind}-${media ? 'media' : 'nomedia'}-{instance}`)}`] : [],
  };
  const workers: WorkerProcess[] = Array.from({ length: workersN }, (_, i) => spawnWorker(cfg, `${name}-w${i + 1}`));
  const client = await kafkaService(tdb.db, cfg.brokers, name);
  const peaks = new Map<string, number>();
  const sampler = setInterval(() => workers.forEach((w) => peaks.set(w.id, Math.max(peaks.get(w.id) ?? 0, w.peakRssKb() ?? 0))), 500);
  try {
    await Promise.all(workers.map((w) => w.ready));
    // Measure the pipeline, not the group's start: every worker has its partitions (stores restored).
    await waitForBalancedGroup(cfg.brokers, name, workersN, pipelineTopics(name).fetch, PARTITIONS);
    const t0 = performance.now();
    const task = await client.service.submit(spec);
    const r = await follow(new PipelineStore(tdb.db), client.service, task.taskId, t0, timeoutMs);
    workers.forEach((w) => peaks.set(w.id, Math.max(peaks.get(w.id) ?? 0, w.peakRssKb() ?? 0)));
    return { runtime: kind, media, records: n, seconds: r.seconds, recordsPerSecond: n / r.seconds, firstPublishedMs: r.firstPublishedMs, peakRssMb: workers.map((w) => Math.round((peaks.get(w.id) ?? 0) / 1024)), state: r.state };
  } finally {
    clearInterval(sampler);
    await Promise.all(workers.map((w) => w.kill('SIGTERM')));
    await client.close();
    await tdb.drop();
  }
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

function table(results: Result[], n: number): string {
  const rows = results.map((r) => `| ${r.runtime === 'embedded' ? 'embedded (LocalRuntime + PGlite)' : r.runtime === 'kafka1' ? 'Kafka, 1 worker' : 'Kafka, 2 workers'} | ${r.media ? 'yes' : 'no'} | ${r.recordsPerSecond.toFixed(1)} | ${r.seconds.toFixed(1)} | ${r.firstPublishedMs === undefined ? '–' : (r.firstPublishedMs / 1000).toFixed(2)} | ${r.peakRssMb.join(' / ')} | ${r.state} |`);
  return [`| runtime (${n} records, ${PARTITIONS} partitions) | media | records/s | total s | first published s | peak RSS MB (per worker) | task |`, '|---|---|---:|---:|---:|---:|---|', ...rows].join('\n');
}

export default async function main(args: string[]): Promise<void> {
  const n = Number(args.find((a) => /^\d+$/.test(a)) ?? 10_000);
  const runtimes = (arg(args, 'runtimes') ?? 'embedded,kafka1,kafka2').split(',') as RuntimeKind[];
  const medias = (arg(args, 'media') ?? 'without,with').split(',').map((m) => m === 'with');
  const profile = arg(args, 'cpu-prof') !== undefined ? mkdtempSync(join(tmpdir(), 'metis-bench-prof-')) : undefined;
  const dir = mkdtempSync(join(tmpdir(), 'metis-bench-pipe-'));
  const mediaServer = await startDemoMediaServer({ width: 640, height: 480 });
  const oai = await startDemoOaiServer({ size: n, pageSize: 100, dataset: { mediaBaseUrl: mediaServer.url, landingPageBaseUrl: `${mediaServer.url}details/` } });
  const results: Result[] = [];
  const load0 = loadavg()[0];
  try {
    for (const media of medias) {
      for (const kind of runtimes) {
        const r = await runOnce(kind, media, n, { oai: oai.url }, dir, profile);
        results.push(r);
        console.log(`${kind} media=${media}: ${r.recordsPerSecond.toFixed(1)} records/s (${r.seconds.toFixed(1)} s), first published ${r.firstPublishedMs?.toFixed(0)} ms, peak RSS ${r.peakRssMb.join('/')} MB, ${r.state}`);
      }
    }
  } finally {
    await oai.close();
    await mediaServer.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const env = `${cpus().length} cores (${cpus()[0]?.model.trim()}), load average ${load0.toFixed(1)} → ${loadavg()[0].toFixed(1)} during the run, Node ${process.version}`;
  const out = table(results, n);
  console.log(`\n${out}\n\n${env}`);
  const prof = profile ? summarizeProfiles(profile) : '';
  if (prof) console.log(`\nCPU profiles in ${profile}:\n${prof}`);
  if (arg(args, 'write') !== undefined) writeSection(n, out, env);
}

const HEADING = '## Pipeline end to end (`npm run bench pipeline`)';

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
