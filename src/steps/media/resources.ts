/**
 * Which resources of a record media processing looks at, and how (Metis `RdfDeserializerImpl`):
 * the aggregation links, their link types propagated through `dcterms:isFormatOf`, the resource
 * kind (IIIF / oEmbed / standard) from the WebResource's services, and the main-thumbnail order.
 */
import { NS } from '../../edm/namespaces.ts';
import { childElements, getAttr, textContent, type XmlElement } from '../../edm/xml.ts';

export type LinkType = 'OBJECT' | 'HAS_VIEW' | 'IS_SHOWN_BY' | 'IS_SHOWN_AT';
export type ResourceKind = 'STANDARD' | 'IIIF' | 'OEMBEDDED';
export type ProcessingMode = 'FULL' | 'REDUCED' | 'NONE';

export interface MediaResource {
  url: string;
  linkTypes: Set<LinkType>;
  kind: ResourceKind;
  /** The `svcs:Service` URL for IIIF and oEmbed resources. */
  serviceUrl?: string;
}

const LINKS: Array<[string, LinkType]> = [
  ['object', 'OBJECT'],
  ['hasView', 'HAS_VIEW'],
  ['isShownBy', 'IS_SHOWN_BY'],
  ['isShownAt', 'IS_SHOWN_AT'],
];

const IIIF_PROTOCOL = 'http://iiif.io/api/image';
const OEMBED_PROTOCOL = 'https://oembed.com/';

/** The element's `rdf:resource`, trimmed; undefined when blank. */
export function resourceOf(el: XmlElement): string | undefined {
  const value = getAttr(el, NS.rdf, 'resource')?.trim();
  return value ? value : undefined;
}

/** The element's `rdf:about`. */
export function aboutOf(el: XmlElement): string | undefined {
  return getAttr(el, NS.rdf, 'about');
}

/** The first `edm:object`, `edm:isShownBy`, … of the (first) `ore:Aggregation`, in document order per type. */
export function aggregationLinks(root: XmlElement): Array<{ url: string; type: LinkType }> {
  const out: Array<{ url: string; type: LinkType }> = [];
  for (const aggregation of childElements(root, NS.ore, 'Aggregation')) {
    for (const child of childElements(aggregation, NS.edm)) {
      const type = LINKS.find(([local]) => local === child.local)?.[1];
      const url = type ? resourceOf(child) : undefined;
      if (type && url) out.push({ url, type });
    }
  }
  return out;
}

/** Lists the resources to process, with propagated link types and their kind. */
export function findMediaResources(root: XmlElement): MediaResource[] {
  const webResources = new Map<string, XmlElement>();
  for (const wr of childElements(root, NS.edm, 'WebResource')) {
    const about = aboutOf(wr);
    if (about && !webResources.has(about)) webResources.set(about, wr);
  }
  const services = new Map<string, string[]>();
  for (const service of childElements(root, NS.svcs, 'Service')) {
    const about = aboutOf(service);
    if (!about) continue;
    services.set(
      about,
      childElements(service, NS.dcterms, 'conformsTo').map((c) => resourceOf(c) ?? textContent(c).trim()),
    );
  }

  const types = new Map<string, Set<LinkType>>();
  const add = (url: string, type: LinkType): boolean => {
    let set = types.get(url);
    if (!set) types.set(url, (set = new Set()));
    if (set.has(type)) return false;
    set.add(type);
    return true;
  };
  // Breadth-first over isFormatOf edges, so cycles terminate (a type is added to a URL once).
  const queue: Array<[string, LinkType]> = [];
  for (const { url, type } of aggregationLinks(root)) if (add(url, type)) queue.push([url, type]);
  while (queue.length > 0) {
    const [url, type] = queue.shift()!;
    const wr = webResources.get(url);
    if (!wr) continue;
    for (const f of childElements(wr, NS.dcterms, 'isFormatOf')) {
      const target = resourceOf(f);
      if (target && add(target, type)) queue.push([target, type]);
    }
  }

  const resources: MediaResource[] = [];
  for (const [url, linkTypes] of types) {
    const { kind, serviceUrl } = kindOf(webResources.get(url), services, linkTypes);
    resources.push({ url, linkTypes, kind, serviceUrl });
  }
  return resources;
}

function kindOf(
  wr: XmlElement | undefined,
  services: Map<string, string[]>,
  linkTypes: Set<LinkType>,
): { kind: ResourceKind; serviceUrl?: string } {
  if (!wr) return { kind: 'STANDARD' };
  for (const hs of childElements(wr, NS.svcs, 'has_service')) {
    const serviceUrl = resourceOf(hs);
    const conformsTo = serviceUrl ? services.get(serviceUrl) : undefined;
    if (!serviceUrl || !conformsTo) continue;
    const iiifAllowed = linkTypes.has('IS_SHOWN_BY') || linkTypes.has('HAS_VIEW') || linkTypes.has('OBJECT');
    const oembedAllowed = linkTypes.has('IS_SHOWN_BY') || linkTypes.has('HAS_VIEW');
    if (iiifAllowed && conformsTo.includes(IIIF_PROTOCOL)) return { kind: 'IIIF', serviceUrl };
    if (oembedAllowed && conformsTo.includes(OEMBED_PROTOCOL)) return { kind: 'OEMBEDDED', serviceUrl };
  }
  return { kind: 'STANDARD' };
}

/** FULL for IIIF, oEmbed, object / hasView / isShownBy; REDUCED for a landing page only; NONE otherwise. */
export function processingModeOf(resource: MediaResource): ProcessingMode {
  if (resource.kind !== 'STANDARD') return 'FULL';
  const t = resource.linkTypes;
  if (t.has('OBJECT') || t.has('HAS_VIEW') || t.has('IS_SHOWN_BY')) return 'FULL';
  if (t.has('IS_SHOWN_AT')) return 'REDUCED';
  return 'NONE';
}

/**
 * Splits the resources into the main-thumbnail resource (the only `edm:object`, when there is
 * exactly one distinct edm:object URL) and the rest, keeping document order.
 */
export function mainThumbnailFirst(
  root: XmlElement,
  resources: MediaResource[],
): { main?: MediaResource; rest: MediaResource[] } {
  const objects = [
    ...new Set(
      aggregationLinks(root)
        .filter((l) => l.type === 'OBJECT')
        .map((l) => l.url),
    ),
  ];
  if (objects.length !== 1) return { rest: resources };
  const main = resources.find((r) => r.url === objects[0]);
  return { main, rest: resources.filter((r) => r !== main) };
}
