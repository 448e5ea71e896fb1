/**
 * The external Schematron rules (Metis `schematron/schematron.xsl`, metis-steps.md §4), in the order
 * of its patterns, so the first failure is the one Metis reports.
 */
import { NS } from '../../edm/namespaces.ts';
import type { XmlElement } from '../../edm/xml.ts';
import {
  DCT,
  type Pattern,
  type SchematronFailure,
  aggregationPatterns,
  anyResourceOrText,
  attr,
  emptyLang,
  emptyResource,
  firstTextNotBlank,
  has,
  is,
  kids,
  normalizeSpace,
  resourceAndText,
  resourceOf,
  runPatterns,
  stringValue,
  webResourceHasPart,
  withNode,
} from './schematron-support.ts';

/** Rights statement URIs Europeana accepts (`license_patterns` of schematron.xsl): http only, trailing slash. */
export const RIGHTS_PATTERNS: readonly RegExp[] = [
  /^http:\/\/creativecommons\.org\/licenses\/(by|by-sa|by-nd|by-nc|by-nc-sa|by-nc-nd|by-nd-nc)\/1\.0\/((fi|il|nl)\/)?$/,
  /^http:\/\/creativecommons\.org\/licenses\/(by|by-sa|by-nd|by-nc|by-nc-sa|by-nc-nd)\/2\.0\/((au|at|be|br|ca|cl|hr|uk|fr|de|it|jp|nl|pl|kr|es|tw)\/)?$/,
  /^http:\/\/creativecommons\.org\/licenses\/(by|by-sa|by-nd|by-nc|by-nc-sa|by-nc-nd)\/2\.1\/((au|es|jp)\/)$/,
  /^http:\/\/creativecommons\.org\/licenses\/(by|by-sa|by-nd|by-nc|by-nc-sa|by-nc-nd)\/2\.5\/((ar|au|br|bg|ca|cn|co|hr|dk|hu|in|il|it|mk|my|mt|mx|nl|pe|pl|pt|scotland|si|za|es|se|ch|tw)\/)?$/,
  /^http:\/\/creativecommons\.org\/licenses\/(by|by-sa|by-nd|by-nc|by-nc-sa|by-nc-nd)\/3\.0\/((au|at|br|cl|cn|cr|hr|cz|ec|eg|ee|fr|de|gr|gt|hk|igo|ie|it|lu|nl|nz|no|ph|pl|pt|pr|ro|rs|sg|za|es|ch|tw|th|ug|us|ve|vn)\/)?$/,
  /^http:\/\/creativecommons\.org\/licenses\/(by|by-sa|by-nd|by-nc|by-nc-sa|by-nc-nd)\/4\.0\/$/,
  /^http:\/\/creativecommons\.org\/publicdomain\/(zero|mark)\/1\.0\/$/,
  /^http:\/\/rightsstatements\.org\/vocab\/(NoC-NC|NoC-OKLR|InC|InC-EDU|InC-OW-EU|CNE)\/1\.0\/$/,
];

const DIGITAL_SOURCE_TYPES = new Set(
  ['digitalCapture', 'dataDrivenMedia', 'digitalCreation'].map((t) => `https://cv.iptc.org/newscodes/digitalsourcetype/${t}`),
);
const USAGE_AREAS = new Set(
  [
    'Knowledge', 'Research', 'Education', 'Infotainment', 'Tourism', 'Gaming', 'Exhibition', 'Creativity',
    'Design', 'Art', 'Curation', 'Maintenance', 'Restoration', 'Documentation',
  ].map((a) => `http://data.europeana.eu/vocabulary/usageArea/${a}`),
);
const SCHEMA_ORG = 'https://schema.org/';

const isValidRs = (uri: string | undefined) => uri !== undefined && RIGHTS_PATTERNS.some((p) => p.test(uri));

/** `lib:isValidRightsField`: a valid URI, or a `cc:License` of the record inheriting from one. */
function isValidRightsField(uri: string | undefined, licenses: XmlElement[]): boolean {
  if (isValidRs(uri)) return true;
  if (uri === undefined) return false;
  return licenses.some(
    (l) => attr(l, NS.rdf, 'about') === uri && kids(l, NS.odrl, 'inheritFrom').some((i) => isValidRs(resourceOf(i))),
  );
}

const hasSubjectLike = (el: XmlElement) =>
  has(el, NS.dc, 'subject') || has(el, NS.dc, 'type') || has(el, DCT, 'temporal') || has(el, DCT, 'spatial');

/** `(x and (exists(x/@rdf:resource) or normalize-space(x)!=''))` with XPath 1.0 first-node semantics. */
function filledOld(el: XmlElement, ns: string, local: string): boolean {
  const xs = kids(el, ns, local);
  if (xs.length === 0) return false;
  return xs.some((x) => resourceOf(x) !== undefined) || normalizeSpace(stringValue(xs[0])) !== '';
}

const edmTypeIsText = (el: XmlElement) => kids(el, NS.edm, 'type').some((t) => stringValue(t) === 'TEXT');

