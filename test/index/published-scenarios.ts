/**
 * Indexing / publication / tombstone / depublication / search behaviour, written once and run on
 * PGlite (test/index) and on the PostgreSQL server (test/integration).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseXml } from '../../src/edm/xml.ts';
import type { Db } from '../../src/store/db.ts';
import { openPublishedStore, type PublishedStore } from '../../src/store/published-store.ts';
import { completeFullReindex, createIndexer, NOT_SUITABLE_FOR_PUBLICATION } from '../../src/steps/index/index.ts';
import { createDepublisher, RECORD_NOT_DEPUBLISHED } from '../../src/steps/depublish/index.ts';
import { readTierAnnotations } from '../../src/steps/tiers/index.ts';

const dir = new URL('../../../shared/fixtures/metis/metis-framework/metis-indexing/src/test/resources/', import.meta.url);
const load = (name: string) => readFileSync(new URL(name, dir), 'utf8');

/** Fixture records and their content tiers (derived in test/tiers/fixture-tiers.test.ts). */
export const RECORDS = {
  text1: { recordId: '/305/_nnhSX08', content: load('europeana_record_rdf_with_tier_calculated.xml') }, // content tier 1
  video2: { recordId: '/1/12944', content: load('europeana_record_with_technical_metadata.xml') }, // content tier 2
  pdf4: { recordId: '/9/pdf', content: load('europeana_record_to_sample_index_rdf.xml') }, // content tier 4
  tier0: { recordId: '/9/pid', content: load('europeana_record_to_sample_pid_index_rdf.xml') }, // content tier 0
};

