/**
 * `npm run bench intake [N] [--page=500] [--workers=1]`: a big archive through the Kafka pipeline
 * (issue #11 item 2). Generates N small records (default 100,000) into a .tar.gz in a temporary folder,
 * starts worker processes (test/support/pipeline-worker.ts) on the broker at KAFKA_BROKERS with a
 * fresh PostgreSQL database, submits a harvest-only archive task and samples every worker's resident
 * set (VmRSS) every 2 s until the task completes. Prints the time, records/s, and RSS: peak, and the
 * median of the first and the last 10% of the samples (flat RSS: the intake pages the archive, so
 * memory does not grow with its size), plus the number of `walk` pages the task took.
 */
import { createWriteStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import tar from 'tar-stream';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase } from '../test/support/pg.ts';
import { kafkaService, spawnWorker } from '../test/support/pipeline-harness.ts';
import { readCommitted } from '../test/support/outcome-duplicates.ts';
import { uniqueName } from '../test/support/services.ts';

const record = (i: number) =>
  `<?xml version="1.0" encoding="UTF-8"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:edm="http://www.europeana.eu/schemas/edm/"><edm:ProvidedCHO rdf:about="urn:bench:intake:${i}"><dc:title>Record ${i}</dc:title></edm:ProvidedCHO></rdf:RDF>`;

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s[Math.floor(s.length / 2)];
};

function rssKb(pid: number | undefined): number | undefined {
  try {
    const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

export default async function intake(args: string[]): Promise<void> {
  const n = Number(args.find((a) => /^\d+$/.test(a)) ?? 100_000);
  const flag = (name: string, d: number) => Number(args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? d);
  const page = flag('page', 500);
  const workerCount = flag('workers', 1);
  const brokers = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';
  const dir = mkdtempSync(join(tmpdir(), 'metis-bench-intake-'));
  const archive = join(dir, 'big.tar.gz');
  let t = Date.now();
  // A gzipped tar (the test zip writer has no zip64, so at most 65,535 entries), streamed to disk.
  const pack = tar.pack();
  const written = pipeline(pack, createGzip(), createWriteStream(archive));
  for (let i = 0; i < n; i++) {
    pack.entry({ name: `records/r${i}.xml` }, record(i));
    if (i % 1000 === 999) await new Promise((resolve) => setImmediate(resolve));
  }
  pack.finalize();
  await written;
  console.log(`${n} records archived in ${((Date.now() - t) / 1000).toFixed(1)} s (${(readFileSync(archive).length / 1e6).toFixed(1)} MB)`);
  const tdb = await createTestDatabase('metis_bench_intake');
  const name = uniqueName('bench_intake');
  const cfg = { pgUrl: tdb.url, brokers, appId: name, topicPrefix: name, workDir: join(dir, 'kafka'), partitions: 4, options: { intakePageSize: page } };
  const workers = Array.from({ length: workerCount }, (_, i) => spawnWorker(cfg, `${name}-w${i + 1}`));
  const client = await kafkaService(tdb.db, brokers, name);
  const samples: number[] = [];
  try {
    await Promise.all(workers.map((w) => w.ready));
    t = Date.now();
    const task = await client.service.submit({ dataset: { id: '9500', name: 'BigArchive', country: 'Italy', language: 'it' }, source: { type: 'archive', url: archive }, steps: ['harvest'] });
    const timer = setInterval(() => {
      const kb = workers.reduce((sum, w) => sum + (rssKb(w.proc.pid) ?? 0), 0);
      if (kb > 0) samples.push(kb);
    }, 2_000);
    const s = await client.service.waitForTask(task.taskId, { timeoutMs: 3_600_000, pollMs: 1_000 });
    clearInterval(timer);
    const secs = (Date.now() - t) / 1000;
    let pages = 0;
    await readCommitted(brokers, `${name}.tasks`, (m) => {
      const c = JSON.parse(m.value!.toString('utf8')) as { type: string; taskId: string };
      if (c.type === 'walk' && c.taskId === task.taskId) pages++;
    });
    const tenth = Math.max(1, Math.floor(samples.length / 10));
    const mb = (kb: number) => `${(kb / 1024).toFixed(0)} MB`;
    console.log(`task ${s.task.state} (${s.task.terminalCount}/${n} records) in ${secs.toFixed(0)} s, ${(n / secs).toFixed(0)} records/s, ${pages} walk pages of ≤ ${page}, ${workerCount} worker(s)`);
    console.log(`worker RSS: peak ${mb(Math.max(...samples))}, median of the first 10% of samples ${mb(median(samples.slice(0, tenth)))}, of the last 10% ${mb(median(samples.slice(-tenth)))} (${samples.length} samples every 2 s)`);
    console.log(`peak resident set (VmHWM) per worker: ${workers.map((w) => mb(w.peakRssKb() ?? NaN)).join(', ')}`);
  } finally {
    await Promise.all(workers.map((w) => w.kill('SIGTERM')));
    await client.close();
    await tdb.drop();
    rmSync(dir, { recursive: true, force: true });
  }
}
