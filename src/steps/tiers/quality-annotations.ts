/**
 * Writes tiers into the record as `dqv:QualityAnnotation`s (Metis `RdfTierUtils`, OVERWRITE or INITIALISE):
 * provider-data tiers on the aggregator aggregation (else the provider aggregation), Europeana
 * tiers on the `edm:EuropeanaAggregation`. An existing annotation of the same kind and target gets
 * its body replaced; otherwise a new one is appended, linked by `dqv:hasQualityAnnotation`.
 */
import { NS } from '../../edm/namespaces.ts';
import {
  createElement,
  createText,
  getAttr,
  setAttr,
  walkElements,
  type XmlDocument,
  type XmlElement,
} from '../../edm/xml.ts';
import { aboutOf, isAggregatorAggregation, type EdmView } from './edm-view.ts';
import type { ContentTier } from './content-tier.ts';
import type { MetadataTier } from './metadata-tier.ts';
import { RecordError } from '../../errors/index.ts';

export const CONTENT_TIER_BASE = 'http://www.europeana.eu/schemas/epf/contentTier';
export const METADATA_TIER_BASE = 'http://www.europeana.eu/schemas/epf/metadataTier';

/** A record that cannot carry annotations (`TIER_ANNOTATION`: no aggregation, duplicated annotations). */
export class TierAnnotationError extends RecordError<'TIER_ANNOTATION'> {
  constructor(message: string) {
    super('TIER_ANNOTATION', { detail: message });
    this.name = 'TierAnnotationError';
  }
}

export interface AnnotationTiers {
  providerContent: ContentTier;
  providerMetadata: MetadataTier;
  europeanaContent: ContentTier;
  europeanaMetadata: MetadataTier;
}

/** Makes sure the root declares `prefix` for `ns`; returns the prefix to use (an existing one wins). */
function ensurePrefix(doc: XmlDocument, prefix: string, ns: string): string {
  for (const a of doc.root.attrs) if (a.prefix === 'xmlns' && a.value === ns) return a.local;
  let p = prefix;
  for (let i = 1; doc.root.attrs.some((a) => a.prefix === 'xmlns' && a.local === p); i++) p = `${prefix}${i}`;
  setAttr(doc.root, `xmlns:${p}`, NS.xmlns, ns);
  return p;
}

function annotationsOf(agg: XmlElement): XmlElement[] {
  const out: XmlElement[] = [];
  for (const el of walkElements(agg)) if (el.ns === NS.dqv && el.local === 'QualityAnnotation') out.push(el);
  return out;
}

function resourceOf(el: XmlElement, ns: string, local: string): string[] {
  return el.children
    .filter((c): c is XmlElement => c.kind === 'element' && c.ns === ns && c.local === local)
    .map((c) => getAttr(c, NS.rdf, 'resource') ?? '');
}

/** OVERWRITE replaces an existing annotation's body; INITIALISE leaves an existing one alone. */
export type TierWriteMode = 'OVERWRITE' | 'INITIALISE';

