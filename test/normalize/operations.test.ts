import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NS } from '../../src/edm/namespaces.ts';
import { childElements, getAttr, parseXml, textContent, type XmlElement } from '../../src/edm/xml.ts';
import { cleanIri, createNormalizer, javaTrim, stripHtmlTags } from '../../src/steps/normalize/index.ts';

const NOW = () => new Date('2026-11-25T12:00:00Z');
const normalize = createNormalizer({ now: NOW });

/** A minimal EDM internal record with the given provider-proxy, aggregation and extra class content. */
function record(opts: { provider?: string; europeana?: string; aggregation?: string; classes?: string; webResource?: string } = {}): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<rdf:RDF xmlns:rdf="${NS.rdf}" xmlns:dc="${NS.dc}" xmlns:dcterms="${NS.dcterms}" xmlns:edm="${NS.edm}" xmlns:ore="${NS.ore}" xmlns:skos="${NS.skos}">
  <edm:ProvidedCHO rdf:about="/1/r"/>
  <edm:WebResource rdf:about="http://example.com/a.jpg">${opts.webResource ?? ''}</edm:WebResource>
  ${opts.classes ?? ''}
  <ore:Aggregation rdf:about="/aggregation/provider/1/r"><edm:aggregatedCHO rdf:resource="/1/r"/><edm:dataProvider>DP</edm:dataProvider>${opts.aggregation ?? ''}<edm:provider>P</edm:provider><edm:rights rdf:resource="http://creativecommons.org/publicdomain/mark/1.0/"/></ore:Aggregation>
  <ore:Proxy rdf:about="/proxy/provider/1/r">${opts.provider ?? ''}<edm:europeanaProxy>false</edm:europeanaProxy><ore:proxyFor rdf:resource="/1/r"/><edm:type>TEXT</edm:type></ore:Proxy>
  <ore:Proxy rdf:about="/proxy/europeana/1/r">${opts.europeana ?? '<dc:identifier>id</dc:identifier>'}<edm:europeanaProxy>true</edm:europeanaProxy><ore:proxyFor rdf:resource="/1/r"/></ore:Proxy>
  <edm:EuropeanaAggregation rdf:about="/aggregation/europeana/1/r"><edm:aggregatedCHO rdf:resource="/1/r"/></edm:EuropeanaAggregation>
