import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { XmlDocument, XmlValidateError, XsdValidator } from 'libxml2-wasm';
import { xmlRegisterFsInputProviders } from 'libxml2-wasm/lib/nodejs.mjs';
import { NS } from '../../src/edm/namespaces.ts';
import { childElements, getAttr, parseXml, type XmlElement } from '../../src/edm/xml.ts';
import { cleanIri, createNormalizer } from '../../src/steps/normalize/index.ts';
import { javaTrim } from '../../src/steps/normalize/dates/extractor-support.ts';
import { FIXTURES, INTERNAL_RECORDS, INTERNAL_XSD } from './fixtures.ts';

const normalize = createNormalizer({ now: () => new Date('2026-11-25T12:00:00Z') });

xmlRegisterFsInputProviders();
const validator = XsdValidator.fromDoc(XmlDocument.fromBuffer(readFileSync(INTERNAL_XSD), { url: INTERNAL_XSD }));

/** The XSD errors of a document (empty when valid). */
function xsdErrors(xml: string): string[] {
  const doc = XmlDocument.fromString(xml);
  try {
    validator.validate(doc);
    return [];
  } catch (err) {
    if (err instanceof XmlValidateError) return err.details.map((d) => d.message.trim());
    throw err;
  } finally {
    doc.dispose();
  }
}

/**
 * Every statement of a record: class, its rdf:about, property, trimmed text and attributes other than
 * xml:lang (which normalization rewrites), with rdf:about/rdf:resource values IRI-cleaned as the media
 * links are. Normalization may add statements and drop exact duplicates, but every statement of the
 * input must still be there.
 */
function statements(root: XmlElement): Set<string> {
  const out = new Set<string>();
  const iri = (v: string) => cleanIri(v) ?? v;
  for (const cls of childElements(root)) {
    const about = iri(getAttr(cls, NS.rdf, 'about') ?? '');
    out.add(`${cls.ns}${cls.local} ${about}`);
    for (const prop of childElements(cls)) {
      const text = javaTrim(prop.children.map((c) => (c.kind === 'text' ? c.text : '')).join(''));
      const attrs = prop.attrs
        .filter((a) => !(a.ns === NS.xml && a.local === 'lang'))
        .map((a) => `${a.ns}${a.local}=${a.ns === NS.rdf ? iri(a.value) : a.value}`)
        .sort()
        .join(' ');
      if (text === '' && attrs === '' && childElements(prop).length === 0) continue; // empty: may be removed
      out.add(`${cls.local} ${about} | ${prop.ns}${prop.local} [${attrs}] ${text}`);
    }
  }
  return out;
}

const read = (file: string) => readFileSync(FIXTURES + file, 'utf8');
const hasEuropeanaProxy = (xml: string) => />\s*true\s*<\/edm:europeanaProxy>/.test(xml);

for (const file of INTERNAL_RECORDS.filter((f) => hasEuropeanaProxy(read(f)))) {
  test(`normalizes ${file.split('/').pop()} without losing data and stays valid against EDM-INTERNAL.xsd`, () => {
    const input = read(file);
    const outcome = normalize({ recordId: file, content: input });
    assert.equal(outcome.status, 'success', JSON.stringify(outcome.messages));
    const before = statements(parseXml(input).root);
    const after = statements(parseXml(outcome.content!).root);
    const lost = [...before].filter((s) => !after.has(s));
    assert.deepEqual(lost, []);

    const errorsBefore = new Set(xsdErrors(input));
    const newErrors = xsdErrors(outcome.content!).filter((e) => !errorsBefore.has(e));
    assert.deepEqual(newErrors, [], 'normalization adds no XSD error');
  });
}

test('records without a Europeana proxy fail, as in Metis (its normalizers need that proxy)', () => {
  const without = INTERNAL_RECORDS.filter((f) => !hasEuropeanaProxy(read(f)));
  assert.ok(without.length >= 1);
  for (const file of without) {
    const outcome = normalize({ recordId: file, content: read(file) });
    assert.equal(outcome.status, 'fail', file);
    assert.equal(outcome.messages[0].code, 'NORMALIZE_FAILED');
  }
});

