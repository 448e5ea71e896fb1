/**
 * The hostile corpus through the pipeline (issue #12, deliver item 8): every case of
 * `corpus/record-cases.ts` (records: structure, size, encoding, identifiers) and
 * `corpus/task-cases.ts` (hostile OAI-PMH servers and archives) runs through the embedded pipeline
 * (PGlite, real loopback servers), and each must reach its expected outcome:
 * - a clear record error (step, code, message, record id stored) or a clear task error;
 * - bounded time (every task ends within its deadline) and memory (the process's RSS stays bounded);
 * - other records unaffected (valid fixture records beside the hostile ones pass validation; every
 *   archive entry is accounted for);
 * - nothing fetched or written that should not be (a canary server for external entities and DTDs
 *   sees no request; redirects to internal addresses are refused; no entry is written outside).
 * The cases with their outcomes are listed in docs/RELIABILITY.md ("The hostile corpus").
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { openPglite, type Db } from '../../src/store/db.ts';
import { startEmbedded, type EmbeddedPipeline } from '../../src/pipeline/embedded.ts';
import {
  createMetisPorts,
  defaultMetisConfig,
  type MetisPortsHandle,
} from '../../src/pipeline/ports/create-metis-ports.ts';
import { buildZip } from '../support/zip-writer.ts';
import { serveBytes } from './support/archive-zips.ts';
import { recordCases, setCanary, type RecordCase } from './corpus/record-cases.ts';
import { taskCases } from './corpus/task-cases.ts';
import { fixture, VALID_EXTERNAL } from '../transform/fixtures.ts';

/**
 * Every task must end within this: the slowest cases wait out two 20 s request deadlines (generous so
 * that a 4 MB page or a redirect loop is judged by its content even on a loaded machine).
 */
const TASK_DEADLINE_MS = 120_000;
/** The process's resident memory must stay below this while the corpus runs. */
const RSS_LIMIT_BYTES = 2.5 * 1024 ** 3;

let canary: Server;
const canaryHits: string[] = [];
let dir: string;
let db: Db;
let ports: MetisPortsHandle;
let pipeline: EmbeddedPipeline;
let peakRss = 0;
let rssTimer: NodeJS.Timeout;

before(async () => {
  canary = createServer((req, res) => {
    canaryHits.push(req.url ?? '');
    res.writeHead(200, { 'content-type': 'application/xml-dtd' }).end('<!ENTITY leaked "LEAKED">');
  });
  await new Promise<void>((resolve) => canary.listen(0, '127.0.0.1', resolve));
  setCanary(`http://127.0.0.1:${(canary.address() as AddressInfo).port}`);
  dir = mkdtempSync(join(tmpdir(), 'metis-corpus-'));
  db = await openPglite();
  ports = await createMetisPorts({
    ...defaultMetisConfig({
      db,
      cacheDir: join(dir, 'cache'),
      thumbnailDir: join(dir, 'thumbs'),
      threads: 0,
      allowLoopback: true,
    }),
    oai: { retries: 1, retryDelayMs: 10, maxRetryAfterMs: 200, maxPages: 30, requestTimeoutMs: 20_000 },
  });
  pipeline = await startEmbedded({ db, ports: ports.ports, partitions: 2, logger: pino({ level: 'fatal' }) });
  rssTimer = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 100);
});

after(async () => {
  clearInterval(rssTimer);
  await pipeline?.stop();
  await ports?.close();
  await db?.close();
  await new Promise<void>((resolve) => (canary.closeAllConnections(), canary.close(() => resolve())));
  rmSync(dir, { recursive: true, force: true });
});

interface Row {
  record_id: string;
  status: string;
  messages: Array<{ code?: string; message?: string }>;
}

/** The harvest outcome of a case: stored under its archive path (failure) or its Europeana id (success). */
async function harvestRow(taskId: string, c: RecordCase): Promise<Row | undefined> {
  const rows = await db.query<Row>(
    `SELECT record_id, status, messages FROM record_result
      WHERE task_id = $1 AND step = 'harvest' AND (record_id = $2 OR strpos(record_id, $3) > 0)`,
    [taskId, `${c.id}.xml`, c.id.replace('-', '_')],
  );
  assert.ok(
    rows.rows.length <= 1,
    `${c.id}: more than one harvest row: ${rows.rows.map((r) => r.record_id).join(', ')}`,
  );
  return rows.rows[0];
}

