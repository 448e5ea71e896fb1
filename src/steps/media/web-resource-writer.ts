/**
 * Writes extracted technical metadata into the record's `edm:WebResource`s (Metis `EnrichedRdfImpl`
 * + `WebResource`) and sets `edm:preview` on the Europeana aggregation.
 *
 * Elements are placed in the order of the EDM internal XSD's WebResource sequence, each with the
 * `rdf:datatype` Metis writes; values replace earlier ones of the same property.
 */
import { NS } from '../../edm/namespaces.ts';
import { childElements, createElement, createText, getAttr, setAttr, type XmlElement } from '../../edm/xml.ts';
import { aboutOf, aggregationLinks } from './resources.ts';

export type EdmType = 'IMAGE' | 'SOUND' | 'VIDEO' | 'TEXT' | '3D';

/** What media processing learnt about one resource. Absent fields are not written. */
export interface ResourceMetadata {
  mimeType: string;
  fileByteSize?: number;
  edmType?: EdmType;
  width?: number;
  height?: number;
  orientation?: 'landscape' | 'portrait';
  colorSpace?: string;
  /** `RRGGBB` without `#`. */
  dominantColors?: string[];
  /** DPI. */
  spatialResolution?: number;
  /** Text resources: true → `rdf:type edm:FullTextResource`; false removes it. */
  containsText?: boolean;
  /** Milliseconds. */
  duration?: number;
  bitRate?: number;
  frameRate?: number;
  codecName?: string;
  audioChannelNumber?: number;
  sampleRate?: number;
  sampleSize?: number;
}

const XSD = 'http://www.w3.org/2001/XMLSchema#';
const FULL_TEXT_RESOURCE = 'http://www.europeana.eu/schemas/edm/FullTextResource';

type Prop = { ns: string; prefix: string; local: string };
const p = (prefix: keyof typeof NS, local: string): Prop => ({ ns: NS[prefix], prefix, local });

/** The WebResource sequence of the EDM internal XSD (CONTEXTS.xsd), by namespace + local name. */
const ORDER: Prop[] = [
  ...['creator', 'description', 'format', 'rights', 'source', 'type', 'title', 'language'].map((l) => p('dc', l)),
  ...['conformsTo', 'created', 'extent', 'hasPart', 'isFormatOf', 'isPartOf', 'issued', 'temporal'].map((l) =>
    p('dcterms', l),
  ),
  p('edm', 'isNextInSequence'),
  p('edm', 'rights'),
  p('owl', 'sameAs'),
  p('rdf', 'type'),
  p('edm', 'codecName'),
  p('ebucore', 'hasMimeType'),
  p('ebucore', 'fileByteSize'),
  p('ebucore', 'duration'),
  p('ebucore', 'width'),
  p('ebucore', 'height'),
  p('edm', 'spatialResolution'),
  p('ebucore', 'sampleSize'),
  p('ebucore', 'sampleRate'),
  p('ebucore', 'bitRate'),
  p('ebucore', 'frameRate'),
  p('edm', 'hasColorSpace'),
  p('edm', 'componentColor'),
  p('edm', 'pointCount'),
  p('edm', 'polygonCount'),
  p('edm', 'vertexCount'),
  p('rdfs', 'seeAlso'),
  p('ebucore', 'orientation'),
  p('ebucore', 'audioChannelNumber'),
  p('dcterms', 'isReferencedBy'),
  p('edm', 'preview'),
  p('svcs', 'has_service'),
  p('edm', 'type'),
  { ns: 'https://schema.org/', prefix: 'schema', local: 'digitalSourceType' },
  p('edm', 'intendedUsage'),
];
const rank = (el: XmlElement) => ORDER.findIndex((o) => o.ns === el.ns && o.local === el.local);

/** Finds the prefix bound to `ns` on the root, declaring `preferred` there when none is. */
function prefixFor(root: XmlElement, ns: string, preferred: string): string {
  const declared = root.attrs.find((a) => a.prefix === 'xmlns' && a.value === ns);
  if (declared) return declared.local;
  let prefix = preferred;
  for (let i = 2; root.attrs.some((a) => a.prefix === 'xmlns' && a.local === prefix); i++) prefix = `${preferred}${i}`;
  setAttr(root, `xmlns:${prefix}`, NS.xmlns, ns);
  return prefix;
}

/** Edits one record tree; create once per record, then `enrich` each resource and `setPreview`. */
export class WebResourceWriter {
  constructor(private readonly root: XmlElement) {}

  private qname(prop: Prop): string {
    return `${prefixFor(this.root, prop.ns, prop.prefix)}:${prop.local}`;
  }

  /** The `edm:WebResource` with this rdf:about, created (at the end of the record) when missing. */
  webResource(url: string): XmlElement {
    const existing = childElements(this.root, NS.edm, 'WebResource').find((w) => aboutOf(w) === url);
    if (existing) return existing;
    const wr = createElement(this.qname(p('edm', 'WebResource')), NS.edm, [
      { name: this.qname(p('rdf', 'about')), ns: NS.rdf, value: url },
    ]);
    this.root.children.push(wr);
    return wr;
  }

  private replace(
    wr: XmlElement,
    prop: Prop,
    values: Array<{ text?: string; resource?: string; datatype?: string }>,
  ): void {
    wr.children = wr.children.filter((c) => !(c.kind === 'element' && c.ns === prop.ns && c.local === prop.local));
    const r = ORDER.findIndex((o) => o.ns === prop.ns && o.local === prop.local);
    const created = values.map((v) => {
      const attrs: Array<{ name: string; ns: string; value: string }> = [];
      if (v.resource !== undefined)
        attrs.push({ name: this.qname(p('rdf', 'resource')), ns: NS.rdf, value: v.resource });
      if (v.datatype !== undefined)
        attrs.push({ name: this.qname(p('rdf', 'datatype')), ns: NS.rdf, value: XSD + v.datatype });
      return createElement(this.qname(prop), prop.ns, attrs, v.text === undefined ? [] : [createText(v.text)]);
    });
    // Insert before the first element that comes later in the XSD sequence (unknown ones stay put).
    const at = wr.children.findIndex((c) => c.kind === 'element' && rank(c) > r);
    if (at < 0) wr.children.push(...created);
    else wr.children.splice(at, 0, ...created);
  }

