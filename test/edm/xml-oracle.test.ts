import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { parseXml as parseXmlFast, serializeXml as serializeXmlFast, XmlParseError } from '../../src/edm/xml.ts';
import { parseXmlReference as parseXml, serializeXmlReference as serializeXml } from '../support/xml-oracle.ts';
import { FIXTURES } from '../transform/fixtures.ts';

describe('the production XML parser and serializer (src/edm/xml-parse.ts) against the saxes oracle', () => {
  it('builds exactly the same tree, and serializes it to the same text, for every XML fixture', () => {
    const files: string[] = [];
    const walk = (d: string) => {
      for (const e of readdirSync(d)) {
        const p = join(d, e);
        if (statSync(p).isDirectory()) walk(p);
        else if (/\.(xml|rdf|xsd)$/.test(e)) files.push(p);
      }
    };
    walk(fileURLToPath(FIXTURES));
    let compared = 0;
    for (const f of files) {
      const xml = readFileSync(f, 'utf8');
      let expected: string | undefined;
      try {
        expected = JSON.stringify(parseXml(xml));
      } catch {
        assert.throws(() => parseXmlFast(xml), XmlParseError, f);
        continue;
      }
      const fast = parseXmlFast(xml);
      assert.equal(JSON.stringify(fast), expected, f);
      assert.equal(serializeXmlFast(fast), serializeXml(fast), `serialization of ${f}`);
      compared++;
    }
    assert.ok(compared > 100, `compared ${compared} files`);
  });

  it('normalizes line ends, attribute whitespace, entities, CDATA and keeps comments like parseXml', () => {
    const xml =
      '<?xml version="1.0"?>\r\n<a xmlns="urn:a" xmlns:b="urn:b" b:x="1\r\n2\t3" y=\'&lt;&#x41;&#66;&quot;\'>t&amp;\r\n<![CDATA[<raw>]]><!-- c --><?pi x?><b:c/></a>';
    assert.equal(JSON.stringify(parseXmlFast(xml)), JSON.stringify(parseXml(xml)));
  });

  const bad: Array<[string, string | RegExp]> = [
    ['<!DOCTYPE r [<!ENTITY e SYSTEM "file:///etc/passwd">]><r>&e;</r>', /DOCTYPE/],
    ['<r>&e;</r>', /Undefined entity/],
    ['<r><a></b></r>', /Unexpected close tag/],
    ['<p:r/>', /Unbound namespace prefix/],
    ['<r/><r/>', /More than one root/],
    ['<r a="1" a="2"/>', /Duplicate attribute/],
    ['<r xmlns:p="u" xmlns:q="u" p:a="1" q:a="2"/>', /Duplicate attribute/],
    ['x<r/>', /outside of root/],
    ['<r>', /Unclosed tag/],
    ['<r a=1/>', /quoted/],
    ['<r>&#1;</r>', /Invalid character reference/],
    ['<r>\u0001</r>', /Invalid character/],
    ['', /No root element/],
  ];
  for (const [xml, message] of bad) {
    it(`rejects ${JSON.stringify(xml).slice(0, 40)} like parseXml`, () => {
      assert.throws(() => parseXml(xml), XmlParseError);
      assert.throws(
        () => parseXmlFast(xml),
        (e: unknown) =>
          e instanceof XmlParseError &&
          (typeof message === 'string' ? e.message.includes(message) : message.test(e.message)),
      );
    });
  }

  it('enforces the size and depth limits', () => {
    assert.throws(() => parseXmlFast('<r/>', { maxChars: 3 }), /too large/);
    assert.throws(() => parseXmlFast('<a><b><c/></b></a>', { maxDepth: 2 }), /deeper than 2/);
  });

  it('reports the line of the error', () => {
    assert.throws(
      () => parseXmlFast('<r>\n\n<a></b></r>'),
      (e: unknown) => e instanceof XmlParseError && e.line === 3,
    );
  });
});
