import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseXml } from '../../src/edm/xml.ts';
import { checkExternalSchematron } from '../../src/steps/validate/schematron-external.ts';
import { checkInternalSchematron } from '../../src/steps/validate/schematron-internal.ts';
import type { SchematronFailure } from '../../src/steps/validate/schematron-support.ts';

const NSDECL =
  'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:dc="http://purl.org/dc/elements/1.1/" ' +
  'xmlns:dcterms="http://purl.org/dc/terms/" xmlns:edm="http://www.europeana.eu/schemas/edm/" ' +
  'xmlns:ore="http://www.openarchives.org/ore/terms/" xmlns:cc="http://creativecommons.org/ns#" ' +
  'xmlns:odrl="http://www.w3.org/ns/odrl/2/" xmlns:schema="https://schema.org/"';

function external(opts: { cho?: string; agg?: string; rights?: string; extra?: string } = {}): string {
  const cho = opts.cho ?? '<dc:title>T</dc:title><dc:type>book</dc:type><edm:type>IMAGE</edm:type>';
  const rights = opts.rights ?? 'http://creativecommons.org/licenses/by/4.0/';
  const agg =
    opts.agg ??
    `<edm:dataProvider>DP</edm:dataProvider><edm:isShownAt rdf:resource="http://x/1"/><edm:provider>P</edm:provider><edm:rights rdf:resource="${rights}"/>`;
  return `<rdf:RDF ${NSDECL}><edm:ProvidedCHO rdf:about="cho1">${cho}</edm:ProvidedCHO>${opts.extra ?? ''}<ore:Aggregation rdf:about="agg1">${agg}</ore:Aggregation></rdf:RDF>`;
}
/** The failure without its pattern number (the differential test in test/fidelity checks those). */
const rule = (f: SchematronFailure | undefined) => f && { message: f.message, ...(f.nodeId !== undefined && { nodeId: f.nodeId }) };
const ext = (xml: string) => rule(checkExternalSchematron(parseXml(xml).root));

describe('external Schematron rules', () => {
  it('accepts a minimal complete record', () => {
    assert.equal(ext(external()), undefined);
  });

  it('accepts the rights statements Europeana lists, http with trailing slash only', () => {
    for (const ok of [
      'http://creativecommons.org/publicdomain/zero/1.0/',
      'http://rightsstatements.org/vocab/InC-EDU/1.0/',
      'http://creativecommons.org/licenses/by-nc-sa/3.0/igo/',
      'http://creativecommons.org/licenses/by/2.1/jp/',
    ])
      assert.equal(ext(external({ rights: ok })), undefined, ok);
    for (const bad of [
      'https://creativecommons.org/licenses/by/4.0/',
      'http://creativecommons.org/licenses/by/4.0',
      'http://creativecommons.org/licenses/by/2.1/',
      'http://rightsstatements.org/vocab/NoC-US/1.0/',
    ])
      assert.deepEqual(ext(external({ rights: bad })), { message: 'Invalid Rights Statements', nodeId: '' }, bad);
  });

  it('accepts a rights URI naming a cc:License that inherits from a valid statement', () => {
    const license = '<cc:License rdf:about="http://my/licence"><odrl:inheritFrom rdf:resource="http://creativecommons.org/licenses/by/4.0/"/></cc:License>';
    assert.equal(ext(external({ rights: 'http://my/licence', extra: license })), undefined);
    assert.equal(ext(external({ rights: 'http://other/licence', extra: license }))?.message, 'Invalid Rights Statements');
  });

  it('reports the first failing pattern, in the order of the compiled stylesheet', () => {
    // Both an empty xml:lang (pattern 11) and a resource-with-text (pattern 2): pattern 2 comes first.
    const f = ext(external({ cho: '<dc:title xml:lang="">T</dc:title><dc:type rdf:resource="http://t"> </dc:type><edm:type>IMAGE</edm:type>' }));
    assert.deepEqual(f, { message: 'Element dc:type should not have both rdf:resource attribute and text value populated.' });
    const lang = ext(external({ cho: '<dc:title xml:lang="">T</dc:title><dc:type>x</dc:type><edm:type>IMAGE</edm:type>' }));
    assert.equal(lang?.message, 'Empty xml:lang attribute is not allowed for dc:title element.');
  });

  it('checks the ProvidedCHO rules with the CHO id as node id', () => {
    assert.deepEqual(ext(external({ cho: '<dc:title>T</dc:title><edm:type>IMAGE</edm:type>' })), {
      message: 'A ProvidedCHO must have a dc:subject or dc:type or dct:temporal or dct:spatial.',
      nodeId: 'cho1',
    });
    assert.equal(
      ext(external({ cho: '<dc:title> </dc:title><dc:type>x</dc:type><edm:type>IMAGE</edm:type>' }))?.message,
      'A ProvidedCHO must have a non empty dc:title or a non empty dc:description',
    );
    assert.equal(
      ext(external({ cho: '<dc:title>T</dc:title><dc:type>x</dc:type><edm:type>TEXT</edm:type>' }))?.message,
      "Within a ProvidedCHO context, dc:language is mandatory when edm:type has the value 'TEXT'.",
    );
    assert.equal(ext(external({ cho: '<dc:description rdf:resource="http://d"/><dcterms:spatial rdf:resource="http://p"/><edm:type>IMAGE</edm:type>' })), undefined);
  });

  it('checks the aggregation rules', () => {
    assert.deepEqual(ext(external({ agg: '<edm:dataProvider>DP</edm:dataProvider><edm:provider>P</edm:provider><edm:rights rdf:resource="http://creativecommons.org/licenses/by/4.0/"/>' })), {
      message: 'An ore:Aggregation must have either edm:isShownAt or edm:isShownBy',
      nodeId: 'agg1',
    });
    assert.deepEqual(ext(external({ agg: '<edm:dataProvider> </edm:dataProvider><edm:isShownBy rdf:resource="http://x"/><edm:provider>P</edm:provider><edm:rights rdf:resource="http://creativecommons.org/licenses/by/4.0/"/>' })), {
      message: 'An ore:Aggregation must have a non empty edm:dataProvider',
    });
  });

  it('checks the WebResource vocabularies and exactly one CHO and aggregation', () => {
    const wr = (inner: string) => `<edm:WebResource rdf:about="http://x/1">${inner}</edm:WebResource>`;
    assert.match(ext(external({ extra: wr('<schema:digitalSourceType rdf:resource="https://cv.iptc.org/newscodes/digitalsourcetype/other"/>') }))!.message, /digitalSourceType/);
    assert.equal(ext(external({ extra: wr('<schema:digitalSourceType rdf:resource="https://cv.iptc.org/newscodes/digitalsourcetype/digitalCapture"/><edm:intendedUsage rdf:resource="http://data.europeana.eu/vocabulary/usageArea/Art"/>') })), undefined);
    assert.deepEqual(ext(external({ extra: wr('<dcterms:hasPart>literal</dcterms:hasPart>') })), {
      message: 'The element dcterms:isPartOf should not have a literal value in the edm:WebResource context with this id. Use an rdf:resource instead.',
      nodeId: 'http://x/1',
    });
    const two = external().replace('</rdf:RDF>', '<ore:Aggregation rdf:about="agg2"><edm:dataProvider>D</edm:dataProvider><edm:isShownAt rdf:resource="http://x"/><edm:provider>P</edm:provider><edm:rights rdf:resource="http://creativecommons.org/licenses/by/4.0/"/></ore:Aggregation></rdf:RDF>');
    assert.deepEqual(ext(two), { message: 'Within a RDF context, there must be exactly one ore:Aggregation.' });
  });
});

