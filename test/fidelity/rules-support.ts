/**
 * Shared parts of the rules-as-data tests (issue #15 item 1): where Metis's rule files are, the
 * fixture records, and the mutants (one deliberate error per Schematron assert).
 *
 * Metis's stylesheets are Europeana's code and are not copied into this repository. They are read
 * from `METIS_RULES_DIR` (a folder holding `schematron/schematron.xsl`,
 * `schematron/schematron-internal.xsl`, `edm_sorter.xsl`, `default_transformation.xslt`), or from
 * the shared fixtures once they carry them: `schematron/` in the schema folder (test_schema.zip's),
 * the two XSLTs under metis-framework/metis-transformation/metis-transformation-service/src/main/resources/.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NS } from '../../src/edm/namespaces.ts';
import { createElement, createText, parseXml, serializeXml, type XmlElement } from '../../src/edm/xml.ts';
import { FIXTURES, SCHEMA_DIR } from '../transform/fixtures.ts';

export interface RulesDir {
  schematron: string;
  schematronInternal: string;
  sorter?: string;
  defaultTransformation?: string;
}

/** The folder of Metis's rule files, or undefined (with the places looked at) when none is available. */
export function findRulesDir(): { dir?: RulesDir; looked: string[] } {
  const candidates = [process.env.METIS_RULES_DIR, SCHEMA_DIR].filter((d): d is string => !!d);
  for (const d of candidates) {
    const sch = join(d, 'schematron', 'schematron.xsl');
    if (!existsSync(sch)) continue;
    // Beside the schematron, or where the shared fixtures would keep Metis's transformation resources.
    const transformation = fileURLToPath(new URL('metis-framework/metis-transformation/metis-transformation-service/src/main/resources/', FIXTURES));
    const opt = (f: string) => [join(d, f), join(transformation, f)].find((p) => existsSync(p));
    return {
      dir: {
        schematron: sch,
        schematronInternal: join(d, 'schematron', 'schematron-internal.xsl'),
        sorter: opt('edm_sorter.xsl'),
        defaultTransformation: opt('default_transformation.xslt'),
      },
      looked: candidates,
    };
  }
  return { looked: candidates };
}

/** Every RDF/XML record of the shared fixtures (path under fixtures/metis → text). */
export function fixtureRecords(): Array<{ path: string; text: string }> {
  const root = fileURLToPath(FIXTURES);
  const out: Array<{ path: string; text: string }> = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith('.xml')) {
        const text = readFileSync(p, 'utf8');
        if (/<(\w+:)?RDF[\s>]/.test(text) && text.includes(NS.rdf)) out.push({ path: p.slice(root.length), text });
      }
    }
  };
  walk(root);
  return out;
}

/**
 * Canonical text of a tree (as test/transform/canonical.ts, but from the tree, so that no
 * serialize/re-read step sits between the compared records).
 */
export function canonicalTree(el: XmlElement, depth = 0): string {
  const pad = '  '.repeat(depth);
  const attrs = el.attrs
    .filter((a) => a.name !== 'xmlns' && a.prefix !== 'xmlns')
    .map((a) => `{${a.ns}}${a.local}=${JSON.stringify(a.value)}`)
    .sort();
  const lines = [`${pad}<{${el.ns}}${el.local}${attrs.length ? ' ' + attrs.join(' ') : ''}>`];
  for (const c of el.children) {
    if (c.kind === 'element') lines.push(canonicalTree(c, depth + 1));
    else if (c.kind === 'text' && c.text.trim() !== '') lines.push(`${pad}  ${JSON.stringify(c.text)}`);
  }
  return lines.join('\n');
}

// ---- mutants --------------------------------------------------------------------------------------

const DCT = NS.dcterms;
const SCHEMA_ORG = 'https://schema.org/';

export interface Mutant {
  /** What was broken (the rule it should trip). */
  name: string;
  /** The 1-based pattern number the stylesheet must report for it (undefined: must pass). */
  pattern: number | undefined;
  text: string;
}

type Edit = (root: XmlElement) => void;

const kids = (el: XmlElement, ns: string, local: string) =>
  el.children.filter((c): c is XmlElement => c.kind === 'element' && c.ns === ns && c.local === local);
