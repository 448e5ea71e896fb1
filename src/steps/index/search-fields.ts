/**
 * The searchable fields of a record (a small subset of what Metis puts in Solr, §11 step 6):
 * titles, descriptions, creators, subjects, types, dates and places from all proxies — links to
 * contextual entities resolved to their `skos:prefLabel`s — plus the aggregation's providers and
 * rights and the Europeana aggregation's dataset name, country and language.
 */
import type { LangText, SearchFields } from '../../model/published.ts';
import { firstValue, propertiesOf, type EdmView, type PropertyValue } from '../tiers/edm-view.ts';
import { hasThumbnails, recordTypeOf } from '../tiers/content-tier.ts';

const FIELD_PROPERTIES: Record<'titles' | 'descriptions' | 'creators' | 'subjects' | 'types' | 'places', string[]> = {
  titles: ['dc:title', 'dcterms:alternative'],
  descriptions: ['dc:description'],
  creators: ['dc:creator', 'dc:contributor'],
  subjects: ['dc:subject'],
  types: ['dc:type'],
  places: ['dcterms:spatial', 'edm:currentLocation'],
};
const DATE_PROPERTIES = ['dc:date', 'dcterms:created', 'dcterms:issued', 'dcterms:temporal', 'edm:year'];

function labelsOf(view: EdmView, about: string): LangText[] {
  const out: LangText[] = [];
  for (const e of view.entitiesByAbout.get(about) ?? []) {
    for (const v of e.values) if (v.name === 'skos:prefLabel' && v.text) out.push({ text: v.text, lang: v.lang || undefined });
  }
  return out;
}

/** Literal values, and links resolved to entity labels (the URI itself is not searchable text). */
function valuesOf(view: EdmView, values: PropertyValue[], names: string[]): LangText[] {
  const out: LangText[] = [];
  const seen = new Set<string>();
  const push = (t: LangText) => {
    const key = `${t.lang ?? ''}\u0000${t.text}`;
    if (!seen.has(key)) {
      seen.add(key);
      out.push(t);
    }
  };
  for (const v of values) {
    if (!names.includes(v.name)) continue;
    if (v.text) push({ text: v.text, lang: v.lang || undefined });
    if (v.resource) for (const l of labelsOf(view, v.resource)) push(l);
  }
  return out;
}

/** An organisation or provider value: a literal, or the English (else first) label of a linked entity, else the URI. */
function agentName(view: EdmView, v: PropertyValue | undefined): string | undefined {
  if (!v) return undefined;
  if (v.text) return v.text;
  if (!v.resource) return undefined;
  const labels: LangText[] = [];
  for (const el of view.doc.root.children) {
    if (el.kind !== 'element' || el.local !== 'Organization') continue;
    const props = propertiesOf(el);
    if (el.attrs.some((a) => a.local === 'about' && a.value.trim() === v.resource)) {
      for (const p of props) if (p.name === 'skos:prefLabel' && p.text) labels.push({ text: p.text, lang: p.lang });
    }
  }
  labels.push(...labelsOf(view, v.resource));
  return (labels.find((l) => l.lang === 'en') ?? labels[0])?.text ?? v.resource;
}

/** Extracts the searchable fields of a record. */
export function extractSearchFields(view: EdmView): SearchFields {
  const proxyValues = view.proxies.flatMap((p) => p.values);
  const providerAggregation = view.aggregations.find((a) => !a.attrs.some((x) => x.local === 'about' && x.value.startsWith('/aggregation/aggregator'))) ?? view.aggregations[0];
  const agg = providerAggregation ? propertiesOf(providerAggregation) : [];
  const eagg = view.europeanaAggregation ? propertiesOf(view.europeanaAggregation) : [];
  const dates = new Set<string>();
  for (const v of proxyValues) if (DATE_PROPERTIES.includes(v.name) && v.text) dates.add(v.text);
  const text = (values: PropertyValue[], name: string) => firstValue(values, name)?.text || undefined;
  return {
    titles: valuesOf(view, view.providerProxies.flatMap((p) => p.values), FIELD_PROPERTIES.titles),
    descriptions: valuesOf(view, view.providerProxies.flatMap((p) => p.values), FIELD_PROPERTIES.descriptions),
    creators: valuesOf(view, proxyValues, FIELD_PROPERTIES.creators),
    subjects: valuesOf(view, proxyValues, FIELD_PROPERTIES.subjects),
    types: valuesOf(view, proxyValues, FIELD_PROPERTIES.types),
    places: valuesOf(view, proxyValues, FIELD_PROPERTIES.places),
    dates: [...dates],
    dataProvider: agentName(view, firstValue(agg, 'edm:dataProvider')),
    provider: agentName(view, firstValue(agg, 'edm:provider')),
    rights: firstValue(agg, 'edm:rights')?.resource || undefined,
    datasetName: text(eagg, 'edm:datasetName'),
    country: text(eagg, 'edm:country'),
    language: text(eagg, 'edm:language'),
    mediaType: recordTypeOf(view) ?? undefined,
    hasThumbnail: hasThumbnails(view),
  };
}
