/**
 * `npm run bench budget [N] [--db=pg,pglite] [--kafka=yes|no] [--batch=R]` (R: records per sink round, default 25)
 *
 * The CPU budget of one record on the pipeline's path, each part measured alone on N generated demo
 * records (default 500, the same records `bench pipeline` harvests), so the parts can be added up and
 * set against `bench pipeline`'s "CPU ms / record, all processes" (issue #13 target 1):
 *   - harvest: ListIdentifiers pages + GetRecord per record through the OAI client (the demo OAI-PMH
 *     server runs in a process of its own: only the client's side is counted), and the Europeana id
 *     (parse + id) that fetch computes;
 *   - each step function (the CPU-bound chain on this thread, enrich against the built-in entity store,
 *     preview and publish with their batched index writes: client + database server CPU);
 *   - the envelope per hop: JSON encode + decode, with and without the zod validation the topology's
 *     serdes do, for each hop's real value (fetch command, admission and step envelopes, outcome events),
 *     times the number of such hops a record makes (the embedded runtime's log holds bytes too: the
 *     same serdes run there);
 *   - the sink's writes of a record's outcome events (`OutcomeWriter.applyOutcomes`, batches of R
 *     records' events as the sink commits them): statements and bytes sent per record, client CPU and
 *     the database server's CPU (its backends' /proc CPU, PostgreSQL) or all in-process (PGlite);
 *   - a topic hop through librdkafka, exactly-once: a consume → produce → commit loop (the raw client,
 *     100 ms transactions) over messages of the envelope's and the outcome event's sizes, this process
 *     + the broker's CPU per message.
 * Every part is warmed up first (a pass over the records, or the first 100, not counted): the
 * pipeline's steady state, not its start. CPU is user + system time of this process (all threads)
 * unless said otherwise. The table ends with
 * the sum per record for the Kafka path (1 worker) and the embedded path.
 */
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { envelopeSchema, fetchCommandSchema, outcomeEventSchema, type Envelope, type OutcomeEvent, type StepName } from '../src/model/index.ts';
import { zodJsonSerde, jsonSerde } from '../src/engine/index.ts';
import { connectPg, openPglite, type Db } from '../src/store/db.ts';
import { PipelineStore } from '../src/store/pipeline-store.ts';
import { createMetisPorts, defaultMetisConfig } from '../src/pipeline/ports/create-metis-ports.ts';
import { recordEvent } from '../src/pipeline/routes.ts';
import { createOaiClient } from '../src/steps/harvest/oai/oai-client.ts';
import type { StepOutcome } from '../src/steps/outcome.ts';
import { startDemoServersProcess } from '../test/support/demo-servers-process.ts';
import { createTestDatabase } from '../test/support/pg.ts';
import { connectConsumer, connectProducer, consume, disconnect, ensureTopics, produce, tryProduce, txn } from '../src/engine/kafka-client.ts';

const STEPS: StepName[] = ['harvest', 'validate-external', 'transform', 'validate-internal', 'normalize', 'enrich', 'preview', 'publish'];
/** Steps that start a processor call (a topic hop each): the fused CPU chain starts at validate-external. */
const HOP_STEPS: StepName[] = ['validate-external', 'enrich', 'preview', 'publish'];
const BROKERS = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';
const HERE = fileURLToPath(new URL('../', import.meta.url));
const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

interface Row {
  part: string;
  per: string;
  times: number;
  /** CPU ms of this process per occurrence. */
  clientMs: number;
  /** CPU ms of other processes per occurrence (database server, broker). */
  otherMs: number;
  note?: string;
}

const cpuMs = (c: NodeJS.CpuUsage) => (c.user + c.system) / 1000;

function procCpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(f[11]) + Number(f[12])) / CLK_TCK) * 1000;
  } catch {
    return 0;
  }
}

/** CPU ms of this process and of `others()` (pids read at start and end) spent in `fn`. */
async function cpuOf(fn: () => Promise<unknown>, others: () => Promise<number[]> = async () => []): Promise<{ client: number; other: number }> {
  const pids0 = await others();
  const o0 = new Map(pids0.map((p) => [p, procCpuMs(p)]));
  const c0 = process.cpuUsage();
  await fn();
  const client = cpuMs(process.cpuUsage(c0));
  let other = 0;
  for (const p of await others()) other += procCpuMs(p) - (o0.get(p) ?? 0);
  return { client, other };
}

