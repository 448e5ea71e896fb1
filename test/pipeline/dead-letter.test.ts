/**
 * Poison records on the embedded pipeline: a record whose processing throws goes to the dead-letter
 * topic and comes back as a failed outcome in its task's error report; the task still completes and
 * the pipeline keeps going. An undecodable message is dead-lettered and dropped without harm.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openPglite } from '../../src/store/db.ts';
import { startEmbedded } from '../../src/pipeline/embedded.ts';
import { createMetisPorts, defaultMetisConfig } from '../../src/pipeline/ports/create-metis-ports.ts';
import { pipelineTopics } from '../../src/pipeline/topics.ts';
import type { Envelope } from '../../src/model/index.ts';

test('a poison record is dead-lettered, reported as a failure of its task, and the task completes', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'metis-dlq-'));
  const db = await openPglite();
  const ports = await createMetisPorts(defaultMetisConfig({ db, cacheDir: join(dir, 'cache'), thumbnailDir: join(dir, 't'), threads: 0 }));
  const pipeline = await startEmbedded({ db, ports: ports.ports, partitions: 2 });
  const topics = pipelineTopics('metis');
  try {
    // A task of seed-style single records (no listing), expecting two records.
    const task = await pipeline.store.createTask({
      dataset: { id: '5', name: 'Poison', country: 'Italy', language: 'it' },
      source: { type: 'seed', executionName: 'normalization_topology' },
      steps: ['normalize'],
    });
    await pipeline.store.applyOutcomes('manual', [{ kind: 'task', taskId: task.taskId, event: 'listing-done', expected: 2 }], []);
    const base = { taskId: task.taskId, datasetId: '5', plan: task.plan, stepIndex: 0 };
    // Its content reference points nowhere: processing throws.
    const poison: Envelope = { ...base, recordId: '/5/poison', content: null, contentRef: 'no-such-payload' };
    // Not even an envelope: dropped after dead-lettering, nothing to report it to.
    pipeline.runtime.produce(topics.step('normalize'), 'junk', '{"not":"an envelope"}');
    pipeline.runtime.produce(topics.step('normalize'), poison.recordId, JSON.stringify(poison));
    // A good record of the same task still goes through.
    const good: Envelope = { ...base, recordId: '/5/good', content: '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>' };
    pipeline.runtime.produce(topics.step('normalize'), good.recordId, JSON.stringify(good));
    const s = await pipeline.service.waitForTask(task.taskId, { timeoutMs: 60_000 });
    assert.equal(s.task.state, 'completed');
    assert.equal(s.task.terminalCount, 2);
    const poisoned = s.errors.find((e) => e.sampleIds.includes('/5/poison'));
    assert.ok(poisoned, JSON.stringify(s.errors));
    assert.match(poisoned.message, /no-such-payload/);
    const r = await pipeline.store.recordResult(task.taskId, 'normalize', '/5/poison');
    assert.equal(r?.status, 'fail');
    assert.ok(pipeline.runtime.metrics().deadLettered >= 2);
  } finally {
    await pipeline.stop();
    await ports.close();
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
