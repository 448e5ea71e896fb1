/** Metadata-tier rules of metis-steps.md §14.2 and the quality annotations of §11, on hand-built records. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseXml, serializeXml } from '../../src/edm/xml.ts';
import { computeTiers, createEdmView, readTierAnnotations, writeTierAnnotations, TierAnnotationError } from '../../src/steps/tiers/index.ts';
import { PDM, buildRecord, type RecordSpec } from './edm-builder.ts';

const meta = (spec: RecordSpec) => computeTiers(buildRecord({ type: 'TEXT', rights: PDM, ...spec }));

test('language: ratio of qualified property types with a language; a link to a labelled Concept counts', () => {
  const none = meta({ providerProxy: '<dc:title>t</dc:title><dc:subject>s</dc:subject><dc:type>x</dc:type><dc:format>f</dc:format>' });
  assert.equal(none.metadata.language.tier, '0'); // 0/4
  const quarter = meta({ providerProxy: '<dc:title xml:lang="en">t</dc:title><dc:subject>s</dc:subject><dc:type>x</dc:type><dc:format>f</dc:format>' });
  assert.equal(quarter.metadata.language.tier, 'A'); // 1/4 = 0.25
  const viaConcept = meta({
    providerProxy: '<dc:title xml:lang="en">t</dc:title><dc:subject rdf:resource="http://c/1"/>',
    entities: '<skos:Concept rdf:about="http://c/1"><skos:prefLabel xml:lang="en">Cats</skos:prefLabel></skos:Concept>',
  });
  assert.equal(viaConcept.metadata.language.tier, 'C'); // 2/2
  const viaAgent = meta({
    providerProxy: '<dc:title xml:lang="en">t</dc:title><dc:subject rdf:resource="http://a/1"/>',
    entities: '<edm:Agent rdf:about="http://a/1"><skos:prefLabel xml:lang="en">Ann</skos:prefLabel></edm:Agent>',
  });
  assert.equal(viaAgent.metadata.language.tier, 'B'); // 1/2: Agents do not count
  assert.deepEqual(viaAgent.metadata.language.qualifiedElementsWithoutLanguage, ['dc:subject']);
  // Properties that are not language candidates (dc:creator, dc:identifier) do not qualify at all.
  assert.equal(meta({ providerProxy: '<dc:creator>c</dc:creator><dc:identifier>i</dc:identifier>' }).metadata.language.qualifiedElements, 0);
});

test('enabling elements: 1 element → A, 3 elements in 2 groups → B, 4 in 2 → C; literal dc:subject does not count', () => {
  assert.equal(meta({ providerProxy: '<dc:subject>literal</dc:subject>' }).metadata.enablingElements.tier, '0');
  assert.equal(meta({ providerProxy: '<dc:creator>c</dc:creator>' }).metadata.enablingElements.tier, 'A');
  assert.equal(meta({ providerProxy: '<dc:creator>c</dc:creator><dc:publisher>p</dc:publisher><dc:type>t</dc:type>' }).metadata.enablingElements.tier, 'B');
  assert.equal(
    meta({ providerProxy: '<dc:creator>c</dc:creator><dc:publisher>p</dc:publisher><dc:contributor>x</dc:contributor><dcterms:medium>m</dcterms:medium>' })
      .metadata.enablingElements.tier,
    'C',
  );
  // Same group only: 4 elements but 1 group → A.
  assert.equal(meta({ providerProxy: '<dcterms:created>1</dcterms:created><dcterms:issued>2</dcterms:issued><dcterms:temporal>3</dcterms:temporal>' }).metadata.enablingElements.tier, 'A');
  // dc:subject → Place and edm:hasMet → Agent contribute the linked entity's group.
  const linked = meta({
    providerProxy: '<dc:subject rdf:resource="http://p/1"/><edm:hasMet rdf:resource="http://a/1"/><dc:type>t</dc:type>',
    entities: '<edm:Place rdf:about="http://p/1"><skos:prefLabel>P</skos:prefLabel></edm:Place><edm:Agent rdf:about="http://a/1"><skos:prefLabel>A</skos:prefLabel></edm:Agent>',
  });
  assert.deepEqual(linked.metadata.enablingElements.metadataGroups, ['skos:Concept', 'edm:Agent', 'edm:Place']);
  assert.equal(linked.metadata.enablingElements.tier, 'B');
});

test('contextual classes: complete Agent / Place / TimeSpan / Concept counted per class; only referenced ones', () => {
  const entities =
    '<edm:Agent rdf:about="http://a/1"><skos:prefLabel>Ann</skos:prefLabel><rdaGr2:professionOrOccupation>painter</rdaGr2:professionOrOccupation></edm:Agent>' +
    '<edm:Agent rdf:about="http://a/2"><skos:prefLabel>Bob</skos:prefLabel></edm:Agent>' +
    '<edm:Place rdf:about="http://p/1"><skos:prefLabel>Here</skos:prefLabel><wgs84_pos:lat>1.5</wgs84_pos:lat><wgs84_pos:long>2</wgs84_pos:long></edm:Place>' +
    '<edm:TimeSpan rdf:about="http://t/1"><edm:begin>1900</edm:begin></edm:TimeSpan>';
  const one = meta({ providerProxy: '<dc:creator rdf:resource="http://a/1"/><dc:contributor rdf:resource="http://a/2"/>', entities });
  assert.equal(one.metadata.contextualClasses.tier, 'B');
  assert.equal(one.metadata.contextualClasses.completeContextualResources, 1);
  const two = meta({ providerProxy: '<dc:creator rdf:resource="http://a/1"/><dcterms:spatial rdf:resource="http://p/1"/><dcterms:temporal rdf:resource="http://t/1"/>', entities });
  assert.deepEqual(two.metadata.contextualClasses.distinctClassesOfCompleteContextualResources, ['edm:Agent', 'edm:Place']);
  assert.equal(two.metadata.contextualClasses.tier, 'C');
  // Unreferenced complete entities do not count: never 0, at least A.
  assert.equal(meta({ entities }).metadata.contextualClasses.tier, 'A');
  // Europeana-proxy links count only over all proxies.
  const enriched = meta({ europeanaProxy: '<dc:creator rdf:resource="http://a/1"/>', entities });
  assert.deepEqual([enriched.metadata.contextualClasses.tier, enriched.metadataAllProxies.contextualClasses.tier], ['A', 'B']);
});

test('the metadata tier is the minimum of the three dimensions', () => {
  const t = meta({ providerProxy: '<dc:title xml:lang="en">t</dc:title><dc:creator>c</dc:creator>' });
  assert.deepEqual([t.metadata.language.tier, t.metadata.enablingElements.tier, t.metadata.contextualClasses.tier, t.metadata.tier], ['C', 'A', 'A', 'A']);
});

test('quality annotations: written on the provider and Europeana aggregations, overwritten on a second run', () => {
  const doc = parseXml(buildRecord({ type: 'TEXT', rights: PDM, providerProxy: '<dc:title xml:lang="en">t</dc:title>' }));
  const view = createEdmView(doc);
  writeTierAnnotations(view, { providerContent: 1, providerMetadata: 'A', europeanaContent: 1, europeanaMetadata: 'B' }, new Date('2025-01-01T00:00:00Z'));
  const xml = serializeXml(doc);
  assert.match(xml, /xmlns:dqv="http:\/\/www.w3.org\/ns\/dqv#"/);
  assert.match(xml, /<dcterms:created>2025-01-01T00:00:00.000Z<\/dcterms:created>/);
  const again = parseXml(xml);
  writeTierAnnotations(createEdmView(again), { providerContent: 4, providerMetadata: 'C', europeanaContent: 4, europeanaMetadata: 'C' });
  const annotations = readTierAnnotations(again);
  assert.deepEqual(annotations.get('/aggregation/provider/1/rec'), { content: '4', metadata: 'C' });
  assert.deepEqual(annotations.get('/aggregation/europeana/1/rec'), { content: '4', metadata: 'C' });
  assert.equal((serializeXml(again).match(/<dqv:QualityAnnotation>/g) ?? []).length, 4); // replaced, not added
  const noAggregation = createEdmView(parseXml(buildRecord({ type: 'TEXT', aggregation: false })));
  assert.throws(() => writeTierAnnotations(noAggregation, { providerContent: 0, providerMetadata: '0', europeanaContent: 0, europeanaMetadata: '0' }), TierAnnotationError);
});