function arg(args: string[], name: string): string | undefined {
  const a = args.find((x) => x.startsWith(`--${name}=`));
  return a?.slice(name.length + 3);
}

async function inParallel<T, R>(items: T[], n: number, fn: (t: T, i: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i], i);
      }
    }),
  );
  return out;
}

/** What one record looked like at each step: its outcome (with content) and the envelope that carried it. */
interface Journey {
  recordId: string;
  outcomes: Map<StepName, StepOutcome>;
  envelopes: Envelope[];
  events: OutcomeEvent[];
}

/** Runs every step on the records, measuring each; returns the rows and every record's journey. */
async function stepsOn(db: Db, label: string, contents: Array<{ id: string; content: string }>, others: () => Promise<number[]>, dir: string) {
  const store = new PipelineStore(db);
  await store.migrate();
  const ports = await createMetisPorts(
    defaultMetisConfig({ db, cacheDir: join(HERE, '.cache', 'bench-budget'), thumbnailDir: join(dir, 'thumbs'), allowLoopback: true, threads: 0 }),
  );
  const rows: Row[] = [];
  try {
    const task = await store.createTask({
      dataset: { id: '9400', name: 'Bench', country: 'Italy', language: 'it' },
      source: { type: 'oai', url: 'http://127.0.0.1:1/oai', metadataPrefix: 'edm' },
      steps: STEPS,
    });
    const journeys: Journey[] = [];
    // Europeana ids, as fetch computes them (parse + id).
    const ids: string[] = [];
    for (const c of contents) ports.ports.steps.recordId('9400', c.content, c.id); // warm-up
    const idCpu = await cpuOf(async () => {
      for (const c of contents) {
        const id = ports.ports.steps.recordId('9400', c.content, c.id);
        ids.push(typeof id === 'string' ? id : c.id);
      }
    });
    rows.push({ part: 'harvest: Europeana id (parse + id), at fetch', per: 'record', times: 1, clientMs: idCpu.client / contents.length, otherMs: 0 });
    const current = contents.map((c, i) => ({ recordId: ids[i], content: c.content, alive: true }));
    for (const [i, r] of current.entries()) {
      const harvest: StepOutcome = { status: 'success', recordId: r.recordId, messages: [], content: r.content, data: { sourceId: contents[i].id } };
      journeys.push({ recordId: r.recordId, outcomes: new Map([['harvest', harvest]]), envelopes: [], events: [] });
    }
    const plan = STEPS;
    for (const step of STEPS.slice(1)) {
      const fn = await ports.ports.steps.forTask(task, step);
      const live = current.filter((r) => r.alive);
      const index = step === 'preview' || step === 'publish';
      // Warm-up (JIT, module loading, caches): the first 100 records once, results dropped.
      await inParallel(live.slice(0, 100), index ? 64 : 1, (r) => fn({ recordId: `${r.recordId}-warm`, content: r.content }, new AbortController().signal).catch(() => undefined));
      const outs: StepOutcome[] = [];
      const { client, other } = await cpuOf(
        async () => {
          // The index steps batch the records in flight (32 per partition in the pipeline).
          const res = await inParallel(live, index ? 64 : 1, (r) => fn({ recordId: r.recordId, content: r.content }, new AbortController().signal));
          outs.push(...res);
        },
        index || step === 'enrich' ? others : async () => [],
      );
      rows.push({ part: `step: ${step}`, per: 'record', times: 1, clientMs: client / live.length, otherMs: other / live.length, note: index || step === 'enrich' ? `${label}: ${label === 'pg' ? 'server' : 'in process'}` : undefined });
      live.forEach((r, k) => {
        const o = outs[k];
        journeys[current.indexOf(r)].outcomes.set(step, o);
        if (o.status === 'fail') r.alive = false;
        else if (o.content !== undefined) r.content = o.content;
      });
    }
    // The envelopes and outcome events each record's hops carried (as step-processor builds them).
    for (const j of journeys) {
      let content = j.outcomes.get('harvest')!.content!;
      let from: StepName | undefined;
      for (const [k, step] of plan.entries()) {
        const o = j.outcomes.get(step);
        if (!o) break;
        if (step === 'harvest' || HOP_STEPS.includes(step))
          j.envelopes.push({ taskId: task.taskId, datasetId: task.datasetId, recordId: j.recordId, plan: [...plan], stepIndex: k + (step === 'harvest' ? 1 : 0), content, sourceId: `oai:demo:${j.recordId}`, ...(step === 'harvest' ? { harvest: { status: 'success', messages: [], data: o.data ?? {} } } : {}) });
        const last = k === plan.length - 1;
        const unchanged = o.status !== 'fail' && !last && from !== undefined && o.content === content;
        j.events.push(recordEvent(task.taskId, step, { ...o, recordId: j.recordId }, last, o.status === 'fail' || unchanged ? null : (o.content ?? null), unchanged ? from : undefined));
        if (o.status === 'fail') break;
        if (o.content !== undefined) {
          from = step;
          content = o.content;
        }
      }
    }
    return { rows, journeys, task, store };
  } finally {
    await ports.close();
  }
}

