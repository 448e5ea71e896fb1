/**
 * A real HTTP server on 127.0.0.1 that plays the Europeana Entity API and a Metis dereference
 * service, answering with Metis's own WireMock fixture files byte for byte (the stubs of
 * EnrichmentWorkerImplTest), 404 for anything else, plus a few routes for redirect/failure cases.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Db } from '../../src/store/db.ts';
import { EntityStore } from '../../src/store/entity-store.ts';
import { readEntityFile } from '../../src/steps/enrich/entity-file.ts';

export const CLIENT_RESOURCES = new URL(
  '../../../shared/fixtures/metis/metis-framework/metis-enrichment/metis-enrichment-client/src/test/resources/',
  import.meta.url,
);
export const CLIENT_MAIN_RESOURCES = new URL(
  '../../../shared/fixtures/metis/metis-framework/metis-enrichment/metis-enrichment-client/src/main/resources/',
  import.meta.url,
);
export const COMMON_RESOURCES = new URL(
  '../../../shared/fixtures/metis/metis-framework/metis-enrichment/metis-enrichment-common/src/test/resources/',
  import.meta.url,
);

export const fixture = (path: string): Buffer => readFileSync(new URL(path, CLIENT_RESOURCES));

/** Text lookups: `text|lang|type` → Entity API answer file. */
const ENRICH: Record<string, string> = {
  'Religion|en|concept': 'entity-api/entity-api-response-concept.json',
  'Piotras Kalabuchovas||agent': 'entity-api/entity-api-response-agent-nomatch.json',
  'Paranguaricutirimicuaro|en|concept': 'entity-api/entity-api-response-concept-nomatch.json',
  'Lietuvos Centrinis Valstybés Archyvas||organization': 'entity-api/entity-api-response-organization.json',
  'EFG - The European Film Gateway|en|organization': 'entity-api/entity-api-response-organization.json',
  '1957|en|timespan': 'entity-api/entity-api-response-timespan.json',
  'Muziek|nl|concept': 'entity-api/entity-api-response-concept-ii.json',
  'Güiro|es|concept': 'entity-api/entity-api-response-concept-iii.json',
  'ethics|nl|concept': 'entity-api/entity-api-response-concept-iv.json',
};

/** Co-reference lookups: uri → answer file. */
const RESOLVE: Record<string, string> = {
  'http://dbpedia.org/resource/Lithuanian_Soviet_Socialist_Republic_%281918%E2%80%931919%29':
    'entity-api/entity-api-response-resolve-uri-nomatch.json',
  'https://sws.geonames.org/597427/': 'entity-api/entity-api-response-resolve-uri-concept.json',
  'http://vocab.getty.edu/aat/300136900': 'entity-api/entity-api-response-resolve-uri-concept.json',
  'http://dbpedia.org/resource/Lithuania': 'entity-api/entity-api-response-resolve-uri-place.json',
  'http://www.mimo-db.eu/InstrumentsKeywords/0': 'entity-api/entity-api-response-resolve-uri-concept-ii.json',
  'http://www.mimo-db.eu/InstrumentsKeywords/3052': 'entity-api/entity-api-response-resolve-uri-concept-ii.json',
  'http://vocab.getty.edu/aat/400136800': 'entity-api/entity-api-response-resolve-uri-concept.json',
};

/** Entities by id (entity management API). */
const MGMT: Record<string, string> = {
  '/entitymgmt/concept/base/84': 'entity-api/entity-api-response-mgmt-concept-base.json',
  '/entitymgmt/concept/base/62': 'entity-api/entity-api-response-mgmt-concept-ii-base.json',
  '/entitymgmt/concept/base/3401': 'entity-api/entity-api-response-mgmt-concept-base-ii.json',
  '/entitymgmt/organization/base/1482250000004671158': 'entity-api/entity-api-response-mgmt-organization-base.json',
};

