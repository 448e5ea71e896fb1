import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  createExternalValidator,
  createInternalValidator,
  MISSING_NODE_ID,
  MISSING_RECORD_ID,
  type RecordValidator,
} from '../../src/steps/validate/validator.ts';
import { canonicalize } from '../transform/canonical.ts';
import { fixture, SANDBOX, SCHEMA_DIR, VALID_EXTERNAL, VALIDATION } from '../transform/fixtures.ts';

const ECLOUD = 'Europeana-Cloud/service/dps/storm/topologies/';

describe('external validation (sorter → EDM.xsd → external Schematron)', () => {
  let ext: RecordValidator;
  before(async () => {
    ext = await createExternalValidator({ schemaLocation: SCHEMA_DIR });
  });
  after(() => ext.dispose());

  for (const path of VALID_EXTERNAL) {
    it(`accepts ${path.split('/').pop()} and outputs it sorted`, () => {
      const out = ext({ recordId: path, content: fixture(path) });
      assert.equal(out.status, 'success', out.messages[0]?.message);
      assert.equal(out.recordId, path);
      assert.ok(out.content?.includes('<edm:ProvidedCHO'));
    });
  }

  it('outputs the sorter golden pair (bad-order) and accepts it', () => {
    const out = ext({ recordId: 'bad-order', content: fixture(`${SANDBOX}record/bad-order/record-input.xml`) });
    assert.equal(out.status, 'success', out.messages[0]?.message);
    assert.equal(canonicalize(out.content!), canonicalize(fixture(`${SANDBOX}record/bad-order/record-expected.xml`)));
  });

  it('accepts out-of-order elements once sorted, as eCloud does (the unsorted record fails the XSD)', () => {
    const path = `${ECLOUD}validation/src/test/resources/edmExternalWithOutOfOrderElements.xml`;
    assert.equal(ext({ recordId: 'x', content: fixture(path) }).status, 'success');
  });

  // Expected first errors: the MANIFEST column (XSD vs Schematron) and Metis's own tests.
  const cases: Array<{ file: string; code: string; message: string | RegExp; edmRecordId: string; nodeId?: string }> = [
    {
      file: `${VALIDATION}Item_schematron_invalid.xml`,
      code: 'SCHEMATRON',
      message: 'Schematron error: An ore:Aggregation must have at least one instance of edm:dataProvider',
      edmRecordId: 'URN:RS:NAE:5485bed1-1b22-42c9-8ad7-3c5978ebfa9acho',
      nodeId: 'http://digitalna.nb.rs/wb/NBS/Knjige/sabrana_dela_vuka_karadzica/II_146423_24',
    },
    {
      file: `${VALIDATION}Item_35834473.xml`,
      code: 'SCHEMATRON',
      message: 'Schematron error: Invalid Rights Statements',
      edmRecordId: '/08502/5F41E0B657BDD9923BA2C4655BB7A6880A2ED5C2',
      nodeId: '',
    },
    {
      file: `${VALIDATION}edm_external_invalid_edm_intendedUsage.xml`,
      code: 'SCHEMATRON',
      message: /^Schematron error: Invalid edm:WebResource\/edm:intendedUsage/,
      edmRecordId: 'CMC_HA/936',
      nodeId: MISSING_NODE_ID,
    },
    {
      file: `${ECLOUD}oai-pmh/src/test/resources/sampleEDMRecord.xml`,
      code: 'SCHEMATRON',
      message: 'Schematron error: Empty rdf:resource attribute is not allowed for edm:rights element.',
      edmRecordId: 'http://more.locloud.eu/object/DCU/24927017',
      nodeId: MISSING_NODE_ID,
    },
    {
      file: `${VALIDATION}Item_35834473_wrong.xml`,
      code: 'XSD_INVALID',
      message: /^cvc-complex-type\.2\.4\.a: Invalid content was found starting with element '\{"http:\/\/www\.openarchives\.org\/ore\/terms\/":Proxy\}'/,
      edmRecordId: MISSING_RECORD_ID,
    },
    {
      // The sorter drops the misspelt edm:ProvidedCHOI, as Metis's does; the Schematron then catches it.
      file: `${SANDBOX}record/record-missing-id.xml`,
      code: 'SCHEMATRON',
      message: 'Schematron error: Within a RDF context, there must be exactly one edm:ProvidedCHO.',
      edmRecordId: MISSING_RECORD_ID,
      nodeId: MISSING_NODE_ID,
    },
  ];
  for (const c of cases) {
    it(`rejects ${c.file.split('/').pop()} with its first error (${c.code})`, () => {
      const out = ext({ recordId: 'rec-1', content: fixture(c.file) });
      assert.equal(out.status, 'fail');
      assert.equal(out.recordId, 'rec-1');
      assert.equal(out.content, undefined);
      assert.equal(out.messages.length, 1);
      assert.equal(out.messages[0].code, c.code);
      if (typeof c.message === 'string') assert.equal(out.messages[0].message, c.message);
      else assert.match(out.messages[0].message, c.message);
      assert.equal(out.data?.edmRecordId, c.edmRecordId);
      assert.ok(out.messages[0].detail?.includes(c.edmRecordId), 'the record id is in the message detail');
      if (c.nodeId !== undefined) assert.equal(out.data?.nodeId, c.nodeId);
    });
  }

  it('fails a record that is not well-formed, or declares a DOCTYPE, without touching libxml2', () => {
    const broken = ext({ recordId: 'b', content: '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">' });
    assert.equal(broken.messages[0].code, 'XML_PARSE');
    const xxe = ext({
      recordId: 'x',
      content: '<!DOCTYPE r [<!ENTITY e SYSTEM "file:///etc/passwd">]><r>&e;</r>',
    });
    assert.equal(xxe.status, 'fail');
    assert.match(xxe.messages[0].message, /DOCTYPE/);
  });
});

