/**
 * The test oracle for the production XML parser (src/edm/xml-parse.ts): a saxes-based parser and a
 * plain serializer building / writing the same tree. Slower, simpler, independently written; the
 * differential test (test/edm/xml-oracle.test.ts) runs both over every XML fixture.
 */
import { SaxesParser } from 'saxes';
import { escapeAttr, escapeText } from '../../src/edm/xml-serialize.ts';
import {
  type ParseLimits,
  type XmlAttr,
  type XmlDocument,
  type XmlElement,
  XmlParseError,
} from '../../src/edm/xml-tree.ts';

const HARMLESS_DOCTYPE = /^\s+[^\s[>]+\s*(\[(\s|<!ELEMENT\s[^>"'%<]*>|<!--(?:(?!--)[^])*-->)*\]\s*)?$/;
const DEFAULT_MAX_CHARS = 50 * 1024 * 1024;
const DEFAULT_MAX_DEPTH = 256;

/** The saxes-based parser: slower, kept as the reference implementation for differential tests. */
export function parseXmlReference(input: string | Buffer, limits: ParseLimits = {}): XmlDocument {
  const text = typeof input === 'string' ? input : input.toString('utf8');
  const maxChars = limits.maxChars ?? DEFAULT_MAX_CHARS;
  const maxDepth = limits.maxDepth ?? DEFAULT_MAX_DEPTH;
  if (text.length > maxChars)
    throw new XmlParseError(`XML document too large: ${text.length} > ${maxChars} characters`, 0);

  const parser = new SaxesParser({ xmlns: true, position: true });
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  let failure: XmlParseError | undefined;
  const fail = (message: string) => {
    if (!failure) failure = new XmlParseError(message, parser.line);
  };

  // A DOCTYPE is accepted (and ignored) only when it can change nothing: a name, and an internal
  // subset of element declarations and comments at most (the production parser's rule, written
  // independently here).
  parser.on('doctype', (d) => {
    if (!HARMLESS_DOCTYPE.test(d) || /^\s*\S+\s+(SYSTEM|PUBLIC)\b/.test(d)) fail('DOCTYPE declaration not allowed');
  });
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
