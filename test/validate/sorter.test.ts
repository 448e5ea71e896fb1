import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sortEdm } from '../../src/edm/sorter.ts';
import { parseXml, serializeXml } from '../../src/edm/xml.ts';
import { canonicalize } from '../transform/canonical.ts';
import { fixture, SANDBOX } from '../transform/fixtures.ts';

const sort = (xml: string) => serializeXml(sortEdm(parseXml(xml)));

describe('EDM sorter', () => {
  it('matches the Sandbox bad-order golden pair after canonicalization', () => {
    const out = sort(fixture(`${SANDBOX}record/bad-order/record-input.xml`));
    assert.equal(canonicalize(out), canonicalize(fixture(`${SANDBOX}record/bad-order/record-expected.xml`)));
  });

  it('orders classes and properties by schema, keeps document order among equals, drops unknown ones', () => {
    const out = sort(`<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:edm="http://www.europeana.eu/schemas/edm/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:ore="http://www.openarchives.org/ore/terms/" xmlns:x="urn:x">
      <ore:Aggregation rdf:about="a"><edm:rights rdf:resource="r"/><edm:aggregatedCHO rdf:resource="c"/></ore:Aggregation>
      <x:Unknown/>
      <!-- a comment -->
      <edm:ProvidedCHO rdf:about="c"><edm:type>TEXT</edm:type><dc:title>B</dc:title><x:extra/><dc:title>A</dc:title><dc:creator>C</dc:creator></edm:ProvidedCHO>
    </rdf:RDF>`);
    const names = [...out.matchAll(/<([a-zA-Z:]+)[ >/]/g)].map((m) => m[1]);
    assert.deepEqual(names, ['rdf:RDF', 'edm:ProvidedCHO', 'dc:creator', 'dc:title', 'dc:title', 'edm:type', 'ore:Aggregation', 'edm:aggregatedCHO', 'edm:rights']);
    assert.ok(out.indexOf('>B<') < out.indexOf('>A<'), 'equal names keep their order');
    assert.ok(!out.includes('comment'));
  });

  it('re-declares a prefix the input bound to another namespace where it is used', () => {
    // wgs84_pos without '#': the sorter's standard declaration must not capture these elements.
    const out = sort(`<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:edm="http://www.europeana.eu/schemas/edm/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wgs84_pos="http://www.w3.org/2003/01/geo/wgs84_pos">
      <edm:Place rdf:about="p"><dc:title>x</dc:title></edm:Place>
      <edm:ProvidedCHO rdf:about="c"><dc:title xmlns:wgs84_pos="http://other" wgs84_pos:note="n">T</dc:title></edm:ProvidedCHO>
    </rdf:RDF>`);
    const doc = parseXml(out);
    const title = (doc.root.children.find((c) => c.kind === 'element' && c.local === 'ProvidedCHO') as { children: Array<{ kind: string; attrs?: Array<{ ns: string; local: string }> }> }).children.find((c) => c.kind === 'element')!;
    assert.ok(title.attrs!.some((a) => a.ns === 'http://other' && a.local === 'note'), 'attribute keeps its namespace');
    assert.ok(!out.includes('<dc:title>x</dc:title>'), 'unknown Place property dropped');
  });
});