function setTier(
  doc: XmlDocument,
  aggregations: XmlElement[],
  target: XmlElement,
  base: string,
  body: string,
  created: string,
  mode: TierWriteMode,
): void {
  const targetAbout = aboutOf(target);
  const matches = aggregations
    .flatMap(annotationsOf)
    .filter(
      (a) =>
        resourceOf(a, NS.oa, 'hasBody').some((b) => b.startsWith(base)) &&
        resourceOf(a, NS.oa, 'hasTarget').includes(targetAbout),
    );
  if (matches.length > 1)
    throw new TierAnnotationError(`Multiple annotations found for target '${targetAbout}' and type '${base}'.`);
  if (matches.length === 1) {
    if (resourceOf(matches[0], NS.oa, 'hasTarget').length > 1)
      throw new TierAnnotationError('Annotation found with multiple targets.');
    if (mode === 'INITIALISE') return;
    const hasBody = matches[0].children.find(
      (c): c is XmlElement => c.kind === 'element' && c.ns === NS.oa && c.local === 'hasBody',
    )!;
    setAttr(
      hasBody,
      hasBody.attrs.find((a) => a.ns === NS.rdf && a.local === 'resource')?.name ?? 'rdf:resource',
      NS.rdf,
      body,
    );
    return;
  }
  const dqv = ensurePrefix(doc, 'dqv', NS.dqv);
  const oa = ensurePrefix(doc, 'oa', NS.oa);
  const dcterms = ensurePrefix(doc, 'dcterms', NS.dcterms);
  const rdf = ensurePrefix(doc, 'rdf', NS.rdf);
  const res = (v: string) => [{ name: `${rdf}:resource`, ns: NS.rdf, value: v }];
  const annotation = createElement(
    `${dqv}:QualityAnnotation`,
    NS.dqv,
    [],
    [
      createElement(`${dcterms}:created`, NS.dcterms, [], [createText(created)]),
      createElement(`${oa}:hasTarget`, NS.oa, res(targetAbout)),
      createElement(`${oa}:hasBody`, NS.oa, res(body)),
    ],
  );
  target.children.push(createElement(`${dqv}:hasQualityAnnotation`, NS.dqv, [], [annotation]));
}

/**
 * Writes the four tier annotations into the record tree (in place).
 * Throws TierAnnotationError when the record has no suitable aggregation.
 */
export function writeTierAnnotations(
  view: EdmView,
  tiers: AnnotationTiers,
  now: Date = new Date(),
  mode: TierWriteMode = 'OVERWRITE',
): void {
  const aggregations = [...view.aggregations, ...(view.europeanaAggregation ? [view.europeanaAggregation] : [])];
  const providerTarget =
    view.aggregations.find(isAggregatorAggregation) ?? view.aggregations.find((a) => !isAggregatorAggregation(a));
  if (!providerTarget || !view.europeanaAggregation) {
    throw new TierAnnotationError('Cannot find suitable aggregator or provider aggregation in record.');
  }
  const created = now.toISOString();
  setTier(
    view.doc,
    aggregations,
    providerTarget,
    CONTENT_TIER_BASE,
    `${CONTENT_TIER_BASE}${tiers.providerContent}`,
    created,
    mode,
  );
  setTier(
    view.doc,
    aggregations,
    providerTarget,
    METADATA_TIER_BASE,
    `${METADATA_TIER_BASE}${tiers.providerMetadata}`,
    created,
    mode,
  );
  setTier(
    view.doc,
    aggregations,
    view.europeanaAggregation,
    CONTENT_TIER_BASE,
    `${CONTENT_TIER_BASE}${tiers.europeanaContent}`,
    created,
    mode,
  );
  setTier(
    view.doc,
    aggregations,
    view.europeanaAggregation,
    METADATA_TIER_BASE,
    `${METADATA_TIER_BASE}${tiers.europeanaMetadata}`,
    created,
    mode,
  );
}

/** Reads the tier annotations currently in a record: `{target about → {content?, metadata?}}`. */
export function readTierAnnotations(doc: XmlDocument): Map<string, { content?: string; metadata?: string }> {
  const out = new Map<string, { content?: string; metadata?: string }>();
  for (const el of walkElements(doc.root)) {
    if (el.ns !== NS.dqv || el.local !== 'QualityAnnotation') continue;
    const body = resourceOf(el, NS.oa, 'hasBody')[0] ?? '';
    for (const t of resourceOf(el, NS.oa, 'hasTarget')) {
      const entry = out.get(t) ?? {};
      if (body.startsWith(CONTENT_TIER_BASE)) entry.content = body.slice(CONTENT_TIER_BASE.length);
      if (body.startsWith(METADATA_TIER_BASE)) entry.metadata = body.slice(METADATA_TIER_BASE.length);
      out.set(t, entry);
    }
  }
  return out;
}
