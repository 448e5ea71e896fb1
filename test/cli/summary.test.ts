/**
 * The summary and progress display of the command line: error groups merged by cause and host, every
 * tier including 0, the line on what blocked publication, rates over a window (never a division by a
 * tiny interval), frames redrawn in place without stale lines; and the step-chain check.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { causeOf, groupByCause } from '../../src/cli/error-groups.ts';
import {
  RateWindow,
  averageRate,
  explainBlocked,
  renderSummary,
  renderTiers,
  startProgressDisplay,
} from '../../src/cli/progress.ts';
import {
  DEFAULT_STEPS,
  planSteps,
  stepSequenceProblem,
  taskSpecSchema,
  type StepName,
  type TaskSpecInput,
} from '../../src/model/index.ts';
import type { TaskStatus } from '../../src/pipeline/service.ts';

const PLAN: StepName[] = [...DEFAULT_STEPS];

function status(
  over: Partial<TaskStatus> = {},
  counts: Partial<Record<StepName, [number, number, number]>> = {},
): TaskStatus {
  const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s));
  return {
    task: {
      taskId: 't1',
      datasetId: '9200',
      state: 'completed',
      plan: PLAN,
      expectedTotal: 100,
      listingDone: true,
      terminalCount: 100,
      reason: null,
      createdAt: at(0),
      startedAt: at(0),
      finishedAt: at(20),
    } as unknown as TaskStatus['task'],
    progress: PLAN.map((step) => {
      const [success, warn, fail] = counts[step] ?? [100, 0, 0];
      return { step, success, warn, fail, cancelled: 0, firstAt: at(1), lastAt: at(11) };
    }),
    errors: [],
    tiers: [],
    durationSeconds: 20,
    ...over,
  };
}

test('messages that differ only by URL are one group per cause and host, with a URL as a sample', () => {
  assert.deepEqual(causeOf('Problem while processing http://h.test:81/1/a.jpg (HTTP_STATUS 404)'), {
    cause: 'Problem while processing <http://h.test:81/…> (HTTP_STATUS 404)',
    url: 'http://h.test:81/1/a.jpg',
  });
  // Namespaces in XSD messages are not resources: they stay.
  const xsd = `One of '{"http://purl.org/dc/elements/1.1/":rights}' is expected.`;
  assert.equal(causeOf(xsd).cause, xsd);
  const groups = groupByCause([
    ...Array.from({ length: 50 }, (_, i) => ({
      step: 'media' as const,
      level: 'warn' as const,
      message: `Problem while processing http://a.test/${i}/main.mp4 (HTTP_STATUS 404)`,
      count: 1,
      sampleIds: [`r${i}`],
    })),
    {
      step: 'media',
      level: 'warn',
      message: 'Problem while processing http://b.test/x.jpg (TIMEOUT)',
      count: 2,
      sampleIds: ['r1', 'r2'],
    },
    { step: 'publish', level: 'error', message: 'Record not suitable for publication', count: 3, sampleIds: ['r3'] },
  ]);
  assert.deepEqual(
    groups.map((g) => [g.step, g.level, g.count, g.messages, g.cause]),
    [
      ['publish', 'error', 3, 1, 'Record not suitable for publication'],
      ['media', 'warn', 50, 50, 'Problem while processing <http://a.test/…> (HTTP_STATUS 404)'],
      ['media', 'warn', 2, 1, 'Problem while processing <http://b.test/…> (TIMEOUT)'],
    ],
  );
  assert.equal(groups[1].sampleUrl, 'http://a.test/0/main.mp4');
  assert.equal(groups[1].sampleIds.length, 10);
});

test('the summary shows each step’s groups, every tier including 0, and what blocked publication', () => {
  const s = status(
    {
      errors: [
        {
          step: 'harvest',
          level: 'error',
          message: 'Could not find provider ID in source.',
          count: 4,
          sampleIds: ['o1'],
        },
        ...Array.from({ length: 20 }, (_, i) => ({
          step: 'media' as const,
          level: 'warn' as const,
          message: `Problem while processing http://m.test/${i}.mp3 (HTTP_STATUS 404)`,
          count: 1,
          sampleIds: [`/9200/r${i}`],
        })),
        {
          step: 'publish',
          level: 'error',
          message: 'Record not suitable for publication',
          count: 20,
          sampleIds: ['/9200/r1'],
        },
      ],
      tiers: [
        { contentTier: '0', metadataTier: 'A', count: 20 },
        { contentTier: '2', metadataTier: 'B', count: 76 },
      ],
    },
    {
      harvest: [96, 0, 4],
      'validate-external': [96, 0, 0],
      transform: [96, 0, 0],
      'validate-internal': [96, 0, 0],
      normalize: [96, 0, 0],
      enrich: [96, 0, 0],
      media: [76, 20, 0],
      preview: [96, 0, 0],
      publish: [76, 0, 20],
    },
  );
  const text = renderSummary(s, 'here', { entityCount: 0 });
  assert.match(
    text,
    /  media:\n    warn ×20: Problem while processing <http:\/\/m\.test\/…> \(HTTP_STATUS 404\)\n        e\.g\. .*; URL e\.g\. http:\/\/m\.test\/0\.mp3/,
  );
  assert.match(text, /  content tier   0: 20  1: 0  2: 76  3: 0  4: 0/);
  assert.match(text, /  metadata tier  0: 0  A: 20  B: 76  C: 0/);
  assert.match(
    text,
    /not published: 24 of 100 records: 4 failed at harvest; 20 in content tier 0 \(no media that could be fetched and processed; the commonest media problem: Problem while processing <http:\/\/m\.test\/…> \(HTTP_STATUS 404\) \(20 records\)\)/,
  );
  assert.match(text, /enrichment ran against an empty entity store: give --entities FILE or --entity-api URL/);
  assert.deepEqual(renderTiers([]), ['tiers: no record reached the tier calculation (preview or publish)']);
  // A clean run blames nothing.
  assert.deepEqual(explainBlocked(status(), { entityCount: 12 }), []);
});

test('rates: over a sliding window, none over less than a second, never a division by a tiny interval', () => {
  const w = new RateWindow(5_000);
  assert.equal(w.sample('media', 0, 0), undefined);
  assert.equal(w.sample('media', 337, 1), undefined, '337 records in 1 ms: no rate, not 337,000 rec/s');
  assert.equal(w.sample('media', 400, 999), undefined);
  assert.equal(w.sample('media', 500, 2_000), 250);
  for (let t = 3_000; t <= 20_000; t += 1_000) w.sample('media', 500 + ((t - 2_000) / 1_000) * 10, t);
  // Past the window only the last five seconds count: 10 records a second.
  assert.equal(w.sample('media', 690, 21_000), 10);
  const p = { step: 'media' as const, success: 5, warn: 0, fail: 0, cancelled: 0 };
  assert.equal(averageRate({ ...p, firstAt: new Date(0), lastAt: new Date(3) }), undefined);
  assert.equal(averageRate({ ...p, firstAt: new Date(0), lastAt: new Date(2_000) }), 2.5);
});

test('the live display redraws in place: back to the frame’s top, clear to the end, lines cut to the width', () => {
  const writes: string[] = [];
  const stream = { isTTY: true, columns: 60, write: (s: string) => writes.push(s) } as unknown as NodeJS.WriteStream;
  const d = startProgressDisplay(stream);
  d.update(status({ task: { ...status().task, plan: ['harvest', 'validate-external'] } }));
  d.update(status({ task: { ...status().task, plan: ['harvest'] } }));
  d.stop();
  assert.ok(writes[0].startsWith('\x1b[J'), 'the first frame clears below the cursor');
  assert.ok(
    writes[1].startsWith('\x1b[3F\x1b[J'),
    'the second goes up three lines and clears them all (the old frame was longer)',
  );
  assert.equal(writes[2], '\x1b[2F\x1b[J', 'stop clears the last frame: the summary repeats it');
  for (const line of writes
    .join('')
    .replace(/\x1b\[\d*[FJ]/g, '')
    .split('\n'))
    assert.ok(line.length < 60, line);
  // Not a terminal: plain lines, no escapes.
  const plain: string[] = [];
  const p = startProgressDisplay({
    isTTY: false,
    write: (s: string) => plain.push(s),
  } as unknown as NodeJS.WriteStream);
  p.update(status());
  assert.doesNotMatch(plain.join(''), /\x1b/);
});

test('steps out of Metis’s chain are refused with the reason; the chain and a re-run’s start are accepted', () => {
  const problem = (
    steps: StepName[] | undefined,
    source: TaskSpecInput['source'] = { type: 'oai', url: 'http://o.test/oai' },
    params = {},
  ) => {
    const spec = taskSpecSchema.parse({ dataset: { id: '1', name: 'x' }, source, steps, params });
    return stepSequenceProblem(spec, planSteps(spec));
  };
  assert.equal(problem(undefined), undefined);
  assert.equal(problem(['harvest', 'validate-external', 'transform', 'validate-internal']), undefined);
  assert.equal(problem(['harvest', 'validate-external', 'linkcheck']), undefined);
  assert.equal(problem(['harvest'], undefined, { externalXslt: '<xsl:stylesheet/>' }), undefined);
  assert.match(
    problem(['validate-external', 'transform'])!,
    /^"validate-external" cannot be the first step: a task that harvests its records starts with harvest/,
  );
  assert.match(
    problem(['harvest', 'transform'])!,
    /^"transform" cannot follow "harvest": Metis runs transform-external or validate-external after harvest/,
  );
  assert.match(
    problem(['harvest', 'validate-external', 'transform', 'normalize'])!,
    /"normalize" cannot follow "transform": Metis runs validate-internal after transform/,
  );
  const previous = { type: 'previous' as const, taskId: 't0', step: 'normalize' as const };
  assert.equal(problem(['enrich', 'media'], previous), undefined);
  assert.match(problem(['media'], previous)!, /a re-run after normalize starts with enrich/);
  assert.equal(problem(undefined, { type: 'depublish', reason: 'GDPR' }), undefined);
});
