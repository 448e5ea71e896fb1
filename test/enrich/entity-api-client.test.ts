import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { EntityApiClient } from '../../src/steps/enrich/entity-api-client.ts';
import { HttpStatusError } from '../../src/steps/enrich/types.ts';
import { NetworkError } from '../../src/steps/enrich/http.ts';
import { entityClientSuite } from './entity-client-suite.ts';
import { startFixtureServer, type FixtureServer } from './fixture-server.ts';

const options = (server: FixtureServer) => ({
  apiUrl: `${server.url}/entity`,
  managementUrl: `${server.url}/entitymgmt`,
  apiKey: 'api2demo',
  retryDelayMs: 1,
});

entityClientSuite('Entity API over HTTP (loopback server, Metis fixtures)', async () => {
  const server = await startFixtureServer();
  return { client: new EntityApiClient(options(server)), close: () => server.close() };
});

describe('EntityApiClient over HTTP', () => {
  let server: FixtureServer;
  before(async () => {
    server = await startFixtureServer();
  });
  after(() => server.close());

  test('sends the API key as wskey and the bearer token as Authorization', async () => {
    const client = new EntityApiClient({ ...options(server), bearerToken: async () => 'tok-123' });
    await client.findByText({ text: 'Religion', lang: 'en', types: ['concept'] });
    const req = server.requests.at(-1)!;
    const url = new URL(req.url, server.url);
    assert.equal(url.pathname, '/entity/enrich');
    assert.equal(url.searchParams.get('wskey'), 'api2demo');
    assert.equal(url.searchParams.get('type'), 'concept');
    assert.equal(req.headers.authorization, 'Bearer tok-123');
  });

  test('answers are cached: the same lookup twice sends one request', async () => {
    const client = new EntityApiClient(options(server));
    const [a, b] = await Promise.all([
      client.findByUri('http://dbpedia.org/resource/Lithuania'),
      client.findByUri('http://dbpedia.org/resource/Lithuania'),
    ]);
    await client.findByUri('http://dbpedia.org/resource/Lithuania');
    assert.equal(a?.about, 'http://data.europeana.eu/place/94');
    assert.equal(b, a);
    assert.equal(client.requestCount, 1);
  });

  test('network errors are retried; after the retries run out it fails with a NetworkError', async () => {
    const client = new EntityApiClient({ ...options(server), retries: 2, cacheSize: 0 });
    server.failNext(2);
    const found = await client.getById('http://data.europeana.eu/concept/84');
    assert.equal(found?.about, 'http://data.europeana.eu/concept/84');
    assert.equal(client.requestCount, 3);
    server.failNext(3);
    await assert.rejects(client.getById('http://data.europeana.eu/concept/84'), NetworkError);
    server.failNext(0);
  });

  test('a timeout counts as a network error', async () => {
    const slow = new EntityApiClient({
      apiUrl: `${server.url}/entity/slow`,
      managementUrl: `${server.url}/entity/slow`,
      timeoutMs: 50,
      retries: 0,
    });
    await assert.rejects(
      slow.findByText({ text: 'x', types: ['agent'] }),
      (err: Error) => err instanceof NetworkError && /timed out/.test(err.message),
    );
  });

  test('an unmatched text lookup (HTTP 404) and a server error are errors; an unknown id is not', async () => {
    const client = new EntityApiClient(options(server));
    await assert.rejects(
      client.findByText({ text: 'Religija', lang: 'lt', types: ['concept'] }),
      (e: unknown) => e instanceof HttpStatusError && e.status === 404,
    );
    await assert.rejects(
      client.getById('http://data.europeana.eu/concept/500'),
      (e: unknown) => e instanceof HttpStatusError && e.status === 500,
    );
    assert.equal(await client.getById('http://data.europeana.eu/concept/XXXXXXXXX'), undefined);
    assert.equal(
      await client.getById('http://vocab.getty.edu/aat/300136900'),
      undefined,
      'not a Europeana id: no request',
    );
  });
});

describe('enrichment configuration', () => {
  test('builds the HTTP clients it names, with defaults, and rejects a bad URL', async () => {
    const { httpClientsFromConfig } = await import('../../src/steps/enrich/config.ts');
    const none = httpClientsFromConfig({});
    assert.equal(none.entityApi, undefined);
    assert.equal(none.config.timeoutMs, 30_000);
    assert.equal(none.config.concurrency, 8);
    const both = httpClientsFromConfig({
      entityApiUrl: 'https://api.europeana.eu/entity',
      dereferenceUrl: 'http://deref.example/',
      apiKey: 'k',
    });
    assert.ok(both.entityApi instanceof EntityApiClient);
    assert.ok(both.dereference);
    assert.throws(() => httpClientsFromConfig({ entityApiUrl: 'not a url' }));
  });
});
