/**
 * The `metis-streams` command as users run it (a child process): help, usage errors with one-line
 * messages naming the flag or variable and exit code 2, config file and precedence, and `status`
 * against an embedded data folder without the Kafka client.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openPglite } from '../../src/store/db.ts';
import { PipelineStore } from '../../src/store/pipeline-store.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BLOCK = fileURLToPath(new URL('./support/block-modules.mjs', import.meta.url));
/** What the command must run without: the native Kafka client (an install with --ignore-scripts). */
const NO_KAFKA = '@confluentinc/kafka-javascript';

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cli(args: string[], opts: { env?: Record<string, string>; block?: string[]; cwd?: string } = {}): Result {
  // Only the variables a test sets: the caller's METIS_* and KAFKA_* must not leak in.
  const env: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...opts.env };
  if (opts.block) env.BLOCK_MODULES = opts.block.join(',');
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', '--import', BLOCK, join(ROOT, 'src/cli/main.ts'), ...args],
    {
      cwd: opts.cwd ?? ROOT,
      env,
      encoding: 'utf8',
      timeout: 120_000,
    },
  );
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A usage error: exit 2, one line on stderr, no stack trace, nothing on stdout. */
function assertUsageError(r: Result, message: string | RegExp): void {
  assert.equal(r.code, 2, r.stderr);
  assert.equal(r.stdout, '');
  const lines = r.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, `one line expected:\n${r.stderr}`);
  if (typeof message === 'string') assert.equal(lines[0], message);
  else assert.match(lines[0], message);
  assert.doesNotMatch(r.stderr, /\n\s+at |PGlite|ZodError/);
}

const tmp = () => mkdtempSync(join(tmpdir(), 'metis-cli-'));

test('help, --help and -h print the commands and every setting, exit 0, and load no database or Kafka client', () => {
  for (const args of [['help'], ['--help'], ['-h']]) {
    const r = cli(args, { block: ['pg', '@electric-sql/pglite', 'pino', NO_KAFKA, 'saxon-js', 'sharp'] });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    assert.match(r.stdout, /^usage: metis-streams <command>/);
    for (const s of [
      'run',
      'worker',
      'submit',
      'status',
      'cancel',
      'intake',
      '--records N',
      'METIS_COMMIT_INTERVAL_MS',
      'KAFKA_BROKERS',
      '--config FILE',
    ]) {
      assert.ok(r.stdout.includes(s), `help mentions ${s}`);
    }
  }
  const one = cli(['run', '--help']);
  assert.equal(one.code, 0);
  assert.match(one.stdout, /^usage: metis-streams run /);
  assert.ok(!one.stdout.includes('--partitions'), "run's help lists run's settings only");
});

test('no command, or an unknown one, is a usage error', () => {
  const none = cli([]);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /^metis-streams: give a command\n/);
  assertUsageError(
    cli(['frobnicate']),
    'metis-streams unknown command "frobnicate" (commands: run, serve, worker, submit, status, tasks, records, record, report, cancel, rerun, depublish, intake, infra; see metis-streams help)',
  );
});

test('a bad flag value: exit 2, the message names the flag, and nothing was opened', () => {
  const dir = join(tmp(), 'data');
  assertUsageError(
    cli(['run', '--demo', '--records', 'abc', '--data-dir', dir]),
    'metis-streams run: --records: expected a positive integer, got "abc"',
  );
  assertUsageError(
    cli(['run', '--demo', '--steps', 'publish,harvest', '--data-dir', dir]),
    /^metis-streams run: --steps: Step "harvest" is out of Metis's order/,
  );
  assertUsageError(
    cli(['run', '--oai', 'http://x.test/oai', '--dataset-id', 'a b', '--data-dir', dir]),
    'metis-streams run: --dataset-id: expected 1 to 64 letters, digits, _ or -, got "a b"',
  );
  assertUsageError(
    cli(['run', '--demo', '--archive', 'x.zip', '--data-dir', dir]),
    'metis-streams run: give only one of --demo, --archive',
  );
  assertUsageError(cli(['submit']), 'metis-streams submit: give --oai URL or --archive PATH|URL');
  assert.equal(existsSync(dir), false, 'the data folder was not created');
});

test('an unknown flag, and a flag of another command, are usage errors that name them', () => {
  assertUsageError(
    cli(['run', '--demo', '--recrods', '5']),
    'metis-streams run: unknown option --recrods for run (see metis-streams help run)',
  );
  assertUsageError(
    cli(['status', 'abc', '--partitions', '3']),
    'metis-streams status: --partitions is not an option of status (it is one of: worker)',
  );
  assertUsageError(
    cli(['status']),
    'metis-streams status: give TASK_ID (usage: metis-streams status TASK_ID [--watch] [options])',
  );
});

test('a bad environment value names the variable', () => {
  assertUsageError(
    cli(['worker'], { env: { METIS_COMMIT_INTERVAL_MS: 'fast' } }),
    'metis-streams worker: METIS_COMMIT_INTERVAL_MS: expected a positive integer (milliseconds), got "fast"',
  );
  assertUsageError(
    cli(['worker'], { env: { METIS_HOST_LIMITS: '{"maxConcurrent": 0, "ratePerSecond": 5}' } }),
    /^metis-streams worker: METIS_HOST_LIMITS: expected a JSON object/,
  );
});