/** JSON encode + decode of each hop's values, with the topology's zod serdes and with plain JSON. */
function serdeRows(journeys: Journey[], records: number): Row[] {
  const rows: Row[] = [];
  const fetchCommands = journeys.map((j, i) => ({ taskId: '5f0c3f36-1f0e-4c8e-9a51-5b1c2d3e4f50', identifier: `oai:demo:${j.recordId}`, datestamp: '2024-01-01', index: i }));
  const sets: Array<[string, unknown[], Parameters<typeof zodJsonSerde>[0]]> = [
    ['fetch command', fetchCommands, fetchCommandSchema],
    ['envelope (admit + 4 step topics)', journeys.flatMap((j) => j.envelopes), envelopeSchema],
    ['outcome event', journeys.flatMap((j) => j.events), outcomeEventSchema],
  ];
  for (const [name, values, schema] of sets) {
    const zod = zodJsonSerde(schema);
    const plain = jsonSerde<unknown>();
    const bytes = values.map((v) => zod.serialize(v)!);
    const ok = bytes.filter((b) => schema.safeParse(JSON.parse(b.toString('utf8'))).success);
    if (ok.length < bytes.length) console.log(`(${bytes.length - ok.length} of ${bytes.length} ${name} values do not validate: left out of the zod row)`);
    const reps = Math.max(1, Math.ceil(20_000 / Math.max(1, values.length)));
    const time = (f: () => void) => {
      f();
      const c0 = process.cpuUsage();
      for (let r = 0; r < reps; r++) f();
      return cpuMs(process.cpuUsage(c0)) / reps;
    };
    const enc = time(() => values.forEach((v) => zod.serialize(v)));
    const decZod = ok.length > 0 ? time(() => ok.forEach((b) => zod.deserialize(b))) / ok.length : NaN;
    const decJson = time(() => bytes.forEach((b) => plain.deserialize(b))) / bytes.length;
    const perRecord = values.length / records;
    const avgBytes = bytes.reduce((s, b) => s + b.length, 0) / bytes.length;
    rows.push({ part: `hop serde: ${name}, encode (JSON)`, per: 'hop', times: perRecord, clientMs: enc / values.length, otherMs: 0, note: `${Math.round(avgBytes)} B` });
    rows.push({ part: `hop serde: ${name}, decode JSON only`, per: 'hop', times: 0, clientMs: decJson, otherMs: 0, note: 'not on the path (for comparison)' });
    rows.push({ part: `hop serde: ${name}, decode JSON + zod`, per: 'hop', times: perRecord, clientMs: decZod, otherMs: 0, note: `zod ${(decZod - decJson).toFixed(4)} ms of it` });
  }
  return rows;
}

/**
 * The sink's writes of the records' outcome events: rounds of `batch` records, spread over
 * `partitions` outcome partitions, written one transaction per partition (the sinks committed one
 * after the other) or one transaction per round (committed together: `SinkWrites` in outcome-sink.ts).
 */
