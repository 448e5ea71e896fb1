/**
 * The shared EntityClient suite once more, with the built-in entity store on the real PostgreSQL
 * server (a fresh database for this file), plus a bulk load.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase, type TestDatabase } from '../support/pg.ts';
import { EntityStore } from '../../src/store/entity-store.ts';
import { entitiesFromText } from '../../src/steps/enrich/entity-xml.ts';
import { withLabels } from '../../src/steps/enrich/entity-file.ts';
import { NS } from '../../src/edm/namespaces.ts';
import { entityClientSuite } from '../enrich/entity-client-suite.ts';
import { storeWithFixtures } from '../enrich/fixture-server.ts';

entityClientSuite('built-in entity store on PostgreSQL', async () => {
  const t = await createTestDatabase('metis_entities');
  return { client: await storeWithFixtures(t.db), close: () => t.drop() };
});

describe('EntityStore on PostgreSQL', () => {
  let t: TestDatabase;
  before(async () => {
    t = await createTestDatabase('metis_entities');
  });
  after(() => t.drop());

  test('several workers may migrate at once', async () => {
    await Promise.all(Array.from({ length: 4 }, () => new EntityStore(t.db).migrate()));
    assert.equal(await new EntityStore(t.db).count(), 0);
  });

  test('an rdf:RDF file of many entities loads in one transaction and every one is findable', async () => {
    const store = new EntityStore(t.db, { cacheSize: 0 });
    await store.migrate();
    const places = Array.from(
      { length: 300 },
      (_, i) =>
        `<edm:Place rdf:about="http://example.org/place/${i}"><skos:prefLabel xml:lang="en">Town ${i}</skos:prefLabel><owl:sameAs rdf:resource="http://other.org/${i}"/></edm:Place>`,
    );
    const file = `<rdf:RDF xmlns:rdf="${NS.rdf}" xmlns:edm="${NS.edm}" xmlns:skos="${NS.skos}" xmlns:owl="${NS.owl}">${places.join('')}</rdf:RDF>`;
    assert.equal(await store.importEntities(withLabels(entitiesFromText(file))), 300);
    assert.equal(await store.count(), 300);
    assert.deepEqual(
      (await store.findByText({ text: 'town 123', lang: 'en', types: ['place'] })).map((e) => e.about),
      ['http://example.org/place/123'],
    );
    assert.equal((await store.findByUri('http://other.org/299'))?.about, 'http://example.org/place/299');
  });
});