</rdf:RDF>`;
}

function run(xml: string): XmlElement {
  const outcome = normalize({ recordId: '/1/r', content: xml });
  assert.equal(outcome.status, 'success', JSON.stringify(outcome.messages));
  return parseXml(outcome.content!).root;
}

const proxies = (root: XmlElement) => childElements(root, NS.ore, 'Proxy');
const provider = (root: XmlElement) => proxies(root)[0];
const europeana = (root: XmlElement) => proxies(root)[1];
const texts = (el: XmlElement, ns: string, local: string) => childElements(el, ns, local).map((e) => textContent(e));

// ---- 1. whitespace ----

test('trim has Java semantics: chars ≤ U+0020 go, NBSP and other Unicode spaces stay, inner space stays', () => {
  assert.equal(javaTrim('\t\n\r \u0001a  b\u0000 '), 'a  b');
  assert.equal(javaTrim('\u00a0a\u2003'), '\u00a0a\u2003');
  const root = run(record({ provider: '<dc:description> a  b \n</dc:description><dc:title>\u00a0Title\u00a0</dc:title>' }));
  assert.deepEqual(texts(provider(root), NS.dc, 'description'), ['a  b']);
  assert.deepEqual(texts(provider(root), NS.dc, 'title'), ['\u00a0Title\u00a0']);
});

test('a value trimmed to nothing is removed, with its element unless it has attributes other than xml:lang', () => {
  const root = run(record({ provider: '<dc:description xml:lang="en">  </dc:description><dc:subject rdf:resource="http://x/1"> </dc:subject><dc:title> </dc:title><dc:creator>kept</dc:creator>' }));
  const p = provider(root);
  assert.equal(childElements(p, NS.dc, 'description').length, 0);
  assert.equal(childElements(p, NS.dc, 'title').length, 0);
  const subject = childElements(p, NS.dc, 'subject');
  assert.equal(subject.length, 1);
  assert.equal(subject[0].children.length, 0);
  assert.deepEqual(texts(p, NS.dc, 'creator'), ['kept']);
});

test('trimming also covers the aggregation, web resources and contextual classes, not the EuropeanaAggregation', () => {
  const root = run(record({
    aggregation: '<edm:isShownAt rdf:resource="http://example.com/x"/>',
    webResource: '<dc:format> image/jpeg </dc:format>',
    classes: '<edm:Agent rdf:about="http://x/a"><skos:prefLabel> Name </skos:prefLabel></edm:Agent>',
  }).replace('<edm:dataProvider>DP</edm:dataProvider>', '<edm:dataProvider> DP </edm:dataProvider>'));
  assert.deepEqual(texts(childElements(root, NS.edm, 'WebResource')[0], NS.dc, 'format'), ['image/jpeg']);
  assert.deepEqual(texts(childElements(root, NS.edm, 'Agent')[0], NS.skos, 'prefLabel'), ['Name']);
  assert.deepEqual(texts(childElements(root, NS.ore, 'Aggregation')[0], NS.edm, 'dataProvider'), ['DP']);
});

// ---- 2. markup ----

test('HTML tags of the HTML_ONLY list are removed with their attributes; other tags and entities stay', () => {
  assert.equal(stripHtmlTags('<p class="x">Hello <b>world</b><br/></p>'), 'Hello world');
  assert.equal(stripHtmlTags('<a href="http://x" target=\'_blank\'>link</a>'), 'link');
  assert.equal(stripHtmlTags('<P>UPPER</P><BR>'), 'UPPER');
  assert.equal(stripHtmlTags('<foo>kept</foo> 3 < 4'), '<foo>kept</foo> 3 < 4');
  assert.equal(stripHtmlTags('&nbsp;x&amp;'), '&nbsp;x&amp;');
  const root = run(record({ provider: '<dc:description>&lt;p&gt;Text &lt;i&gt;here&lt;/i&gt;&lt;/p&gt; &amp;nbsp;</dc:description><dc:title>A <![CDATA[<br/>]]></dc:title>' }));
  assert.deepEqual(texts(provider(root), NS.dc, 'description'), ['Text here &nbsp;']);
  assert.deepEqual(texts(provider(root), NS.dc, 'title'), ['A '], 'no re-trim after the markup removal');
});

test('markup removal runs before date normalization', () => {
  const root = run(record({ provider: '<dc:date>&lt;b&gt;1950&lt;/b&gt;</dc:date>' }));
  assert.deepEqual(childElements(europeana(root), NS.dc, 'date').map((e) => getAttr(e, NS.rdf, 'resource')), ['#1950']);
});

// ---- 3. IRIs ----

test('media link IRIs are trimmed and percent-encoded; unfixable ones lose the attribute', () => {
  assert.equal(cleanIri(' http://example.com/a b.jpg '), 'http://example.com/a%20b.jpg');
  assert.equal(cleanIri('http://example.com/é|x.jpg'), 'http://example.com/%C3%A9%7Cx.jpg');
  assert.equal(cleanIri('http://example.com/100%'), 'http://example.com/100%25');
  assert.equal(cleanIri('http://example.com/ok%20.jpg'), 'http://example.com/ok%20.jpg');
  assert.equal(cleanIri(':nothing'), undefined);
  assert.equal(cleanIri('http://example.com:port/x'), undefined);
  assert.equal(cleanIri('   '), undefined);
  const root = run(record({
    aggregation: '<edm:isShownBy rdf:resource=" http://example.com/a b.jpg "/><edm:object rdf:resource="1http://bad"/>',
  }).replace('rdf:about="http://example.com/a.jpg"', 'rdf:about="http://example.com/ä.jpg"'));
  const agg = childElements(root, NS.ore, 'Aggregation')[0];
  assert.equal(getAttr(childElements(agg, NS.edm, 'isShownBy')[0], NS.rdf, 'resource'), 'http://example.com/a%20b.jpg');
  assert.equal(getAttr(childElements(agg, NS.edm, 'object')[0], NS.rdf, 'resource'), undefined);
  assert.equal(getAttr(childElements(root, NS.edm, 'WebResource')[0], NS.rdf, 'about'), 'http://example.com/%C3%A4.jpg');
});

// ---- 4. dc:language ----

test('dc:language codes are copied into the Europeana proxy after dc:identifier, without duplicates', () => {
  const root = run(record({
    provider: '<dc:language>English; French</dc:language><dc:language>eng</dc:language><dc:language>Gibberish</dc:language>',
    europeana: '<dc:identifier>id</dc:identifier><dc:language>fr</dc:language>',
  }));
  assert.deepEqual(texts(provider(root), NS.dc, 'language'), ['English; French', 'eng', 'Gibberish'], 'provider values untouched');
  const names = childElements(europeana(root)).map((e) => `${e.local}:${textContent(e)}`);
  assert.deepEqual(names.slice(0, 3), ['identifier:id', 'language:en', 'language:fr']);
  assert.equal(texts(europeana(root), NS.dc, 'language').length, 2);
});

test('several new codes each go right after dc:identifier, so they end up in reverse order (as in Metis)', () => {
  const root = run(record({ provider: '<dc:language>English; Deutsch; Ελληνικά</dc:language>' }));
  assert.deepEqual(childElements(europeana(root)).map((e) => `${e.local}:${textContent(e)}`).slice(0, 4), ['identifier:id', 'language:el', 'language:de', 'language:en']);
});

test('without dc:identifier the new dc:language goes first in the Europeana proxy', () => {
  const root = run(record({ provider: '<dc:language>fre</dc:language>', europeana: '' }));
  assert.deepEqual(childElements(europeana(root)).map((e) => e.local).slice(0, 2), ['language', 'europeanaProxy']);
});

// ---- 5. xml:lang ----

test('xml:lang becomes the code at confidence ≥ 0.95, else it is removed; web resources are not touched', () => {
  const root = run(record({
    provider: '<dc:title xml:lang="eng">a</dc:title><dc:title xml:lang="English">b</dc:title><dc:title xml:lang="xx">c</dc:title><dc:title xml:lang="en; fr">d</dc:title><dc:title xml:lang="en-GB">e</dc:title><dc:title xml:lang="Ελληνικά">f</dc:title><dc:title xml:lang="">g</dc:title>',
    webResource: '<dc:description xml:lang="eng">w</dc:description>',
    classes: '<skos:Concept rdf:about="http://x/c"><skos:prefLabel xml:lang="Deutsch">Begriff</skos:prefLabel></skos:Concept>',
  }));
  const langs = childElements(provider(root), NS.dc, 'title').map((e) => getAttr(e, NS.xml, 'lang') ?? null);
  assert.deepEqual(langs, ['en', 'en', null, null, 'en-GB', 'el', null]);
  assert.equal(getAttr(childElements(childElements(root, NS.edm, 'WebResource')[0], NS.dc, 'description')[0], NS.xml, 'lang'), 'eng');
  assert.equal(getAttr(childElements(childElements(root, NS.skos, 'Concept')[0], NS.skos, 'prefLabel')[0], NS.xml, 'lang'), 'de');
});

// ---- 6. duplicates ----

test('duplicate statements are removed per field group and per proxy kind', () => {
  const root = run(record({
    provider:
      '<dc:subject xml:lang="en">Logic</dc:subject><dc:subject xml:lang="eng">Logic</dc:subject><dc:subject xml:lang="pt">Logic</dc:subject><dc:subject>Logic</dc:subject>' +
      '<dc:title>Same</dc:title><dcterms:alternative>Same</dcterms:alternative><dc:type>Logic</dc:type>' +
      '<dc:identifier>id</dc:identifier><dc:identifier>id</dc:identifier>',
    europeana: '<dc:identifier>id</dc:identifier>',
  }));
  const p = provider(root);
  assert.deepEqual(childElements(p, NS.dc, 'subject').map((e) => getAttr(e, NS.xml, 'lang') ?? ''), ['en', 'pt', ''], '"eng" became "en", then a duplicate');
  assert.deepEqual(texts(p, NS.dc, 'title'), ['Same']);
  assert.deepEqual(texts(p, NS.dcterms, 'alternative'), [], 'title and alternative form one group');
  assert.deepEqual(texts(p, NS.dc, 'type'), ['Logic'], 'other groups are not compared');
  assert.deepEqual(texts(p, NS.dc, 'identifier'), ['id']);
  assert.deepEqual(texts(europeana(root), NS.dc, 'identifier'), ['id'], 'the Europeana proxy is evaluated separately');
});

// ---- 7. dates ----

function timeSpan(root: XmlElement, about: string): XmlElement {
  const found = childElements(root, NS.edm, 'TimeSpan').filter((t) => getAttr(t, NS.rdf, 'about') === about);
  assert.equal(found.length, 1, `one TimeSpan ${about}`);
  return found[0];
}

function describe(ts: XmlElement): string[] {
  return childElements(ts).map((c) => {
    const attrs = c.attrs.map((a) => `${a.name}=${a.value}`).join(' ');
    return `${c.name}${attrs ? ` [${attrs}]` : ''}${textContent(c) ? ` ${textContent(c)}` : ''}`;
  });
}

test('1426/1450 and 1942 become TimeSpans as in Metis (europeana_record_with_normalized_date_timespan.xml)', () => {
  const root = run(record({ provider: '<dc:date>1942</dc:date><dcterms:created>1426/1450</dcterms:created>' }));
  assert.deepEqual(describe(timeSpan(root, '#1426%2F1450')), [
    'skos:prefLabel [xml:lang=zxx] 1426/1450',
    'dcterms:isPartOf [rdf:resource=http://data.europeana.eu/timespan/15]',
    'edm:begin 1426-01-01',
    'edm:end 1450-12-31',
    'skos:notation [rdf:datatype=http://id.loc.gov/datatypes/edtf/EDTF-level1] 1426/1450',
  ]);
  assert.deepEqual(describe(timeSpan(root, '#1942')), [
    'skos:prefLabel [xml:lang=zxx] 1942',
    'dcterms:isPartOf [rdf:resource=http://data.europeana.eu/timespan/20]',
    'edm:begin 1942-01-01',
    'edm:end 1942-12-31',
    'skos:notation [rdf:datatype=http://id.loc.gov/datatypes/edtf/EDTF-level1] 1942',
  ]);
  const e = europeana(root);
  assert.deepEqual(childElements(e, NS.dc, 'date').map((x) => getAttr(x, NS.rdf, 'resource')), ['#1942']);
  assert.deepEqual(childElements(e, NS.dcterms, 'created').map((x) => getAttr(x, NS.rdf, 'resource')), ['#1426%2F1450']);
  assert.deepEqual(texts(provider(root), NS.dc, 'date'), ['1942'], 'the provider value is kept');
  // TimeSpans follow the existing contextual classes, before skos:Concept (XSD order).
  const order = childElements(root).map((c) => c.local);
  assert.ok(order.lastIndexOf('TimeSpan') < order.indexOf('Aggregation') && order.indexOf('TimeSpan') > order.indexOf('WebResource'));
});

test('notes, century links over a range, labels of DCMI periods, open ends', () => {
  const root = run(record({
    provider:
      '<dcterms:temporal>XVIII-XIX</dcterms:temporal><dcterms:issued>ca. 1950?</dcterms:issued>' +
      '<dcterms:created>name=Great War; start=1914; end=1918</dcterms:created><dc:date>../1989</dc:date>',
  }));
  assert.deepEqual(describe(timeSpan(root, '#17XX%2F18XX')), [
    'skos:prefLabel [xml:lang=zxx] 17XX/18XX',
    'dcterms:isPartOf [rdf:resource=http://data.europeana.eu/timespan/18]',
    'dcterms:isPartOf [rdf:resource=http://data.europeana.eu/timespan/19]',
    'edm:begin 1701-01-01',
    'edm:end 1900-12-31',
    'skos:notation [rdf:datatype=http://id.loc.gov/datatypes/edtf/EDTF-level1] 17XX/18XX',
  ]);
  assert.deepEqual(describe(timeSpan(root, '#1950%25')).slice(0, 3), ['skos:prefLabel [xml:lang=zxx] 1950%', 'skos:note approximate', 'skos:note uncertain']);
  assert.deepEqual(describe(timeSpan(root, '#1914%2F1918'))[0], 'skos:prefLabel Great War');
  assert.deepEqual(describe(timeSpan(root, '#..%2F1989')), [
    'skos:prefLabel [xml:lang=zxx] ../1989',
    'dcterms:isPartOf [rdf:resource=http://data.europeana.eu/timespan/20]',
    'edm:end 1989-12-31',
    'skos:notation [rdf:datatype=http://id.loc.gov/datatypes/edtf/EDTF-level1] ../1989',
  ]);
});

test('century links only for centuries ≥ 1: a BC year has begin and end but no isPartOf', () => {
  const root = run(record({ provider: '<dc:date>1989 BC</dc:date><dcterms:created>50 BC - 150 AD</dcterms:created>' }));
  assert.deepEqual(describe(timeSpan(root, '#-1988')), [
    'skos:prefLabel [xml:lang=zxx] -1988',
    'edm:begin -1988-01-01',
    'edm:end -1988-12-31',
    'skos:notation [rdf:datatype=http://id.loc.gov/datatypes/edtf/EDTF-level1] -1988',
  ]);
  assert.deepEqual(describe(timeSpan(root, '#-0049%2F0150')).filter((l) => l.startsWith('dcterms')), [
    'dcterms:isPartOf [rdf:resource=http://data.europeana.eu/timespan/1]',
    'dcterms:isPartOf [rdf:resource=http://data.europeana.eu/timespan/2]',
  ]);
});

test('one TimeSpan per EDTF value, one reference per property value; an existing TimeSpan is replaced', () => {
  const root = run(record({
    provider: '<dc:date>1942</dc:date><dcterms:issued>1942</dcterms:issued><dc:subject>1942-05-08</dc:subject><dc:subject>1942</dc:subject><dc:coverage>XX</dc:coverage>',
    classes: '<edm:TimeSpan rdf:about="#1942"><skos:prefLabel>old</skos:prefLabel></edm:TimeSpan>',
  }));
  assert.equal(describe(timeSpan(root, '#1942'))[0], 'skos:prefLabel [xml:lang=zxx] 1942');
  const refs = childElements(europeana(root))
    .filter((c) => getAttr(c, NS.rdf, 'resource')?.startsWith('#'))
    .map((c) => `${c.name} ${getAttr(c, NS.rdf, 'resource')}`);
  // Each reference is added at the start of the proxy, so the last one added comes first.
  assert.deepEqual(refs, ['dc:subject #1942-05-08', 'dc:coverage #19XX', 'dc:date #1942', 'dcterms:issued #1942']);
});

test('a future date gets no TimeSpan; the current year gets no edm:end (its last day is in the future)', () => {
  const root = run(record({ provider: '<dc:date>2030</dc:date><dcterms:created>2026</dcterms:created>' }));
  assert.equal(childElements(root, NS.edm, 'TimeSpan').filter((t) => getAttr(t, NS.rdf, 'about') === '#2030').length, 0);
  assert.deepEqual(describe(timeSpan(root, '#2026')).map((l) => l.split(' ')[0]), ['skos:prefLabel', 'dcterms:isPartOf', 'edm:begin', 'skos:notation']);
});

// ---- errors ----

test('unparsable XML fails the record with "Error parsing XML"', () => {
  const outcome = normalize({ recordId: 'r1', content: '<rdf:RDF><unclosed></rdf:RDF>' });
  assert.equal(outcome.status, 'fail');
  assert.equal(outcome.messages[0].code, 'NORMALIZE_XML_PARSE');
  assert.match(outcome.messages[0].message, /^Error parsing XML: /);
  assert.equal(outcome.content, undefined);
});

test('a record without a unique Europeana proxy fails the record, not the step', () => {
  const outcome = normalize({ recordId: 'r2', content: record().replace('<edm:europeanaProxy>true</edm:europeanaProxy>', '') });
  assert.equal(outcome.status, 'fail');
  assert.equal(outcome.messages[0].code, 'NORMALIZE_FAILED');
});

test('the outcome reports what changed per operation', () => {
  const outcome = normalize({ recordId: 'r3', content: record({ provider: '<dc:title> x </dc:title><dc:language>English</dc:language><dc:date>1942</dc:date>' }) });
  assert.equal(outcome.data?.cleanSpaceCharacters, 1);
  assert.equal(outcome.data?.dcLanguageReferences, 1);
  assert.equal(outcome.data?.dateReferences, 1);
  assert.equal(outcome.data?.duplicateStatements, 0);
});
