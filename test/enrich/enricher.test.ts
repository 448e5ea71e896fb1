import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEnricher } from '../../src/steps/enrich/enricher.ts';
import { EntityApiClient } from '../../src/steps/enrich/entity-api-client.ts';
import { HttpDereferenceClient } from '../../src/steps/enrich/dereference-client.ts';
import { loadEraWords } from '../../src/steps/enrich/additional-data.ts';
import { recordParts } from '../../src/steps/enrich/record.ts';
import { readEntityFile, withLabels } from '../../src/steps/enrich/entity-file.ts';
import { childElements, getAttr, parseXml, textContent, type XmlElement } from '../../src/edm/xml.ts';
import { NS } from '../../src/edm/namespaces.ts';
import { openPglite, type Db } from '../../src/store/db.ts';
import {
  CLIENT_MAIN_RESOURCES,
  CLIENT_RESOURCES,
  COMMON_RESOURCES,
  startFixtureServer,
  storeWithFixtures,
  type FixtureServer,
} from './fixture-server.ts';

const SCHEMAS = new URL(
  '../../../shared/fixtures/metis/metis-framework/metis-validation/metis-validation-service/src/test/resources/__files/test_schema.zip.extracted/',
  import.meta.url,
);
const HAS_XMLLINT = spawnSync('xmllint', ['--version']).status === 0;
const sample = (name: string) => readFileSync(new URL(name, CLIENT_RESOURCES), 'utf8');
const links = (proxy: XmlElement, ns: string, local: string) =>
  childElements(proxy, ns, local)
    .map((e) => getAttr(e, NS.rdf, 'resource'))
    .filter(Boolean);
const abouts = (root: XmlElement, ns: string, local: string) =>
  childElements(root, ns, local).map((e) => getAttr(e, NS.rdf, 'about'));