const first = (el: XmlElement, ns: string, local: string) => {
  const k = kids(el, ns, local)[0];
  if (!k) throw new Error(`mutant base has no ${local}`);
  return k;
};
const drop = (el: XmlElement, ns: string, local: string) => {
  el.children = el.children.filter((c) => !(c.kind === 'element' && c.ns === ns && c.local === local));
};
const prefixFor = (ns: string) => Object.entries({ ...NS, dct: DCT, schema: SCHEMA_ORG }).find(([, u]) => u === ns)?.[0] ?? 'x';
const el = (ns: string, local: string, text?: string, attrs: Record<string, string> = {}): XmlElement => {
  const e = createElement(`${prefixFor(ns)}:${local}`, ns);
  for (const [k, v] of Object.entries(attrs)) {
    const [p, l] = k.split(':');
    const uri = p === 'xml' ? NS.xml : NS.rdf;
    e.attrs.push({ name: k, prefix: p, local: l, ns: uri, value: v });
  }
  if (text !== undefined) e.children.push(createText(text));
  return e;
};
const res = (v: string) => ({ 'rdf:resource': v });
const setAttr = (e: XmlElement, name: string, value: string) => {
  const [p, l] = name.split(':');
  const ns = p === 'xml' ? NS.xml : NS.rdf;
  e.attrs = e.attrs.filter((a) => !(a.ns === ns && a.local === l));
  e.attrs.push({ name, prefix: p, local: l, ns, value });
};
const cho = (r: XmlElement) => first(r, NS.edm, 'ProvidedCHO');
const agg = (r: XmlElement) => first(r, NS.ore, 'Aggregation');
const SUBJECT_LIKE: Array<[string, string]> = [
  [NS.dc, 'subject'],
  [NS.dc, 'type'],
  [DCT, 'temporal'],
  [DCT, 'spatial'],
  [NS.dc, 'coverage'],
];
const clearSubjects = (e: XmlElement) => SUBJECT_LIKE.forEach(([ns, l]) => drop(e, ns, l));
const withWebResource = (r: XmlElement, ...props: XmlElement[]) => {
  const wr = el(NS.edm, 'WebResource', undefined, { 'rdf:about': 'http://example.org/wr/1' });
  wr.children.push(...props);
  r.children.push(wr);
};
/** A provider-style proxy for the external rules (only reachable past XSD in mutants, kept by Metis). */
const proxy = (...props: XmlElement[]) => {
  const p = el(NS.ore, 'Proxy', undefined, { 'rdf:about': 'http://example.org/proxy/1' });
  p.children.push(...props);
  return p;
};
const goodProxyProps = () => [el(NS.dc, 'subject', 'x'), el(NS.dc, 'title', 't'), el(NS.edm, 'type', 'IMAGE')];