/** Dereference service: uri → metis:results file. */
const DEREFERENCE: Record<string, string> = {
  'https://sws.geonames.org/597427/': 'dereference/dereference-geoname.xml',
  'http://vocab.getty.edu/aat/300136900': 'dereference/dereference-vocabulary.xml',
  'http://www.mimo-db.eu/InstrumentsKeywords/3052': 'dereference/dereference-normal.xml',
  // Metis's stub names dereference-no-entity.xml, which the repository does not contain.
  'http://www.mimo-db.eu/InstrumentsKeywords/0': 'dereference/dereference-no-vocabulary.xml',
  'http://semantics.gr/authorities/thematic_tags/994210004': 'dereference/dereference-normal-redirect.xml',
  'http://vocab.getty.edu/aat/400136800': 'dereference/dereference-failure.xml',
  // Extra URIs for the client's own tests.
  'http://example.org/null': 'dereference/dereference-null.xml',
  'http://example.org/unknown-europeana': 'dereference/dereference-unknown-europeana-entity.xml',
  'http://example.org/ethics': 'dereference/dereference-normal-ii.xml',
};

export interface FixtureServer {
  url: string;
  /** Every request seen: method, path with query, and headers. */
  requests: Array<{ url: string; headers: IncomingMessage['headers'] }>;
  /** The next `n` requests have their connection destroyed (a network error). */
  failNext(n: number): void;
  close(): Promise<void>;
}

/** Starts the fixture server on an ephemeral loopback port. */
export async function startFixtureServer(): Promise<FixtureServer> {
  const requests: FixtureServer['requests'] = [];
  let failures = 0;
  const server: Server = createServer((req, res) => {
    requests.push({ url: req.url ?? '', headers: req.headers });
    if (failures > 0) {
      failures--;
      req.socket.destroy();
      return;
    }
    const url = new URL(req.url ?? '/', 'http://localhost');
    const q = url.searchParams;
    const send = (file: string, type: string) => {
      res.writeHead(200, { 'content-type': type });
      res.end(fixture(file));
    };
    let file: string | undefined;
    if (url.pathname === '/entity/enrich') file = ENRICH[`${q.get('text')}|${q.get('lang') ?? ''}|${q.get('type')}`];
    else if (url.pathname === '/entity/resolve') file = RESOLVE[q.get('uri') ?? ''];
    else if (url.pathname.startsWith('/entitymgmt/')) file = MGMT[url.pathname];
    if (file) return send(file, 'application/json');
    if (url.pathname === '/dereference') {
      const uri = q.get('uri') ?? '';
      if (uri === 'http://example.org/moved') {
        res.writeHead(302, {
          location: `/dereference?uri=${encodeURIComponent('http://www.mimo-db.eu/InstrumentsKeywords/3052')}`,
        });
        return res.end();
      }
      if (uri === 'http://example.org/bad-request') {
        res.writeHead(400, { 'content-type': 'text/plain' });
        return res.end('bad request');
      }
      if (uri === 'http://example.org/server-error') {
        res.writeHead(500, { 'content-type': 'text/plain' });
        return res.end('boom');
      }
      if (uri === 'http://example.org/slow')
        return void setTimeout(() => send('dereference/dereference-normal.xml', 'application/xml'), 500);
      const deref = DEREFERENCE[uri];
      if (deref) return send(deref, 'application/xml');
    }
    if (url.pathname.startsWith('/entity/slow')) return void setTimeout(() => res.end('{}'), 500);
    if (url.pathname === '/entitymgmt/concept/base/500') {
      res.writeHead(500);
      return res.end();
    }
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('Request was not matched');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    failNext(n) {
      failures = n;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The Entity API JSON fixtures the built-in store is loaded with, to answer like the server above. */
export const STORE_JSON_FIXTURES = [
  'entity-api/entity-api-response-concept.json',
  'entity-api/entity-api-response-mgmt-concept-base.json',
  'entity-api/entity-api-response-concept-ii.json',
  'entity-api/entity-api-response-mgmt-concept-base-ii.json',
  'entity-api/entity-api-response-resolve-uri-place.json',
  'entity-api/entity-api-response-resolve-uri-concept.json',
  'entity-api/entity-api-response-organization.json',
  'entity-api/entity-api-response-organization-ii.json',
];

/** A built-in store on `db` loaded with the same Entity API fixtures the loopback server answers with. */
export async function storeWithFixtures(db: Db): Promise<EntityStore> {
  const store = new EntityStore(db);
  await store.migrate();
  for (const f of STORE_JSON_FIXTURES) await store.importEntities(await readEntityFile(new URL(f, CLIENT_RESOURCES)));
  return store;
}
