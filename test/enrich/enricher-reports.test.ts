/**
 * The report table of metis-steps.md §8, case by case, with in-memory clients: which lookups give
 * IGNORE, WARN or ERROR, and what that does to the record.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createEnricher } from '../../src/steps/enrich/enricher.ts';
import { NS } from '../../src/edm/namespaces.ts';
import {
  HttpStatusError,
  type DereferenceClient,
  type DereferenceStatus,
  type Entity,
  type EntityClient,
} from '../../src/steps/enrich/types.ts';

function record(providerFields: string, aggregationFields = ''): string {
  return `<rdf:RDF xmlns:rdf="${NS.rdf}" xmlns:dc="${NS.dc}" xmlns:dcterms="${NS.dcterms}" xmlns:edm="${NS.edm}" xmlns:ore="${NS.ore}">
  <edm:ProvidedCHO rdf:about="/1/r"/>
  <ore:Aggregation rdf:about="/aggregation/provider/1/r">${aggregationFields}</ore:Aggregation>
  <ore:Proxy rdf:about="/proxy/provider/1/r">${providerFields}<edm:europeanaProxy>false</edm:europeanaProxy></ore:Proxy>
  <ore:Proxy rdf:about="/proxy/europeana/1/r"><edm:europeanaProxy>true</edm:europeanaProxy></ore:Proxy>
</rdf:RDF>`;
}

const entity = (about: string, type: Entity['type']): Entity => ({
  about,
  type,
  parents: [],
  sameAs: [],
  xml: `<skos:Concept xmlns:skos="${NS.skos}" xmlns:rdf="${NS.rdf}" rdf:about="${about}"/>`,
});

const nothing: EntityClient = {
  findByText: async () => [],
  findByUri: async () => undefined,
  getById: async () => undefined,
};

async function run(content: string, entityClient: Partial<EntityClient> = {}, dereferenceClient?: DereferenceClient) {
  const enrich = createEnricher({ entityClient: { ...nothing, ...entityClient }, dereferenceClient });
  const out = await enrich({ recordId: 'r', content });
  return {
    out,
    levels: out.data?.reports.filter((r) => r.value !== '').map((r) => `${r.mode[0]}:${r.level}:${r.value}`),
  };
}

test('dereference statuses map to IGNORE / WARN / ERROR as Metis does', async () => {
  const table: Array<[DereferenceStatus, string]> = [
    ['SUCCESS', 'success'],
    ['NO_VOCABULARY_MATCHING', 'success'],
    ['ENTITY_FOUND_XML_XSLT_PRODUCE_NO_CONTEXTUAL_CLASS', 'success'],
    ['INVALID_URL', 'success'],
    ['UNKNOWN_EUROPEANA_ENTITY', 'warn'],
    ['NO_ENTITY_FOR_VOCABULARY', 'warn'],
    ['ENTITY_FOUND_XML_XSLT_ERROR', 'warn'],
    ['FAILURE', 'fail'],
  ];
  for (const [status, expected] of table) {
    const deref: DereferenceClient = { dereference: async () => ({ status, entities: [] }) };
    const { out } = await run(record('<dc:subject rdf:resource="http://vocab.example/1"/>'), {}, deref);
    assert.equal(out.status, expected, status);
  }
});

test('dereference failures: HTTP 4xx warns, HTTP 5xx and network errors fail, an invalid URI is ignored', async () => {
  const failing = (err: Error): DereferenceClient => ({
    dereference: async () => {
      throw err;
    },
  });
  const uri = '<dc:subject rdf:resource="http://vocab.example/1"/>';
  assert.equal((await run(record(uri), {}, failing(new HttpStatusError(400, 'u')))).out.status, 'warn');
  assert.equal((await run(record(uri), {}, failing(new HttpStatusError(503, 'u')))).out.status, 'fail');
  assert.equal((await run(record(uri), {}, failing(new Error('ECONNRESET')))).out.status, 'fail');
  const { out, levels } = await run(
    record('<dc:subject rdf:resource="htp:/broken"/>'),
    {},
    failing(new Error('never called')),
  );
  assert.equal(out.status, 'success');
  assert.ok(levels!.includes('D:IGNORE:htp:/broken'));
});

test('text lookups: one match links, several or none are ignored, organizations warn, an exception fails', async () => {
  const subject = '<dc:subject xml:lang="en">Ethics</dc:subject>';
  const one = await run(record(subject), {
    findByText: async () => [entity('http://data.europeana.eu/concept/1', 'concept')],
  });
  assert.equal(one.out.data!.linksAdded, 1);
  const two = await run(record(subject), {
    findByText: async () => [entity('http://c/1', 'concept'), entity('http://c/2', 'concept')],
  });
  assert.equal(two.out.status, 'success');
  assert.equal(two.out.data!.linksAdded, 0);
  assert.ok(two.levels!.includes('E:IGNORE:Ethics'));
  const org = await run(record('', '<edm:dataProvider>Unknown Archive</edm:dataProvider>'));
  assert.equal(org.out.status, 'warn');
  assert.equal(
    org.out.messages[0].message,
    'Could not find an entity for the given search term with type Organization. Value: Unknown Archive',
  );
  const broken = await run(record(subject), {
    findByText: async () => {
      throw new HttpStatusError(500, 'u');
    },
  });
  assert.equal(broken.out.status, 'fail');
  assert.equal(
    broken.out.messages[0].message,
    'Error while resolving values by text when enriching values Value: Ethics',
  );
});

test('reference lookups: HTTP 300–499 warns, anything else fails', async () => {
  const link = '<dc:subject rdf:resource="http://vocab.example/1"/>';
  const throwing = (err: Error) => ({
    findByUri: async () => {
      throw err;
    },
  });
  assert.equal((await run(record(link), throwing(new HttpStatusError(401, 'u')))).out.status, 'warn');
  assert.equal((await run(record(link), throwing(new HttpStatusError(502, 'u')))).out.status, 'fail');
  assert.equal((await run(record(link), throwing(new TypeError('fetch failed')))).out.status, 'fail');
});

test('an organization found for an aggregation name replaces the literal; other fields of the wrong type get no link', async () => {
  const org = { ...entity('http://data.europeana.eu/organization/7', 'organization') };
  const { out } = await run(
    record(
      '',
      '<edm:dataProvider xml:lang="en">Some Archive</edm:dataProvider><edm:provider>Some Archive</edm:provider>',
    ),
    {
      findByText: async (q) => (q.types.includes('organization') ? [org] : []),
    },
  );
  assert.match(out.content!, /<edm:dataProvider rdf:resource="http:\/\/data\.europeana\.eu\/organization\/7"\/>/);
  assert.match(out.content!, /<edm:provider rdf:resource="http:\/\/data\.europeana\.eu\/organization\/7"\/>/);
  assert.equal(out.data!.linksAdded, 2);
});