async function sinkRows(db: Db, label: string, store: PipelineStore, journeys: Journey[], batch: number, partitions: number, others: () => Promise<number[]>, group: string): Promise<Row[]> {
  let statements = 0;
  let bytes = 0;
  const count = (q: { query: Db['query'] }) => {
    const orig = q.query.bind(q);
    q.query = (async (text: string, params?: unknown[]) => {
      statements++;
      bytes += Buffer.byteLength(text) + (params ?? []).reduce<number>((s, p) => s + (p === null || p === undefined ? 0 : Buffer.byteLength(typeof p === 'string' ? p : JSON.stringify(p))), 0);
      return orig(text, params);
    }) as Db['query'];
  };
  const origTx = db.transaction.bind(db);
  db.transaction = ((fn: Parameters<Db['transaction']>[0]) =>
    origTx((tx) => {
      statements += 2; // BEGIN, COMMIT
      count(tx);
      return fn(tx);
    })) as Db['transaction'];
  const n = journeys.length;
  const perRecord = journeys.reduce((s, j) => s + j.events.length, 0) / n;
  const rows: Row[] = [];
  try {
    for (const together of [false, true]) {
      // A task of its own per mode, so the second mode's rows are new rows too.
      const task = await store.createTask({ dataset: { id: '9400', name: 'Bench', country: 'Italy', language: 'it' }, source: { type: 'oai', url: 'http://127.0.0.1:1/oai', metadataPrefix: 'edm' }, steps: STEPS });
      const events = journeys.map((j) => j.events.map((e) => ({ ...e, taskId: task.taskId })));
      const offsets = new Array<number | undefined>(partitions).fill(undefined);
      statements = 0;
      bytes = 0;
      const topic = `outcomes-${together ? 'together' : 'apart'}`;
      const { client, other } = await cpuOf(async () => {
        for (let i = 0; i < events.length; i += batch) {
          const round = Array.from({ length: partitions }, (_, k) => events.slice(i, i + batch).filter((_, x) => x % partitions === k).flat());
          const moves = round.map((evs, k) => ({ topic, partition: k, from: offsets[k], to: (offsets[k] ?? 0) + evs.length }));
          if (together) await store.applyOutcomes(group, round.flat(), moves);
          else for (const [k, evs] of round.entries()) await store.applyOutcomes(group, evs, [moves[k]]);
          moves.forEach((m, k) => (offsets[k] = m.to));
        }
      }, others);
      rows.push({
        part: `sink: ${perRecord.toFixed(1)} outcome events, rounds of ${batch} records over ${partitions} partitions, ${together ? 'one transaction per round' : 'one transaction per partition'} (${label})`,
        per: 'record',
        // In the sum as both runtimes commit today: the partitions' sinks of a commit are called
        // together (one transaction); the other row is there to compare.
        times: together ? 1 : 0,
        clientMs: client / n,
        otherMs: other / n,
        note: `${(statements / n).toFixed(2)} statements, ${Math.round(bytes / n)} B sent per record${together ? '' : '; not in the sum'}`,
      });
    }
  } finally {
    db.transaction = origTx;
  }
  return rows;
}

