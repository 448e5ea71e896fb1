/**
 * Fault: the media server goes slow (every answer 1.5 s late, below the download timeouts), then
 * answers every request with 500, and while it does one of the two workers is SIGKILLed; then the
 * server is normal again and the worker restarted. A media step the killed worker ran during the 500s
 * but never committed is run again by the survivor or the restarted worker, possibly after the
 * server is back: the replay differs from the first attempt (issue #11 item 3).
 *
 * Expected: the task completes with N terminal records; no worker restarted by hand except the
 * victim; the outcomes topic (read_committed) holds one event per (task, step, record); rows,
 * step_progress counters and error groups agree with each other (both recounted from record_result).
 * "Equal to a fault-free run" here means: the same result rows (keys); every row of an unaffected
 * record equal (status, messages, content); a record is affected when its media row has warnings the
 * fault-free run's has not, and each such warning must be `Problem while processing <url> (<cause>)`
 * with a cause the fault explains (HTTP_STATUS 500, TIMEOUT while answers were slow, COMMAND_FAILED
 * for an audio or video file: ffprobe behind the relay does not name the 500); an affected
 * record's rows differ only from the media step on (media: `warn`, the fault-free run's messages plus
 * those; preview and publish: the record without that resource's technical metadata), and the
 * counters of the steps before media are equal. The affected records and causes are printed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TaskSpecInput } from '../../src/model/index.ts';
import { requireKafka, requirePostgres, uniqueName } from '../support/services.ts';
import { createTestDatabase } from '../support/pg.ts';
import { startDemoServersProcess } from '../support/demo-servers-process.ts';
import { describeDuplicates, scanOutcomes } from '../support/outcome-duplicates.ts';
import { absorbedReplays, endWorkerRun } from '../support/worker-logs.ts';
import { killAndRecover, watchGroup } from '../support/group-watch.ts';
import { faultFreeRun } from '../support/fault-free-run.ts';
import { demoExpectations, diffResults, errorGroups, kafkaService, progressCounts, resultRows, spawnWorker, until, type ResultRow, type WorkerProcess } from '../support/pipeline-harness.ts';

const N = Number(process.env.FAULT_MEDIA_RECORDS ?? 200);
const SLOW_MS = 1500;
const STEPS_BEFORE_MEDIA = ['harvest', 'validate-external', 'transform', 'validate-internal', 'normalize', 'enrich'];
/**
 * The cause of a media warning the fault can give: a 500, or a timeout while answers were slow; for
 * audio and video ffprobe reads through the relay and only says it failed (COMMAND_FAILED: the
 * upstream 500 is not named, a known gap).
 */
const FAULT_CAUSE = /\((HTTP_STATUS 500|TIMEOUT)\)$|\.(mp3|mp4) \((COMMAND_FAILED)\)$/;

