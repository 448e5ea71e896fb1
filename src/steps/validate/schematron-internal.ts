/**
 * The internal Schematron rules (Metis `schematron/schematron-internal.xsl`, metis-steps.md §6), in
 * the order of its patterns, so the first failure is the one Metis reports.
 */
import { NS } from '../../edm/namespaces.ts';
import type { XmlElement } from '../../edm/xml.ts';
import {
  DCT,
  type Pattern,
  type SchematronFailure,
  aboutOf,
  aggregationPatterns,
  anyResourceOrText,
  emptyLang,
  emptyResource,
  firstTextNotBlank,
  has,
  is,
  kids,
  resourceAndText,
  runPatterns,
  stringValue,
  webResourceHasPart,
  withNode,
} from './schematron-support.ts';

const isEuropeanaProxyTrue = (p: XmlElement) => kids(p, NS.edm, 'europeanaProxy').some((e) => stringValue(e) === 'true');

/** `ore:Proxy[not(edm:europeanaProxy) or edm:europeanaProxy='false']`: the provider (and aggregator) proxies. */
function providerProxies(rdf: XmlElement): XmlElement[] {
  return kids(rdf, NS.ore, 'Proxy').filter((p) => {
    const flags = kids(p, NS.edm, 'europeanaProxy');
    return flags.length === 0 || flags.some((f) => stringValue(f) === 'false');
  });
}

const all = (proxies: XmlElement[], ns: string, local: string) => proxies.flatMap((p) => kids(p, ns, local));

/** Pattern M36: the record-level provider-proxy rules on rdf:RDF, then the Europeana-proxy rules. */
const proxiesPattern: Pattern = (el) => {
  if (is(el, NS.rdf, 'RDF')) {
    const proxies = providerProxies(el);
    const subjects = [...all(proxies, NS.dc, 'subject'), ...all(proxies, NS.dc, 'type'), ...all(proxies, DCT, 'temporal'), ...all(proxies, DCT, 'spatial')];
    if (subjects.length === 0 && all(proxies, NS.dc, 'coverage').length === 0)
      return withNode(el, 'One Provider Proxy must have a dc:subject or dc:type or dct:temporal or dct:spatial or dc:coverage.');
    if (!anyResourceOrText(subjects))
      return {
        message:
          'One Provider Proxy must have at least one of dc:subject or dc:type or dct:temporal or dct:spatial, that has an rdf:resource attribute or have non empty text value.',
      };
    const titleOk = all(proxies, NS.dc, 'title').some(firstTextNotBlank);
    if (!titleOk && !anyResourceOrText(all(proxies, NS.dc, 'description')))
      return withNode(el, 'One Provider Proxy must have a non empty dc:title or a non empty dc:description');
    const types = all(proxies, NS.edm, 'type');
    if (types.length === 0) return withNode(el, 'edm:type should be present in an ore:Proxy context.');
    if (types.some((t) => stringValue(t) === 'TEXT') && all(proxies, NS.dc, 'language').length === 0)
      return withNode(el, "Within a Proxy context, dc:language is mandatory when edm:type has the value 'TEXT'.");
    return undefined;
  }
  if (is(el, NS.ore, 'Proxy') && isEuropeanaProxyTrue(el)) {
    if (has(el, NS.dc, 'subject') || has(el, NS.dc, 'type') || has(el, NS.dc, 'coverage') || has(el, DCT, 'temporal') || has(el, DCT, 'spatial'))
      return withNode(el, 'A Europeana Proxy must NOT have a dc:subject or dc:type or dct:temporal or dct:spatial.');
    if (has(el, NS.edm, 'type'))
      return withNode(el, 'edm:type should not be present in an Europeana Proxy context (when the edm:europeanaProxy value is present).');
  }
  return undefined;
};

const PATTERNS: readonly Pattern[] = [
  resourceAndText,
  emptyResource,
  ...aggregationPatterns,
  (el) =>
    is(el, NS.edm, 'EuropeanaAggregation') && aboutOf(el) === ''
      ? { message: 'Empty rdf:about values are not allowed' }
      : undefined,
  emptyLang,
  proxiesPattern,
  webResourceHasPart,
];

/**
 * Runs the internal rules over an internal record.
 * @returns the first failed assert, or undefined when the record passes
 */
export function checkInternalSchematron(root: XmlElement): SchematronFailure | undefined {
  return runPatterns(root, PATTERNS);
}
