import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import {
  createEuropeanaId,
  derivedIds,
  EuropeanaIdError,
  generatedIdsForRecord,
  legacyDatasetId,
  legacyRdfAbout,
  NO_PROVIDER_ID_MESSAGE,
} from '../../src/edm/ids.ts';

const fixtures = new URL('../../../shared/fixtures/metis/', import.meta.url);

test('spec §0.3 examples: urn, http host stripped, https kept whole', () => {
  assert.equal(createEuropeanaId('123', 'URN:NBN:SI:doc-35SZSOCF'), '/123/URN_NBN_SI_doc_35SZSOCF');
  assert.equal(createEuropeanaId('123', 'http://www.europeana.eu/testpath/testid'), '/123/testpath_testid');
  assert.equal(
    createEuropeanaId('123', 'https://www.europeana.eu/testpath/testid'),
    '/123/https___www_europeana_eu_testpath_testid',
  );
});

test('legacy dataset id drops one trailing ASCII letter only', () => {
  assert.equal(legacyDatasetId('123'), '123');
  assert.equal(legacyDatasetId('123a'), '123');
  assert.equal(legacyDatasetId('123ab'), '123a');
  assert.equal(legacyDatasetId('123é'), '123é');
  assert.equal(createEuropeanaId('2048128X', 'abc'), '/2048128/abc');
  assert.throws(() => legacyDatasetId(''));
});

test('legacy rdf:about: http:// without a path gives the empty string; non-ASCII letters become _', () => {
  assert.equal(legacyRdfAbout('http://someid'), '');
  assert.equal(legacyRdfAbout('http://host/'), '');
  assert.equal(legacyRdfAbout('HTTP://host/a'), 'HTTP___host_a');
  assert.equal(legacyRdfAbout('żółw-1 2'), '___w_1_2');
  // Java's regex matches a supplementary character (surrogate pair) as one code point
  assert.equal(legacyRdfAbout('a😀b'), 'a_b');
  assert.equal(legacyRdfAbout('a_b'), 'a_b');
});

test('missing or blank rdf:about fails with the Metis message', () => {
  assert.throws(
    () => createEuropeanaId('1', undefined),
    (e: unknown) => e instanceof EuropeanaIdError && e.message === NO_PROVIDER_ID_MESSAGE,
  );
  assert.throws(() => createEuropeanaId('1', '  '), EuropeanaIdError);
});

test('derived ids are plain prefixes of the Europeana id', () => {
  const ids = derivedIds('/123/abc', 'abc');
  assert.deepEqual(ids, {
    sourceProvidedChoAbout: 'abc',
    europeanaId: '/123/abc',
    providerAggregation: '/aggregation/provider/123/abc',
    europeanaAggregation: '/aggregation/europeana/123/abc',
    providerProxy: '/proxy/provider/123/abc',
    europeanaProxy: '/proxy/europeana/123/abc',
    aggregatorProxy: '/proxy/aggregator/123/abc',
    aggregatorAggregation: '/aggregation/aggregator/123/abc',
  });
});

test('ids from real fixture records; a record without a ProvidedCHO fails', async () => {
  const record1 = await readFile(new URL('metis-sandbox/src/test/resources/zip/Record1.xml', fixtures));
  const ids = generatedIdsForRecord('123', record1);
  assert.equal(ids.europeanaId, '/123/URN_NBN_SI_doc_35SZSOCF');
  assert.equal(ids.sourceProvidedChoAbout, 'URN:NBN:SI:doc-35SZSOCF');
  const missing = await readFile(
    new URL('metis-sandbox/src/test/resources/record/record-missing-id.xml', fixtures),
    'utf8',
  );
  assert.throws(
    () => generatedIdsForRecord('123', missing),
    (e: unknown) => e instanceof EuropeanaIdError && e.message === NO_PROVIDER_ID_MESSAGE,
  );
});