/** ore:Proxy rules (only reachable in external records that XSD already rejected, kept for fidelity). */
const proxyPattern: Pattern = (el) => {
  if (!is(el, NS.ore, 'Proxy')) return undefined;
  if (!hasSubjectLike(el)) return withNode(el, 'A Proxy must have a dc:subject or dc:type or dct:temporal or dct:spatial.');
  if (!(filledOld(el, NS.dc, 'subject') || filledOld(el, NS.dc, 'type') || filledOld(el, DCT, 'temporal') || filledOld(el, DCT, 'spatial')))
    return withNode(el, 'A Proxy must have a non empty dc:subject or dc:type or dct:temporal or dct:spatial.');
  if (!has(el, NS.dc, 'title') && !has(el, NS.dc, 'description'))
    return withNode(el, 'A Proxy must have a dc:title or dc:description.');
  const titles = kids(el, NS.dc, 'title');
  // Metis's test reads `normalize-space(dc:decription)` (sic), which is always empty: only a
  // description with rdf:resource counts here.
  if (!((titles.length > 0 && normalizeSpace(stringValue(titles[0])) !== '') || kids(el, NS.dc, 'description').some((d) => resourceOf(d) !== undefined)))
    return withNode(el, 'A Proxy must have a non empty dc:title or a non empty dc:description');
  if (edmTypeIsText(el) && !has(el, NS.dc, 'language'))
    return withNode(el, "Within a Proxy context, dc:language is mandatory when dc:language has the value 'TEXT'.");
  if (!has(el, NS.edm, 'type') && !has(el, NS.edm, 'europeanaProxy'))
    return withNode(el, 'edm:type should be present in an ore:Proxy context.');
  if (has(el, NS.edm, 'type') && has(el, NS.edm, 'europeanaProxy'))
    return withNode(el, 'edm:type should not be present in an Europeana Proxy context (when the edm:europeanaProxy value is present).');
  return undefined;
};

const providedChoPattern: Pattern = (el) => {
  if (!is(el, NS.edm, 'ProvidedCHO')) return undefined;
  if (!hasSubjectLike(el))
    return withNode(el, 'A ProvidedCHO must have a dc:subject or dc:type or dct:temporal or dct:spatial.');
  const subjectLike = [
    ...kids(el, NS.dc, 'subject'), ...kids(el, NS.dc, 'type'), ...kids(el, DCT, 'temporal'), ...kids(el, DCT, 'spatial'),
  ];
  if (!anyResourceOrText(subjectLike))
    return {
      message:
        'A ProvidedCHO must have at least one of dc:subject or dc:type or dct:temporal or dct:spatial, that has an rdf:resource attribute or have non empty text value.',
    };
  const titleOk = kids(el, NS.dc, 'title').some(firstTextNotBlank);
  if (!titleOk && !anyResourceOrText(kids(el, NS.dc, 'description')))
    return withNode(el, 'A ProvidedCHO must have a non empty dc:title or a non empty dc:description');
  if (edmTypeIsText(el) && !has(el, NS.dc, 'language'))
    return withNode(el, "Within a ProvidedCHO context, dc:language is mandatory when edm:type has the value 'TEXT'.");
  return undefined;
};

function rightsPattern(parentNs: string, parentLocal: string, licenses: () => XmlElement[]): Pattern {
  return (el, parent) =>
    is(el, NS.edm, 'rights') && is(parent, parentNs, parentLocal) && !isValidRightsField(resourceOf(el), licenses())
      ? withNode(el, 'Invalid Rights Statements')
      : undefined;
}

/**
 * Runs the external rules over a (sorted) external record.
 * @returns the first failed assert, or undefined when the record passes
 */
export function checkExternalSchematron(root: XmlElement): SchematronFailure | undefined {
  let licenseCache: XmlElement[] | undefined;
  const licenses = () => (licenseCache ??= collectLicenses(root));
  const patterns: Pattern[] = [
    emptyResource,
    resourceAndText,
    proxyPattern,
    ...aggregationPatterns,
    rightsPattern(NS.ore, 'Aggregation', licenses),
    emptyLang,
    rightsPattern(NS.edm, 'WebResource', licenses),
    webResourceHasPart,
    providedChoPattern,
    (el) => {
      if (!is(el, NS.rdf, 'RDF')) return undefined;
      if (kids(el, NS.edm, 'ProvidedCHO').length !== 1)
        return { message: 'Within a RDF context, there must be exactly one edm:ProvidedCHO.' };
      if (kids(el, NS.ore, 'Aggregation').length !== 1)
        return { message: 'Within a RDF context, there must be exactly one ore:Aggregation.' };
      return undefined;
    },
    (el, parent) =>
      is(el, SCHEMA_ORG, 'digitalSourceType') && is(parent, NS.edm, 'WebResource') && !DIGITAL_SOURCE_TYPES.has(resourceOf(el) ?? '')
        ? {
            message:
              'Invalid edm:WebResource/schema:digitalSourceType: @rdf:resource must be one of https://cv.iptc.org/newscodes/digitalsourcetype/digitalCapture, https://cv.iptc.org/newscodes/digitalsourcetype/dataDrivenMedia, https://cv.iptc.org/newscodes/digitalsourcetype/digitalCreation',
          }
        : undefined,
    (el, parent) =>
      is(el, NS.edm, 'intendedUsage') && is(parent, NS.edm, 'WebResource') && !USAGE_AREAS.has(resourceOf(el) ?? '')
        ? { message: 'Invalid edm:WebResource/edm:intendedUsage: @rdf:resource must be one of the defined Europeana usageArea URIs.' }
        : undefined,
  ];
  return runPatterns(root, patterns);
}

/** `//cc:License`: every cc:License of the document. */
function collectLicenses(root: XmlElement): XmlElement[] {
  const out: XmlElement[] = [];
  const walk = (el: XmlElement) => {
    if (is(el, NS.cc, 'License')) out.push(el);
    for (const c of el.children) if (c.kind === 'element') walk(c);
  };
  walk(root);
  return out;
}
