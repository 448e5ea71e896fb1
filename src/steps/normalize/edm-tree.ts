/**
 * Tree helpers the normalizers share: finding the EDM classes, the provider and Europeana proxies,
 * reading and replacing an element's own text, and creating elements with a prefix that is in scope
 * (declaring Europeana's usual prefix on the new element when the record has none for that namespace).
 */
import { NS, type NsPrefix } from '../../edm/namespaces.ts';
import { childElements, getAttr, type XmlAttr, type XmlElement, type XmlNode } from '../../edm/xml.ts';
import { RecordError } from '../../errors/index.ts';

/** `/rdf:RDF/ore:Proxy[edm:europeanaProxy='true']`-style test: a child whose own text is exactly 'true'. */
export function isEuropeanaProxy(proxy: XmlElement): boolean {
  return childElements(proxy, NS.edm, 'europeanaProxy').some((e) => ownText(e) === 'true');
}

/** The root's ore:Proxy children that are not the Europeana proxy. */
export function providerProxies(root: XmlElement): XmlElement[] {
  return childElements(root, NS.ore, 'Proxy').filter((p) => !isEuropeanaProxy(p));
}

/** The unique Europeana proxy; throws NormalizationError when there is none or more than one. */
export function europeanaProxy(root: XmlElement): XmlElement {
  const found = childElements(root, NS.ore, 'Proxy').filter(isEuropeanaProxy);
  if (found.length !== 1)
    throw new NormalizationError(
      'The document does not contain a (unique) element satisfying this query: the Europeana proxy.',
    );
  return found[0];
}

/** A record the normalizer cannot work on (`NORMALIZE_FAILED`: a record failure, not a crash). */
export class NormalizationError extends RecordError<'NORMALIZE_FAILED'> {
  constructor(message: string) {
    super('NORMALIZE_FAILED', { detail: message });
    this.name = 'NormalizationError';
  }
}

/** The root's children of the given classes (`[ns, local]` pairs). */
export function classesOf(root: XmlElement, classes: ReadonlyArray<readonly [string, string]>): XmlElement[] {
  return childElements(root).filter((c) => classes.some(([ns, local]) => c.ns === ns && c.local === local));
}

/** The concatenated text nodes directly under an element (DOM `getElementText` in Metis). */
export function ownText(el: XmlElement): string {
  let s = '';
  for (const c of el.children) if (c.kind === 'text') s += c.text;
  return s;
}

/** Removes an element's direct text nodes and, when `text` is non-empty, appends it as one new text node. */
export function replaceOwnText(el: XmlElement, text: string): void {
  el.children = el.children.filter((c) => c.kind !== 'text');
  if (text !== '') el.children.push({ kind: 'text', text });
}

/**
 * Removes `el` from `parent` when it has no child nodes and no attributes, or only a non-empty xml:lang
 * (Metis's rule after a value normalized to nothing).
 */
export function removeIfEmpty(parent: XmlElement, el: XmlElement): void {
  if (el.children.length > 0) return;
  const onlyLang =
    el.attrs.length === 1 && el.attrs[0].ns === NS.xml && el.attrs[0].local === 'lang' && el.attrs[0].value !== '';
  if (el.attrs.length === 0 || onlyLang) removeChild(parent, el);
}

export function removeChild(parent: XmlElement, el: XmlElement): void {
  const i = parent.children.indexOf(el);
  if (i >= 0) parent.children.splice(i, 1);
}

/** Namespace declarations in scope along `ancestors` (outermost first), innermost winning. */
function declaredPrefix(ancestors: XmlElement[], ns: string): string | undefined {
  for (let i = ancestors.length - 1; i >= 0; i--) {
    for (const a of ancestors[i].attrs) {
      if (a.prefix === 'xmlns' && a.value === ns) return a.local;
    }
  }
  return undefined;
}

/**
 * Creates an element of namespace `prefix` (a Europeana prefix such as `dc`) to be placed under
 * `ancestors[ancestors.length-1]`, using the prefix the record declares for that namespace, or declaring
 * the usual one on the element. `attrs` are `[prefix, local, value]` triples (xml:lang needs no declaration).
 */
export function createEdmElement(
  ancestors: XmlElement[],
  prefix: NsPrefix,
  local: string,
  attrs: Array<[NsPrefix, string, string]> = [],
  text?: string,
): XmlElement {
  const extraDeclarations: XmlAttr[] = [];
  const qualify = (p: NsPrefix): string => {
    if (p === 'xml') return 'xml';
    const ns = NS[p];
    const found = declaredPrefix(ancestors, ns) ?? extraDeclarations.find((d) => d.value === ns)?.local;
    if (found !== undefined) return found;
    extraDeclarations.push({ name: `xmlns:${p}`, prefix: 'xmlns', local: p, ns: NS.xmlns, value: ns });
    return p;
  };
  const elPrefix = qualify(prefix);
  const el: XmlElement = {
    kind: 'element',
    name: `${elPrefix}:${local}`,
    prefix: elPrefix,
    local,
    ns: NS[prefix],
    attrs: [],
    children: text === undefined || text === '' ? [] : [{ kind: 'text', text }],
    line: 0,
  };
  for (const [p, l, value] of attrs) {
    const ap = qualify(p);
    el.attrs.push({ name: `${ap}:${l}`, prefix: ap, local: l, ns: NS[p], value });
  }
  el.attrs.unshift(...extraDeclarations);
  return el;
}

/** Inserts `child` right after the last child element of `parent` that `isAnchor` accepts, else first. */
export function insertAfterLast(parent: XmlElement, child: XmlNode, isAnchor: (el: XmlElement) => boolean): void {
  for (let i = parent.children.length - 1; i >= 0; i--) {
    const c = parent.children[i];
    if (c.kind === 'element' && isAnchor(c)) {
      parent.children.splice(i + 1, 0, child);
      return;
    }
  }
  parent.children.unshift(child);
}

/** The rdf:about of an element, if any. */
export function aboutOf(el: XmlElement): string | undefined {
  return getAttr(el, NS.rdf, 'about');
}
