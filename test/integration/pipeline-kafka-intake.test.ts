/**
 * Intake streams on Kafka (issue #11 item 2): an archive harvest and a re-run from a stored step are
 * walked page by page, one `walk` command per `intakePageSize` records sent back to the tasks topic,
 * so no transaction carries the whole dataset. A 40-record zip with pages of 7 is read in 6 pages
 * (positions 0, 7, …, 35), and the re-run of its harvest outputs in pages that resume after the last
 * record id of the page before; both tasks complete with every record. Then admission forgets the
 * ids of the ended re-run: every key of its changelog ends with a tombstone. The big-archive proof
 * (100,000 records, flat RSS) is `npm run bench intake`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { demoRecord } from '../../src/steps/harvest/oai/demo-dataset.ts';
import { requireKafka, requirePostgres, uniqueName } from '../support/services.ts';
import { createTestDatabase } from '../support/pg.ts';
import { kafkaService, progressCounts, spawnWorker, until } from '../support/pipeline-harness.ts';
import { buildZip } from '../support/zip-writer.ts';
import { readCommitted } from '../support/outcome-duplicates.ts';

const N = 40;
const PAGE = 7;

test(`a ${N}-record archive and its re-run are walked ${PAGE} records per command on Kafka`, { timeout: 600_000 }, async () => {
  const brokers = (await requireKafka()).join(',');
  await requirePostgres();
  const dir = mkdtempSync(join(tmpdir(), 'metis-intake-'));
  const archive = join(dir, 'records.zip');
  writeFileSync(archive, await buildZip(Array.from({ length: N }, (_, i) => ({ name: `r${String(i).padStart(3, '0')}.xml`, data: Buffer.from(demoRecord(i).xml) }))));
  const tdb = await createTestDatabase('metis_intake');
  const name = uniqueName('intake');
  const cfg = { pgUrl: tdb.url, brokers, appId: name, topicPrefix: name, workDir: join(dir, 'kafka'), partitions: 2, options: { intakePageSize: PAGE, admitPruneIntervalMs: 500 } };
  const worker = spawnWorker(cfg, `${name}-w1`);
  const client = await kafkaService(tdb.db, brokers, name);
  try {
    await worker.ready;
    const dataset = { id: '9400', name: 'Intake', country: 'Italy', language: 'it' } as const;
    const harvest = await client.service.submit({ dataset, source: { type: 'archive', url: archive }, steps: ['harvest'] });
    const h = await client.service.waitForTask(harvest.taskId, { timeoutMs: 300_000, pollMs: 250 });
    assert.equal(h.task.state, 'completed', `${h.task.state}: ${h.task.reason}`);
    assert.equal(h.task.terminalCount, N);
    const hp = (await progressCounts(tdb.db, harvest.taskId)).harvest;
    assert.equal(hp.success + hp.fail, N);
    assert.ok(hp.success > 0);

    const rerun = await client.service.submit({ dataset, source: { type: 'previous', taskId: harvest.taskId, step: 'harvest' }, steps: ['validate-external'] });
    const r = await client.service.waitForTask(rerun.taskId, { timeoutMs: 300_000, pollMs: 250 });
    assert.equal(r.task.state, 'completed', `${r.task.state}: ${r.task.reason}`);
    assert.equal(r.task.terminalCount, hp.success);
    const rp = (await progressCounts(tdb.db, rerun.taskId))['validate-external'];
    assert.equal(rp.success + rp.warn + rp.fail, hp.success);

    // The commands on the tasks topic: one walk per page, each starting where the last one ended.
    const walks = new Map<string, Array<{ emitted: number; after?: string }>>();
    await readCommitted(brokers, `${name}.tasks`, (m) => {
      const c = JSON.parse(m.value!.toString('utf8')) as { type: string; taskId: string; emitted: number; after?: string };
      if (c.type === 'walk') walks.set(c.taskId, [...(walks.get(c.taskId) ?? []), { emitted: c.emitted, after: c.after }]);
    });
    assert.deepEqual(walks.get(harvest.taskId)?.map((w) => w.emitted), [0, 7, 14, 21, 28, 35]);
    const rerunWalks = walks.get(rerun.taskId) ?? [];
    const pages = Math.floor(hp.success / PAGE) + 1;
    assert.deepEqual(rerunWalks.map((w) => w.emitted), Array.from({ length: pages }, (_, i) => i * PAGE));
    const afters = rerunWalks.slice(1).map((w) => w.after!);
    assert.deepEqual(afters, [...afters].sort(), 'pages resume after the last record id, in order');
    assert.equal(new Set(afters).size, afters.length);

    // Bounded state: once the tasks ended, admission forgets their ids. Every key of the
    // admitted-records changelog ends with a tombstone (compaction then drops them).
    const changelog = `${name}-admitted-records-changelog`;
    const last = new Map<string, Buffer | null>();
    await until(
      'every admitted id of the ended tasks deleted',
      async () => {
        last.clear();
        await readCommitted(brokers, changelog, (m) => last.set(m.key!.toString('utf8'), m.value ?? null));
        return last.size > 0 && [...last.values()].every((v) => v === null);
      },
      120_000,
      500,
    );
    // Both tasks' records went through admission (a harvested record is admitted even when harvest is
    // its task's last step: admission refuses duplicate ids), each once.
    const admitted = (taskId: string) => [...last.keys()].filter((k) => k.split('|')[0] === taskId).length;
    assert.equal(admitted(harvest.taskId), hp.success, 'the harvest admitted every harvested record once');
    assert.equal(admitted(rerun.taskId), hp.success, 'the re-run admitted every harvested record once');
    assert.equal(last.size, 2 * hp.success);
  } finally {
    await worker.kill('SIGTERM');
    await client.close();
    await tdb.drop();
    rmSync(dir, { recursive: true, force: true });
  }
});