/** Mutants of a valid external record: [name, expected pattern of schematron.xsl, edit]. */
export const EXTERNAL_MUTATIONS: Array<[string, number | undefined, Edit]> = [
  ['empty rdf:resource', 1, (r) => cho(r).children.push(el(NS.dc, 'relation', undefined, res('')))],
  ['rdf:resource and text', 2, (r) => cho(r).children.push(el(NS.dc, 'relation', 'txt', res('http://x.org/')))],
  ['rdf:resource and whitespace text', 2, (r) => cho(r).children.push(el(NS.dc, 'relation', ' ', res('http://x.org/')))],
  ['proxy without subject-like', 3, (r) => r.children.push(proxy(el(NS.dc, 'title', 't'), el(NS.edm, 'type', 'IMAGE')))],
  ['proxy with empty subject-like', 3, (r) => r.children.push(proxy(el(NS.dc, 'subject', ' '), el(NS.dc, 'title', 't'), el(NS.edm, 'type', 'IMAGE')))],
  ['proxy without title/description', 3, (r) => r.children.push(proxy(el(NS.dc, 'subject', 'x'), el(NS.edm, 'type', 'IMAGE')))],
  ['proxy with empty title', 3, (r) => r.children.push(proxy(el(NS.dc, 'subject', 'x'), el(NS.dc, 'title', ''), el(NS.dc, 'description', 'd'), el(NS.edm, 'type', 'IMAGE')))],
  ['proxy TEXT without language', 3, (r) => r.children.push(proxy(el(NS.dc, 'subject', 'x'), el(NS.dc, 'title', 't'), el(NS.edm, 'type', 'TEXT')))],
  ['proxy without edm:type', 3, (r) => r.children.push(proxy(el(NS.dc, 'subject', 'x'), el(NS.dc, 'title', 't')))],
  ['proxy with edm:type and europeanaProxy', 3, (r) => r.children.push(proxy(...goodProxyProps(), el(NS.edm, 'europeanaProxy', 'true')))],
  ['valid proxy', undefined, (r) => r.children.push(proxy(...goodProxyProps()))],
  ['aggregation without isShownAt/By', 4, (r) => { drop(agg(r), NS.edm, 'isShownAt'); drop(agg(r), NS.edm, 'isShownBy'); }],
  ['isShownBy without rdf:resource', 4, (r) => { drop(agg(r), NS.edm, 'isShownAt'); drop(agg(r), NS.edm, 'isShownBy'); agg(r).children.push(el(NS.edm, 'isShownBy', 'x')); }],
  ['aggregation without dataProvider', 5, (r) => drop(agg(r), NS.edm, 'dataProvider')],
  ['aggregation without provider', 6, (r) => drop(agg(r), NS.edm, 'provider')],
  ['aggregation without rights', 7, (r) => drop(agg(r), NS.edm, 'rights')],
  ['empty provider', 8, (r) => { drop(agg(r), NS.edm, 'provider'); agg(r).children.push(el(NS.edm, 'provider', '  ')); }],
  ['empty dataProvider', 9, (r) => { drop(agg(r), NS.edm, 'dataProvider'); agg(r).children.push(el(NS.edm, 'dataProvider', '')); }],
  ['invalid aggregation rights', 10, (r) => setAttr(first(agg(r), NS.edm, 'rights'), 'rdf:resource', 'https://creativecommons.org/licenses/by/4.0/')],
  ['rights without trailing slash', 10, (r) => setAttr(first(agg(r), NS.edm, 'rights'), 'rdf:resource', 'http://creativecommons.org/licenses/by/4.0')],
  ['rights through a cc:License', undefined, (r) => {
    setAttr(first(agg(r), NS.edm, 'rights'), 'rdf:resource', 'http://example.org/lic');
    const lic = el(NS.cc, 'License', undefined, { 'rdf:about': 'http://example.org/lic' });
    lic.children.push(el(NS.odrl, 'inheritFrom', undefined, res('http://creativecommons.org/publicdomain/zero/1.0/')));
    r.children.push(lic);
  }],
  ['rights through a bad cc:License', 10, (r) => {
    setAttr(first(agg(r), NS.edm, 'rights'), 'rdf:resource', 'http://example.org/lic');
    const lic = el(NS.cc, 'License', undefined, { 'rdf:about': 'http://example.org/lic' });
    lic.children.push(el(NS.odrl, 'inheritFrom', undefined, res('http://example.org/other/')));
    r.children.push(lic);
  }],
  ['empty xml:lang', 11, (r) => cho(r).children.push(el(NS.dc, 'description', 'd', { 'xml:lang': '' }))],
  ['invalid web resource rights', 12, (r) => withWebResource(r, el(NS.edm, 'rights', undefined, res('http://rightsstatements.org/vocab/InC/2.0/')))],
  ['literal hasPart on web resource', 13, (r) => withWebResource(r, el(DCT, 'hasPart', 'part'))],
  ['CHO without subject-like', 14, (r) => clearSubjects(cho(r))],
  ['CHO with only empty subject-like', 14, (r) => { clearSubjects(cho(r)); cho(r).children.push(el(NS.dc, 'subject', ' ')); }],
  ['CHO subject with resource', undefined, (r) => { clearSubjects(cho(r)); cho(r).children.push(el(NS.dc, 'type', undefined, res('http://x.org/t'))); }],
  ['CHO without title or description', 14, (r) => { drop(cho(r), NS.dc, 'title'); drop(cho(r), NS.dc, 'description'); }],
  ['CHO with blank title, no description', 14, (r) => { drop(cho(r), NS.dc, 'title'); drop(cho(r), NS.dc, 'description'); cho(r).children.push(el(NS.dc, 'title', ' ')); }],
  ['CHO first title blank, second filled', undefined, (r) => { drop(cho(r), NS.dc, 'title'); cho(r).children.push(el(NS.dc, 'title', ' '), el(NS.dc, 'title', 'ok')); }],
  ['CHO description by resource only', undefined, (r) => { drop(cho(r), NS.dc, 'title'); drop(cho(r), NS.dc, 'description'); cho(r).children.push(el(NS.dc, 'description', undefined, res('http://x.org/d'))); }],
  ['CHO TEXT without language', 14, (r) => { drop(cho(r), NS.edm, 'type'); drop(cho(r), NS.dc, 'language'); cho(r).children.push(el(NS.edm, 'type', 'TEXT')); }],
  ['two ProvidedCHOs', 15, (r) => {
    const copy = structuredClone(cho(r));
    setAttr(copy, 'rdf:about', 'http://example.org/cho/2');
    r.children.splice(r.children.indexOf(cho(r)) + 1, 0, copy);
  }],
  ['an empty second ProvidedCHO', 14, (r) => r.children.push(el(NS.edm, 'ProvidedCHO', undefined, { 'rdf:about': 'http://example.org/cho/2' }))],
  ['two Aggregations', 15, (r) => {
    const copy = structuredClone(agg(r));
    setAttr(copy, 'rdf:about', 'http://example.org/agg/2');
    r.children.splice(r.children.indexOf(agg(r)) + 1, 0, copy);
  }],
  ['an empty second Aggregation', 4, (r) => r.children.push(el(NS.ore, 'Aggregation', undefined, { 'rdf:about': 'http://example.org/agg/2' }))],
  ['invalid digitalSourceType', 16, (r) => withWebResource(r, el(SCHEMA_ORG, 'digitalSourceType', undefined, res('https://cv.iptc.org/newscodes/digitalsourcetype/other')))],
  ['valid digitalSourceType', undefined, (r) => withWebResource(r, el(SCHEMA_ORG, 'digitalSourceType', undefined, res('https://cv.iptc.org/newscodes/digitalsourcetype/digitalCapture')))],
  ['invalid intendedUsage', 17, (r) => withWebResource(r, el(NS.edm, 'intendedUsage', undefined, res('http://data.europeana.eu/vocabulary/usageArea/Fun')))],
  ['valid intendedUsage', undefined, (r) => withWebResource(r, el(NS.edm, 'intendedUsage', undefined, res('http://data.europeana.eu/vocabulary/usageArea/Art')))],
];

