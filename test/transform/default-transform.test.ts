import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parseXml } from '../../src/edm/xml.ts';
import { createTransformer, type RecordTransformer } from '../../src/steps/transform/transformer.ts';
import {
  createExternalValidator,
  createInternalValidator,
  type RecordValidator,
} from '../../src/steps/validate/validator.ts';
import { canonicalize } from './canonical.ts';
import { fixture, SANDBOX, SCHEMA_DIR, VALID_EXTERNAL } from './fixtures.ts';

describe('default EDM external → internal transformation (TypeScript, no XSLT engine)', () => {
  let transform: RecordTransformer;
  let ext: RecordValidator;
  let int: RecordValidator;
  before(async () => {
    transform = await createTransformer({ datasetId: '1', datasetName: 'One', country: 'Italy', language: 'it' });
    ext = await createExternalValidator({ schemaLocation: SCHEMA_DIR });
    int = await createInternalValidator({ schemaLocation: SCHEMA_DIR });
  });
  after(() => {
    ext.dispose();
    int.dispose();
  });

  it('matches the Sandbox golden pair (datasetId 1, One, Italy, it) after canonicalization', () => {
    const out = transform({ recordId: 'r', content: fixture(`${SANDBOX}record/transform/record-input.xml`) });
    assert.equal(out.status, 'success', out.messages[0]?.message);
    assert.equal(out.data?.europeanaId, '/1/URN_NBN_SI_doc_35SZSOCF');
    assert.equal(canonicalize(out.content!), canonicalize(fixture(`${SANDBOX}record/transform/record-expected.xml`)));
  });

  for (const path of VALID_EXTERNAL) {
    it(`turns ${path.split('/').pop()} into a record that passes internal validation`, () => {
      const validated = ext({ recordId: path, content: fixture(path) });
      assert.equal(validated.status, 'success', validated.messages[0]?.message);
      const transformed = transform({ recordId: path, content: validated.content! });
      assert.equal(transformed.status, 'success', transformed.messages[0]?.message);
      const checked = int({ recordId: path, content: transformed.content! });
      assert.equal(checked.status, 'success', checked.messages[0]?.message);
    });
  }

  it('splits provenance (@edm:wasGeneratedBy) into an aggregator proxy and aggregation', () => {
    const input = fixture(`${SANDBOX}record/transform/record-input.xml`).replace(
      '<dc:format xml:lang="sl">',
      '<dc:format xml:lang="sl" edm:wasGeneratedBy="http://aggregator/x">',
    );
    const out = transform({ recordId: 'r', content: input });
    assert.equal(out.status, 'success');
    const root = parseXml(out.content!).root;
    const abouts = root.children.flatMap((c) => (c.kind === 'element' ? [`${c.name} ${c.attrs.find((a) => a.local === 'about')?.value}`] : []));
    assert.deepEqual(abouts, [
      'edm:ProvidedCHO /1/URN_NBN_SI_doc_35SZSOCF',
      'edm:WebResource http://www.dlib.si/stream/URN:NBN:SI:doc-35SZSOCF/fe3c97d7-f950-4632-87cf-64844b040e71/PDF',
      'edm:WebResource http://www.dlib.si/stream/URN:NBN:SI:doc-35SZSOCF/8fa28f63-2af4-4189-9071-95026de84187/TEXT',
      'ore:Aggregation /aggregation/provider/1/URN_NBN_SI_doc_35SZSOCF',
      'ore:Aggregation /aggregation/aggregator/1/URN_NBN_SI_doc_35SZSOCF',
      'ore:Proxy /proxy/provider/1/URN_NBN_SI_doc_35SZSOCF',
      'ore:Proxy /proxy/aggregator/1/URN_NBN_SI_doc_35SZSOCF',
      'ore:Proxy /proxy/europeana/1/URN_NBN_SI_doc_35SZSOCF',
      'edm:EuropeanaAggregation /aggregation/europeana/1/URN_NBN_SI_doc_35SZSOCF',
    ]);
    const text = out.content!;
    const provider = text.slice(text.indexOf('/proxy/provider/1/'), text.indexOf('/proxy/aggregator/1/URN_NBN_SI_doc_35SZSOCF">'));
    const aggregator = text.slice(text.indexOf('<ore:Proxy rdf:about="/proxy/aggregator'), text.indexOf('/proxy/europeana/1/URN_NBN_SI_doc_35SZSOCF">'));
    assert.ok(!provider.includes('<dc:format'), 'the generated property left the provider proxy');
    assert.match(aggregator, /<dc:format xml:lang="sl">148 str/);
    assert.ok(!aggregator.includes('wasGeneratedBy'), 'only rdf:resource, xml:lang and rdf:datatype are copied');
    assert.match(aggregator, /<ore:lineage rdf:resource="\/proxy\/provider\/1\/URN_NBN_SI_doc_35SZSOCF"\/>/);
    assert.equal((text.match(/<ore:lineage /g) ?? []).length, 3, 'aggregator proxy + two on the Europeana proxy');
    assert.equal(int({ recordId: 'r', content: text }).status, 'success');
  });

  it('fails a record without ProvidedCHO rdf:about with Metis\'s message', () => {
    const out = transform({
      recordId: 'r',
      content: '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:edm="http://www.europeana.eu/schemas/edm/"><edm:ProvidedCHO/></rdf:RDF>',
    });
    assert.equal(out.status, 'fail');
    assert.equal(out.messages[0].code, 'NO_PROVIDER_ID');
    assert.equal(out.messages[0].message, 'Could not find provider ID in source.');
  });

  it('writes well-formed output whatever prefixes the input used (default namespace, odd prefixes)', () => {
    const input = `<RDF xmlns="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:e="http://www.europeana.eu/schemas/edm/" xmlns:d="http://purl.org/dc/elements/1.1/" xmlns:o="http://www.openarchives.org/ore/terms/">
      <e:ProvidedCHO about="x"><d:title>T</d:title></e:ProvidedCHO>
      <o:Aggregation about="a"><e:dataProvider>D</e:dataProvider></o:Aggregation></RDF>`;
    // rdf:about written unprefixed is not rdf:about, so make it namespaced for the id lookup
    const fixed = input.replace(/ about=/g, ' r:about=').replace('<RDF ', '<RDF xmlns:r="http://www.w3.org/1999/02/22-rdf-syntax-ns#" ');
    const out = transform({ recordId: 'r', content: fixed });
    assert.equal(out.status, 'success', out.messages[0]?.message);
    const doc = parseXml(out.content!);
    assert.match(out.content!, /<d:title xmlns:d="http:\/\/purl.org\/dc\/elements\/1.1\/">T<\/d:title>/);
    assert.equal(doc.root.local, 'RDF');
  });
});
