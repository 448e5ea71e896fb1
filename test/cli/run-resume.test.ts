/**
 * Ctrl-C and `run --resume` (issue #11 item 8), with the real command line: `metis-streams run`
 * harvesting an OAI-PMH server on 127.0.0.1 gets SIGINT mid-run, exits 130 with the task unfinished;
 * `run --data-dir DIR --resume` goes on with it, asking the server only for the records without a
 * final outcome; the database then holds what an uninterrupted run of the same dataset holds: the
 * same result rows, the same step counters, the same task totals.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { openPglite } from '../../src/store/db.ts';
import { PipelineStore } from '../../src/store/pipeline-store.ts';
import { startOaiTestServer } from '../support/oai-server.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TSX = pathToFileURL(join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href;
const N = 300;
const STEPS = 'harvest,validate-external,transform,validate-internal,normalize';

function cli(args: string[], cwd: string, onStderr?: (all: string) => void) {
  const child = spawn(process.execPath, ['--import', TSX, join(ROOT, 'src/cli/main.ts'), ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stdout.resume();
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
    onStderr?.(stderr);
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 300_000);
  const exited = new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
  return { child, exited };
}

/** Everything a task left in the database, without its id. */
async function contents(dataDir: string) {
  const db = await openPglite(join(dataDir, 'pglite'));
  try {
    const store = new PipelineStore(db);
    const [task] = await store.listTasks({ limit: 10 });
    const rows = await db.query(
      `SELECT step, record_id, status, content, messages, data FROM record_result WHERE task_id = $1 ORDER BY step, record_id`,
      [task.taskId],
    );
    const progress = await db.query(
      `SELECT step, success, warn, fail, cancelled FROM step_progress WHERE task_id = $1 ORDER BY step`,
      [task.taskId],
    );
    return {
      task,
      finished: (await store.finishedSources(task.taskId, task.plan[task.plan.length - 1])).size,
      rows: rows.rows,
      progress: progress.rows,
      totals: { state: task.state, expected: task.expectedTotal, terminal: task.terminalCount },
    };
  } finally {
    await db.close();
  }
}

test('Ctrl-C stops run with the task unfinished; --resume finishes it as an uninterrupted run would', { timeout: 900_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'run-resume-'));
  // The first run cannot finish before its Ctrl-C, however fast the machine: the server holds back
  // every GetRecord after the first half until the interrupted run is over.
  let holding = true;
  const oai = await startOaiTestServer({
    size: N,
    pageSize: 20,
    latencyMs: 20,
    fault: ({ verb, verbSeq }) => (holding && verb === 'GetRecord' && verbSeq > N / 2 ? { delayMs: 600_000 } : undefined),
  });
  const flags = ['--oai', oai.url, '--dataset-id', '9600', '--dataset-name', 'Resume', '--country', 'Italy', '--language', 'it', '--steps', STEPS];
  try {
    // 1. Interrupted once 10 records went through the last step (the progress lines on
    // stderr count them), so that the resume has finished records to skip and others to run.
    let signalled = false;
    const first = cli(['run', ...flags, '--data-dir', join(dir, 'a')], dir, (all) => {
      const counts = [...all.matchAll(/^ {2}normalize +\S+ +(\d+)\//gm)];
      if (!signalled && counts.length > 0 && Number(counts[counts.length - 1][1]) >= 10) {
        signalled = true;
        first.child.kill('SIGINT');
      }
    });
    const interrupted = await first.exited;
    holding = false;
    assert.equal(interrupted.code, 130, interrupted.stderr.slice(-2000));
    assert.match(interrupted.stderr, /go on with: metis-streams run --data-dir .* --resume/);
    const before = await contents(join(dir, 'a'));
    assert.ok(['harvesting', 'processing'].includes(before.task.state), `unfinished, not cancelled (${before.task.state})`);
    assert.ok(before.finished > 0 && before.finished < N, `interrupted in the middle (${before.finished} of ${N} finished)`);
    const fetchedBefore = oai.stats.byVerb.GetRecord ?? 0;

    // 2. Resumed: only the records without a final outcome are asked for again.
    const resumed = await cli(['run', '--data-dir', join(dir, 'a'), '--resume'], dir).exited;
    assert.equal(resumed.code, 0, resumed.stderr.slice(-2000));
    const fetchedOnResume = (oai.stats.byVerb.GetRecord ?? 0) - fetchedBefore;
    assert.equal(fetchedOnResume, N - before.finished, `${before.finished} finished records were not fetched again`);
    const after = await contents(join(dir, 'a'));

    // 3. The same dataset, uninterrupted.
    const clean = await cli(['run', ...flags, '--data-dir', join(dir, 'b')], dir).exited;
    assert.equal(clean.code, 0, clean.stderr.slice(-2000));
    const reference = await contents(join(dir, 'b'));

    assert.deepEqual(after.totals, reference.totals);
    assert.deepEqual(after.totals, { state: 'completed', expected: N, terminal: N });
    assert.deepEqual(after.progress, reference.progress);
    assert.equal(after.rows.length, reference.rows.length);
    assert.deepEqual(after.rows, reference.rows);

    // Nothing left to resume.
    const again = await cli(['run', '--data-dir', join(dir, 'a'), '--resume'], dir).exited;
    assert.equal(again.code, 2);
    assert.match(again.stderr, /--resume: no unfinished task in/);
    console.log(`# interrupted with ${before.finished} of ${N} records finished (${fetchedBefore} fetched); the resume fetched ${fetchedOnResume}`);
  } finally {
    await oai.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
