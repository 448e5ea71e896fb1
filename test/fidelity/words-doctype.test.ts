/**
 * DOCTYPE as Metis handles it, where that is safe (issue #15 deliver item 5). Metis's sorter XSLT
 * parses the harvested record with Saxon's default parser, which accepts a DOCTYPE; the validator's
 * own parser (EDMParser, `disallow-doctype-decl`) then sees only the sorter's output, which has none.
 * So a harmless DOCTYPE passes in Metis: here it is accepted and ignored. One that would expand or
 * fetch anything is refused with a record error that says why.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parseXml, serializeXml, XmlParseError } from '../../src/edm/xml.ts';
import {
  createExternalValidator,
  createInternalValidator,
  type RecordValidator,
} from '../../src/steps/validate/validator.ts';
import { fixture, SANDBOX, SCHEMA_DIR } from '../transform/fixtures.ts';

const withDoctype = (xml: string, doctype: string) =>
  xml.replace(/<rdf:RDF/, `${doctype}\n<rdf:RDF`);

describe('DOCTYPE in the record parser', () => {
  it('accepts and ignores a DOCTYPE that only names the root, or declares elements and comments', () => {
    for (const dt of ['<!DOCTYPE r>', '<!DOCTYPE r [ <!ELEMENT r ANY> <!-- note --> <?pi x?> ]>']) {
      const doc = parseXml(`<?xml version="1.0"?>\n${dt}\n<r a="1">x</r>`);
      assert.equal(doc.doctype, 'r');
      assert.equal(serializeXml(doc), '<?xml version="1.0" encoding="UTF-8"?>\n<r a="1">x</r>', 'never written back');
      assert.equal(doc.root.line, 3);
    }
  });

  const refused: Array<[string, string, RegExp]> = [
    ['an external DTD', '<!DOCTYPE r SYSTEM "http://127.0.0.1:1/x.dtd"><r/>', /external identifier.*external DTD/],
    ['a public identifier', '<!DOCTYPE r PUBLIC "-//X//EN" "x.dtd"><r/>', /external identifier/],
    ['an internal entity', '<!DOCTYPE r [<!ENTITY e "x">]><r>&e;</r>', /entity declarations.*expanded/],
    ['an external entity', '<!DOCTYPE r [<!ENTITY e SYSTEM "file:///etc/passwd">]><r>&e;</r>', /entity declarations/],
    ['a parameter entity', '<!DOCTYPE r [<!ENTITY % p SYSTEM "x"> %p;]><r/>', /entity declarations/],
    ['a parameter-entity reference', '<!DOCTYPE r [%p;]><r/>', /parameter-entity references/],
    ['attribute defaults', '<!DOCTYPE r [<!ATTLIST r a CDATA "d">]><r/>', /attribute-list declarations.*default values/],
    ['a notation', '<!DOCTYPE r [<!NOTATION n SYSTEM "x">]><r/>', /may hold only element declarations/],
    ['a DOCTYPE after the root', '<r/><!DOCTYPE r>', /only once, before the root/],
    ['two DOCTYPEs', '<!DOCTYPE r><!DOCTYPE r><r/>', /only once/],
    ['a DOCTYPE without a name', '<!DOCTYPE><r/>', /Malformed DOCTYPE/],
    ['an unclosed internal subset', '<!DOCTYPE r [<!ELEMENT r ANY>', /Unclosed DOCTYPE/],
  ];
  for (const [what, xml, message] of refused) {
    it(`refuses ${what} with a reason`, () => {
      assert.throws(
        () => parseXml(xml),
        (e: unknown) => e instanceof XmlParseError && message.test(e.message) && e.code === 'XML_PARSE',
      );
    });
  }
});

describe('DOCTYPE through the validation steps', () => {
  let ext: RecordValidator;
  let int: RecordValidator;
  before(async () => {
    ext = await createExternalValidator({ schemaLocation: SCHEMA_DIR });
    int = await createInternalValidator({ schemaLocation: SCHEMA_DIR });
  });
  after(() => {
    ext.dispose();
    int.dispose();
  });

  it('passes an external record with a harmless DOCTYPE; the sorted output has none', () => {
    const xml = withDoctype(fixture(`${SANDBOX}record/valid-record.xml`), '<!DOCTYPE rdf:RDF>');
    const out = ext({ recordId: 'dt', content: xml });
    assert.equal(out.status, 'success', out.messages[0]?.message);
    assert.ok(!out.content!.includes('DOCTYPE'));
  });

  it('passes an internal record with a harmless DOCTYPE (libxml2 never sees it)', () => {
    const xml = withDoctype(fixture(`${SANDBOX}record/transform/record-expected.xml`), '<!DOCTYPE rdf:RDF [<!ELEMENT x ANY>]>');
    assert.equal(int({ recordId: 'dt', content: xml }).status, 'success');
  });

  it('fails a record whose DOCTYPE would fetch, as XML_PARSE naming the reason', () => {
    const xml = withDoctype(fixture(`${SANDBOX}record/valid-record.xml`), '<!DOCTYPE rdf:RDF SYSTEM "http://127.0.0.1:1/edm.dtd">');
    const out = ext({ recordId: 'dt', content: xml });
    assert.equal(out.status, 'fail');
    assert.equal(out.messages[0].code, 'XML_PARSE');
    assert.match(out.messages[0].message, /external identifier/);
  });
});