const providerProxy = (r: XmlElement) =>
  kids(r, NS.ore, 'Proxy').find((p) => !kids(p, NS.edm, 'europeanaProxy').some((e) => e.children.some((c) => c.kind === 'text' && c.text === 'true')))!;
const europeanaProxy = (r: XmlElement) =>
  kids(r, NS.ore, 'Proxy').find((p) => kids(p, NS.edm, 'europeanaProxy').some((e) => e.children.some((c) => c.kind === 'text' && c.text === 'true')))!;

/** Mutants of a valid internal record: [name, expected pattern of schematron-internal.xsl, edit]. */
export const INTERNAL_MUTATIONS: Array<[string, number | undefined, Edit]> = [
  ['rdf:resource and text', 1, (r) => providerProxy(r).children.push(el(NS.dc, 'relation', 'txt', res('http://x.org/')))],
  ['empty rdf:resource', 2, (r) => providerProxy(r).children.push(el(NS.dc, 'relation', undefined, res('')))],
  ['aggregation without isShownAt/By', 3, (r) => { drop(agg(r), NS.edm, 'isShownAt'); drop(agg(r), NS.edm, 'isShownBy'); }],
  ['aggregation without dataProvider', 4, (r) => drop(agg(r), NS.edm, 'dataProvider')],
  ['aggregation without provider', 5, (r) => drop(agg(r), NS.edm, 'provider')],
  ['aggregation without rights', 6, (r) => drop(agg(r), NS.edm, 'rights')],
  ['empty provider', 7, (r) => { drop(agg(r), NS.edm, 'provider'); agg(r).children.push(el(NS.edm, 'provider', ' ')); }],
  ['empty dataProvider', 8, (r) => { drop(agg(r), NS.edm, 'dataProvider'); agg(r).children.push(el(NS.edm, 'dataProvider', '')); }],
  ['empty EuropeanaAggregation about', 9, (r) => setAttr(first(r, NS.edm, 'EuropeanaAggregation'), 'rdf:about', '')],
  ['empty xml:lang', 10, (r) => providerProxy(r).children.push(el(NS.dc, 'description', 'd', { 'xml:lang': '' }))],
  ['provider proxy without subject-like', 11, (r) => clearSubjects(providerProxy(r))],
  ['provider proxy with coverage only', 11, (r) => { clearSubjects(providerProxy(r)); providerProxy(r).children.push(el(NS.dc, 'coverage', 'c')); }],
  ['provider proxy with blank subject', 11, (r) => { clearSubjects(providerProxy(r)); providerProxy(r).children.push(el(NS.dc, 'subject', '  ')); }],
  ['provider proxy without title/description', 11, (r) => { drop(providerProxy(r), NS.dc, 'title'); drop(providerProxy(r), NS.dc, 'description'); }],
  ['provider proxy without edm:type', 11, (r) => drop(providerProxy(r), NS.edm, 'type')],
  ['provider proxy TEXT without language', 11, (r) => { drop(providerProxy(r), NS.edm, 'type'); drop(providerProxy(r), NS.dc, 'language'); providerProxy(r).children.push(el(NS.edm, 'type', 'TEXT')); }],
  ['Europeana proxy with subject', 11, (r) => europeanaProxy(r).children.push(el(NS.dc, 'subject', 's'))],
  ['Europeana proxy with edm:type', 11, (r) => europeanaProxy(r).children.push(el(NS.edm, 'type', 'IMAGE'))],
  ['literal hasPart on web resource', 12, (r) => withWebResource(r, el(DCT, 'hasPart', 'part'))],
];

