/**
 * Helpers for the pipeline's Kafka tests and benchmark: worker processes (spawn, SIGKILL, restart,
 * peak RSS), a PipelineService that sends commands over Kafka, and database dumps that compare runs
 * independently of task ids.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Db } from '../../src/store/db.ts';
import { PipelineStore } from '../../src/store/pipeline-store.ts';
import { resolvedContent } from '../../src/store/sql/outcomes.sql.ts';
import { PipelineService } from '../../src/pipeline/service.ts';
import { connectKafkaBus, type KafkaBus } from '../../src/pipeline/kafka-bus.ts';
import { pipelineTopics } from '../../src/pipeline/topics.ts';
import { demoDefect } from '../../src/steps/harvest/oai/demo-dataset.ts';
import type { HostLimits } from '../../src/pipeline/host-limiter.ts';
import type { PipelineOptions } from '../../src/pipeline/context.ts';

const WORKER_SCRIPT = fileURLToPath(new URL('./pipeline-worker.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface WorkerConfig {
  pgUrl: string;
  brokers: string;
  appId: string;
  topicPrefix: string;
  workDir: string;
  partitions: number;
  seedTopic?: string;
  hostLimits?: HostLimits;
  options?: Partial<PipelineOptions>;
  /** Extra node flags (e.g. --cpu-prof); `{instance}` is replaced by the worker's instance id. */
  nodeArgs?: string[];
}

export interface WorkerProcess {
  id: string;
  proc: ChildProcess;
  /** Resolves when the worker printed READY. */
  ready: Promise<void>;
  exited: Promise<number | null>;
  output(): string;
  /** Peak resident set (VmHWM) in KiB, read from /proc while it runs (undefined once gone). */
  peakRssKb(): number | undefined;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export function spawnWorker(cfg: WorkerConfig, instanceId: string, readyTimeoutMs = 180_000): WorkerProcess {
  const proc = spawn(process.execPath, [...(cfg.nodeArgs ?? []).map((a) => a.replaceAll('{instance}', instanceId)), '--import', 'tsx', WORKER_SCRIPT], {
    cwd: ROOT,
    stdio: ['pipe', 'pipe', 'pipe'],
    env: {
      ...process.env,
      METIS_PG_URL: cfg.pgUrl,
      KAFKA_BROKERS: cfg.brokers,
      METIS_APP_ID: cfg.appId,
      METIS_TOPIC_PREFIX: cfg.topicPrefix,
      METIS_INSTANCE_ID: instanceId,
      METIS_PARTITIONS: String(cfg.partitions),
      METIS_WORK_DIR: cfg.workDir,
      METIS_SEED_TOPIC: cfg.seedTopic ?? '',
      METIS_HOST_LIMITS: cfg.hostLimits ? JSON.stringify(cfg.hostLimits) : '',
      METIS_PIPELINE_OPTIONS: cfg.options ? JSON.stringify(cfg.options) : '',
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'error',
    },
  });
  let out = '';
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker ${instanceId} not ready within ${readyTimeoutMs} ms:\n${out.slice(-4000)}`)), readyTimeoutMs);
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('READY')) {
        clearTimeout(timer);
        resolve();
      }
    });
    proc.stderr!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.length > 200_000) out = out.slice(-100_000);
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`worker ${instanceId} exited (${code}) before READY:\n${out.slice(-4000)}`));
    });
  });
  ready.catch(() => undefined);
  return {
    id: instanceId,
    proc,
    ready,
    exited,
    output: () => out,
    peakRssKb() {
      try {
        const m = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${proc.pid}/status`, 'utf8'));
        return m ? Number(m[1]) : undefined;
      } catch {
        return undefined;
      }
    },
    async kill(signal: NodeJS.Signals = 'SIGTERM') {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      proc.kill(signal);
      const t = setTimeout(() => proc.kill('SIGKILL'), 60_000);
      await exited;
      clearTimeout(t);
    },
  };
}

export interface KafkaPipelineClient {
  service: PipelineService;
  bus: KafkaBus;
  close(): Promise<void>;
}

export async function kafkaService(db: Db, brokers: string, topicPrefix: string): Promise<KafkaPipelineClient> {
  const store = new PipelineStore(db);
  await store.migrate();
  const bus = await connectKafkaBus(brokers, pipelineTopics(topicPrefix).tasks);
  return { service: new PipelineService(store, bus), bus, close: () => bus.close() };
}

export interface ResultRow {
  step: string;
  recordId: string;
  status: string;
  content: string | null;
  messages: string;
}

/**
 * The one time-dependent part of a result: the indexing steps stamp the record with the time it was
 * indexed (`dcterms:created` of the EDM quality annotations). Masked before comparing two runs.
 */
export function maskIndexingTime(content: string | null): string | null {
  return content && content.replace(/<dcterms:created>\d{4}-\d\d-\d\dT[\d:.]+Z<\/dcterms:created>/g, '<dcterms:created>(indexing time)</dcterms:created>');
}