  /** Writes a resource's metadata into its WebResource. */
  enrich(url: string, m: ResourceMetadata): void {
    const wr = this.webResource(url);
    const set = (prefix: keyof typeof NS, local: string, value: string | number | undefined, datatype?: string) => {
      if (value !== undefined) this.replace(wr, p(prefix, local), [{ text: String(value), datatype }]);
    };
    if (m.containsText === true) this.replace(wr, p('rdf', 'type'), [{ resource: FULL_TEXT_RESOURCE }]);
    else if (m.containsText === false) {
      wr.children = wr.children.filter(
        (c) =>
          !(
            c.kind === 'element' &&
            c.ns === NS.rdf &&
            c.local === 'type' &&
            getAttr(c, NS.rdf, 'resource') === FULL_TEXT_RESOURCE
          ),
      );
    }
    set('edm', 'codecName', m.codecName);
    set('ebucore', 'hasMimeType', m.mimeType);
    set('ebucore', 'fileByteSize', m.fileByteSize, 'long');
    set('ebucore', 'duration', m.duration);
    set('ebucore', 'width', m.width, 'integer');
    set('ebucore', 'height', m.height, 'integer');
    set('edm', 'spatialResolution', m.spatialResolution, 'nonNegativeInteger');
    set('ebucore', 'sampleSize', m.sampleSize, 'integer');
    set('ebucore', 'sampleRate', m.sampleRate, 'integer');
    set('ebucore', 'bitRate', m.bitRate, 'nonNegativeInteger');
    set('ebucore', 'frameRate', m.frameRate === undefined ? undefined : javaDouble(m.frameRate), 'double');
    set('edm', 'hasColorSpace', m.colorSpace);
    if (m.dominantColors && m.dominantColors.length > 0) {
      this.replace(
        wr,
        p('edm', 'componentColor'),
        m.dominantColors.map((c) => ({ text: c, datatype: 'hexBinary' })),
      );
    }
    set('ebucore', 'orientation', m.orientation, 'string');
    set('ebucore', 'audioChannelNumber', m.audioChannelNumber, 'nonNegativeInteger');
    set('edm', 'type', m.edmType);
  }

  /**
   * Sets `edm:preview` on the first `edm:EuropeanaAggregation` (none is created: Metis only sets it
   * when the aggregation exists). `hasLargeThumbnail(url)` tells which resources got a stored
   * LARGE thumbnail. Returns the chosen URL, if any.
   */
  setPreview(hasLargeThumbnail: (url: string) => boolean): string | undefined {
    const url = choosePreview(this.root, hasLargeThumbnail);
    const aggregation = childElements(this.root, NS.edm, 'EuropeanaAggregation')[0];
    if (!url || !aggregation) return url;
    aggregation.children = aggregation.children.filter(
      (c) => !(c.kind === 'element' && c.ns === NS.edm && c.local === 'preview'),
    );
    const preview = createElement(this.qname(p('edm', 'preview')), NS.edm, [
      { name: this.qname(p('rdf', 'resource')), ns: NS.rdf, value: url },
    ]);
    // EuropeanaAggregation sequence: … edm:landingPage, edm:preview, edm:language, edm:rights, edm:completeness …
    const after = new Set(['language', 'rights', 'completeness', 'datasetName', 'intendedUsage']);
    const at = aggregation.children.findIndex((c) => c.kind === 'element' && c.ns === NS.edm && after.has(c.local));
    if (at < 0) aggregation.children.push(preview);
    else aggregation.children.splice(at, 0, preview);
    return url;
  }
}

/**
 * Metis's rule: the edm:object when it has a LARGE thumbnail; otherwise isShownBy vs the first
 * hasView, whichever has one; when both do, hasView only if its spatial resolution is strictly greater.
 */
export function choosePreview(root: XmlElement, hasLargeThumbnail: (url: string) => boolean): string | undefined {
  const links = aggregationLinks(root);
  const first = (type: string) => links.find((l) => l.type === type)?.url;
  const object = first('OBJECT');
  if (object && hasLargeThumbnail(object)) return object;
  const isShownBy = first('IS_SHOWN_BY');
  const hasView = first('HAS_VIEW');
  const byOk = isShownBy !== undefined && hasLargeThumbnail(isShownBy);
  const viewOk = hasView !== undefined && hasLargeThumbnail(hasView);
  if (byOk && viewOk) return resolution(root, hasView!) > resolution(root, isShownBy!) ? hasView : isShownBy;
  return byOk ? isShownBy : viewOk ? hasView : undefined;
}

function resolution(root: XmlElement, url: string): number {
  const wr = childElements(root, NS.edm, 'WebResource').find((w) => aboutOf(w) === url);
  const el = wr && childElements(wr, NS.edm, 'spatialResolution')[0];
  const text = el?.children
    .map((c) => (c.kind === 'text' ? c.text : ''))
    .join('')
    .trim();
  return text && /^\d+$/.test(text) ? Number(text) : 0;
}

/** Java's Double.toString for the common cases: `25` → `25.0`. */
function javaDouble(n: number): string {
  return Number.isInteger(n) ? `${n}.0` : String(n);
}
