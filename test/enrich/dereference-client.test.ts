import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { HttpDereferenceClient, parseDereferenceResults } from '../../src/steps/enrich/dereference-client.ts';
import { HttpStatusError } from '../../src/steps/enrich/types.ts';
import { fixture, startFixtureServer, type FixtureServer } from './fixture-server.ts';

describe('HttpDereferenceClient against a loopback dereference service', () => {
  let server: FixtureServer;
  let client: HttpDereferenceClient;
  before(async () => {
    server = await startFixtureServer();
    client = new HttpDereferenceClient({ url: server.url, retryDelayMs: 1 });
  });
  after(() => server.close());

  test('a geonames place comes back with its broader places and SUCCESS', async () => {
    const r = await client.dereference('https://sws.geonames.org/597427/');
    assert.equal(r.status, 'SUCCESS');
    assert.deepEqual(
      r.entities.map((e) => [e.about, e.type]),
      [
        ['https://sws.geonames.org/6695072/', 'place'],
        ['https://sws.geonames.org/7729883/', 'place'],
        ['https://sws.geonames.org/12217934/', 'place'],
        ['https://sws.geonames.org/12217933/', 'place'],
        ['https://sws.geonames.org/597427/', 'place'],
      ],
    );
    const lithuania = r.entities[4];
    assert.deepEqual(lithuania.parents.length, 4);
    assert.ok(lithuania.sameAs.includes('http://dbpedia.org/resource/Lithuania'));
    // The entity XML stands alone: it declares the prefixes it uses.
    assert.match(lithuania.xml, /^<edm:Place [^>]*xmlns:edm="http:\/\/www\.europeana\.eu\/schemas\/edm\/"/);
    assert.match(lithuania.xml, /xmlns:wgs84_pos=/);
  });

  test('the request carries the URI encoded in the query', async () => {
    await client.dereference('http://vocab.getty.edu/aat/300136900');
    const last = new URL(server.requests.at(-1)!.url, server.url);
    assert.equal(last.pathname, '/dereference');
    assert.equal(last.searchParams.get('uri'), 'http://vocab.getty.edu/aat/300136900');
  });

  test('statuses without entities: FAILURE, NO_VOCABULARY_MATCHING, UNKNOWN_EUROPEANA_ENTITY, empty result', async () => {
    assert.deepEqual(await client.dereference('http://vocab.getty.edu/aat/400136800'), {
      status: 'FAILURE',
      entities: [],
    });
    assert.deepEqual(await client.dereference('http://www.mimo-db.eu/InstrumentsKeywords/0'), {
      status: 'NO_VOCABULARY_MATCHING',
      entities: [],
    });
    assert.deepEqual(await client.dereference('http://example.org/unknown-europeana'), {
      status: 'UNKNOWN_EUROPEANA_ENTITY',
      entities: [],
    });
    assert.deepEqual(await client.dereference('http://example.org/null'), { status: 'UNKNOWN_ENTITY', entities: [] });
  });

  test('an HTTP redirect is followed', async () => {
    const r = await client.dereference('http://example.org/moved');
    assert.equal(r.status, 'SUCCESS');
    assert.deepEqual(
      r.entities.map((e) => e.about),
      ['http://www.mimo-db.eu/InstrumentsKeywords/3052'],
    );
  });

  test('not found, bad request and server error are HTTP status errors', async () => {
    for (const [uri, status] of [
      ['http://example.org/not-stubbed', 404],
      ['http://example.org/bad-request', 400],
      ['http://example.org/server-error', 500],
    ] as const) {
      await assert.rejects(
        client.dereference(uri),
        (e: unknown) => e instanceof HttpStatusError && e.status === status,
      );
    }
  });

  test('the result of a vocabulary with a redirecting remote is read like any other', () => {
    const r = parseDereferenceResults(fixture('dereference/dereference-normal-redirect.xml').toString('utf8'));
    assert.equal(r.status, 'SUCCESS');
    assert.equal(r.entities[0].about, 'http://semantics.gr/authorities/thematic_tags/994210004');
    assert.deepEqual(r.entities[0].sameAs, ['http://semantics.gr/authorities/general-terms-ekt/5555']);
  });
});
