import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseXml, serializeXml, XmlParseError, getAttr, childElements } from '../../src/edm/xml.ts';
import { NS } from '../../src/edm/namespaces.ts';

test('parses namespaces and round-trips declarations where they were', () => {
  const src =
    '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:edm="http://www.europeana.eu/schemas/edm/"><edm:ProvidedCHO rdf:about="a&amp;b"/></rdf:RDF>';
  const doc = parseXml(src);
  const cho = childElements(doc.root, NS.edm, 'ProvidedCHO')[0];
  assert.equal(getAttr(cho, NS.rdf, 'about'), 'a&b');
  assert.equal(serializeXml(doc.root), src);
});

test('rejects DOCTYPE (no entity can be declared) with a line number', () => {
  const src = '<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>\n<x>&e;</x>';
  assert.throws(
    () => parseXml(src),
    (e: unknown) => e instanceof XmlParseError && /DOCTYPE/.test(e.message) && e.line === 2,
  );
});

test('rejects undefined entities, too-deep nesting and oversized input', () => {
  assert.throws(() => parseXml('<x>&nbsp;</x>'), XmlParseError);
  assert.throws(() => parseXml('<a>'.repeat(20) + '</a>'.repeat(20), { maxDepth: 10 }), /deeper than 10/);
  assert.throws(() => parseXml('<a>xxxxxxxx</a>', { maxChars: 5 }), /too large/);
  assert.throws(
    () => parseXml('<a><b></a>'),
    (e: unknown) => e instanceof XmlParseError && e.line === 1,
  );
});
