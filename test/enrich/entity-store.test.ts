import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { openPglite, type Db } from '../../src/store/db.ts';
import { EntityStore, normalizeLabel } from '../../src/store/entity-store.ts';
import { readEntityFile } from '../../src/steps/enrich/entity-file.ts';
import { entityClientSuite } from './entity-client-suite.ts';
import { COMMON_RESOURCES, storeWithFixtures } from './fixture-server.ts';

entityClientSuite('built-in entity store on PGlite', async () => {
  const db = await openPglite();
  return { client: await storeWithFixtures(db), close: () => db.close() };
});

describe('EntityStore', () => {
  let db: Db;
  let store: EntityStore;
  before(async () => {
    db = await openPglite();
    store = new EntityStore(db, { cacheSize: 0 });
    await store.migrate();
    await store.migrate(); // idempotent
    for (const f of ['entity-agent.xml', 'entity-concept.xml', 'entity-place.xml', 'entity-organization.xml']) {
      assert.equal(await store.importEntities(await readEntityFile(new URL(f, COMMON_RESOURCES))), 1);
    }
  });
  after(() => db.close());

  test('loads the entity XMLs of metis-enrichment-common, one entity each', async () => {
    assert.equal(await store.count(), 4);
    const agent = await store.getById('http://www.wikidata.org/entity/Q733791');
    assert.equal(agent?.type, 'agent');
    assert.match(agent!.xml, /<rdaGr2:dateOfBirth>1879-04-06T00:00:00Z<\/rdaGr2:dateOfBirth>/);
  });

  test('matches by normalized label, language and type', async () => {
    const about = async (
      text: string,
      lang: string | undefined,
      type: 'agent' | 'concept' | 'place' | 'organization',
    ) => (await store.findByText({ text, lang, types: [type] })).map((e) => e.about);
    assert.deepEqual(await about('Osvald Sirén', 'sv', 'agent'), ['http://www.wikidata.org/entity/Q733791']);
    assert.deepEqual(
      await about('  osvald   SIREN ', 'en', 'agent'),
      ['http://www.wikidata.org/entity/Q733791'],
      'case, spaces and accents do not matter',
    );
    assert.deepEqual(
      await about('Oswald Siren', 'en', 'agent'),
      ['http://www.wikidata.org/entity/Q733791'],
      'altLabels count',
    );
    assert.deepEqual(
      await about('Oswald Siren', 'nl', 'agent'),
      [],
      'an altLabel only in English does not match Dutch',
    );
    assert.deepEqual(
      await about('Oswald Siren', undefined, 'agent'),
      ['http://www.wikidata.org/entity/Q733791'],
      'no language: any',
    );
    assert.deepEqual(await about('Osvald Sirén', 'sv', 'concept'), [], 'the type must match');
    assert.deepEqual(await about('Malopolska Biblioteka Cyfrowa', 'pl', 'organization'), [
      'http://data.europeana.eu/organization/2897',
    ]);
    assert.deepEqual(await about('traditional Chinese medicine', 'en', 'concept'), [
      'http://www.wikidata.org/entity/Q200253',
    ]);
    assert.deepEqual(await about('Republic of China', 'en', 'place'), ['http://www.wikidata.org/entity/Q13426199']);
  });

  test('co-reference URIs: an entity is found by its own id and by its sameAs links', async () => {
    const place = await store.getById('http://www.wikidata.org/entity/Q13426199');
    assert.ok(place && place.sameAs.length > 0);
    assert.equal((await store.findByUri(place.sameAs[0]))?.about, place.about);
    assert.equal((await store.findByUri(place.about))?.about, place.about);
  });

  test('re-loading an entity replaces it instead of duplicating labels', async () => {
    await store.importEntities(await readEntityFile(new URL('entity-organization.xml', COMMON_RESOURCES)));
    assert.equal(await store.count(), 4);
    const found = await store.findByText({
      text: 'Małopolska Biblioteka Cyfrowa',
      lang: 'pl',
      types: ['organization'],
    });
    assert.equal(found.length, 1);
  });

  test('label normalization folds accents, case and whitespace', () => {
    assert.equal(normalizeLabel('  Lietuvos Centrinis  Valstybés\tArchyvas '), 'lietuvos centrinis valstybes archyvas');
    assert.equal(normalizeLabel('Güiro'), 'guiro');
  });
});
