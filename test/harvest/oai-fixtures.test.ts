/**
 * The OAI client against Metis's own OAI-PMH response fixtures, served byte for byte by a node:http
 * server on 127.0.0.1.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { createOaiClient } from '../../src/steps/harvest/oai/oai-client.ts';
import { TaskError } from '../../src/steps/outcome.ts';
import { parseXml, type XmlElement } from '../../src/edm/xml.ts';

const harvesting = new URL('../../../shared/fixtures/metis/metis-framework/metis-harvesting/src/test/resources/', import.meta.url);
const ecloud = new URL('../../../shared/fixtures/metis/Europeana-Cloud/service/dps/rest/src/test/resources/', import.meta.url);
const fixture = (name: string) => readFile(new URL(name, harvesting));

/** Route: `listing` answers the first ListIdentifiers; a request with a token gets the no-token page. */
let routes: { listing?: string; record?: string; identify?: string } = {};
const server = createServer(async (req, res) => {
  const q = new URL(req.url ?? '/', 'http://x').searchParams;
  const verb = q.get('verb');
  let body: Buffer;
  if (verb === 'ListIdentifiers') body = await fixture(q.has('resumptionToken') ? 'oaiListIdentifiersNoResumptionToken.xml' : routes.listing!);
  else if (verb === 'GetRecord') body = await fixture(routes.record!);
  else body = await readFile(new URL(routes.identify!, ecloud));
  res.writeHead(200, { 'content-type': 'text/xml; charset=utf-8' });
  res.end(body);
});
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/oai`;
const client = createOaiClient({ retries: 0, retryDelayMs: 1 });
after(async () => {
  await client.close();
  server.close();
});
const endpoint = { baseUrl, metadataPrefix: 'edm', set: 'smvk-mm' };

test('completeListSize is known after the first page; the resumption token is followed to the end', async () => {
  routes = { listing: 'oaiListIdentifiers.xml' };
  const pages: Array<string | undefined> = [];
  const listing = client.listIdentifiers(endpoint, { onPage: (s) => void pages.push(s.nextToken) });
  assert.equal(listing.completeListSize, undefined);
  const state = await listing.open();
  assert.equal(state.completeListSize, 2932);
  assert.equal(state.nextToken, 'edm:smvk-mm:*:*:50:2932');
  const headers = [];
  for await (const h of listing) headers.push(h);
  assert.deepEqual(headers[0], { identifier: 'http://kulturarvsdata.se/SMVK-MM/Islam/3300001', datestamp: '2017-11-12', setSpecs: ['smvk-mm'], deleted: false });
  assert.equal(headers.length, 2);
  assert.deepEqual(pages, ['edm:smvk-mm:*:*:50:2932', undefined]);
  assert.equal(listing.state.done, true);
});

test('countRecords: missing, non-numeric or absent-token completeListSize gives null', async () => {
  for (const listing of ['oaiListIdentifiersNoCompleteListSize.xml', 'oaiListIdentifiersIncorrectCompleteListSize.xml', 'oaiListIdentifiersNoResumptionToken.xml']) {
    routes = { listing };
    assert.equal(await client.countRecords(endpoint), null, listing);
  }
  routes = { listing: 'oaiListIdentifiers2.xml' };
  assert.equal(await client.countRecords(endpoint), 2);
});

test('an OAI error on the listing (cannotDisseminateFormat, after a blank line before the XML declaration) is a task error', async () => {
  routes = { listing: 'oaiListIdentifiersIncorrectMetadataPrefix.xml' };
  const listing = client.listIdentifiers(endpoint);
  await assert.rejects(
    async () => {
      for await (const _ of listing) assert.fail('no header expected');
    },
    (e: unknown) => e instanceof TaskError && e.code === 'OAI_CANNOT_DISSEMINATE_FORMAT' && /Wrong metadata prefix\./.test(e.message),
  );
});

/** Element structure without namespace declarations, with whitespace-collapsed text. */
function shape(el: XmlElement): unknown {
  return {
    ns: el.ns,
    local: el.local,
    attrs: el.attrs.filter((a) => a.prefix !== 'xmlns' && a.name !== 'xmlns').map((a) => [a.ns, a.local, a.value]),
    children: el.children.flatMap((c) => (c.kind === 'element' ? [shape(c)] : c.kind === 'text' && c.text.trim() ? [c.text.replace(/\s+/g, ' ').trim()] : [])),
  };
}

test('GetRecord returns the metadata child as standalone XML equal to expectedOaiRecord.xml', async () => {
  routes = { record: 'sampleOaiRecord.xml' };
  const out = await client.fetchRecord(endpoint, 'oai:mediateka.centrumzamenhofa.pl:19');
  assert.equal(out.status, 'success');
  assert.equal(out.recordId, 'oai:mediateka.centrumzamenhofa.pl:19');
  assert.deepEqual(out.data, { identifier: 'oai:mediateka.centrumzamenhofa.pl:19', datestamp: '1981-07-01T00:00:00Z', setSpecs: ['mediateka:PL_2004_1'] });
  const expected = parseXml(await fixture('expectedOaiRecord.xml'));
  const actual = parseXml(out.content!);
  assert.deepEqual(shape(actual.root), shape(expected.root));
  // The OAI envelope's default namespace is not used inside, so it is not copied.
  assert.ok(!out.content!.includes('xmlns="http://www.openarchives.org/OAI/2.0/"'));
  assert.ok(out.content!.startsWith('<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/"'));
});

test('GetRecord of a deleted record is a record failure, not a crash', async () => {
  routes = { record: 'deletedOaiRecord.xml' };
  const out = await client.fetchRecord(endpoint, 'oai:mediateka.centrumzamenhofa.pl:20');
  assert.equal(out.status, 'fail');
  assert.equal(out.messages[0].code, 'OAI_RECORD_DELETED');
});

test('Identify (eCloud fixtures): repository name from CDATA, granularity', async () => {
  routes = { identify: 'identifySecondGranularity.xml' };
  const id = await client.identify(baseUrl);
  assert.equal(id.repositoryName, 'Repozytorium Instytucjonalne PCSS');
  assert.equal(id.granularity, 'YYYY-MM-DDThh:mm:ssZ');
  assert.deepEqual(id.adminEmails, ['dlibra-techhelp@man.poznan.pl']);
  routes = { identify: 'identifyNoGranularity.xml' };
  assert.equal((await client.identify(baseUrl)).granularity, undefined);
});
