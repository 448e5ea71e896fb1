/**
 * Walking, reading and editing the XML tree of xml-tree.ts (child lookup, attributes, text content,
 * creating nodes).
 */
import type { XmlElement, XmlNode, XmlText } from './xml-tree.ts';

/** Child elements, optionally only those with the given namespace and local name. */
export function childElements(el: XmlElement, ns?: string, local?: string): XmlElement[] {
  const out: XmlElement[] = [];
  for (const c of el.children) {
    if (c.kind !== 'element') continue;
    if (ns !== undefined && c.ns !== ns) continue;
    if (local !== undefined && c.local !== local) continue;
    out.push(c);
  }
  return out;
}

export function firstChild(el: XmlElement, ns: string, local: string): XmlElement | undefined {
  for (const c of el.children) if (c.kind === 'element' && c.ns === ns && c.local === local) return c;
  return undefined;
}

/** The value of an attribute by namespace URI and local name. */
export function getAttr(el: XmlElement, ns: string, local: string): string | undefined {
  for (const a of el.attrs) if (a.ns === ns && a.local === local) return a.value;
  return undefined;
}

/** Sets (or adds) an attribute, declaring nothing: the prefix must already be in scope. */
export function setAttr(el: XmlElement, name: string, ns: string, value: string): void {
  const [prefix, local] = name.includes(':') ? name.split(':', 2) : ['', name];
  const existing = el.attrs.find((a) => a.ns === ns && a.local === local);
  if (existing) existing.value = value;
  else el.attrs.push({ name, prefix, local, ns, value });
}

export function removeAttr(el: XmlElement, ns: string, local: string): void {
  el.attrs = el.attrs.filter((a) => !(a.ns === ns && a.local === local));
}

/** Concatenated text content of an element and its descendants. */
export function textContent(node: XmlNode): string {
  if (node.kind === 'text') return node.text;
  if (node.kind === 'comment') return '';
  let s = '';
  for (const c of node.children) s += textContent(c);
  return s;
}

/** Creates an element; `name` is the qualified name to write, `ns` its namespace URI. */
export function createElement(
  name: string,
  ns: string,
  attrs: Array<{ name: string; ns: string; value: string }> = [],
  children: XmlNode[] = [],
): XmlElement {
  const [prefix, local] = name.includes(':') ? name.split(':', 2) : ['', name];
  return {
    kind: 'element',
    name,
    prefix,
    local,
    ns,
    attrs: attrs.map((a) => {
      const [p, l] = a.name.includes(':') ? a.name.split(':', 2) : ['', a.name];
      return { name: a.name, prefix: p, local: l, ns: a.ns, value: a.value };
    }),
    children,
    line: 0,
  };
}

export function createText(text: string): XmlText {
  return { kind: 'text', text };
}

/** Depth-first walk over all elements (the element itself first). */
export function* walkElements(el: XmlElement): Generator<XmlElement> {
  yield el;
  for (const c of el.children) if (c.kind === 'element') yield* walkElements(c);
}
