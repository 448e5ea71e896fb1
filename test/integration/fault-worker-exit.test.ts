/**
 * `metis-streams worker` (the command, run from the sources) ends as a supervisor needs it to:
 * SIGTERM stops a running worker within 10 s with exit 0, and a worker that cannot start (its
 * database refuses connections) exits non-zero at once instead of lingering. Shared Kafka; unique
 * group and topic names.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { requireKafka, requirePostgres, uniqueName, METIS_PG_URL } from '../support/services.ts';
import { freePort } from '../support/own-postgres.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function worker(env: Record<string, string>) {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'worker'], { cwd: ROOT, env: { ...process.env, LOG_LEVEL: 'error', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<{ code: number | null; at: number }>((resolve) => proc.once('exit', (code) => resolve({ code, at: Date.now() })));
  return { proc, exited, output: () => out };
}

test('SIGTERM stops a running worker within 10 s (exit 0); a worker whose database refuses connections exits non-zero at once', { timeout: 300_000 }, async () => {
  const brokers = (await requireKafka()).join(',');
  await requirePostgres();
  const name = uniqueName('worker_exit');
  const env = { KAFKA_BROKERS: brokers, METIS_PG_URL, METIS_APP_ID: name, METIS_TOPIC_PREFIX: name, METIS_PARTITIONS: '2', METIS_SEED_TOPIC: `${name}.seed` };
  const w = worker(env);
  const deadline = Date.now() + 240_000;
  while (!w.output().includes('worker running')) {
    assert.equal(w.proc.exitCode, null, w.output());
    assert.ok(Date.now() < deadline, `not running within 240 s:\n${w.output()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  const sentAt = Date.now();
  w.proc.kill('SIGTERM');
  const { code, at } = await w.exited;
  assert.equal(code, 0, w.output());
  assert.ok(at - sentAt < 10_000, `exited ${at - sentAt} ms after SIGTERM`);

  const dead = worker({ ...env, METIS_PG_URL: `postgres://postgres@127.0.0.1:${await freePort()}/none` });
  const startedAt = Date.now();
  const end = await dead.exited;
  assert.notEqual(end.code, 0, dead.output());
  assert.match(dead.output(), /ECONNREFUSED/);
  // "At once": process start and the refused connection, not a back-off or a lingering client.
  assert.ok(end.at - startedAt < 60_000, `exited after ${end.at - startedAt} ms`);
  console.log(`# SIGTERM → exit 0 in ${at - sentAt} ms; database refused → exit ${end.code} in ${end.at - startedAt} ms`);
});
