import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { identifyHarvestedRecord } from '../../src/steps/harvest/record-identity.ts';
import { DuplicateDetector } from '../../src/steps/harvest/duplicate-detector.ts';
import { harvestArchive } from '../../src/steps/harvest/archive/archive-harvest.ts';
import { demoRecord } from '../../src/steps/harvest/oai/demo-dataset.ts';

const sandboxZip = new URL('../../../shared/fixtures/metis/metis-sandbox/src/test/resources/zip/', import.meta.url);

test('archive records get Europeana ids; a duplicate rdf:about and broken records fail per record', async () => {
  const detector = new DuplicateDetector();
  const outcomes = [];
  for await (const r of harvestArchive({ path: fileURLToPath(new URL('dataset-valid-with-corrupt-record.zip', sandboxZip)) })) {
    outcomes.push(identifyHarvestedRecord('2048a', r.path, r.content, detector));
  }
  assert.equal(outcomes.length, 28);
  const ok = outcomes.filter((o) => o.status === 'success');
  assert.ok(ok.length > 0 && ok.every((o) => o.recordId.startsWith('/2048/') && o.data!.providerId.startsWith('dataset-with-corrupt-record/')));
  const codes = outcomes.filter((o) => o.status === 'fail').map((o) => o.messages[0].code);
  // The one corrupt record of the fixture is not well-formed XML.
  assert.deepEqual(codes, ['XML_PARSE']);
  assert.equal(ok.length, 27);
  assert.equal(detector.size, ok.length);

  const rec1 = await readFile(new URL('Record1.xml', sandboxZip));
  assert.equal(identifyHarvestedRecord('1', 'Record1.xml', rec1, detector).status, 'success');
  // Another file with the same rdf:about, or the same file twice: duplicates.
  assert.equal(identifyHarvestedRecord('1', 'copy/Record1.xml', rec1, detector).messages[0].message, 'Duplicate detected');
  assert.equal(identifyHarvestedRecord('1', 'Record1.xml', rec1, detector).messages[0].code, 'DUPLICATE_RECORD');
});

test('demo records: defect no-about fails with the Metis message, a valid one succeeds', () => {
  let i = 0;
  while (demoRecord(i).defect !== 'no-about') i++;
  const bad = identifyHarvestedRecord('9', 'x', demoRecord(i).xml);
  assert.equal(bad.status, 'fail');
  assert.equal(bad.messages[0].message, 'Could not find provider ID in source.');
  const good = identifyHarvestedRecord('9', 'y', demoRecord(0).xml);
  assert.equal(good.recordId, '/9/URN_NBN_DEMO_doc_1_0');
  assert.equal(identifyHarvestedRecord('9', 'z', '<rdf:RDF').messages[0].code, 'XML_PARSE');
});
