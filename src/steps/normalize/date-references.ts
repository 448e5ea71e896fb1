/**
 * 7. DATES_NORMALIZER on the record: provider-proxy date values become `edm:TimeSpan`s linked from the
 * Europeana proxy (Metis `DatesNormalizer`).
 */
import { NS, type NsPrefix } from '../../edm/namespaces.ts';
import { childElements, type XmlElement } from '../../edm/xml.ts';
import { centuryOf, firstDay, formatEdtf, lastDay, qualifiersOf, type DateClock } from './dates/edtf.ts';
import { normalizeDateValue, type DateMatch, type PropertyKind } from './dates/normalize-date.ts';
import { aboutOf, createEdmElement, europeanaProxy, ownText, providerProxies } from './edm-tree.ts';

/** Source properties in Metis's order: the date properties, then the generic ones. */
const DATE_SOURCES: Array<{ prefix: NsPrefix; local: string; kind: PropertyKind }> = [
  { prefix: 'dcterms', local: 'created', kind: 'date' },
  { prefix: 'dcterms', local: 'issued', kind: 'date' },
  { prefix: 'dcterms', local: 'temporal', kind: 'date' },
  { prefix: 'dc', local: 'date', kind: 'date' },
  { prefix: 'dc', local: 'coverage', kind: 'generic' },
  { prefix: 'dc', local: 'subject', kind: 'generic' },
];

const EDTF_DATATYPE = 'http://id.loc.gov/datatypes/edtf/EDTF-level1';
const CENTURY_BASE = 'http://data.europeana.eu/timespan/';

/** Root children after which a new TimeSpan goes (the XSD order of rdf:RDF). */
const BEFORE_TIMESPANS = new Set(['ProvidedCHO', 'WebResource', 'Agent', 'Place', 'TimeSpan']);

/**
 * Normalizes every date value of the provider proxies. For each match: one `edm:TimeSpan` per distinct
 * EDTF value (an existing TimeSpan with the same rdf:about is replaced), and a reference of the same
 * property in the Europeana proxy (`<dc:date rdf:resource="#1942"/>`), added at its beginning.
 * Returns the number of references added.
 */
export function normalizeDates(root: XmlElement, clock: DateClock): number {
  const target = europeanaProxy(root);
  const created = new Map<string, XmlElement>();
  let references = 0;
  for (const source of DATE_SOURCES) {
    for (const proxy of providerProxies(root)) {
      for (const property of childElements(proxy, NS[source.prefix], source.local)) {
        const match = normalizeDateValue(ownText(property), source.kind, clock);
        if (!match) continue;
        const id = '#' + javaUrlEncode(match.edtf);
        if (!created.has(id)) created.set(id, addTimeSpan(root, id, match, clock));
        const reference = createEdmElement([root, target], source.prefix, source.local, [['rdf', 'resource', id]]);
        target.children.unshift(reference);
        references++;
      }
    }
  }
  return references;
}

function addTimeSpan(root: XmlElement, id: string, match: DateMatch, clock: DateClock): XmlElement {
  root.children = root.children.filter(
    (c) => !(c.kind === 'element' && c.ns === NS.edm && c.local === 'TimeSpan' && aboutOf(c) === id),
  );
  const timeSpan = createEdmElement([root], 'edm', 'TimeSpan', [['rdf', 'about', id]]);
  const scope = [root, timeSpan];
  const add = (prefix: NsPrefix, local: string, attrs: Array<[NsPrefix, string, string]>, text?: string) =>
    timeSpan.children.push(createEdmElement(scope, prefix, local, attrs, text));

  if (match.extractor === 'DCMI_PERIOD' && match.label && match.label.trim() !== '')
    add('skos', 'prefLabel', [], match.label);
  else add('skos', 'prefLabel', [['xml', 'lang', 'zxx']], match.edtf);
  const qualifiers = qualifiersOf(match.date);
  if (qualifiers.approximate) add('skos', 'note', [], 'approximate');
  if (qualifiers.uncertain) add('skos', 'note', [], 'uncertain');

  const first = firstDay(match.date, clock);
  const last = lastDay(match.date, clock);
  const startCentury = first ? centuryOf(first) : last ? centuryOf(last) : 0;
  const endCentury = last ? centuryOf(last) : startCentury;
  for (let century = Math.max(1, startCentury); century <= Math.max(0, endCentury); century++) {
    add('dcterms', 'isPartOf', [['rdf', 'resource', CENTURY_BASE + century]]);
  }
  if (first) add('edm', 'begin', [], formatEdtf(first));
  if (last) add('edm', 'end', [], formatEdtf(last));
  add('skos', 'notation', [['rdf', 'datatype', EDTF_DATATYPE]], match.edtf);

  let at = 0;
  root.children.forEach((c, i) => {
    if (c.kind === 'element' && c.ns === NS.edm && BEFORE_TIMESPANS.has(c.local)) at = i + 1;
  });
  root.children.splice(at, 0, timeSpan);
  return timeSpan;
}

/** Java `URLEncoder.encode(s, UTF-8)`: keeps `A-Za-z0-9.-*_`, space → `+`, the rest %XX (`1426/1450` → `1426%2F1450`). */
export function javaUrlEncode(s: string): string {
  return encodeURIComponent(s)
    .replace(/[!'()~]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase())
    .replace(/%20/g, '+');
}
