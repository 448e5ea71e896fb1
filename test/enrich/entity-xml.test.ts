import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { childElements, parseXml } from '../../src/edm/xml.ts';
import { NS } from '../../src/edm/namespaces.ts';
import { entitiesFromJson } from '../../src/steps/enrich/entity-json.ts';
import { entitiesFromText, entityLabels } from '../../src/steps/enrich/entity-xml.ts';
import { CLIENT_RESOURCES, COMMON_RESOURCES } from './fixture-server.ts';

const json = (name: string) => JSON.parse(readFileSync(new URL(`entity-api/${name}`, CLIENT_RESOURCES), 'utf8'));

test('Entity API JSON: a result page, a single entity, an error object, a list and a @graph', () => {
  assert.deepEqual(
    entitiesFromJson(json('entity-api-response-concept.json')).map((e) => e.about),
    ['http://data.europeana.eu/concept/84'],
  );
  assert.deepEqual(entitiesFromJson(json('entity-api-response-timespan.json')), []);
  assert.deepEqual(
    entitiesFromJson(json('entity-api-response-organization-ii.json')).map((e) => e.type),
    ['organization'],
  );
  assert.deepEqual(entitiesFromJson(json('entity-api-response-resolve-uri-nomatch.json')), []);
  const place = json('entity-api-response-resolve-uri-place.json');
  assert.equal(entitiesFromJson([place, place]).length, 2);
  assert.equal(entitiesFromJson({ '@graph': [place] })[0].about, 'http://data.europeana.eu/place/94');
  assert.throws(
    () => entitiesFromJson({ items: [{ id: 42, type: 'Concept' }] }),
    'a malformed entity is rejected at the boundary',
  );
});

test('a place from JSON becomes an edm:Place in schema order with coordinates, labels and sameAs', () => {
  const [place] = entitiesFromJson(json('entity-api-response-resolve-uri-place.json'));
  const root = parseXml(place.xml).root;
  assert.equal(root.name, 'edm:Place');
  const names = childElements(root).map((c) => c.name);
  assert.deepEqual(
    [...new Set(names)],
    ['wgs84_pos:lat', 'wgs84_pos:long', 'skos:prefLabel', 'skos:altLabel', 'skos:note', 'owl:sameAs'],
  );
  assert.equal(childElements(root, NS.owl, 'sameAs').length, 25);
});

test('organization labels for matching include hidden labels and acronyms, though the XML keeps prefLabels only', () => {
  const [org] = entitiesFromJson(json('entity-api-response-organization.json'));
  assert.deepEqual(
    entityLabels(org).map((l) => `${l.lang}:${l.label}`),
    ['en:The European Film Gateway', ':EFG - The European Film Gateway', 'en:EFG'],
  );
});

test('entity XML files: properties reordered to the schema, unknown ones dropped, single-valued ones kept once', () => {
  const [agent] = entitiesFromText(readFileSync(new URL('entity-agent.xml', COMMON_RESOURCES), 'utf8'));
  const names = childElements(parseXml(agent.xml).root).map((c) => c.name);
  assert.ok(names.indexOf('skos:note') < names.indexOf('rdaGr2:dateOfBirth'));
  assert.ok(names.indexOf('rdaGr2:dateOfBirth') < names.indexOf('rdaGr2:placeOfBirth'), 'XSD order, not file order');
  assert.equal(names.filter((n) => n === 'rdaGr2:dateOfBirth').length, 1);
  const text = `<rdf:RDF xmlns:rdf="${NS.rdf}" xmlns:edm="${NS.edm}" xmlns:skos="${NS.skos}" xmlns:ex="http://example.org/">
    <edm:TimeSpan rdf:about="http://t/1"><edm:end>1950</edm:end><ex:odd>x</ex:odd><edm:begin>1900</edm:begin><edm:begin>1901</edm:begin><skos:prefLabel>first half</skos:prefLabel></edm:TimeSpan>
  </rdf:RDF>`;
  const [ts] = entitiesFromText(text);
  assert.deepEqual(
    childElements(parseXml(ts.xml).root).map((c) => c.name),
    ['skos:prefLabel', 'edm:begin', 'edm:end'],
  );
  assert.match(ts.xml, /<edm:begin>1900<\/edm:begin>/);
});