describe('createEnricher with the Entity API and dereference service over loopback HTTP', () => {
  let server: FixtureServer;
  let enrich: ReturnType<typeof createEnricher>;
  before(async () => {
    server = await startFixtureServer();
    enrich = createEnricher({
      entityClient: new EntityApiClient({
        apiUrl: `${server.url}/entity`,
        managementUrl: `${server.url}/entitymgmt`,
        apiKey: 'api2demo',
        retryDelayMs: 1,
      }),
      dereferenceClient: new HttpDereferenceClient({ url: server.url, retryDelayMs: 1 }),
      eraWords: await loadEraWords(new URL('adList', CLIENT_MAIN_RESOURCES), new URL('bcList', CLIENT_MAIN_RESOURCES)),
    });
  });
  after(() => server.close());

  // The outcomes Metis's EnrichmentWorkerImplTest expects (STOP = fail, CONTINUE = success or warn).
  for (const [file, continues] of [
    ['enrichment/sample_enrichment_exception.rdf', false],
    ['enrichment/sample_dereference_not_found.rdf', true],
    ['enrichment/sample_dereference_redirect.rdf', true],
    ['enrichment/sample_enrichment_noentity.rdf', true],
    ['enrichment/sample_enrichment_failure.rdf', false],
    ['enrichment/sample_enrichment_success.rdf', true],
  ] as const) {
    test(`${file.split('/')[1]} ${continues ? 'continues' : 'fails'}`, async () => {
      const out = await enrich({ recordId: file, content: sample(file) });
      assert.equal(out.status === 'fail', !continues, JSON.stringify(out.messages, null, 1));
      if (continues) assert.ok(out.content);
      else assert.equal(out.messages[0].level, 'error');
    });
  }

  test('the success sample: dereferenced entities, enriched links and entities, organizations, completeness, year', async () => {
    const out = await enrich({ recordId: 'success', content: sample('enrichment/sample_enrichment_success.rdf') });
    assert.notEqual(out.status, 'fail');
    const root = parseXml(out.content!).root;
    const parts = recordParts(root);
    // Dereferenced: the AAT concept of dc:type and the geonames place with its four broader places.
    const concepts = abouts(root, NS.skos, 'Concept');
    assert.ok(concepts.includes('http://vocab.getty.edu/aat/300136900'));
    assert.deepEqual(abouts(root, NS.edm, 'Place').filter((a) => a!.startsWith('https://sws.geonames.org/')).length, 5);
    // Enriched: "Religion"@en → concept/84 (exactly one match), linked from the Europeana proxy.
    const europeana = parts.europeanaProxy!;
    assert.deepEqual(links(europeana, NS.dc, 'subject'), ['http://data.europeana.eu/concept/84']);
    assert.equal(concepts.filter((a) => a === 'http://data.europeana.eu/concept/84').length, 1);
    // dc:type → co-referenced concept; the geonames place's sameAs dbpedia:Lithuania → place/94 for dcterms:spatial.
    assert.deepEqual(links(europeana, NS.dc, 'type'), ['http://data.europeana.eu/concept/3331']);
    assert.deepEqual(links(europeana, NS.dcterms, 'spatial'), ['http://data.europeana.eu/place/94']);
    // Organizations replace the aggregation literals.
    const agg = parts.aggregations[0];
    assert.deepEqual(links(agg, NS.edm, 'dataProvider'), ['http://data.europeana.eu/organization/1585']);
    assert.deepEqual(links(agg, NS.edm, 'provider'), ['http://data.europeana.eu/organization/1585']);
    assert.equal(
      childElements(agg, NS.edm, 'provider')[0].attrs.some((a) => a.local === 'lang'),
      false,
    );
    assert.deepEqual(abouts(root, NS.foaf, 'Organization'), ['http://data.europeana.eu/organization/1585']);
    // Additional data: the year from dcterms:created, completeness on the Europeana aggregation.
    assert.deepEqual(childElements(europeana, NS.edm, 'year').map(textContent), ['1957']);
    assert.equal(
      textContent(childElements(parts.europeanaAggregation!, NS.edm, 'completeness')[0]),
      String(out.data!.completeness),
    );
    assert.equal(out.data!.completeness, 10);
    // Schema order: links after the other dc/dcterms children, edm:year before ore:proxyFor, entities before the aggregation.
    const names = childElements(europeana).map((e) => e.name);
    assert.ok(names.indexOf('dc:subject') < names.indexOf('edm:europeanaProxy'));
    assert.ok(names.indexOf('edm:year') < names.indexOf('ore:proxyFor'));
    const top = childElements(root).map((e) => e.local);
    assert.ok(top.lastIndexOf('Concept') < top.indexOf('Aggregation'));
    assert.ok(top.indexOf('Organization') > top.indexOf('EuropeanaAggregation'));
    // Unresolved search terms are IGNOREd: no warnings for the agent or the nonsense concept.
    assert.equal(out.status, 'success', JSON.stringify(out.messages));
  });

  test('enriching an enriched record again adds no entity and no link twice', async () => {
    const first = await enrich({ recordId: 'r', content: sample('enrichment/sample_enrichment_success.rdf') });
    const second = await enrich({ recordId: 'r', content: first.content! });
    assert.equal(second.data!.entitiesAdded, 0);
    assert.equal(second.data!.linksAdded, 0);
    const root = parseXml(second.content!).root;
    const all = childElements(root).map((e) => getAttr(e, NS.rdf, 'about'));
    assert.equal(new Set(all).size, all.length);
    assert.deepEqual(childElements(recordParts(root).europeanaProxy!, NS.edm, 'year').map(textContent), ['1957']);
  });

  test(
    'enriched records still validate against EDM-INTERNAL.xsd (entity properties put in schema order)',
    { skip: !HAS_XMLLINT && 'xmllint not installed' },
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'enrich-xsd-'));
      try {
        for (const file of [
          'sample_enrichment_success.rdf',
          'sample_enrichment_noentity.rdf',
          'sample_dereference_redirect.rdf',
          'sample_dereference_not_found.rdf',
        ]) {
          const out = await enrich({ recordId: file, content: sample(`enrichment/${file}`) });
          const path = join(dir, file);
          writeFileSync(path, out.content!);
          const r = spawnSync('xmllint', ['--noout', '--schema', new URL('EDM-INTERNAL.xsd', SCHEMAS).pathname, path], {
            encoding: 'utf8',
          });
          assert.equal(
            r.status,
            0,
            `${file}: ${r.stderr
              .split('\n')
              .filter((l) => !l.includes('parser warning'))
              .join('\n')}`,
          );
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );

  test('re-enrichment with cleanupPrevious drops the earlier Europeana links and entities first', async () => {
    const first = await enrich({ recordId: 'r', content: sample('enrichment/sample_enrichment_success.rdf') });
    // Pretend concept/84 no longer matches: a stale link and entity would stay without the clean-up.
    const changed = first.content!.replace('<dc:subject xml:lang="en">Religion</dc:subject>', '');
    const again = createEnricher({
      entityClient: new EntityApiClient({
        apiUrl: `${server.url}/entity`,
        managementUrl: `${server.url}/entitymgmt`,
        retryDelayMs: 1,
      }),
      cleanupPrevious: true,
    });
    const out = await again({ recordId: 'r', content: changed });
    const root = parseXml(out.content!).root;
    assert.deepEqual(links(recordParts(root).europeanaProxy!, NS.dc, 'subject'), []);
    assert.equal(abouts(root, NS.skos, 'Concept').includes('http://data.europeana.eu/concept/84'), false);
    // Links that still hold are made again.
    assert.deepEqual(links(recordParts(root).europeanaProxy!, NS.dcterms, 'spatial'), [
      'http://data.europeana.eu/place/94',
    ]);
  });

  test('the failure sample fails on the dereference FAILURE, with the Sandbox message form', async () => {
    const out = await enrich({ recordId: 'f', content: sample('enrichment/sample_enrichment_failure.rdf') });
    assert.equal(out.status, 'fail');
    assert.equal(out.messages[0].code, 'DEREFERENCE_ERROR');
    assert.equal(
      out.messages[0].message,
      'Dereference or Coreferencing failed. Value: http://vocab.getty.edu/aat/400136800',
    );
    assert.equal(out.content, undefined);
  });

  test('the exception sample fails on a text lookup error', async () => {
    const out = await enrich({ recordId: 'e', content: sample('enrichment/sample_enrichment_exception.rdf') });
    const errors = out.messages.filter((m) => m.level === 'error');
    assert.ok(
      errors.some((m) => m.message === 'Error while resolving values by text when enriching values Value: Religija'),
    );
  });

  test('the not-found sample warns about the unknown Europeana entity and keeps the record', async () => {
    const out = await enrich({ recordId: 'n', content: sample('enrichment/sample_dereference_not_found.rdf') });
    assert.equal(out.status, 'warn');
    assert.ok(
      out.messages.some(
        (m) =>
          m.message ===
          'Dereferencing or Coreferencing: the europeana entity does not exist. Value: http://data.europeana.eu/concept/XXXXXXXXX',
      ),
      JSON.stringify(out.messages),
    );
    const invalid = out.data!.reports.find((r) => r.value === 'htp://vocab.getty.edu/aat/300136900');
    assert.equal(invalid?.level, 'IGNORE');
    // The Europeana concept was dereferenced by id and is linked by enrichment.
    const root = parseXml(out.content!).root;
    assert.ok(abouts(root, NS.skos, 'Concept').includes('http://data.europeana.eu/concept/3401'));
  });

  test('a record that is not XML fails without a remote call', async () => {
    const before = server.requests.length;
    const out = await enrich({ recordId: 'x', content: '<rdf:RDF' });
    assert.equal(out.status, 'fail');
    assert.equal(out.messages[0].code, 'ENRICH_PARSE');
    assert.equal(server.requests.length, before);
  });
});

