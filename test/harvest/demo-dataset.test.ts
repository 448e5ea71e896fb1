import { test } from 'node:test';
import assert from 'node:assert/strict';
import { demoDefect, demoRecord } from '../../src/steps/harvest/oai/demo-dataset.ts';
import { parseXml } from '../../src/edm/xml.ts';
import { generatedIdsForRecord } from '../../src/edm/ids.ts';
import { startDemoOaiServer } from '../../src/steps/harvest/oai/demo-server.ts';
import { createOaiClient } from '../../src/steps/harvest/oai/oai-client.ts';

test('demo records are deterministic, well-formed, and broken at the configured ratio', () => {
  assert.equal(demoRecord(42).xml, demoRecord(42).xml);
  assert.notEqual(demoRecord(42, { seed: 2 }).xml, demoRecord(42).xml);
  const count = (ratio: number) => Array.from({ length: 10_000 }, (_, i) => demoDefect(i, { invalidRatio: ratio })).filter(Boolean).length;
  assert.equal(count(0), 0);
  assert.equal(count(1), 10_000);
  const tenth = count(0.1);
  assert.ok(tenth > 900 && tenth < 1100, `${tenth} defective of 10,000`);
  const kinds = new Set<string>();
  for (let i = 0; i < 500; i++) {
    const r = demoRecord(i);
    parseXml(r.xml); // all well-formed, broken ones included
    if (r.defect) kinds.add(r.defect);
    else assert.equal(generatedIdsForRecord('7', r.xml).sourceProvidedChoAbout, r.about);
    if (r.defect === 'no-rights') assert.ok(!r.xml.includes('<edm:rights'));
    if (r.defect === 'no-type') assert.ok(!r.xml.includes('<edm:type>'));
  }
  assert.deepEqual([...kinds].sort(), ['no-about', 'no-rights', 'no-type']);
});

test('the demo server serves the demo dataset over OAI-PMH', async () => {
  const server = await startDemoOaiServer({ size: 25, pageSize: 10, dataset: { invalidRatio: 0 } });
  const client = createOaiClient({ retries: 0 });
  try {
    const ids: string[] = [];
    for await (const h of client.listIdentifiers({ baseUrl: server.url, metadataPrefix: 'edm' })) ids.push(h.identifier);
    assert.equal(ids.length, 25);
    const rec = await client.fetchRecord({ baseUrl: server.url, metadataPrefix: 'edm' }, ids[7]);
    // Byte for byte, apart from the XML declaration and the newline after the root.
    assert.equal(rec.content, demoRecord(7, { invalidRatio: 0 }).xml.replace(/^<\?xml[^>]*\?>\s*/, '').trimEnd());
    assert.equal((await client.identify(server.url)).repositoryName, 'Metis Streams demo repository');
  } finally {
    await client.close();
    await server.close();
  }
});
