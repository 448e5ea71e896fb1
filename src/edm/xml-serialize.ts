/**
 * Serializes the XML tree of xml-tree.ts: string concatenation (V8 ropes) and escaping only when a value
 * needs it. Namespace declarations are written where the tree has them (as attributes).
 *
 * Two styles: `compact` (the default: the tree as it is, no added whitespace) and `saxon`, the bytes
 * Metis's XSLT steps write (Saxon-HE with `indent="yes"`): see `serializeLikeSaxon`.
 */
import type { XmlDocument, XmlElement, XmlNode } from './xml-tree.ts';

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

export interface SerializeOptions {
  /** Write the XML declaration. Default: yes for a document, no for an element. */
  declaration?: boolean;
  /** `compact` (default) or `saxon` (Metis's XSLT output bytes, see `serializeLikeSaxon`). */
  style?: 'compact' | 'saxon';
}

/** Serializes a document (with an XML declaration unless told otherwise) or an element. */
export function serializeXml(node: XmlDocument | XmlElement, opts: SerializeOptions = {}): string {
  if (opts.style === 'saxon') return serializeLikeSaxon(node, opts);
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

// ---------------------------------------------------------------------------------------------
// Saxon style: what Saxon-HE's XML serializer writes for `<xsl:output indent="yes"/>` (the sorter,
// the default transformation and every Metis step that re-serializes through XSLT). Its indenter
// (XMLIndenter) and emitter (XMLEmitter) rules, applied to our tree:
// - 3 spaces per level; a newline and indent before a start tag that follows a start or end tag,
//   and before an end tag that follows an end tag on another line; whitespace-only text is dropped
//   where an indent goes, kept elsewhere; text with other characters is written as is, and no
//   indent follows it inside that element (mixed content keeps its layout); xml:space="preserve"
//   stops indenting below it;
// - namespace declarations first, sorted by prefix, then the attributes in tree order. The root
//   writes the declarations the tree gives it (a stylesheet's literal `rdf:RDF`); below it, as for
//   elements built with `xsl:element` / `xsl:copy-of select="@*"`, only a declaration the element's
//   or an attribute's prefix needs because the scope binds it otherwise (declarations held in the
//   tree below the root are not written: XSLT does not copy namespace nodes there);
// - a start tag whose declarations and attributes are longer than 80 characters (Saxon's estimate,
//   which leaves out the element name and indent) puts each one after the first on its own line,
//   aligned under the first;
// - empty elements as `<x/>`; the declaration `<?xml version="1.0" encoding="UTF-8"?>`; a newline
//   after the root's end tag;
// - escapes: `&` `<` `>` in text and attributes, CR as `&#xD;`; in attributes also `"` and
//   TAB, LF as `&#x9;`, `&#xA;`; C1 controls (U+007F–U+009F) as `&#x9a;` (lower-case hex).

const INDENT = 3;
const LINE_LENGTH = 80;
// C1 controls (U+007F–U+009F) are written as character references, lower-case hex (Saxon-HE 9.9).
const SAXON_TEXT_ESCAPE = /[&<>\r\x7F-\x9F]/;
const SAXON_ATTR_ESCAPE = /[&<>"\n\r\t\x7F-\x9F]/;
const charRef = (c: string) => SAXON_ENTITY[c] ?? `&#x${c.charCodeAt(0).toString(16)};`;
const SAXON_ENTITY: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  '\n': '&#xA;',
  '\r': '&#xD;',
  '\t': '&#x9;',
};
const saxonText = (t: string) => (SAXON_TEXT_ESCAPE.test(t) ? t.replace(/[&<>\r\x7F-\x9F]/g, charRef) : t);
const saxonAttr = (v: string) => (SAXON_ATTR_ESCAPE.test(v) ? v.replace(/[&<>"\n\r\t\x7F-\x9F]/g, charRef) : v);
const NOT_WHITE = /[^ \t\r\n]/;
const SURROGATE = /[\uD800-\uDBFF]/;
const isWhite = (t: string) => !NOT_WHITE.test(t);
const SPACES: string[] = [];
const spaces = (n: number) => (SPACES[n] ??= ' '.repeat(n));

/**
 * Serializes like Saxon-HE with `indent="yes"` (the rules above), so a record matches Metis's XSLT
 * output byte for byte when the tree holds the same nodes and namespace declarations.
 */
export function serializeLikeSaxon(node: XmlDocument | XmlElement, opts: { declaration?: boolean } = {}): string {
  const root = 'root' in node ? node.root : node;
  const declaration = opts.declaration ?? 'root' in node;
  const w = new SaxonWriter(declaration);
  w.element(root, new Map());
  return w.finish();
}

class SaxonWriter {
  private out = '';
  private level = 0;
  private sameline = false;
  private afterStartTag = false;
  private afterEndTag: boolean;
  private pending: string | undefined;
  private line = 0;
  private column = 0;
  private suppressedAtLevel = -1;
  /** The last start tag is still open (`<x` written, no `>` yet). */
  private open = false;
  /** Declarations of the element being started: prefix/URI pairs, and the scope they make. */
  private decls: string[] = [];
  private scope: Map<string, string> = new Map();
  private estimate = 0;

  constructor(declaration: boolean) {
    this.afterEndTag = declaration;
    if (declaration) this.out = '<?xml version="1.0" encoding="UTF-8"?>';
  }

  finish(): string {
    if (this.afterEndTag) this.write('\n');
    return this.out;
  }

  private write(s: string): void {
    if (this.open) {
      this.out += '>';
      this.open = false;
    }
    this.out += s;
  }

  private flush(): void {
    if (this.pending !== undefined) {
      const p = this.pending;
      this.pending = undefined;
      this.write(saxonText(p));
    }
  }

  private indent(): void {
    if (this.suppressedAtLevel >= 0) return this.flush();
    this.pending = undefined;
    let n = this.level * INDENT;
    if (this.line > 0) {
      n -= this.column;
      if (n <= 0) return;
    }
    this.write((this.line === 0 ? '\n' : '') + spaces(n));
    this.sameline = false;
  }

  /** Declares `prefix` for the element being started unless the scope already binds it to `uri`. */
  private declare(outer: Map<string, string>, prefix: string, uri: string): void {
    if (prefix === 'xml' || (this.scope.get(prefix) ?? '') === uri) return;
    if (this.scope === outer) this.scope = new Map(outer);
    this.scope.set(prefix, uri);
    this.decls.push(prefix, uri);
    this.estimate += prefix === '' ? 9 + uri.length : prefix.length + 10 + uri.length;
  }

  element(el: XmlElement, outer: Map<string, string>): void {
    if (this.afterStartTag || this.afterEndTag) this.indent();
    else this.flush();
    this.level++;
    this.scope = outer;
    this.decls.length = 0;
    this.estimate = 0;
    const attrs = el.attrs;
    if (this.level === 1)
      for (const a of attrs) if (a.name === 'xmlns' || a.prefix === 'xmlns') this.declare(outer, a.name === 'xmlns' ? '' : a.local, a.value);
    this.declare(outer, el.prefix, el.ns);
    for (const a of attrs) if (a.prefix !== '' && a.prefix !== 'xmlns') this.declare(outer, a.prefix, a.ns);
    const inner = this.scope;
    const items: string[] = [];
    if (this.decls.length > 0) {
      const pairs: Array<[string, string]> = [];
      for (let i = 0; i < this.decls.length; i += 2) pairs.push([this.decls[i], this.decls[i + 1]]);
      if (pairs.length > 1) pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
      for (const [p, u] of pairs) items.push((p === '' ? 'xmlns' : 'xmlns:' + p) + '="' + saxonAttr(u) + '"');
    }
    let estimate = this.estimate;
    for (const a of attrs) {
      if (a.name === 'xmlns' || a.prefix === 'xmlns') continue;
      items.push(a.name + '="' + saxonAttr(a.value) + '"');
      estimate += a.local.length + a.value.length + 4 + (a.prefix === '' ? 4 : a.prefix.length + 5);
      if (a.prefix === 'xml' && a.local === 'space' && a.value.trim() === 'preserve' && this.suppressedAtLevel < 0)
        this.suppressedAtLevel = this.level;
    }
    this.sameline = true;
    this.afterStartTag = true;
    this.afterEndTag = false;
    this.line = 0;
    let tag = '<' + el.name;
    if (items.length > 0) {
      const wrap = this.suppressedAtLevel < 0 && estimate > LINE_LENGTH;
      tag += ' ' + (items.length === 1 ? items[0] : items.join(wrap ? '\n' + spaces((this.level - 1) * INDENT + el.name.length + 2) : ' '));
    }
    this.write(tag);
    this.open = true;
    for (const c of el.children) this.child(c, inner);
    this.end(el);
  }

  private child(c: XmlNode, scope: Map<string, string>): void {
    if (c.kind === 'element') return this.element(c, scope);
    if (c.kind === 'comment') {
      if (this.afterEndTag) this.indent();
      else this.flush();
      this.write('<!--' + c.text + '-->');
      return;
    }
    if (c.text === '') return;
    if (this.suppressedAtLevel < 0 && isWhite(c.text)) {
      this.flush();
      this.pending = c.text;
      return;
    }
    this.flush();
    // Saxon counts lines and the columns after the last newline (in code points, the newline included).
    const t = c.text;
    const lastNl = t.lastIndexOf('\n');
    if (lastNl >= 0) {
      this.sameline = false;
      let lines = 0;
      for (let i = t.indexOf('\n'); i >= 0; i = t.indexOf('\n', i + 1)) lines++;
      this.line += lines;
      this.column = 0;
    }
    const tail = lastNl >= 0 ? t.slice(lastNl) : t;
    this.column += SURROGATE.test(tail) ? [...tail].length : tail.length;
    this.write(saxonText(t));
    this.afterStartTag = false;
    this.afterEndTag = false;
  }

  private end(el: XmlElement): void {
    this.level--;
    if (this.afterEndTag && !this.sameline) this.indent();
    else this.flush();
    if (this.open) {
      this.out += '/>';
      this.open = false;
    } else this.out += '</' + el.name + '>';
    this.sameline = false;
    this.afterEndTag = true;
    this.afterStartTag = false;
    this.line = 0;
    if (this.level === this.suppressedAtLevel - 1) this.suppressedAtLevel = -1;
  }
}