test('the Metis normalization test record: trims, copies dc:language, normalizes xml:lang, removes duplicates, adds TimeSpans', () => {
  const input = readFileSync(FIXTURES + 'metis-normalization/src/test/resources/edm-record-internal.xml', 'utf8');
  const outcome = normalize({ recordId: 'ivrla:3827', content: input });
  const root = parseXml(outcome.content!).root;
  const [provider, europeana] = childElements(root, NS.ore, 'Proxy');
  const values = (el: XmlElement, ns: string, local: string) => childElements(el, ns, local).map((e) => [getAttr(e, NS.xml, 'lang') ?? '', javaTrim(e.children.map((c) => (c.kind === 'text' ? c.text : '')).join(''))]);
  // `<dc:format xml:lang="eng">` → en; the description lost its trailing newline and spaces.
  assert.deepEqual(values(provider, NS.dc, 'format')[0], ['en', '1 letter 21.5 x 33.5']);
  assert.ok(!/\s$/.test(childElements(provider, NS.dc, 'description')[0].children.map((c) => (c.kind === 'text' ? c.text : '')).join('')));
  // Duplicates: the second OB_1000000_SC identifier and the second "Logic"@en subject are gone.
  assert.deepEqual(values(provider, NS.dc, 'identifier').map(([, t]) => t), ['OB_1000000_SC', 'EADseries:IVRLA10-I:1', 'ivrla:3827', 'http://digital.ucd.ie/view/ivrla:3827']);
  assert.deepEqual(values(provider, NS.dc, 'subject').filter(([, t]) => t === 'Logic'), [['en', 'Logic'], ['pt', 'Logic'], ['', 'Logic']]);
  // "English" → en in the Europeana proxy, after its dc:identifier.
  assert.deepEqual(childElements(europeana).map((e) => e.local).slice(-3), ['identifier', 'language', 'europeanaProxy']);
  assert.deepEqual(values(europeana, NS.dc, 'language'), [['', 'en']]);
  // Dates: the DCMI period, "ca. 1950", "1900?-1910?" and "190X".
  const refs = childElements(europeana).filter((e) => getAttr(e, NS.rdf, 'resource')).map((e) => `${e.name} ${getAttr(e, NS.rdf, 'resource')}`);
  assert.deepEqual(refs.sort(), ['dc:date #190X', 'dcterms:created #..%2F-5300', 'dcterms:issued #1950%7E', 'dcterms:temporal #1900%3F%2F1910%3F']);
  // The provider TimeSpan's xml:lang="eng" became "en".
  const providerTimeSpan = childElements(root, NS.edm, 'TimeSpan')[0];
  assert.equal(getAttr(childElements(providerTimeSpan)[0], NS.xml, 'lang'), 'en');
});

test('a valid record with every kind of date value stays valid', () => {
  const input = readFileSync(FIXTURES + 'metis-framework/metis-transformation/metis-transformation-service/src/test/resources/europeana_record_edm_internal.xml', 'utf8');
  const dates = ['1426/1450', '1942', 'ca. 1950?', 'XVIII-XIX', '190X', 'name=Great War; start=1914; end=1918', '../1989', '-12345', '01 November 1989', '1989 BC', '2026'];
  const extra = dates.map((d) => `<dc:date>${d}</dc:date>`).join('') + '<dc:language>English; Deutsch</dc:language>';
  const provider = /<ore:Proxy [^>]*>/.exec(input.slice(input.indexOf('<ore:Proxy')))![0];
  const withDates = input.replace(provider, provider + extra);
  assert.deepEqual(xsdErrors(withDates), []);
  const outcome = normalize({ recordId: 'r', content: withDates });
  assert.equal(outcome.status, 'success');
  assert.equal(outcome.data?.dateReferences, dates.length);
  assert.deepEqual(xsdErrors(outcome.content!), []);
});