describe('createEnricher with the built-in entity store (no Entity API)', () => {
  let db: Db;
  before(async () => {
    db = await openPglite();
  });
  after(() => db.close());

  test('the success sample is enriched from the store: diacritics-insensitive organization match', async () => {
    const store = await storeWithFixtures(db);
    const enrich = createEnricher({ entityClient: store });
    const out = await enrich({ recordId: 's', content: sample('enrichment/sample_enrichment_success.rdf') });
    assert.notEqual(out.status, 'fail');
    const parts = recordParts(parseXml(out.content!).root);
    assert.deepEqual(links(parts.europeanaProxy!, NS.dc, 'subject'), ['http://data.europeana.eu/concept/84']);
    // "Lietuvos Centrinis Valstybés Archyvas" matches the stored "Lietuvos Centrinis Valstybes Archyvas".
    assert.deepEqual(links(parts.aggregations[0], NS.edm, 'dataProvider'), [
      'http://data.europeana.eu/organization/2852',
    ]);
    assert.deepEqual(links(parts.aggregations[0], NS.edm, 'provider'), ['http://data.europeana.eu/organization/1585']);
  });

  test('without a dereference service, linked entities held by the store are dereferenced from it', async () => {
    const store = await storeWithFixtures(db);
    await store.importEntities(await readEntityFile(new URL('entity-agent.xml', COMMON_RESOURCES)));
    const record = sample('enrichment/sample_enrichment_success.rdf').replace(
      '<dc:contributor>Piotras Kalabuchovas</dc:contributor>',
      '<dc:creator rdf:resource="http://www.wikidata.org/entity/Q733791"/>',
    );
    const out = await createEnricher({ entityClient: store })({ recordId: 'w', content: record });
    const root = parseXml(out.content!).root;
    assert.deepEqual(abouts(root, NS.edm, 'Agent'), ['http://www.wikidata.org/entity/Q733791']);
    // Dereferenced entities get no link; the co-reference lookup of enrichment then links it.
    assert.deepEqual(links(recordParts(root).europeanaProxy!, NS.dc, 'creator'), [
      'http://www.wikidata.org/entity/Q733791',
    ]);
  });

  test('several matches count as none; an organization without a match is a warning', async () => {
    const store = await storeWithFixtures(db);
    // A second concept labelled "Religion"@en makes the text ambiguous.
    await store.importEntities(
      withLabels([
        {
          about: 'http://example.org/concept/religion-2',
          type: 'concept',
          parents: [],
          sameAs: [],
          xml: `<skos:Concept xmlns:skos="${NS.skos}" xmlns:rdf="${NS.rdf}" rdf:about="http://example.org/concept/religion-2"><skos:prefLabel xml:lang="en">Religion</skos:prefLabel></skos:Concept>`,
        },
      ]),
    );
    const record = sample('enrichment/sample_enrichment_success.rdf').replace(
      'EFG - The European Film Gateway',
      'Nobody Known',
    );
    const out = await createEnricher({ entityClient: store })({ recordId: 'a', content: record });
    const parts = recordParts(parseXml(out.content!).root);
    assert.deepEqual(links(parts.europeanaProxy!, NS.dc, 'subject'), []);
    assert.equal(out.status, 'warn');
    assert.deepEqual(
      out.messages.map((m) => m.message),
      ['Could not find an entity for the given search term with type Organization. Value: Nobody Known'],
    );
  });
});
