/**
 * Parse errors in Metis's words (issue #15 deliver item 3): a record that is not well-formed fails
 * Metis's validation with the JDK Xerces parser's message (`SAXParseException.getMessage()`). Each
 * expected text below is Xerces's message catalogue (XMLMessages / XMLNSMessages) filled in by hand.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parseXml, XmlParseError } from '../../src/edm/xml.ts';
import { createInternalValidator, type RecordValidator } from '../../src/steps/validate/validator.ts';
import { SCHEMA_DIR } from '../transform/fixtures.ts';

const CASES: Array<[string, string]> = [
  ['<r><a></b></r>', 'The element type "a" must be terminated by the matching end-tag "</a>".'],
  ['<r/></r>', 'The markup in the document following the root element must be well-formed.'],
  ['<r/><r/>', 'The markup in the document following the root element must be well-formed.'],
  ['<r><a>', 'XML document structures must start and end within the same entity.'],
  ['', 'Premature end of file.'],
  ['x<r/>', 'Content is not allowed in prolog.'],
  ['<r/>x', 'Content is not allowed in trailing section.'],
  ['<r>&e;</r>', 'The entity "e" was referenced, but not declared.'],
  ['<r>a & b</r>', "The entity name must immediately follow the '&' in the entity reference."],
  ['<r>x &amp; &amp y</r>', `The reference to entity "amp" must end with the ';' delimiter.`],
  ['<r>&#0;</r>', 'Character reference "&#0" is an invalid XML character.'],
  ['<p:r/>', 'The prefix "p" for element "p:r" is not bound.'],
  ['<r p:a="1"/>', 'The prefix "p" for attribute "p:a" associated with an element type "r" is not bound.'],
  ['<r a="1" a="2"/>', 'Attribute "a" was already specified for element "r".'],
  ['<r a=1/>', 'Open quote is expected for attribute "a" associated with an  element type  "r".'],
  ['<r a/>', `Attribute name "a" associated with an element type "r" must be followed by the ' = ' character.`],
  ['<r a="<"/>', `The value of attribute "a" associated with an element type "r" must not contain the '<' character.`],
  ['<r a="1"b="2"/>', 'Element type "r" must be followed by either attribute specifications, ">" or "/>".'],
  ['<r></r x>', `The end-tag for element type "r" must end with a '>' delimiter.`],
  ['<r><!-- a -- b --></r>', 'The string "--" is not permitted within comments.'],
  ['<r>]]></r>', 'The character sequence "]]>" must not appear in content unless used to mark the end of a CDATA section.'],
  ['<r><?xml version="1.0"?></r>', 'The processing instruction target matching "[xX][mM][lL]" is not allowed.'],
  ['<r>ok \u0001</r>', 'An invalid XML character (Unicode: 0x1) was found in the element content of the document.'],
  ['<r a="\u0001"/>', 'An invalid XML character (Unicode: 0x1) was found in the value of attribute "a" and element is "r".'],
];

describe('parse errors as Metis (Xerces) words them', () => {
  let int: RecordValidator;
  before(async () => {
    int = await createInternalValidator({ schemaLocation: SCHEMA_DIR });
  });
  after(() => int.dispose());

  for (const [xml, expected] of CASES) {
    it(`${JSON.stringify(xml)} → ${expected}`, () => {
      const out = int({ recordId: 'r', content: xml });
      assert.equal(out.status, 'fail');
      assert.equal(out.messages[0].code, 'XML_PARSE');
      assert.equal(out.messages[0].message, expected);
      assert.match(out.messages[0].detail ?? '', /line \d+/, "our own wording and the line stay in the detail");
    });
  }

  it('keeps our message where Xerces has no counterpart (our limits, the DOCTYPE rule)', () => {
    const deep = '<r>'.repeat(300) + '</r>'.repeat(300);
    const e = (() => {
      try {
        parseXml(deep);
      } catch (err) {
        return err as XmlParseError;
      }
      return undefined;
    })();
    assert.ok(e instanceof XmlParseError && e.xerces === undefined);
    const out = int({ recordId: 'r', content: '<!DOCTYPE r SYSTEM "x.dtd"><r/>' });
    assert.match(out.messages[0].message, /external identifier/);
  });
});