/** Exactly-once consume → produce → commit through librdkafka, per message of `valueBytes`. */
async function kafkaHop(valueBytes: number, messages: number): Promise<{ client: number; broker: number }> {
  const id = `bench_budget_${process.pid}_${Date.now().toString(36)}_${valueBytes}`;
  const input = `${id}.in`;
  const output = `${id}.out`;
  await ensureTopics(BROKERS, [
    { topic: input, partitions: 4 },
    { topic: output, partitions: 4 },
  ]);
  const producer = await connectProducer({ 'bootstrap.servers': BROKERS, 'enable.idempotence': true, 'linger.ms': 5, 'transactional.id': `${id}-txn`, 'transaction.timeout.ms': 10_000 });
  await txn.init(producer);
  const value = Buffer.alloc(valueBytes, 'x');
  await txn.begin(producer);
  for (let i = 0; i < messages; i++) {
    const r = { topic: input, key: Buffer.from(`k${i}`), value, timestamp: Date.now(), headers: {} };
    if (!tryProduce(producer, r)) await produce(producer, r);
  }
  await txn.commit(producer);
  const consumer = await connectConsumer({ 'bootstrap.servers': BROKERS, 'group.id': id, 'isolation.level': 'read_committed', 'enable.auto.commit': false, 'enable.auto.offset.store': false, 'fetch.wait.max.ms': 50, 'auto.offset.reset': 'earliest' });
  consumer.setDefaultConsumeTimeout(50);
  consumer.subscribe([input]);
  const pidFile = join(HERE, '.infra/kafka/kafka.pid');
  let broker: number[] = [];
  try {
    broker = [Number(readFileSync(pidFile, 'utf8').trim())];
  } catch {
    // no local broker pid: its CPU is not counted
  }
  // Wait for the assignment (first messages), then measure the rest.
  let done = 0;
  const offsets = new Map<number, number>();
  let open = false;
  let lastCommit = performance.now();
  const loop = async (until: number) => {
    while (done < until) {
      const ms = await consume(consumer, 500);
      if (ms.length > 0 && !open) {
        await txn.begin(producer);
        open = true;
      }
      for (const m of ms) {
        const r = { topic: output, key: m.key as Buffer, value: m.value as Buffer, timestamp: Date.now(), headers: {} };
        if (!tryProduce(producer, r)) await produce(producer, r);
        offsets.set(m.partition, m.offset + 1);
        done++;
      }
      if ((performance.now() - lastCommit >= 100 || done >= until) && offsets.size > 0) {
        if (!open) await txn.begin(producer);
        await txn.sendOffsets(producer, [...offsets].map(([partition, offset]) => ({ topic: input, partition, offset })), consumer);
        await txn.commit(producer);
        open = false;
        offsets.clear();
        lastCommit = performance.now();
      }
    }
  };
  const warm = Math.min(500, Math.floor(messages / 5));
  await loop(warm);
  const result = await cpuOf(() => loop(messages), async () => broker);
  await disconnect(consumer);
  await disconnect(producer);
  const measured = messages - warm;
  return { client: result.client / measured, broker: result.other / measured };
}

function table(rows: Row[]): string {
  const f = (x: number) => (Number.isNaN(x) ? '–' : x.toFixed(3));
  const lines = ['| part | per | × per record | CPU ms, this process | CPU ms, server / broker | ms per record | note |', '|---|---|---:|---:|---:|---:|---|'];
  for (const r of rows) lines.push(`| ${r.part} | ${r.per} | ${r.times.toFixed(2)} | ${f(r.clientMs)} | ${f(r.otherMs)} | ${f(r.times * (r.clientMs + r.otherMs))} | ${r.note ?? ''} |`);
  return lines.join('\n');
}

const total = (rows: Row[]) => rows.reduce((s, r) => s + r.times * (r.clientMs + (Number.isNaN(r.otherMs) ? 0 : r.otherMs)), 0);

