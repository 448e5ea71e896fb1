/**
 * `npm run bench xslt [--iterations=N] [--seconds=S] [--threads=1,2]`: Metis's rules as XSLT (issue #15
 * item 2) next to the TypeScript ports, on the same records: sort → validate external → transform →
 * validate internal, per step (in-process median and CPU time per record) and as throughput of the
 * whole chain in worker threads (records per second); and, as the reference, the same four
 * stylesheets on Saxon-HE 9.9 in a warm JVM (Metis's engine; bench/xslt/MetisRulesBench.java).
 *
 * Needs Metis's rule files (METIS_RULES_DIR: schematron/schematron.xsl, schematron/schematron-internal.xsl,
 * edm_sorter.xsl, default_transformation.xslt). The XSLT chain runs copies that are not recognised as
 * the ported versions, exactly as a newer schema zip would run.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { type BenchRow, SCHEMA_DIR, loadFixtureSet, markdownTable, measure } from './_steps-lib.ts';
import { buildChain, type Mode, type RuleSet, xsltRuleSet } from './_xslt-chain.ts';

export default async function main(args: string[]): Promise<void> {
  const opt = (name: string, dflt: string) => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? dflt;
  const iterations = Number(opt('iterations', '200'));
  const seconds = Number(opt('seconds', '10'));
  const threads = opt('threads', '1,2').split(',').map(Number);
  const rulesDir = process.env.METIS_RULES_DIR ?? (existsSync(join(SCHEMA_DIR, 'schematron', 'schematron.xsl')) ? SCHEMA_DIR : undefined);
  if (!rulesDir || !existsSync(join(rulesDir, 'schematron', 'schematron.xsl'))) {
    console.log('bench xslt: skipped, Metis rule files not found (set METIS_RULES_DIR to a folder with schematron/schematron.xsl, …)');
    return;
  }
  const work = mkdtempSync(join(tmpdir(), 'bench-xslt-'));
  const cacheDir = join(tmpdir(), 'metis-streams-sef');
  try {
    const rules = xsltRuleSet(rulesDir, SCHEMA_DIR, work);
    const set = loadFixtureSet();
    const records = set.records.map((r) => r.content);
    console.log(`bench xslt: ${records.length} records (${set.name}), ${iterations} iterations, ${seconds} s per throughput run, load ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
    const rows: BenchRow[] = [];
    const throughput: string[] = [];
    const modes: Mode[] = SAXON_JAR ? ['port', 'xslt', 'xslt-he'] : ['port', 'xslt'];
    for (const mode of modes) {
      const chain = await buildChain(mode, SCHEMA_DIR, rules, cacheDir);
      console.log(`${mode}: ${chain.rules}`);
      // The JVM needs many more calls than measure()'s warm-up before its JIT settles.
      for (let i = 0; i < (mode === 'xslt-he' ? JVM_WARMUP : 0); i++) chain.all(records[i % records.length]);
      const sorted = records.map(chain.ext);
      const internal = sorted.map(chain.transform);
      const engine = {
        port: 'TypeScript ports (+ libxml2-wasm XSD)',
        xslt: 'Metis XSLT on SaxonJS 2.7 (+ libxml2-wasm XSD)',
        'xslt-he': 'Metis XSLT on Saxon-HE 9.9 sidecar JVM (+ libxml2-wasm XSD)',
      }[mode];
      for (const [workload, inputs, fn] of [
        ['sort + validate external', records, chain.ext],
        ['transform (default)', sorted, chain.transform],
        ['validate internal', internal, chain.int],
        ['chain', records, chain.all],
      ] as const) {
        const jvm0 = childCpuMs();
        const m = measure([...inputs], fn, iterations);
        // measure() makes max(50, iterations / 5) warm-up calls before the timed ones.
        const jvmMs = (childCpuMs() - jvm0) / (iterations + Math.max(50, Math.floor(iterations / 5)));
        rows.push({
          section: 'xslt', workload, engine, set: set.name, medianMs: m.medianMs, p99Ms: m.p99Ms, cpuMs: m.cpuMs + jvmMs,
          note: mode === 'xslt-he' ? `CPU: Node ${m.cpuMs.toFixed(3)} + JVM ${jvmMs.toFixed(3)}` : undefined,
        });
      }
      for (const n of threads) {
        const r = await runThreads(mode, n, rules, cacheDir, records, seconds);
        throughput.push(`| ${mode} | ${n} | ${r.perSecond.toFixed(0)} | ${r.perCpuSecond.toFixed(0)} |`);
      }
    }
    rows.push(...saxonHeRows(rulesDir, records, work, iterations, set.name));
    console.log(markdownTable(rows));
    console.log(['', '| chain | threads | records/s | records per CPU-second (Node + JVMs) |', '|---|---:|---:|---:|', ...throughput].join('\n'));
    console.log(`load average after: ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

const JVM_WARMUP = 1500;
const SAXON_JAR = ['/usr/share/java/Saxon-HE.jar', '/usr/share/java/Saxon-HE-9.9.1.5.jar'].find((p) => existsSync(p));

/** The same four stylesheets on Saxon-HE 9.9 in a warm JVM (Metis's engine): the reference rows. */
function saxonHeRows(rulesDir: string, records: string[], work: string, iterations: number, setName: string): BenchRow[] {
  const engine = 'Metis XSLT on Saxon-HE 9.9, warm JVM (no XSD)';
  if (!SAXON_JAR) return [{ section: 'xslt', workload: '-', engine, set: '-', medianMs: NaN, p99Ms: NaN, note: 'Saxon-HE.jar not found (apt install libsaxonhe-java)' }];
  const classes = join(work, 'java');
  mkdirSync(classes, { recursive: true });
  execFileSync('javac', ['-cp', SAXON_JAR, '-d', classes, fileURLToPath(new URL('./xslt/MetisRulesBench.java', import.meta.url))]);
  const files = records.map((r, i) => {
    const f = join(work, `record-${i}.xml`);
    writeFileSync(f, r);
    return f;
  });
  const rule = (p: string) => join(rulesDir, p);
  const out = execFileSync(
    'java',
    ['-cp', `${SAXON_JAR}:${classes}`, 'MetisRulesBench', rule('edm_sorter.xsl'), rule('schematron/schematron.xsl'),
      rule('default_transformation.xslt'), rule('schematron/schematron-internal.xsl'), String(Math.max(300, iterations)), ...files],
    { encoding: 'utf8', maxBuffer: 1 << 20 },
  );
  return out
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { name: string; medianMs: number; p99Ms: number; cpuMs: number })
    .map((r) => ({ section: 'xslt', workload: r.name, engine, set: setName, medianMs: r.medianMs, p99Ms: r.p99Ms, cpuMs: r.cpuMs }));
}

