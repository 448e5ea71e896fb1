/**
 * A small, safe XML tree for EDM records: parse (saxes, namespace-aware), walk, edit, serialize.
 *
 * Safety: DOCTYPE declarations are rejected outright (so no DTD, no external or internal entity can
 * ever be declared or expanded); only the five predefined entities and character references are
 * understood. Size and depth are limited. Every error carries a line number.
 *
 * Namespace declarations are kept as ordinary attributes (`xmlns`, `xmlns:p`) on the element that
 * declared them, so serialization writes them back exactly where the input had them.
 */
import { SaxesParser } from 'saxes';
import { parseXmlFast, serializeXmlFast } from './xml-fast.ts';

export interface XmlAttr {
  /** Qualified name as written (`rdf:about`, `xmlns:edm`). */
  name: string;
  prefix: string;
  local: string;
  /** Namespace URI ('' when none). */
  ns: string;
  value: string;
}

export interface XmlElement {
  kind: 'element';
  /** Qualified name as written (`edm:ProvidedCHO`). */
  name: string;
  prefix: string;
  local: string;
  /** Namespace URI ('' when none). */
  ns: string;
  attrs: XmlAttr[];
  children: XmlNode[];
  /** 1-based source line of the start tag (0 for elements created in code). */
  line: number;
}

export interface XmlText {
  kind: 'text';
  text: string;
}

export interface XmlComment {
  kind: 'comment';
  text: string;
}

export type XmlNode = XmlElement | XmlText | XmlComment;

export interface XmlDocument {
  root: XmlElement;
}

export interface ParseLimits {
  /** Largest accepted input, in characters. Default 50 MiB. */
  maxChars?: number;
  /** Deepest accepted element nesting. Default 256. */
  maxDepth?: number;
}

export class XmlParseError extends Error {
  readonly code = 'XML_PARSE';
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(line > 0 ? `${message} (line ${line})` : message);
    this.name = 'XmlParseError';
  }
}

const DEFAULT_MAX_CHARS = 50 * 1024 * 1024;
const DEFAULT_MAX_DEPTH = 256;

/**
 * Parses a whole XML document into a tree. Throws XmlParseError with a line number on bad input.
 * Runs the fast scanner of xml-fast.ts; `parseXmlReference` (saxes) is the reference it is tested against.
 */
export function parseXml(input: string | Buffer, limits: ParseLimits = {}): XmlDocument {
  return parseXmlFast(input, limits);
}

/** The saxes-based parser: slower, kept as the reference implementation for differential tests. */
export function parseXmlReference(input: string | Buffer, limits: ParseLimits = {}): XmlDocument {
  const text = typeof input === 'string' ? input : input.toString('utf8');
  const maxChars = limits.maxChars ?? DEFAULT_MAX_CHARS;
  const maxDepth = limits.maxDepth ?? DEFAULT_MAX_DEPTH;
  if (text.length > maxChars) throw new XmlParseError(`XML document too large: ${text.length} > ${maxChars} characters`, 0);

  const parser = new SaxesParser({ xmlns: true, position: true });
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  let failure: XmlParseError | undefined;
  const fail = (message: string) => {
    if (!failure) failure = new XmlParseError(message, parser.line);
  };

  parser.on('doctype', () => fail('DOCTYPE declarations are not allowed'));
  parser.on('error', (err) => fail(err.message.replace(/^[^:]*:\d+:\d+: /, '')));
  parser.on('opentag', (tag) => {
    if (stack.length >= maxDepth) return fail(`XML nesting deeper than ${maxDepth}`);
    const attrs: XmlAttr[] = [];
    for (const a of Object.values(tag.attributes)) {
      attrs.push({ name: a.name, prefix: a.prefix, local: a.local, ns: a.uri, value: a.value });
    }
    const el: XmlElement = {
      kind: 'element',
      name: tag.name,
      prefix: tag.prefix,
      local: tag.local,
      ns: tag.uri,
      attrs,
      children: [],
      line: parser.line,
    };
    const parent = stack[stack.length - 1];
    if (parent) parent.children.push(el);
    else if (root) return fail('More than one root element');
    else root = el;
    stack.push(el);
  });
  parser.on('closetag', () => {
    stack.pop();
  });
  const addText = (t: string) => {
    const parent = stack[stack.length - 1];
    if (!parent) return; // whitespace outside the root
    const last = parent.children[parent.children.length - 1];
    if (last && last.kind === 'text') last.text += t;
    else parent.children.push({ kind: 'text', text: t });
  };
  parser.on('text', addText);
  parser.on('cdata', addText);
  parser.on('comment', (c) => {
    const parent = stack[stack.length - 1];
    if (parent) parent.children.push({ kind: 'comment', text: c });
  });

  try {
    parser.write(text);
    if (!failure) parser.close();
  } catch (err) {
    fail((err as Error).message);
  }
  if (failure) throw failure;
  if (!root) throw new XmlParseError('No root element', parser.line);
  return { root };
}

/** Serializes a document (with an XML declaration) or an element. Namespace declarations are kept as they are. */
export function serializeXml(node: XmlDocument | XmlElement, opts: { declaration?: boolean } = {}): string {
  return serializeXmlFast(node, opts);
}

/** The reference serializer (same output as serializeXml), for differential tests. */
export function serializeXmlReference(node: XmlDocument | XmlElement, opts: { declaration?: boolean } = {}): string {
  const el = 'root' in node ? node.root : node;
  const out: string[] = [];
  if (opts.declaration ?? 'root' in node) out.push('<?xml version="1.0" encoding="UTF-8"?>\n');
  writeElement(el, out);
  return out.join('');
}

function writeElement(el: XmlElement, out: string[]): void {
  out.push('<', el.name);
  for (const a of el.attrs) out.push(' ', a.name, '="', escapeAttr(a.value), '"');
  if (el.children.length === 0) {
    out.push('/>');
    return;
  }
  out.push('>');
  for (const c of el.children) {
    if (c.kind === 'element') writeElement(c, out);
    else if (c.kind === 'text') out.push(escapeText(c.text));
    else out.push('<!--', c.text, '-->');
  }
  out.push('</', el.name, '>');
}

export function escapeText(s: string): string {
  return s.replace(/[&<>]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&gt;'));
}

export function escapeAttr(s: string): string {
  return s.replace(/[&<"\n\r\t]/g, (c) =>
    c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '"' ? '&quot;' : c === '\n' ? '&#10;' : c === '\r' ? '&#13;' : '&#9;',
  );
}

// ---- walking and reading ----

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