export default async function main(args: string[]): Promise<void> {
  const n = Number(args.find((a) => /^\d+$/.test(a)) ?? 500);
  const dbs = (arg(args, 'db') ?? 'pg,pglite').split(',');
  const withKafka = (arg(args, 'kafka') ?? 'yes') !== 'no';
  const batch = Number(arg(args, 'batch') ?? 25);
  const dir = mkdtempSync(join(tmpdir(), 'bench-budget-'));
  console.log(`bench budget: ${n} demo records, load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}, ${new Date().toISOString()}`);
  const servers = await startDemoServersProcess({ size: n, pageSize: 50 });
  const common: Row[] = [];
  let contents: Array<{ id: string; content: string }> = [];
  try {
    const oai = createOaiClient({ retries: 0 });
    const endpoint = { baseUrl: servers.oaiUrl, metadataPrefix: 'edm' };
    let identifiers: string[] = [];
    const listAll = async () => {
      identifiers = [];
      let token: string | undefined;
      do {
        const page = await oai.listPage(endpoint as never, token);
        for (const h of page.headers) identifiers.push(h.identifier);
        token = page.resumptionToken;
      } while (token);
    };
    await listAll(); // warm-up
    const list = await cpuOf(listAll);
    common.push({ part: 'harvest: ListIdentifiers pages of 50 (OAI client: HTTP + parse)', per: 'record', times: 1, clientMs: list.client / identifiers.length, otherMs: 0 });
    const fetchAll = async () => {
      contents = (
        await inParallel(identifiers, 32, async (id) => {
          const o = await oai.fetchRecord(endpoint, id);
          return { id, content: o.content ?? '' };
        })
      ).filter((c) => c.content !== '');
    };
    await fetchAll(); // warm-up
    const got = await cpuOf(fetchAll);
    common.push({ part: 'harvest: GetRecord (OAI client: HTTP + parse), 32 in flight', per: 'record', times: 1, clientMs: got.client / identifiers.length, otherMs: 0 });
    await oai.close();
  } finally {
    await servers.close();
  }

  const sums: string[] = [];
  for (const which of dbs) {
    const rows: Row[] = [...common];
    let db: Db;
    let drop: () => Promise<void>;
    let others: () => Promise<number[]>;
    if (which === 'pg') {
      const t = await createTestDatabase('metis_bench_budget');
      await t.db.close();
      db = connectPg(t.url, { max: 8 });
      const admin = connectPg(t.url.replace(/\/[^/]*$/, '/postgres'), { max: 1 });
      others = async () => (await admin.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = $1', [t.name])).rows.map((r) => r.pid);
      drop = async () => {
        await db.close();
        await admin.close();
        await t.drop();
      };
    } else {
      db = await openPglite();
      others = async () => [];
      drop = () => db.close();
    }
    try {
      const { rows: stepRows, journeys, store } = await stepsOn(db, which, contents, others, dir);
      rows.push(...stepRows);
      const serde = serdeRows(journeys, journeys.length);
      rows.push(...serde.filter((r) => r.times > 0 || r.part.includes('JSON only')));
      rows.push(...(await sinkRows(db, which, store, journeys, batch, 4, others, 'bench-budget')));
      const kafkaPath = which === 'pg';
      if (kafkaPath && withKafka) {
        const env = journeys.flatMap((j) => j.envelopes);
        const ev = journeys.flatMap((j) => j.events);
        const avg = (xs: unknown[]) => Math.round(xs.reduce<number>((s, x) => s + Buffer.byteLength(JSON.stringify(x)), 0) / xs.length);
        const envHops = env.length / journeys.length;
        const evHops = ev.length / journeys.length;
        const k1 = await kafkaHop(avg(env), 5000);
        rows.push({ part: `Kafka hop, exactly-once (consume + produce + commit), ${avg(env)} B envelope`, per: 'hop', times: envHops + 1, clientMs: k1.client, otherMs: k1.broker, note: '+1: the fetch command (smaller)' });
        const k2 = await kafkaHop(avg(ev), 5000);
        rows.push({ part: `Kafka hop, exactly-once, ${avg(ev)} B outcome event (sink side: consume only)`, per: 'hop', times: evHops, clientMs: k2.client, otherMs: k2.broker, note: 'counted as a full hop: produce at the step, consume at the sink' });
      }
      const label = which === 'pg' ? 'Kafka path (1 worker, PostgreSQL server)' : 'embedded path (PGlite, in-process log: serdes as on Kafka, no librdkafka)';
      const onPath = rows;
      console.log(`\n### ${label}\n`);
      console.log(table(onPath));
      sums.push(`${label}: **${total(onPath).toFixed(2)} ms of CPU per record** (this process ${onPath.reduce((s, r) => s + r.times * r.clientMs, 0).toFixed(2)}, server / broker ${onPath.reduce((s, r) => s + r.times * (Number.isNaN(r.otherMs) ? 0 : r.otherMs), 0).toFixed(2)})`);
    } finally {
      await drop();
    }
  }
  console.log(`\nSums of the parts (compare with bench pipeline's "CPU ms / record, all processes"):\n${sums.map((s) => `- ${s}`).join('\n')}`);
  rmSync(dir, { recursive: true, force: true });
}
