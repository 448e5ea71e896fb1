import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseXml } from '../../src/edm/xml.ts';
import { NS } from '../../src/edm/namespaces.ts';
import {
  javaHashSetOrder,
  loadEraWords,
  setAdditionalData,
  YearParser,
} from '../../src/steps/enrich/additional-data.ts';
import { recordParts } from '../../src/steps/enrich/record.ts';
import { dereferenceUris, entityApiLanguage, referenceTerms, searchTerms } from '../../src/steps/enrich/terms.ts';
import { CLIENT_MAIN_RESOURCES, CLIENT_RESOURCES } from './fixture-server.ts';

const parts = (name: string) => recordParts(parseXml(readFileSync(new URL(name, CLIENT_RESOURCES), 'utf8')).root);
const eraWords = () => loadEraWords(new URL('adList', CLIENT_MAIN_RESOURCES), new URL('bcList', CLIENT_MAIN_RESOURCES));

test('completeness of sample_completeness.rdf is 6, as in Metis MetisRecordParserTest', async () => {
  const p = parts('sample_completeness.rdf');
  const written = setAdditionalData(p, new YearParser(await eraWords()));
  assert.equal(written.completeness, 6);
});

test('completeness is 0 without edm:object, and at most 10', () => {
  const p = parts('enrichment/sample_enrichment_success.rdf');
  assert.equal(setAdditionalData(p, new YearParser()).completeness, 10);
  const agg = p.aggregations[0];
  agg.children = agg.children.filter((c) => !(c.kind === 'element' && c.local === 'object'));
  assert.equal(setAdditionalData(p, new YearParser()).completeness, 0);
});

test('years: plain, negative, era words before or after (ASCII case-insensitive), everything else rejected', async () => {
  const y = new YearParser(await eraWords());
  assert.equal(y.parse(' 1957 '), 1957);
  assert.equal(y.parse('-300'), -300);
  assert.equal(y.parse('300 BC'), -300);
  assert.equal(y.parse('bc 300'), -300);
  assert.equal(y.parse('1200 n. Chr.'), 1200);
  assert.equal(y.parse('44 π.χ.'), -44);
  assert.equal(y.parse('1957-06-30'), undefined);
  assert.equal(y.parse('circa 1900'), undefined);
  assert.equal(y.parse('99999999999'), undefined, 'beyond a Java int');
});

test('edm:year values come out in java.util.HashSet order', () => {
  assert.deepEqual(javaHashSetOrder([1957, 1900, 1957, 5]), [1957, 5, 1900]); // 1957 & 15 = 5 = 5 & 15: one bucket, insertion order
  assert.deepEqual(javaHashSetOrder([3, -1]), [-1, 3]); // (-1 ^ -1 >>> 16) & 15 = 0
});

test('search terms: provider-proxy literals by field type, merged per value and language; aggregation names as organizations', () => {
  const terms = searchTerms(parts('enrichment/sample_enrichment_success.rdf'));
  const summary = terms.map((t) => `${t.text}|${t.lang}|${t.fields.map((f) => f.type).join(',')}`);
  assert.deepEqual(summary, [
    'Piotras Kalabuchovas||agent',
    'Religion|en|concept',
    'Paranguaricutirimicuaro|en|concept',
    '1957|en|timespan',
    'Lietuvos Centrinis Valstybés Archyvas||organization',
    'EFG - The European Film Gateway|en|organization',
  ]);
});

test('reference terms and dereference URIs of a record', () => {
  const p = parts('enrichment/sample_dereference_not_found.rdf');
  assert.deepEqual(dereferenceUris(p), [
    'http://vocab.getty.edu/aat/300136900',
    'htp://vocab.getty.edu/aat/300136900',
    'http://data.europeana.eu/concept/3401',
    'http://data.europeana.eu/concept/XXXXXXXXX',
    'http://vocab.getty.edu/aat/300008372',
    'http://vocab.getty.edu/aat/300000810',
    'https://sws.geonames.org/597427/',
    'https://sws.geonames.org/597427/1',
  ]);
  const refs = referenceTerms(p).map((r) => `${r.uri}|${r.fields.map((f) => f.local).join(',')}`);
  assert.ok(refs.includes('http://data.europeana.eu/concept/3401|subject'));
  assert.ok(refs.includes('https://sws.geonames.org/597427/1|spatial'));
});

test('sameAs links of a linked entity become reference terms for the linking field', () => {
  const p = parts('enrichment/sample_enrichment_success.rdf');
  const place = parseXml(
    `<edm:Place xmlns:edm="${NS.edm}" xmlns:rdf="${NS.rdf}" xmlns:owl="${NS.owl}" rdf:about="https://sws.geonames.org/597427/"><owl:sameAs rdf:resource="http://dbpedia.org/resource/Lithuania"/></edm:Place>`,
  ).root;
  p.entities.set('https://sws.geonames.org/597427/', place);
  const refs = referenceTerms(p).map((r) => `${r.uri}|${r.fields.map((f) => f.local).join(',')}`);
  assert.ok(refs.includes('http://dbpedia.org/resource/Lithuania|spatial'));
  assert.equal(
    dereferenceUris(p).includes('https://sws.geonames.org/597427/'),
    false,
    'present entities are not dereferenced',
  );
});

test('language codes for the Entity API: two letters kept, ISO 639-2/T converted, others dropped', () => {
  assert.equal(entityApiLanguage('en'), 'en');
  assert.equal(entityApiLanguage('LIT'), 'lt');
  assert.equal(entityApiLanguage('deu'), 'de');
  assert.equal(entityApiLanguage('mul'), undefined);
  assert.equal(entityApiLanguage('en-GB'), undefined);
  assert.equal(entityApiLanguage(''), undefined);
});
