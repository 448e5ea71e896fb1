/**
 * One behaviour suite for every `EntityClient`: the Entity API over HTTP and the built-in entity
 * store (PGlite here, PostgreSQL in test/integration) must give the same answers for the same data.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { EntityClient } from '../../src/steps/enrich/types.ts';
import { parseXml, childElements, getAttr, textContent } from '../../src/edm/xml.ts';
import { NS } from '../../src/edm/namespaces.ts';

export interface ClientUnderTest {
  client: EntityClient;
  close(): Promise<void>;
}

const prefLabel = (xml: string, lang: string): string | undefined => {
  const el = childElements(parseXml(xml).root, NS.skos, 'prefLabel').find((e) => getAttr(e, NS.xml, 'lang') === lang);
  return el ? textContent(el) : undefined;
};

/** Registers the shared suite under `name`; `setup` builds a client that knows the fixture entities. */
export function entityClientSuite(name: string, setup: () => Promise<ClientUnderTest>): void {
  describe(`EntityClient contract: ${name}`, () => {
    let under: ClientUnderTest;
    before(async () => {
      under = await setup();
    });
    after(async () => {
      await under?.close();
    });

    test('a text with one matching concept returns exactly that concept, as EDM XML', async () => {
      const found = await under.client.findByText({ text: 'Religion', lang: 'en', types: ['concept'] });
      assert.deepEqual(
        found.map((e) => [e.about, e.type]),
        [['http://data.europeana.eu/concept/84', 'concept']],
      );
      assert.equal(prefLabel(found[0].xml, 'de'), 'Religion');
      assert.equal(prefLabel(found[0].xml, 'el'), 'Θρησκεία');
      assert.ok(found[0].sameAs.includes('http://www.wikidata.org/entity/Q9174'));
      assert.equal(parseXml(found[0].xml).root.name, 'skos:Concept');
    });

    test('texts without a match return nothing', async () => {
      assert.deepEqual(
        await under.client.findByText({ text: 'Paranguaricutirimicuaro', lang: 'en', types: ['concept'] }),
        [],
      );
      assert.deepEqual(await under.client.findByText({ text: 'Piotras Kalabuchovas', types: ['agent'] }), []);
    });

    test('a Dutch label finds its concept', async () => {
      const found = await under.client.findByText({ text: 'Muziek', lang: 'nl', types: ['concept'] });
      assert.deepEqual(
        found.map((e) => e.about),
        ['http://data.europeana.eu/concept/62'],
      );
    });

    test('an organization is found by its name and written as foaf:Organization with its labels only', async () => {
      const found = await under.client.findByText({
        text: 'EFG - The European Film Gateway',
        lang: 'en',
        types: ['organization'],
      });
      assert.deepEqual(
        found.map((e) => [e.about, e.type]),
        [['http://data.europeana.eu/organization/1585', 'organization']],
      );
      const root = parseXml(found[0].xml).root;
      assert.equal(root.name, 'foaf:Organization');
      assert.deepEqual(
        childElements(root).map((c) => c.name),
        ['skos:prefLabel'],
      );
    });

    test('a co-reference URI resolves to the entity that declares it as sameAs', async () => {
      const place = await under.client.findByUri('http://dbpedia.org/resource/Lithuania');
      assert.equal(place?.about, 'http://data.europeana.eu/place/94');
      assert.equal(place?.type, 'place');
      assert.equal(prefLabel(place!.xml, 'lt'), 'Lietuva');
      const lat = childElements(parseXml(place!.xml).root, NS.wgs84_pos, 'lat')[0];
      assert.equal(textContent(lat), '55.2');
    });

    test('an unknown co-reference URI resolves to nothing', async () => {
      assert.equal(
        await under.client.findByUri(
          'http://dbpedia.org/resource/Lithuanian_Soviet_Socialist_Republic_%281918%E2%80%931919%29',
        ),
        undefined,
      );
    });

    test('an entity is found by its Europeana id; an unknown id gives nothing', async () => {
      const concept = await under.client.getById('http://data.europeana.eu/concept/3401');
      assert.equal(concept?.about, 'http://data.europeana.eu/concept/3401');
      assert.equal(prefLabel(concept!.xml, 'nl'), 'Ethiek');
      assert.equal(await under.client.getById('http://data.europeana.eu/concept/XXXXXXXXX'), undefined);
    });
  });
}