test(
  'record cases: each hostile record gets its own outcome, valid records beside them pass',
  { timeout: 180_000 },
  async () => {
    const cases = recordCases();
    const good = VALID_EXTERNAL.map((p, i) => ({ name: `good-${i}.xml`, data: Buffer.from(fixture(p)) }));
    const zip = await buildZip([...cases.map((c) => ({ name: `${c.id}.xml`, data: c.bytes })), ...good]);
    const server = await serveBytes('corpus.zip', zip);
    try {
      const task = await pipeline.service.submit({
        dataset: { id: '9301', name: 'HostileCorpus', country: 'Italy', language: 'it' },
        source: { type: 'archive', url: server.url },
        steps: ['harvest', 'validate-external'],
      });
      const status = await pipeline.service.waitForTask(task.taskId, { timeoutMs: TASK_DEADLINE_MS });
      assert.equal(status.task.state, 'completed', status.task.reason ?? '');

      const problems: string[] = [];
      for (const c of cases) {
        const row = await harvestRow(task.taskId, c);
        const label = `${c.id} (${c.what})`;
        if (!row) {
          problems.push(`${label}: no harvest outcome stored`);
          continue;
        }
        const first = row.messages[0];
        if (c.expect.status === 'fail') {
          if (row.status !== 'fail') problems.push(`${label}: expected fail ${c.expect.code}, got ${row.status}`);
          else if (first?.code !== c.expect.code)
            problems.push(`${label}: expected ${c.expect.code}, got ${first?.code}: ${first?.message}`);
          else if (c.expect.message && !c.expect.message.test(first.message ?? ''))
            problems.push(`${label}: message ${JSON.stringify(first.message)} does not match ${c.expect.message}`);
          else if (!first.message) problems.push(`${label}: failure without a message`);
        } else {
          if (row.status !== 'success')
            problems.push(`${label}: expected success, got ${row.status}: ${first?.message}`);
          const check = c.expect.check;
          if (check) {
            const stored = await pipeline.store.reports.recordResult(task.taskId, 'harvest', row.record_id);
            const why = check(stored?.content ?? '');
            if (why) problems.push(`${label}: ${why}`);
          }
          // It went on to the next step (whatever the schema says of it): nothing stalls after harvest.
          const next = await pipeline.store.reports.recordResult(task.taskId, 'validate-external', row.record_id);
          if (!next) problems.push(`${label}: harvested but never reached validate-external`);
        }
      }
      assert.deepEqual(problems, []);

      // The valid fixture records beside the hostile ones: harvested and valid. Two fixtures are the
      // same record (one ProvidedCHO id): the second is refused as a duplicate, as Metis does.
      const validated = status.progress.find((p) => p.step === 'validate-external');
      const harvest = status.progress.find((p) => p.step === 'harvest');
      const goodIds = await db.query<{ record_id: string; status: string }>(
        `SELECT record_id, status FROM record_result WHERE task_id = $1 AND step = 'validate-external' AND status = 'success'`,
        [task.taskId],
      );
      assert.equal(
        goodIds.rows.length,
        new Set(VALID_EXTERNAL.map((p) => fixture(p).match(/ProvidedCHO[^>]*rdf:about="([^"]+)"/)?.[1])).size,
      );
      // Every entry is accounted for: one harvest outcome each (the duplicate counts at admission).
      assert.ok(harvest && validated);
      assert.equal(harvest.success + harvest.warn + harvest.fail, cases.length + good.length);
      const duplicate = status.errors.find((e) => /Duplicate record id/.test(e.message));
      assert.ok(duplicate, 'the duplicate fixture is reported');
      // Nothing was fetched for an external entity or DTD.
      assert.deepEqual(canaryHits, []);
    } finally {
      await server.close();
    }
  },
);

test(
  'task cases: hostile OAI-PMH servers and archives end their own task, clearly, in bounded time',
  { timeout: 240_000 },
  async () => {
    const cases = taskCases();
    const results = await Promise.all(
      cases.map(async (c, i) => {
        const started = await c.start();
        try {
          const task = await pipeline.service.submit({
            dataset: { id: String(9400 + i), name: `Corpus ${c.id}`, country: 'Italy', language: 'it' },
            source: started.source,
            steps: ['harvest'],
          });
          const status = await pipeline.service.waitForTask(task.taskId, { timeoutMs: TASK_DEADLINE_MS });
          return { c, status, forbidden: started.forbiddenHits() };
        } finally {
          await started.close();
        }
      }),
    );
    const problems: string[] = [];
    for (const { c, status, forbidden } of results) {
      const label = `${c.id} (${c.what})`;
      const { state, reason } = status.task;
      if (state !== c.expect.state)
        problems.push(`${label}: expected ${c.expect.state}, got ${state}: ${reason ?? ''}`);
      if (state === 'failed' && !reason) problems.push(`${label}: failed without a reason`);
      if (c.expect.reason && !c.expect.reason.test(reason ?? ''))
        problems.push(`${label}: reason ${JSON.stringify(reason)} does not match ${c.expect.reason}`);
      const h = status.progress.find((p) => p.step === 'harvest') ?? { success: 0, warn: 0, fail: 0 };
      for (const k of ['success', 'warn', 'fail'] as const) {
        const want = c.expect.harvest?.[k];
        if (want !== undefined && h[k] !== want) problems.push(`${label}: harvest ${k} ${h[k]}, expected ${want}`);
      }
      if (forbidden > 0) problems.push(`${label}: the server saw ${forbidden} requests it should not have`);
    }
    assert.deepEqual(problems, []);
    // No archive entry escaped its folder (the zip-slip cases name ../../evil.xml and /etc/evil.xml).
    for (const p of [join(tmpdir(), 'evil.xml'), join(dir, '..', 'evil.xml'), '/etc/evil.xml'])
      assert.equal(existsSync(p), false, p);
  },
);

test('the corpus has at least 100 cases and memory stayed bounded', (t) => {
  t.diagnostic(`peak RSS ${Math.round(peakRss / 1024 ** 2)} MB`);
  assert.ok(recordCases().length + taskCases().length >= 100, 'at least 100 hostile cases');
  assert.ok(peakRss > 0 && peakRss < RSS_LIMIT_BYTES, `peak RSS ${Math.round(peakRss / 1024 ** 2)} MB`);
});