describe('internal Schematron rules', () => {
  const internal = (providerProxy: string, europeanaProxy = '') =>
    `<rdf:RDF ${NSDECL}><edm:ProvidedCHO rdf:about="/1/a"/><ore:Aggregation rdf:about="/aggregation/provider/1/a"><edm:dataProvider>D</edm:dataProvider><edm:isShownAt rdf:resource="http://x"/><edm:provider>P</edm:provider><edm:rights rdf:resource="http://creativecommons.org/licenses/by/4.0/"/></ore:Aggregation>` +
    `<ore:Proxy rdf:about="/proxy/provider/1/a">${providerProxy}<edm:europeanaProxy>false</edm:europeanaProxy></ore:Proxy>` +
    `<ore:Proxy rdf:about="/proxy/europeana/1/a">${europeanaProxy}<edm:europeanaProxy>true</edm:europeanaProxy></ore:Proxy>` +
    `<edm:EuropeanaAggregation rdf:about="/aggregation/europeana/1/a"/></rdf:RDF>`;
  const int = (xml: string) => rule(checkInternalSchematron(parseXml(xml).root));

  it('accepts a provider proxy with a title, a subject and a type', () => {
    assert.equal(int(internal('<dc:subject>s</dc:subject><dc:title>t</dc:title><edm:type>IMAGE</edm:type>')), undefined);
  });

  it('reports the record-level provider proxy rules against rdf:RDF', () => {
    assert.equal(int(internal('<dc:title>t</dc:title><edm:type>IMAGE</edm:type>'))?.message, 'One Provider Proxy must have a dc:subject or dc:type or dct:temporal or dct:spatial or dc:coverage.');
    assert.deepEqual(int(internal('<dc:subject>s</dc:subject><dc:title>t</dc:title>')), { message: 'edm:type should be present in an ore:Proxy context.', nodeId: '' });
  });

  it('forbids subjects and edm:type on the Europeana proxy', () => {
    assert.deepEqual(int(internal('<dc:subject>s</dc:subject><dc:title>t</dc:title><edm:type>IMAGE</edm:type>', '<dc:subject>x</dc:subject>')), {
      message: 'A Europeana Proxy must NOT have a dc:subject or dc:type or dct:temporal or dct:spatial.',
      nodeId: '/proxy/europeana/1/a',
    });
  });
});
