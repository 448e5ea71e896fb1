/**
 * Serializes the XML tree of xml-tree.ts: string concatenation (V8 ropes) and escaping only when a value
 * needs it. Namespace declarations are written where the tree has them (as attributes).
 */
import type { XmlDocument, XmlElement } from './xml-tree.ts';

export function escapeText(s: string): string {
  return s.replace(/[&<>]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&gt;'));
}

export function escapeAttr(s: string): string {
  return s.replace(/[&<"\n\r\t]/g, (c) =>
    c === '&'
      ? '&amp;'
      : c === '<'
        ? '&lt;'
        : c === '"'
          ? '&quot;'
          : c === '\n'
            ? '&#10;'
            : c === '\r'
              ? '&#13;'
              : '&#9;',
  );
}

const NEEDS_TEXT_ESCAPE = /[&<>]/;
const NEEDS_ATTR_ESCAPE = /[&<"\n\r\t]/;

/** Serializes a document (with an XML declaration unless told otherwise) or an element. */
export function serializeXml(node: XmlDocument | XmlElement, opts: { declaration?: boolean } = {}): string {
  const el = 'root' in node ? node.root : node;
  const head = (opts.declaration ?? 'root' in node) ? '<?xml version="1.0" encoding="UTF-8"?>\n' : '';
  return head + writeElement(el);
}

function writeElement(el: XmlElement): string {
  let out = '<' + el.name;
  for (const a of el.attrs)
    out += ' ' + a.name + '="' + (NEEDS_ATTR_ESCAPE.test(a.value) ? escapeAttr(a.value) : a.value) + '"';
  if (el.children.length === 0) return out + '/>';
  out += '>';
  for (const c of el.children) {
    if (c.kind === 'element') out += writeElement(c);
    else if (c.kind === 'text') out += NEEDS_TEXT_ESCAPE.test(c.text) ? escapeText(c.text) : c.text;
    else out += '<!--' + c.text + '-->';
  }
  return out + '</' + el.name + '>';
}
