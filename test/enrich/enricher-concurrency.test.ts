import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createEnricher } from '../../src/steps/enrich/enricher.ts';
import { createLimiter } from '../../src/steps/enrich/limit.ts';
import { NS } from '../../src/edm/namespaces.ts';
import type { Entity, EntityClient } from '../../src/steps/enrich/types.ts';

/** A record with `n` distinct subjects and an Europeana proxy. */
function recordWithSubjects(n: number): string {
  const subjects = Array.from({ length: n }, (_, i) => `<dc:subject xml:lang="en">topic ${i}</dc:subject>`).join('');
  return `<rdf:RDF xmlns:rdf="${NS.rdf}" xmlns:dc="${NS.dc}" xmlns:edm="${NS.edm}" xmlns:ore="${NS.ore}" xmlns:skos="${NS.skos}">
  <edm:ProvidedCHO rdf:about="/1/r"/>
  <ore:Aggregation rdf:about="/aggregation/provider/1/r"><edm:object rdf:resource="http://x/o.jpg"/></ore:Aggregation>
  <ore:Proxy rdf:about="/proxy/provider/1/r"><dc:title>t</dc:title>${subjects}<edm:europeanaProxy>false</edm:europeanaProxy></ore:Proxy>
  <ore:Proxy rdf:about="/proxy/europeana/1/r"><edm:europeanaProxy>true</edm:europeanaProxy><ore:proxyFor rdf:resource="/1/r"/></ore:Proxy>
</rdf:RDF>`;
}

const concept = (about: string, parents: string[]): Entity => ({
  about,
  type: 'concept',
  parents,
  sameAs: [],
  xml: `<skos:Concept xmlns:skos="${NS.skos}" xmlns:rdf="${NS.rdf}" rdf:about="${about}"><skos:prefLabel xml:lang="en">${about}</skos:prefLabel></skos:Concept>`,
});

test('remote calls of one record, parents included, never exceed the concurrency limit', async () => {
  let inFlight = 0;
  let maxInFlight = 0;
  let calls = 0;
  const slow = async <T>(value: T): Promise<T> => {
    calls++;
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    await new Promise((r) => setTimeout(r, 2));
    inFlight--;
    return value;
  };
  // Every subject matches one concept with two parents, each with a parent of its own.
  const client: EntityClient = {
    findByText: (q) =>
      slow([
        concept(`http://data.europeana.eu/concept/${q.text.replace(' ', '-')}`, [
          `http://p/${q.text}/a`,
          `http://p/${q.text}/b`,
        ]),
      ]),
    findByUri: () => slow(undefined),
    getById: (id) =>
      slow(id.startsWith('http://p/') && !id.endsWith('/top') ? concept(id, [`${id}/top`]) : concept(id, [])),
  };
  const out = await createEnricher({ entityClient: client, concurrency: 3 })({
    recordId: 'r',
    content: recordWithSubjects(12),
  });
  assert.equal(out.status, 'success');
  assert.equal(maxInFlight, 3);
  assert.equal(calls, 12 + 12 * 2 + 12 * 2);
  // 12 concepts + 24 parents + 24 grandparents, each once; one dc:subject link per entity.
  assert.equal(out.data!.entitiesAdded, 60);
  assert.equal(out.data!.linksAdded, 60);
});

test('the limiter runs queued tasks in order and passes errors through', async () => {
  const limit = createLimiter(1);
  const order: number[] = [];
  const results = await Promise.allSettled(
    [1, 2, 3].map((n) => limit(async () => (order.push(n), n === 2 ? Promise.reject(new Error('two')) : n))),
  );
  assert.deepEqual(order, [1, 2, 3]);
  assert.equal(results[1].status, 'rejected');
  assert.deepEqual(results[2], { status: 'fulfilled', value: 3 });
});
