/**
 * The operator commands as users run them (child processes), over the embedded database of a real
 * `run --demo`: the demo runs clean (the records broken on purpose are its only failures: no
 * warnings, everything else published), then tasks, records, record (journey, content, diff), report
 * (text, CSV), status, rerun (from preview) and depublish in this process (--data-dir), and the usage errors of the
 * step chain and of infra.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { demoDefect } from '../../src/steps/harvest/oai/demo-dataset.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const N = 30;

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cli(args: string[]): Promise<Result> {
  const env: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' };
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/main.ts'), ...args], {
    cwd: ROOT,
    env,
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

const json = <T>(r: Result): T => {
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as T;
};

test('run --demo runs clean; the reading commands, rerun and depublish work on its embedded database', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'metis-ops-'));
  const data = ['--data-dir', join(dir, 'data')];
  try {
    const run = await cli(['run', '--demo', '--records', String(N), ...data]);
    assert.equal(run.code, 0, run.stderr + run.stdout);

    // Clean: the only failures are the records broken on purpose; nothing warns; the rest is published.
    const defects = Array.from({ length: N }, (_, i) => demoDefect(i));
    const noAbout = defects.filter((d) => d === 'no-about').length;
    const invalid = defects.filter((d) => d === 'no-rights' || d === 'no-type').length;
    const valid = N - noAbout - invalid;
    assert.ok(noAbout + invalid > 0, 'some records are broken on purpose');
    const bar = (step: string) =>
      new RegExp(`  ${step} +\\S+ +\\d+/${N}  ok (\\d+)  warn (\\d+)  fail (\\d+)`)
        .exec(run.stdout)!
        .slice(1)
        .map(Number);
    assert.deepEqual(bar('harvest'), [N - noAbout, 0, noAbout]);
    assert.deepEqual(bar('validate-external'), [valid, 0, invalid]);
    for (const step of ['transform', 'validate-internal', 'normalize', 'enrich', 'media', 'preview', 'publish'])
      assert.deepEqual(bar(step), [valid, 0, 0], `${step}: ${run.stdout}`);
    assert.match(run.stdout, new RegExp(`content tier   0: 0 `));
    assert.match(
      run.stdout,
      new RegExp(
        `not published: ${noAbout + invalid} of ${N} records: ${noAbout ? `${noAbout} failed at harvest` : ''}`,
      ),
    );
    assert.doesNotMatch(run.stdout, /empty entity store/);

    // tasks
    const tasks = json<{ total: number; items: Array<{ taskId: string; state: string }> }>(
      await cli(['tasks', '--json', ...data]),
    );
    assert.equal(tasks.total, 1);
    const [{ taskId, state }] = tasks.items;
    assert.equal(state, 'completed');
    assert.match((await cli(['tasks', ...data])).stdout, new RegExp(`^TASK .*\\n${taskId}  9200 +completed`));

    // records: the failures, and one record's journey, content and diff
    const failed = json<{ total: number; items: Array<{ recordId: string; lastStep: string }> }>(
      await cli(['records', taskId, '--status', 'fail', '--json', ...data]),
    );
    assert.equal(failed.total, noAbout + invalid);
    const ok = json<{ items: Array<{ recordId: string; contentTier: string }> }>(
      await cli(['records', taskId, '--step', 'publish', '--status', 'success', '--rows', '1', '--json', ...data]),
    ).items[0];
    assert.ok(ok.contentTier !== '0');
    const journey = await cli(['record', ok.recordId, ...data]);
    assert.equal(journey.code, 0, journey.stderr);
    assert.match(journey.stdout, new RegExp(`^record ${ok.recordId}  task ${taskId}  success at publish`));
    assert.match(journey.stdout, /  tiers: content \d, metadata [0ABC]/);
    const harvested = await cli(['record', ok.recordId, '--task', taskId, '--step', 'harvest', ...data]);
    assert.match(harvested.stdout, /<edm:ProvidedCHO rdf:about="URN:NBN:DEMO/);
    // Enrichment found the demo's own organisation: the literal became a link.
    const diff = await cli(['record', ok.recordId, '--diff', 'normalize', 'enrich', ...data]);
    assert.equal(diff.code, 0, diff.stderr);
    assert.match(diff.stdout, /^-.*<edm:dataProvider xml:lang="en">Metis Streams Demo Library<\/edm:dataProvider>/m);
    assert.match(
      diff.stdout,
      /^\+.*<edm:dataProvider rdf:resource="http:\/\/data\.europeana\.eu\/organization\/9200001"\/>/m,
    );
    assert.equal((await cli(['record', '/9200/nope', ...data])).code, 1);

    // report: text with every group and the problem patterns; CSV
    const report = await cli(['report', taskId, ...data]);
    assert.equal(report.code, 0, report.stderr);
    assert.match(report.stdout, /problem patterns \(records\):\n  P9 Very short description: \d+/);
    const csv = await cli(['report', taskId, '--csv', ...data]);
    const lines = csv.stdout.trimEnd().split('\r\n');
    assert.equal(lines[0], 'step,level,message,count,sample_ids');
    const counted = lines.slice(1).reduce((n, l) => n + Number(/,(\d+),[^,]*$/.exec(l)![1]), 0);
    assert.equal(counted, noAbout + invalid);
    assert.match((await cli(['status', taskId, ...data])).stdout, /completed/);

    // rerun from preview, in this process (the demo's media servers are gone: media would fail):
    // only the valid records, preview and publish again
    const rerun = await cli(['rerun', taskId, '--from-step', 'preview', ...data]);
    assert.equal(rerun.code, 0, rerun.stderr + rerun.stdout);
    assert.doesNotMatch(rerun.stdout, /  (harvest|media) /);
    for (const step of ['preview', 'publish'])
      assert.deepEqual(
        new RegExp(`  ${step} +\\S+ +\\d+/\\d+  ok (\\d+)  warn (\\d+)  fail (\\d+)`)
          .exec(rerun.stdout)!
          .slice(1)
          .map(Number),
        [valid, 0, 0],
        rerun.stdout,
      );
    const bad = await cli(['rerun', taskId, '--from-step', 'harvest', ...data]);
    assert.equal(bad.code, 2);

    // depublish one record with Metis's reason
    const local = ok.recordId.split('/').at(-1)!;
    const dep = await cli(['depublish', '--dataset-id', '9200', '--reason', 'GDPR', '--record-ids', local, ...data]);
    assert.equal(dep.code, 0, dep.stderr + dep.stdout);
    assert.match(dep.stdout, /  depublish +\S+ +1\/1  ok 1  warn 0  fail 0/);
    const none = await cli(['depublish', '--dataset-id', '9200', '--record-ids', local, ...data]);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /give --reason REASON/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('steps out of the chain, and a bad infra action, are usage errors with the reason', async () => {
  const asked = await cli([
    'run',
    '--demo',
    '--steps',
    'validate-external,transform',
    '--data-dir',
    join(tmpdir(), 'never'),
  ]);
  assert.equal(asked.code, 2);
  assert.match(
    asked.stderr,
    /^metis-streams run: --steps: "validate-external" cannot be the first step: a task that harvests its records starts with harvest/,
  );
  const gap = await cli([
    'submit',
    '--oai',
    'http://o.test/oai',
    '--steps',
    'harvest,validate-external,transform,normalize',
  ]);
  assert.equal(gap.code, 2);
  assert.match(
    gap.stderr,
    /--steps: "normalize" cannot follow "transform": Metis runs validate-internal after transform/,
  );
  const infra = await cli(['infra', 'sideways']);
  assert.equal(infra.code, 2);
  assert.match(infra.stderr, /^metis-streams infra: expected up, down or status, got "sideways"/);
  const help = await cli(['record', '--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /--diff A,B/);
});