/** Records for the default transformation: properties its class lists lack, provenance, ids. */
export const TRANSFORM_MUTATIONS: Array<[string, number | undefined, Edit]> = [
  ['web resource with newer properties', undefined, (r) =>
    withWebResource(r, el(NS.dc, 'title', 't'), el(NS.dc, 'language', 'en'), el(NS.edm, 'type', 'IMAGE'), el(NS.edm, 'rights', undefined, res('http://creativecommons.org/publicdomain/zero/1.0/')))],
  ['agent with hiddenLabel', undefined, (r) => {
    const a = el(NS.edm, 'Agent', undefined, { 'rdf:about': 'http://example.org/agent/1' });
    a.children.push(el(NS.skos, 'prefLabel', 'A', { 'xml:lang': 'en' }), el(NS.skos, 'hiddenLabel', 'h'));
    r.children.push(a);
  }],
  ['provenance split (edm:wasGeneratedBy)', undefined, (r) => {
    const t = el(NS.dc, 'subject', 'generated');
    t.attrs.push({ name: 'edm:wasGeneratedBy', prefix: 'edm', local: 'wasGeneratedBy', ns: NS.edm, value: 'http://example.org/tool' });
    cho(r).children.push(t);
  }],
  ['rdf:about with host and #', undefined, (r) => setAttr(cho(r), 'rdf:about', 'http://example.org/items/a#b c')],
  ['unknown property dropped', undefined, (r) => cho(r).children.push(el(NS.skos, 'note', 'n'))],
];

/** Declares on the root every prefix the mutations use (when the base does not already). */
function declarePrefixes(root: XmlElement): void {
  const uris: Record<string, string> = { dc: NS.dc, dcterms: DCT, edm: NS.edm, ore: NS.ore, cc: NS.cc, odrl: NS.odrl, schema: SCHEMA_ORG, rdf: NS.rdf, skos: NS.skos };
  for (const [p, uri] of Object.entries(uris)) {
    if (root.attrs.some((a) => a.prefix === 'xmlns' && a.local === p)) continue;
    root.attrs.push({ name: `xmlns:${p}`, prefix: 'xmlns', local: p, ns: 'http://www.w3.org/2000/xmlns/', value: uri });
  }
}

/** Applies each mutation to a fresh parse of `base`. */
export function mutants(base: string, mutations: Array<[string, number | undefined, Edit]>): Mutant[] {
  return mutations.map(([name, pattern, edit]) => {
    const doc = parseXml(base);
    edit(doc.root);
    declarePrefixes(doc.root);
    return { name, pattern, text: serializeXml(doc) };
  });
}