describe('internal validation (EDM-INTERNAL.xsd → internal Schematron)', () => {
  let int: RecordValidator;
  before(async () => {
    int = await createInternalValidator({ schemaLocation: SCHEMA_DIR });
  });
  after(() => int.dispose());

  const valid = [
    `${SANDBOX}record/debias/debias-text-record.xml`,
    `${SANDBOX}record/transform/record-expected.xml`,
    'metis-framework/metis-transformation/metis-transformation-service/src/test/resources/europeana_record_edm_internal.xml',
    `${VALIDATION}Item_35834473_test.xml`,
    'metis-framework/metis-enrichment/metis-enrichment-client/src/test/resources/sample_1.rdf',
  ];
  for (const path of valid) {
    it(`accepts ${path.split('/').pop()} unchanged (no sorting)`, () => {
      const content = fixture(path);
      const out = int({ recordId: path, content });
      assert.equal(out.status, 'success', out.messages[0]?.message);
      assert.equal(out.content, content);
    });
  }

  it('rejects external records with the XSD error', () => {
    const out = int({ recordId: 'r', content: fixture(`${SANDBOX}zip/Record1.xml`) });
    assert.equal(out.messages[0].code, 'XSD_INVALID');
    assert.match(out.messages[0].message, /^cvc-complex-type\.2\.4\.a: Invalid content was found starting with element '\{"[^"]+":WebResource\}'/);
  });

  it('reports the first failed internal assert (MANIFEST int:2 records)', () => {
    const out = int({
      recordId: 'r',
      content: fixture('metis-framework/metis-enrichment/metis-enrichment-client/src/test/resources/sample_completeness.rdf'),
    });
    assert.equal(out.messages[0].code, 'SCHEMATRON');
    assert.equal(out.messages[0].message, 'Schematron error: A Europeana Proxy must NOT have a dc:subject or dc:type or dct:temporal or dct:spatial.');
    assert.match(String(out.data?.nodeId), /^http:\/\/data\.europeana\.eu\/proxy\/europeana\//);
  });
});

describe('compiled schema sharing', () => {
  it('shares one compiled XSD between validators and frees it after the last dispose', async () => {
    const a = await createExternalValidator({ schemaLocation: SCHEMA_DIR });
    const b = await createExternalValidator({ schemaLocation: SCHEMA_DIR });
    const record = { recordId: 'r', content: fixture(`${SANDBOX}zip/Record3.xml`) };
    a.dispose();
    a.dispose(); // idempotent: must not release b's share
    assert.equal(b(record).status, 'success', 'b still works after a is disposed');
    b.dispose();
    const c = await createExternalValidator({ schemaLocation: SCHEMA_DIR });
    assert.equal(c(record).status, 'success', 'a new validator compiles again');
    c.dispose();
  });
});

describe('record encoding', () => {
  it('validates the text as UTF-8 even when the XML declaration names another encoding', async () => {
    const int = await createInternalValidator({ schemaLocation: SCHEMA_DIR });
    try {
      // Without forcing UTF-8, libxml2 would decode the bytes as UTF-16 and reject the document.
      const content = fixture(`${SANDBOX}record/transform/record-expected.xml`).replace('encoding="UTF-8"', 'encoding="UTF-16"');
      assert.ok(content.includes('encoding="UTF-16"'));
      const out = int({ recordId: 'r', content });
      assert.equal(out.status, 'success', out.messages[0]?.message);
      assert.ok(out.content!.includes('Stanič'));
    } finally {
      int.dispose();
    }
  });
});
