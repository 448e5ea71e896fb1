/**
 * `npm run bench first-warmup [--reps=2] [--lead-ms=1500] [--idle-ms=4000]`
 *
 * What warming a task's CPU-bound steps (src/pipeline/step-warmup.ts) saves its first record: fresh
 * Metis ports (their step-pool threads, one per core) are left idle `idle-ms` (as a worker's threads
 * are when a task comes), then a record is run through validate-external → transform →
 * validate-internal → normalize, as the fused step processor does:
 *   - cold: the record comes with nothing built (each thread builds on first use);
 *   - warmed: the task is warmed `lead-ms` before the record comes (the time its listing, fetch and
 *     admission take: about 1.5–2 s on Kafka, ~1 s embedded).
 * Printed: ms from the record's arrival until its normalize outcome, median over `reps` fresh ports each.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { openPglite } from '../src/store/db.ts';
import { createMetisPorts, defaultMetisConfig } from '../src/pipeline/ports/create-metis-ports.ts';
import { warmTaskSteps } from '../src/pipeline/step-warmup.ts';
import { demoRecord } from '../src/steps/harvest/oai/demo-dataset.ts';
import type { PipelineContext } from '../src/pipeline/context.ts';
import type { TaskRow } from '../src/store/pipeline-store.ts';

const STEPS = ['validate-external', 'transform', 'validate-internal', 'normalize'] as const;

function arg(args: string[], name: string, dflt: string): string {
  const a = args.find((x) => x.startsWith(`--${name}=`));
  return a ? a.slice(a.indexOf('=') + 1) : dflt;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function once(warm: boolean, leadMs: number, idleMs: number, n: number): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'first-warmup-'));
  const db = await openPglite();
  const ports = await createMetisPorts(defaultMetisConfig({ db, cacheDir: join(dir, 'cache'), thumbnailDir: join(dir, 'thumbs'), allowLoopback: true }));
  try {
    const task = {
      taskId: `warm-bench-${n}`,
      datasetId: '9400',
      plan: ['harvest', ...STEPS, 'enrich', 'preview', 'publish'],
      spec: { dataset: { id: '9400', name: 'Bench', country: 'Italy', language: 'it' }, params: {}, limits: {} },
    } as unknown as TaskRow;
    await sleep(idleMs);
    if (warm) {
      warmTaskSteps({ ports: ports.ports, logger: pino({ level: 'warn' }) } as unknown as PipelineContext, task);
      await sleep(leadMs);
    }
    const t0 = performance.now();
    let content = demoRecord(7, { invalidRatio: 0 }).xml;
    for (const step of STEPS) {
      const o = await (await ports.ports.steps.forTask(task, step))({ recordId: 'r', content });
      if (o.status === 'fail') throw new Error(`${step} failed: ${JSON.stringify(o.messages)}`);
      content = o.content ?? content;
    }
    return performance.now() - t0;
  } finally {
    await ports.close();
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export default async function main(args: string[]): Promise<void> {
  const reps = Number(arg(args, 'reps', '2'));
  const leadMs = Number(arg(args, 'lead-ms', '1500'));
  const idleMs = Number(arg(args, 'idle-ms', '4000'));
  const load0 = loadavg()[0];
  const cold: number[] = [];
  const warm: number[] = [];
  for (let i = 0; i < reps; i++) {
    for (const w of i % 2 ? [true, false] : [false, true]) {
      const ms = await once(w, leadMs, idleMs, i);
      (w ? warm : cold).push(ms);
      console.log(`${w ? 'warmed' : 'cold'}: first record's CPU-bound steps done ${ms.toFixed(0)} ms after it came; load ${loadavg()[0].toFixed(1)}`);
    }
  }
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;
  console.log(`\n| step threads | runs | first record: arrival → normalize outcome, ms (median) |\n|---|---:|---:|\n| cold | ${cold.length} | ${med(cold).toFixed(0)} |\n| warmed ${leadMs} ms before | ${warm.length} | ${med(warm).toFixed(0)} |`);
  console.log(`\nthreads idle ${idleMs} ms first; load average ${load0.toFixed(1)} → ${loadavg()[0].toFixed(1)}`);
  process.exit(0);
}