/** A task's record_result rows keyed by `step|record_id` (task-independent columns only; indexing time masked). */
export async function resultRows(db: Db, taskId: string): Promise<Map<string, ResultRow>> {
  const r = await db.query<{ step: string; record_id: string; status: string; content: string | null; messages: unknown }>(
    `SELECT step, record_id, status, ${resolvedContent} AS content, messages FROM record_result WHERE task_id = $1 ORDER BY step, record_id`,
    [taskId],
  );
  const m = new Map<string, ResultRow>();
  for (const row of r.rows) {
    const key = `${row.step}|${row.record_id}`;
    if (m.has(key)) throw new Error(`duplicate record_result row ${key}`);
    m.set(key, { step: row.step, recordId: row.record_id, status: row.status, content: row.step === 'preview' || row.step === 'publish' ? maskIndexingTime(row.content) : row.content, messages: JSON.stringify(row.messages) });
  }
  return m;
}

/** step → {success, warn, fail, cancelled} of a task. */
export async function progressCounts(db: Db, taskId: string): Promise<Record<string, { success: number; warn: number; fail: number; cancelled: number }>> {
  const r = await db.query<{ step: string; success: number; warn: number; fail: number; cancelled: number }>(
    'SELECT step, success, warn, fail, cancelled FROM step_progress WHERE task_id = $1 ORDER BY step',
    [taskId],
  );
  return Object.fromEntries(r.rows.map((x) => [x.step, { success: Number(x.success), warn: Number(x.warn), fail: Number(x.fail), cancelled: Number(x.cancelled) }]));
}

/** Error groups of a task without sample ids (their order depends on timing). */
export async function errorGroups(db: Db, taskId: string): Promise<string[]> {
  const r = await db.query<{ step: string; level: string; message: string; count: number }>(
    'SELECT step, level, message, count FROM error_report WHERE task_id = $1 ORDER BY step, level, message',
    [taskId],
  );
  return r.rows.map((x) => `${x.step}|${x.level}|${x.message}|${x.count}`);
}

/** Differences between two dumps (first few), empty when identical. */
export function diffResults(a: Map<string, ResultRow>, b: Map<string, ResultRow>, max = 5): string[] {
  const out: string[] = [];
  for (const [k, ra] of a) {
    const rb = b.get(k);
    if (!rb) out.push(`${k}: only in the first run`);
    else if (ra.status !== rb.status || ra.messages !== rb.messages || ra.content !== rb.content) {
      const what = ra.status !== rb.status ? `status ${ra.status} vs ${rb.status} (messages ${ra.messages} vs ${rb.messages})` : ra.messages !== rb.messages ? `messages ${ra.messages} vs ${rb.messages}` : `content differs (${ra.content?.length} vs ${rb.content?.length} chars) at ${firstDiff(ra.content ?? '', rb.content ?? '')}`;
      out.push(`${k}: ${what}`);
    }
    if (out.length >= max) return out;
  }
  for (const k of b.keys()) {
    if (!a.has(k)) out.push(`${k}: only in the second run`);
    if (out.length >= max) return out;
  }
  return out;
}

function firstDiff(a: string, b: string): string {
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  return `char ${i}: ${JSON.stringify(a.slice(Math.max(0, i - 40), i + 60))} vs ${JSON.stringify(b.slice(Math.max(0, i - 40), i + 60))}`;
}

/** What the demo dataset of `n` records implies: broken records of each kind and the valid rest. */
export function demoExpectations(n: number): { noAbout: number; invalid: number; valid: number } {
  const defects = Array.from({ length: n }, (_, i) => demoDefect(i));
  const noAbout = defects.filter((d) => d === 'no-about').length;
  const invalid = defects.filter((d) => d === 'no-rights' || d === 'no-type').length;
  return { noAbout, invalid, valid: n - noAbout - invalid };
}

/** Polls `fn` until it returns a truthy value or the deadline passes. */
export async function until<T>(what: string, fn: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs: number, pollMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

/**
 * Resolves when consumer group `group` is stable with `members` members, each owning partitions, and
 * all `partitions` of `topic` owned (so the workers' shares of a host budget are settled).
 */
export async function waitForBalancedGroup(brokers: string, group: string, members: number, topic: string, partitions: number, timeoutMs = 120_000): Promise<void> {
  const { KafkaJS } = await import('@confluentinc/kafka-javascript');
  const kafka = new KafkaJS.Kafka({ kafkaJS: { brokers: brokers.split(','), logLevel: KafkaJS.logLevel.NOTHING } });
  const admin = kafka.admin();
  await admin.connect();
  try {
    await until(
      `group ${group} balanced over ${members} members`,
      async () => {
        const { groups } = await admin.describeGroups([group]);
        const g = groups[0] as unknown as { state: number; members: Array<{ assignment?: { topicPartitions?: Array<{ topic: string; partition: number }> } }> };
        if (!g || g.state !== 3 /* STABLE */ || g.members.length !== members) return undefined;
        // Every member owns something and every partition of `topic` is owned (the cooperative
        // rebalance finished both its phases). The assignor balances partition counts over all
        // topics, not per topic: one member may own all of `topic`.
        const owned = g.members.map((m) => m.assignment?.topicPartitions ?? []);
        if (owned.some((tps) => tps.length === 0)) return undefined;
        return new Set(owned.flat().filter((tp) => tp.topic === topic).map((tp) => tp.partition)).size === partitions ? true : undefined;
      },
      timeoutMs,
      250,
    );
  } finally {
    await admin.disconnect();
  }
}
