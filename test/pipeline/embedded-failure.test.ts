/**
 * Embedded mode fails loudly: a runtime that stops on a failure (here the sink's table dropped under
 * it, so its commit fails for good) ends `waitForTask` with the reason at once instead of leaving the
 * caller polling a task nothing works on; and a persisted database is used by one process at a time
 * (a second `run` on the same --data-dir is refused naming the first one's pid; a lock left by a dead
 * process is taken over).
 */
import { test } from 'node:test';
import { pino } from 'pino';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openPglite } from '../../src/store/db.ts';
import { startEmbedded } from '../../src/pipeline/embedded.ts';
import { createMetisPorts, defaultMetisConfig } from '../../src/pipeline/ports/create-metis-ports.ts';
import { isMetisError } from '../../src/errors/index.ts';
import { startOaiTestServer } from '../support/oai-server.ts';
import { until } from '../support/pipeline-harness.ts';

test('a runtime failure ends waitForTask with the reason within a second', { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'metis-emb-fail-'));
  const oai = await startOaiTestServer({ size: 300, pageSize: 20, latencyMs: 20 });
  const db = await openPglite();
  const ports = await createMetisPorts(defaultMetisConfig({ db, cacheDir: join(dir, 'cache'), thumbnailDir: join(dir, 'thumbs'), allowLoopback: true }));
  const pipeline = await startEmbedded({ db, ports: ports.ports, partitions: 2, logger: pino({ level: 'silent' }) });
  try {
    const task = await pipeline.service.submit({ dataset: { id: '9800', name: 'Fail', country: 'Italy', language: 'it' }, source: { type: 'oai', url: oai.url, metadataPrefix: 'edm' }, steps: ['harvest', 'validate-external'] });
    await until('some results', async () => ((await db.query<{ n: number }>('SELECT count(*)::int AS n FROM record_result')).rows[0].n > 10 ? true : undefined), 60_000, 50);
    const waiting = pipeline.service.waitForTask(task.taskId, { pollMs: 100 });
    await db.exec('ALTER TABLE sink_offset RENAME TO sink_offset_gone');
    const brokeAt = Date.now();
    await assert.rejects(waiting, (err: Error) => /commit participant failed|sink_offset/.test(`${err.message} ${String((err.cause as Error)?.message)}`));
    const ms = Date.now() - brokeAt;
    // The next commit (every few ms while records flow) fails; the watch sees it within 250 ms.
    assert.ok(ms < 5_000, `waitForTask ended ${ms} ms after the failure`);
    await assert.rejects(pipeline.failed);
  } finally {
    await pipeline.stop();
    await ports.close();
    await db.close();
    await oai.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a persisted database is refused to a second process while the first has it open; a dead owner’s lock is taken over', { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'metis-emb-lock-'));
  const data = join(dir, 'pglite');
  const opener = (path: string) =>
    spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', `import { openPglite } from ${JSON.stringify(new URL('../../src/store/db.ts', import.meta.url).href)}; try { const db = await openPglite(${JSON.stringify(path)}); await db.query('SELECT 1'); await db.close(); console.log('opened'); } catch (e) { console.log('refused', e.code, e.message); }`], { encoding: 'utf8', cwd: new URL('../../', import.meta.url).pathname });
  const db = await openPglite(data);
  try {
    await db.query('CREATE TABLE first_run (x int)');
    const second = opener(data);
    assert.match(second.stdout, new RegExp(`^refused DATA_DIR_IN_USE The database in ${data} is in use by process ${process.pid} `), second.stderr.slice(-500));
    assert.equal(readFileSync(`${data}.lock`, 'utf8'), String(process.pid));
  } finally {
    await db.close();
  }
  assert.equal(existsSync(`${data}.lock`), false, 'released on close');
  // A lock left by a process that is gone (a run killed with SIGKILL) does not block the next run.
  const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  writeFileSync(`${data}.lock`, gone.stdout);
  assert.match(opener(data).stdout, /^opened/);
  // The first run's data is still there.
  const again = await openPglite(data);
  try {
    assert.equal((await again.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_tables WHERE tablename = 'first_run'")).rows[0].n, 1);
  } catch (err) {
    assert.fail(isMetisError(err) ? err.message : String(err));
  } finally {
    await again.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