export function publishedScenarios(label: string, open: () => Promise<{ db: Db; close: () => Promise<void> }>): void {
  let db: Db;
  let close: () => Promise<void>;
  let store: PublishedStore;
  const fixedNow = () => new Date('2026-01-02T03:04:05Z');

  test.before(async () => {
    ({ db, close } = await open());
    store = await openPublishedStore(db);
    await store.migrate(); // idempotent
  });
  test.after(async () => close());

  test(`${label}: preview accepts content tier 0, publish rejects it with a tombstone`, async () => {
    const preview = createIndexer({ store, target: 'preview', now: fixedNow });
    const publish = createIndexer({ store, target: 'publish', now: fixedNow });
    const input = [{ ...RECORDS.tier0, datasetId: 'ds-t0', executionId: 'e1' }, { ...RECORDS.text1, recordId: '/ds-t0/a', datasetId: 'ds-t0', executionId: 'e1' }];
    const inPreview = await preview(input);
    assert.deepEqual(inPreview.map((o) => o.status), ['success', 'success']);
    assert.equal((await store.getRecord('preview', '/9/pid'))?.contentTier, 0);
    const inPublish = await publish(input);
    assert.equal(inPublish[0].status, 'fail');
    assert.equal(inPublish[0].messages[0].message, NOT_SUITABLE_FOR_PUBLICATION);
    assert.equal(inPublish[1].status, 'success');
    assert.equal(await store.getRecord('publish', '/9/pid'), undefined);
    const tomb = await store.getTombstone('publish', '/9/pid');
    assert.equal(tomb?.reason, 'REMOVED_DATA_AT_SOURCE');
    assert.match(tomb?.title ?? '', /^\[Letter from John Henry Newman/);
    assert.equal(await store.getTombstone('preview', '/9/pid'), undefined);
  });

  test(`${label}: the stored EDM carries the four tier annotations and the searchable fields`, async () => {
    const index = createIndexer({ store, target: 'publish', now: fixedNow });
    const [outcome] = await index([{ ...RECORDS.video2, datasetId: 'ds-ann', executionId: 'e1' }]);
    assert.equal(outcome.status, 'success');
    assert.equal(outcome.data?.tiers.content.tier, 2);
    const row = await store.getRecord('publish', '/1/12944');
    assert.ok(row);
    assert.deepEqual([row.contentTier, row.metadataTier, row.license, row.mediaType, row.hasThumbnail], [2, 'B', 'CLOSED', 'VIDEO', true]);
    assert.equal(row.dataProvider, 'The Royal Belgian Film Archives'); // organisation link resolved to its English label
    assert.equal(row.title, 'WESTVLAAMS FILMJOURNAAL - 164');
    const annotations = readTierAnnotations(parseXml(row.edm));
    assert.deepEqual(annotations.get('/aggregation/provider/1/12944'), { content: '2', metadata: 'B' });
    assert.deepEqual(annotations.get('/aggregation/europeana/1/12944'), { content: '2', metadata: 'C' });
    assert.match(row.edm, /<dcterms:created>2026-01-02T03:04:05.000Z<\/dcterms:created>/);
    assert.equal(outcome.content, row.edm);
  });

  test(`${label}: depublishing leaves tombstones with the reason; unknown ids are record errors; re-indexing removes the tombstone`, async () => {
    const index = createIndexer({ store, target: 'publish' });
    await index([
      { ...RECORDS.pdf4, recordId: '/ds-dep/1', datasetId: 'ds-dep' },
      { ...RECORDS.pdf4, recordId: '/ds-dep/2', datasetId: 'ds-dep' },
      { ...RECORDS.pdf4, recordId: '/ds-dep/3', datasetId: 'ds-dep' },
    ]);
    const depublish = createDepublisher({ store });
    const outcomes = await depublish({ mode: 'records', datasetId: 'ds-dep', reason: 'GDPR', recordIds: ['1', '/ds-dep/9'] });
    assert.deepEqual(outcomes.map((o) => [o.recordId, o.status]), [['/ds-dep/1', 'success'], ['/ds-dep/9', 'fail']]);
    assert.equal(outcomes[1].messages[0].message, RECORD_NOT_DEPUBLISHED);
    assert.equal((await store.getTombstone('publish', '/ds-dep/1'))?.reason, 'GDPR');
    assert.deepEqual(await store.recordIds('publish', 'ds-dep'), ['/ds-dep/2', '/ds-dep/3']);
    const whole = await depublish({ mode: 'dataset', datasetId: 'ds-dep', reason: 'SENSITIVE_CONTENT' });
    assert.deepEqual(whole.map((o) => o.recordId), ['/ds-dep/2', '/ds-dep/3']);
    assert.deepEqual(await store.recordIds('publish', 'ds-dep'), []);
    assert.equal((await store.getTombstone('publish', '/ds-dep/3'))?.reason, 'SENSITIVE_CONTENT');
    // Indexing a depublished record again brings it back and removes its tombstone.
    await index([{ ...RECORDS.pdf4, recordId: '/ds-dep/3', datasetId: 'ds-dep' }]);
    assert.equal(await store.getTombstone('publish', '/ds-dep/3'), undefined);
    assert.equal((await store.getRecord('publish', '/ds-dep/3'))?.contentTier, 4);
  });

  test(`${label}: a full re-index removes the dataset's records not seen in this execution`, async () => {
    const index = createIndexer({ store, target: 'preview' });
    const rec = (id: string, executionId: string) => ({ ...RECORDS.text1, recordId: id, datasetId: 'ds-re', executionId });
    await index([rec('/ds-re/a', 'e1'), rec('/ds-re/b', 'e1'), rec('/ds-re/c', 'e1')]);
    await index([rec('/ds-re/a', 'e2'), rec('/ds-re/c', 'e2')]);
    const removed = await completeFullReindex({ store, target: 'preview', datasetId: 'ds-re', executionId: 'e2' });
    assert.deepEqual(removed, ['/ds-re/b']);
    assert.deepEqual(await store.recordIds('preview', 'ds-re'), ['/ds-re/a', '/ds-re/c']);
    // A record deleted at the source leaves preview silently, and publish with a tombstone.
    const [gone] = await index([{ ...rec('/ds-re/c', 'e3'), deleted: true }]);
    assert.equal(gone.status, 'success');
    assert.deepEqual(await store.recordIds('preview', 'ds-re'), ['/ds-re/a']);
    assert.equal(await store.getTombstone('preview', '/ds-re/c'), undefined);
    const publish = createIndexer({ store, target: 'publish' });
    await publish([rec('/ds-re/a', 'e3')]);
    await publish([{ ...rec('/ds-re/a', 'e4'), deleted: true }]);
    assert.equal(await store.getRecord('publish', '/ds-re/a'), undefined);
    assert.equal((await store.getTombstone('publish', '/ds-re/a'))?.reason, 'REMOVED_DATA_AT_SOURCE');
    assert.match((await store.getTombstone('publish', '/ds-re/a'))?.title ?? '', /^Czas\. 1923/); // kept from the removed record
  });

  test(`${label}: search: exact and per-language stemmed text matches, filters, facets and paging`, async () => {
    const index = createIndexer({ store, target: 'preview' });
    const failed = await index([
      { ...RECORDS.video2, datasetId: 'ds-search' },
      { ...RECORDS.text1, recordId: '/ds-search/czas', datasetId: 'ds-search' },
      { ...RECORDS.pdf4, recordId: '/ds-search/pdf', datasetId: 'ds-search' },
      { recordId: '/ds-search/bad', content: '<rdf:RDF', datasetId: 'ds-search' },
    ]);
    assert.deepEqual(failed.map((o) => o.status), ['success', 'success', 'success', 'fail']);
    const only = { datasetId: ['ds-search'] };
    // "memorials" appears only as "memorial" in the English description: needs English stemming.
    assert.equal((await store.search('preview', { text: 'memorials', filters: only })).total, 0);
    const stemmed = await store.search('preview', { text: 'memorials', lang: 'en', filters: only });
    assert.deepEqual(stemmed.hits.map((h) => h.recordId), ['/1/12944']);
    assert.ok(stemmed.hits[0].rank > 0);
    // An exact word of a Polish title, and a negation.
    assert.deepEqual((await store.search('preview', { text: 'czas', filters: only })).hits.map((h) => h.recordId), ['/ds-search/czas']);
    assert.equal((await store.search('preview', { text: 'czas -gazety', filters: only })).total, 0);
    const all = await store.search('preview', { filters: only, facets: ['mediaType', 'contentTier', 'type'], limit: 2 });
    assert.equal(all.total, 3);
    assert.equal(all.hits.length, 2);
    assert.deepEqual(all.facets.mediaType, [{ value: 'TEXT', count: 2 }, { value: 'VIDEO', count: 1 }]);
    assert.deepEqual(all.facets.contentTier, [{ value: '1', count: 1 }, { value: '2', count: 1 }, { value: '4', count: 1 }]);
    assert.ok(all.facets.type?.some((f) => f.value === 'czasopismo' && f.count === 1));
    const page2 = await store.search('preview', { filters: only, limit: 2, offset: 2 });
    assert.equal(page2.hits.length, 1);
    assert.ok(!all.hits.some((h) => h.recordId === page2.hits[0].recordId));
    const filtered = await store.search('preview', { filters: { ...only, mediaType: ['VIDEO'] }, facets: ['dataProvider'] });
    assert.deepEqual(filtered.hits.map((h) => h.recordId), ['/1/12944']);
    assert.deepEqual(filtered.facets.dataProvider, [{ value: 'The Royal Belgian Film Archives', count: 1 }]);
  });
}
