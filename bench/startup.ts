/**
 * Start-up of the command, printed (not a timed test): `metis-streams help` wall time and peak RSS,
 * and `run --demo` time to its first progress line, each the median of N fresh processes, for the
 * compiled build (`node bin/metis-streams.js`, what users run) next to the old way as the baseline
 * (`node --import tsx src/cli/main.ts`, TypeScript compiled at start-up) and Node's own floor.
 * Targets (issue #10): help ≤ 0.3 s and ≤ 80 MB; demo's first progress line ≤ 2 s.
 *   npm run build && npm run bench startup [-- --runs 7 --demo-runs 3]
 *
 * Peak RSS is the child's own `process.resourceUsage().maxRSS`, written at exit by a preloaded
 * probe (`--require`, a few lines of CommonJS: no measurable cost of its own).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = fileURLToPath(new URL('../', import.meta.url));
const TARGET = { helpSeconds: 0.3, helpMb: 80, demoSeconds: 2 };

interface Way {
  name: string;
  /** node arguments before the command's own. */
  argv: string[];
}

const WAYS: Way[] = [
  { name: 'compiled: node bin/metis-streams.js', argv: ['bin/metis-streams.js'] },
  { name: 'baseline: node --import tsx src/cli/main.ts', argv: ['--import', 'tsx', 'src/cli/main.ts'] },
];

interface Run {
  seconds: number;
  rssMb: number;
  /** CPU time (user + system, all threads) to exit or to the matched line: less load-sensitive than wall time. */
  cpuSeconds: number;
  code: number | null;
  output: string;
}

const work = mkdtempSync(join(tmpdir(), 'metis-bench-startup-'));
const probe = join(work, 'usage-probe.cjs');
writeFileSync(
  probe,
  [
    'const write = () => {',
    '  const u = process.resourceUsage();',
    "  require('node:fs').writeFileSync(process.env.USAGE_PROBE_OUT, JSON.stringify({ maxRSS: u.maxRSS, cpuUs: u.userCPUTime + u.systemCPUTime }));",
    '};',
    "process.on('exit', write);",
    // The demo is stopped at its first progress line: record what it used up to there, then go.
    "process.on('SIGTERM', () => { write(); process.exit(143); });",
    '',
  ].join('\n'),
);

/**
 * Spawns `node --require probe ...argv` in the checkout; resolves at exit, or as soon as a line of
 * its output matches `until` (the child is then stopped, and `seconds` is the time to that line).
 */
function measure(argv: string[], until?: RegExp, timeoutMs = 120_000): Promise<Run> {
  const out = join(work, `usage-${process.hrtime.bigint()}`);
  const t0 = performance.now();
  const child = spawn(process.execPath, ['--require', probe, ...argv], {
    cwd: root,
    env: { ...process.env, USAGE_PROBE_OUT: out, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let seconds: number | undefined;
  const onData = (chunk: Buffer) => {
    output += chunk.toString();
    if (until && seconds === undefined && until.test(output)) {
      seconds = (performance.now() - t0) / 1000;
      child.kill('SIGTERM');
    }
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  return new Promise((resolve) => {
    child.on('exit', (code) => {
      clearTimeout(timer);
      const end = (performance.now() - t0) / 1000;
      const usage = existsSync(out)
        ? (JSON.parse(readFileSync(out, 'utf8')) as { maxRSS: number; cpuUs: number })
        : undefined;
      rmSync(out, { force: true });
      resolve({
        seconds: seconds ?? (until ? NaN : end),
        rssMb: (usage?.maxRSS ?? NaN) / 1024,
        cpuSeconds: (usage?.cpuUs ?? NaN) / 1e6,
        code,
        output,
      });
    });
  });
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function series(label: string, runs: number, argv: (i: number) => string[], until?: RegExp): Promise<Run[]> {
  const all: Run[] = [];
  for (let i = 0; i < runs; i++) {
    const r = await measure(argv(i), until);
    if (Number.isNaN(r.seconds) || (!until && r.code !== 0)) {
      throw new Error(`${label} failed (exit ${r.code}):\n${r.output.slice(-2000)}`);
    }
    all.push(r);
  }
  return all;
}

const fmt = (runs: Run[], key: 'seconds' | 'rssMb' | 'cpuSeconds', digits: number) => {
  const xs = runs.map((r) => r[key]);
  return `${median(xs).toFixed(digits)} (${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)})`;
};
const row = (name: string, r: Run[], digits: number) =>
  `  ${name.padEnd(46)}${fmt(r, 'seconds', digits).padEnd(20)}${fmt(r, 'cpuSeconds', digits).padEnd(20)}${fmt(r, 'rssMb', 0)}`;
const HEADER = `  ${''.padEnd(46)}${'wall s'.padEnd(20)}${'CPU s'.padEnd(20)}peak RSS MB`;
const verdict = (ok: boolean) => (ok ? 'meets target' : 'MISSES target');

export default async function startup(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: { runs: { type: 'string', default: '7' }, 'demo-runs': { type: 'string', default: '3' } },
  });
  const runs = Number(values.runs);
  const demoRuns = Number(values['demo-runs']);
  if (!existsSync(join(root, 'dist/cli/main.js'))) throw new Error('dist/ is missing: run `npm run build` first');
  try {
    const load = loadavg()
      .map((l) => l.toFixed(1))
      .join(' ');
    console.log(
      `start-up, median (min–max) of ${runs} fresh processes; Node ${process.version}; ${availableParallelism()} cores, load average ${load}`,
    );
    console.log('');
    console.log('metis-streams help');
    console.log(HEADER);
    console.log(row('node itself: node -e 0', await series('node -e 0', runs, () => ['-e', '0']), 3));
    const help: Record<string, Run[]> = {};
    for (const way of WAYS) {
      help[way.name] = await series(way.name, runs, () => [...way.argv, 'help']);
      console.log(row(way.name, help[way.name], 3));
    }
    const compiled = help[WAYS[0].name];
    const helpS = median(compiled.map((r) => r.seconds));
    const helpMb = median(compiled.map((r) => r.rssMb));
    console.log(
      `  target ≤ ${TARGET.helpSeconds} s and ≤ ${TARGET.helpMb} MB: ${verdict(helpS <= TARGET.helpSeconds && helpMb <= TARGET.helpMb)}`,
    );

    console.log('');
    console.log(
      `metis-streams run --demo, to its first progress line; a fresh data folder each run (median of ${demoRuns})`,
    );
    console.log(HEADER);
    const firstProgress = /^task \S+\s+dataset /m;
    const demo: Record<string, Run[]> = {};
    for (const [w, way] of WAYS.entries()) {
      demo[way.name] = await series(
        way.name,
        demoRuns,
        (i) => [...way.argv, 'run', '--demo', '--data-dir', join(work, `demo-${w}-${i}`)],
        firstProgress,
      );
      console.log(row(way.name, demo[way.name], 2));
    }
    const demoS = median(demo[WAYS[0].name].map((r) => r.seconds));
    console.log(`  target ≤ ${TARGET.demoSeconds} s: ${verdict(demoS <= TARGET.demoSeconds)}`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