test(`a ${N}-record run on 2 workers: the media server slow, then answering 500s while a worker is SIGKILLed`, { timeout: 1_500_000 }, async () => {
  const brokers = (await requireKafka()).join(',');
  await requirePostgres();
  const dir = mkdtempSync(join(tmpdir(), 'metis-fault-media-'));
  const servers = await startDemoServersProcess({ size: N, pageSize: 25 });
  const tdb = await createTestDatabase('metis_fault_media');
  const name = uniqueName('fault_media');
  const cfg = { pgUrl: tdb.url, brokers, appId: name, topicPrefix: name, workDir: join(dir, 'kafka'), partitions: 4 };
  process.env.LOG_LEVEL ??= 'warn';
  const workers: WorkerProcess[] = [spawnWorker(cfg, `${name}-w1`), spawnWorker(cfg, `${name}-w2`)];
  const killed: WorkerProcess[] = [];
  const group = await watchGroup(brokers, name);
  const client = await kafkaService(tdb.db, brokers, name);
  const spec: TaskSpecInput = { dataset: { id: '9700', name: 'Fault media', country: 'Italy', language: 'it' }, source: { type: 'oai', url: servers.oaiUrl, metadataPrefix: 'edm' } };
  const mediaRows = async (taskId: string, only500 = false) =>
    (
      await tdb.db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM record_result WHERE task_id = $1 AND step = 'media'${only500 ? ` AND messages::text LIKE '%HTTP_STATUS 500%'` : ''}`,
        [taskId],
      )
    ).rows[0].n;
  try {
    await Promise.all(workers.map((w) => w.ready));
    const task = await client.service.submit(spec);
    const t0 = Date.now();

    // Slow: once some records went through media, every answer waits 1.5 s, for a while.
    const before = await until('media results', async () => ((await mediaRows(task.taskId)) >= Math.ceil(N * 0.1) ? mediaRows(task.taskId) : undefined), 900_000, 250);
    await servers.media({ delayMs: SLOW_MS });
    await until('media results while slow', async () => ((await mediaRows(task.taskId)) >= before + 10 ? true : undefined), 600_000, 250);
    const slow = (await servers.media({ status: 500 })).faulted.delayed;

    // 500s: the second worker dies while media answers fail, its uncommitted media steps run again.
    await until('500s served', async () => ((await servers.media()).faulted.status >= 10 ? true : undefined), 600_000, 100);
    const victim = workers[1];
    killed.push(victim);
    const recovered = await killAndRecover(group, `${name}-${victim.id}`, () => victim.kill('SIGKILL'));
    // Committed 500 warnings, so the fault is in the database and not only in aborted transactions.
    await until('a committed media warning with HTTP 500', async () => ((await mediaRows(task.taskId, true)) > 0 ? true : undefined), 600_000, 250);
    const served500 = (await servers.media({})).faulted.status;
    const normalAt = Date.now();
    const normalFrom = await mediaRows(task.taskId);
    workers[1] = spawnWorker(cfg, victim.id);
    // Time to recover: the server back → the next media result (the survivor does not wait for the restart).
    // (None when every record went through media during the 500s.)
    const resumed = normalFrom < demoExpectations(N).valid ? await until('media results after the server is back', async () => ((await mediaRows(task.taskId)) > normalFrom ? Date.now() - normalAt : undefined), 600_000, 100) : undefined;
    await workers[1].ready;

    const s = await client.service.waitForTask(task.taskId, { timeoutMs: 900_000, pollMs: 500 });
    assert.equal(s.task.state, 'completed', `task ended ${s.task.state}: ${s.task.reason}`);
    assert.equal(s.task.terminalCount, N);
    assert.equal(workers[0].proc.exitCode, null, `worker w1 still running (never restarted by hand):\n${workers[0].output().slice(-2000)}`);
    const elapsed = Date.now() - t0;

    // Exactly once upstream of the sink, and nothing absorbed by it.
    const rows = await resultRows(tdb.db, task.taskId);
    const scan = await scanOutcomes(brokers, `${name}.outcomes`, { taskId: task.taskId });
    assert.deepEqual(scan.duplicates, [], `duplicated outcomes:\n${describeDuplicates(scan.duplicates)}`);
    assert.equal(scan.records, rows.size);
    const absorbed = absorbedReplays([...killed, ...workers]);
    assert.equal(absorbed, 0, 'the sink absorbed replayed outcomes');

    // Rows, counters and error groups agree with each other.
    assert.deepEqual(await progressCounts(tdb.db, task.taskId), recountProgress(rows));
    assert.deepEqual((await errorGroups(tdb.db, task.taskId)).sort(), recountErrors(rows));

    // Against the fault-free run (embedded runtime, same dataset, the media server normal).
    const ref = await faultFreeRun(spec, dir);
    // Affected: records whose media row has warnings the fault-free run's has not; each one must be a
    // resource warning caused by the fault (a 500, or a timeout while answers were slow).
    type Msg = { level: string; code?: string; message: string };
    const affected = new Map<string, Msg[]>();
    for (const r of rows.values()) {
      if (r.step !== 'media') continue;
      const want = new Set((JSON.parse(ref.rows.get(`media|${r.recordId}`)?.messages ?? '[]') as Msg[]).map((m) => JSON.stringify(m)));
      const extra = (JSON.parse(r.messages) as Msg[]).filter((m) => !want.has(JSON.stringify(m)));
      if (extra.length > 0) affected.set(r.recordId, extra);
    }
    const causes = new Map<string, number>();
    for (const [id, extra] of affected) {
      for (const m of extra) {
        assert.ok(m.level === 'warn' && m.code === 'MEDIA_RESOURCE' && FAULT_CAUSE.test(m.message), `media|${id}: a message the fault-free run has not and the fault does not explain: ${JSON.stringify(m)}`);
        const match = FAULT_CAUSE.exec(m.message)!;
        const cause = match[1] ?? `${match[3]} (${match[2]})`;
        causes.set(cause, (causes.get(cause) ?? 0) + 1);
      }
    }
    assert.ok((causes.get('HTTP_STATUS 500') ?? 0) > 0, 'some record was fetched during the 500s');
    assert.deepEqual([...rows.keys()].sort(), [...ref.rows.keys()].sort(), 'the same result rows');
    const only = (m: Map<string, ResultRow>, keep: (r: ResultRow) => boolean) => new Map([...m].filter(([, r]) => keep(r)));
    const unaffected = (r: ResultRow) => !affected.has(r.recordId) || STEPS_BEFORE_MEDIA.includes(r.step);
    assert.deepEqual(diffResults(only(rows, unaffected), only(ref.rows, unaffected)), []);
    for (const [id, extra] of affected) {
      const got = rows.get(`media|${id}`)!;
      const msgs = JSON.parse(got.messages) as Msg[];
      assert.equal(got.status, 'warn', `media|${id}`);
      const faulted = new Set(extra.map((m) => JSON.stringify(m)));
      assert.equal(JSON.stringify(msgs.filter((m) => !faulted.has(JSON.stringify(m)))), ref.rows.get(`media|${id}`)!.messages, `media|${id}: besides the fault's warnings, the fault-free run's messages`);
    }
    const p = await progressCounts(tdb.db, task.taskId);
    for (const step of STEPS_BEFORE_MEDIA) assert.deepEqual(p[step], ref.progress[step], step);
    console.log(
      `# ${N} records in ${(elapsed / 1000).toFixed(0)} s; slow: ${slow} answers ${SLOW_MS} ms late; 500s: ${served500} answers; w2 SIGKILLed during the 500s, survivor owned every partition after ${(recovered / 1000).toFixed(1)} s; media results again ${resumed === undefined ? '(none left)' : `${(resumed / 1000).toFixed(1)} s`} after the server was back; ` +
        `${affected.size} records with media warnings from the fault (${[...causes].map(([c, n]) => `${n} ${c}`).join(', ')}: ${[...affected.keys()].sort().join(' ')}), every other row equal to the fault-free run; ${rows.size} rows, ${scan.records} outcome events, 0 duplicated; counters and error groups recount from the rows`,
    );
  } finally {
    await endWorkerRun({ live: workers, killed, closers: [() => group.close(), () => client.close(), () => tdb.drop(), () => servers.close()], dir });
  }
});

type Counts = Record<string, { success: number; warn: number; fail: number; cancelled: number }>;

/** step_progress as the rows say it should be. */
function recountProgress(rows: Map<string, ResultRow>): Counts {
  const out: Counts = {};
  for (const r of rows.values()) {
    const c = (out[r.step] ??= { success: 0, warn: 0, fail: 0, cancelled: 0 });
    c[r.status as keyof typeof c]++;
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** Error groups as the rows say they should be (the sink's rule: every warn/error message, cut at 2,000 characters). */
function recountErrors(rows: Map<string, ResultRow>): string[] {
  const groups = new Map<string, number>();
  for (const r of rows.values()) {
    for (const m of JSON.parse(r.messages) as Array<{ level: string; message: string }>) {
      if (m.level === 'info') continue;
      const k = `${r.step}|${m.level}|${m.message.slice(0, 2000)}`;
      groups.set(k, (groups.get(k) ?? 0) + 1);
    }
  }
  return [...groups].map(([k, n]) => `${k}|${n}`).sort();
}