test('a config file value is used, relative to the file; the variable beats the file and the flag beats both', () => {
  const dir = tmp();
  const file = join(dir, 'metis.json');
  writeFileSync(file, JSON.stringify({ dataDir: 'from-file' }));
  // status reads the embedded database in the configured data folder; there is none, which it says.
  const fromFile = cli(['status', 'some-task', '--config', file]);
  assert.equal(fromFile.code, 1);
  assert.equal(
    fromFile.stderr,
    `metis-streams status: no embedded database in ${join(dir, 'from-file')} (metis-streams run --data-dir ${join(dir, 'from-file')} makes one)\n`,
  );
  const fromEnv = cli(['status', 'some-task'], { env: { METIS_CONFIG: file, METIS_DATA_DIR: join(dir, 'from-env') } });
  assert.match(fromEnv.stderr, /no embedded database in .*\/from-env /);
  const fromFlag = cli(['status', 'some-task', '--data-dir', join(dir, 'from-flag')], {
    env: { METIS_CONFIG: file, METIS_DATA_DIR: join(dir, 'from-env') },
  });
  assert.match(fromFlag.stderr, /no embedded database in .*\/from-flag /);
  writeFileSync(file, JSON.stringify({ dataDir: 'x', recordz: 5 }));
  assertUsageError(
    cli(['status', 'some-task', '--config', file]),
    `metis-streams status: "recordz" in ${file}: not a setting (the settings are listed by metis-streams help)`,
  );
});

test('status against a PostgreSQL server that is down says so in one line, exit 1', () => {
  const r = cli(['status', 'some-task', '--pg-url', 'postgres://postgres@127.0.0.1:9/none'], { block: [NO_KAFKA] });
  assert.equal(r.code, 1);
  assert.equal(r.stdout, '');
  assert.match(
    r.stderr,
    /^metis-streams status: cannot read PostgreSQL postgres:\/\/127\.0\.0\.1:9\/none \(connect ECONNREFUSED 127\.0\.0\.1:9\); for the embedded database of run, give --data-dir DIR\n$/,
  );
});

test('status reads a task from an embedded data folder, without the Kafka client; an unknown task is named', async () => {
  const dir = tmp();
  const db = await openPglite(join(dir, 'pglite'));
  let taskId: string;
  try {
    const store = new PipelineStore(db);
    await store.migrate();
    const task = await store.createTask({
      dataset: { id: 'cli-test', name: 'CLI test' },
      source: { type: 'archive', url: '/nowhere.zip' },
    });
    taskId = task.taskId;
  } finally {
    await db.close();
  }
  const known = cli(['status', taskId, '--data-dir', dir], { block: [NO_KAFKA] });
  assert.equal(known.code, 0, known.stderr);
  assert.match(known.stdout, new RegExp(`task ${taskId}\\s+dataset cli-test\\s+queued`));
  assert.ok(known.stdout.includes(`results: PGlite database in ${join(dir, 'pglite')}`));

  // While another process has the database open, status leaves it alone.
  const open = await openPglite(join(dir, 'pglite'));
  try {
    const busy = cli(['status', taskId, '--data-dir', dir], { block: [NO_KAFKA] });
    assert.equal(busy.code, 1);
    assert.match(busy.stderr, /^metis-streams status: the embedded database in .* is open in another process/);
  } finally {
    await open.close();
  }

  const unknown = cli(['status', 'no-such-task', '--data-dir', dir], { block: [NO_KAFKA] });
  assert.equal(unknown.code, 1);
  assert.equal(unknown.stdout, '');
  assert.equal(
    unknown.stderr,
    `metis-streams status: no task no-such-task in PGlite database in ${join(dir, 'pglite')}\n`,
  );
});

test('Ctrl-C during run stops it with the task unfinished and closes the embedded database, which status then reads', async () => {
  const dir = tmp();
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(ROOT, 'src/cli/main.ts'), 'run', '--demo', '--records', '2000', '--data-dir', dir],
    {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' },
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  // The first progress line: the task runs.
  await new Promise<void>((done) => {
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (/^task \S+ {2}dataset 9200/m.test(stderr)) done();
    });
  });
  child.kill('SIGINT');
  assert.equal(await exited, 130, stderr.slice(-2000));
  assert.match(stderr, /stopping; Ctrl-C again quits at once/);
  const taskId = /^interrupted: task (\S+) stopped with \d+ records finished; go on with: metis-streams run --data-dir .* --resume$/m.exec(stderr)?.[1];
  assert.ok(taskId, `how to go on, on stderr:\n${stderr.slice(-2000)}`);
  assert.equal(stdout, '', 'no summary: the task is not over');
  assert.equal(existsSync(join(dir, 'pglite', 'postmaster.pid')), false, 'the database was closed');
  const status = cli(['status', taskId, '--data-dir', dir], { block: [NO_KAFKA] });
  assert.equal(status.code, 0, status.stderr);
  assert.match(status.stdout, /dataset 9200  (queued|harvesting|processing)/);
  // A demo task's endpoint ended with its run: --resume says so.
  const resume = cli(['run', '--resume', '--data-dir', dir], { block: [NO_KAFKA] });
  assert.equal(resume.code, 2);
  assert.match(resume.stderr, /--resume: task \S+ harvested a --demo endpoint, which ended with its run; run the demo again/);
});