async function runThreads(
  mode: Mode,
  threads: number,
  rules: RuleSet,
  cacheDir: string,
  records: string[],
  seconds: number,
): Promise<{ perSecond: number; perCpuSecond: number }> {
  const boot = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((m) => { m.register(); return import(${JSON.stringify(new URL('./_xslt-worker.ts', import.meta.url).href)}); })`;
  const workerData = { mode, schemaDir: SCHEMA_DIR, rules, cacheDir, records, durationMs: seconds * 1000, warmup: mode === 'xslt-he' ? JVM_WARMUP : 40 };
  const workers = Array.from({ length: threads }, () => new Worker(boot, { eval: true, workerData, resourceLimits: { maxYoungGenerationSizeMb: 64 } }));
  await Promise.all(workers.map((w) => new Promise((r, j) => (w.once('message', r), w.once('error', j)))));
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const jvm0 = childCpuMs();
  const counts = await Promise.all(workers.map((w) => new Promise<number>((r, j) => (w.once('message', r), w.once('error', j), w.postMessage('go')))));
  const cpu = process.cpuUsage(cpu0);
  const jvmSeconds = (childCpuMs() - jvm0) / 1000;
  const elapsed = (performance.now() - t0) / 1000;
  await Promise.all(workers.map((w) => w.terminate()));
  const total = counts.reduce((a, b) => a + b, 0);
  return { perSecond: total / elapsed, perCpuSecond: total / ((cpu.user + cpu.system) / 1e6 + jvmSeconds) };
}

/** CPU time (ms) of this process's child processes so far (the Saxon-HE JVMs), from /proc. */
function childCpuMs(): number {
  let pids: string[] = [];
  try {
    pids = execFileSync('pgrep', ['-P', String(process.pid)], { encoding: 'utf8' }).trim().split('\n').filter(Boolean);
  } catch {
    return 0; // none
  }
  let ticks = 0;
  for (const pid of pids) {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
      ticks += Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15 of stat)
    } catch {
      // ended meanwhile
    }
  }
  return (ticks * 1000) / 100; // USER_HZ = 100 on Linux
}
