/**
 * The XML parser of the record steps (the only one in production): builds the tree of xml-tree.ts.
 * `indexOf` and sticky regular expressions do the scanning, several times faster than a
 * code-point-at-a-time SAX parser; the record steps parse every record at least once per step, so the
 * parser bounds their throughput. A saxes-based parser (test/support/xml-oracle.ts) is the reference
 * it is tested against, fixture by fixture (test/edm/xml-oracle.test.ts).
 *
 * Safety: namespace-aware; a DOCTYPE is accepted and ignored only when it can change nothing (no
 * external identifier, an internal subset of element declarations, comments and PIs only, see
 * xml-lexical.ts `scanDoctype`), so no DTD is ever fetched and no entity ever declared or expanded;
 * only the five predefined entities and character references; size and depth limits; XML 1.0 line-end
 * and attribute-value normalization; errors are XmlParseError with a line number.
 * Processing instructions are dropped, comments kept, CDATA merged into text.
 * One file, though over 300 lines: the scanner is one state machine over one input string (position,
 * open elements, namespace scope with its undo list); splitting it would pass that state between modules
 * on the hottest path of every step. Lexical tables are in xml-lexical.ts, the tree in xml-tree.ts.
 */
import {
  type ParseLimits,
  type XmlAttr,
  type XmlDocument,
  type XmlElement,
  type XmlNode,
  XmlParseError,
} from './xml-tree.ts';
import { xercesParseMessage } from './xml-xerces.ts';
import { ATTR_SPECIAL, decodeReferences, INVALID_CHAR, NAME, NAME_AT_START, scanDoctype, SPACE, TEXT_SPECIAL } from './xml-lexical.ts';

const XML_NS = 'http://www.w3.org/XML/1998/namespace';
const XMLNS_NS = 'http://www.w3.org/2000/xmlns/';
const DEFAULT_MAX_CHARS = 50 * 1024 * 1024;
const DEFAULT_MAX_DEPTH = 256;
// XML 1.0 XMLDecl: version, then optional encoding and standalone, in this order.
const XML_DECLARATION =
  /^<\?xml[ \t\r\n]+version[ \t\r\n]*=[ \t\r\n]*(["'])1\.[0-9]+\1(?:[ \t\r\n]+encoding[ \t\r\n]*=[ \t\r\n]*(["'])[A-Za-z][A-Za-z0-9._-]*\2)?(?:[ \t\r\n]+standalone[ \t\r\n]*=[ \t\r\n]*(["'])(?:yes|no)\3)?[ \t\r\n]*\?>/;
const LINE_BREAK = /[\r\n]/g;
const DEFAULT_MAX_NS_PER_ELEMENT = 256;
const DEFAULT_MAX_NS_IN_SCOPE = 1024;

/** Parses a whole XML document into a tree. Throws XmlParseError with a line number on bad input. */
export function parseXml(input: string | Buffer, limits: ParseLimits = {}): XmlDocument {
  let text = typeof input === 'string' ? input : input.toString('utf8');
  const maxChars = limits.maxChars ?? DEFAULT_MAX_CHARS;
  const maxDepth = limits.maxDepth ?? DEFAULT_MAX_DEPTH;
  if (text.length > maxChars)
    throw new XmlParseError(`XML document too large: ${text.length} > ${maxChars} characters`, 0);
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  return new Parser(text, {
    maxDepth,
    maxNsPerElement: limits.maxNamespaceDeclarations ?? DEFAULT_MAX_NS_PER_ELEMENT,
    maxNsInScope: limits.maxNamespacesInScope ?? DEFAULT_MAX_NS_IN_SCOPE,
  }).parse();
}

interface Limits {
  maxDepth: number;
  maxNsPerElement: number;
  maxNsInScope: number;
}

class Parser {
  private pos = 0;
  private lineAt = 0;
  private line = 1;
  /**
   * Offset of the first '\n' at or after `lineAt` (Infinity: none; -1: not yet looked up), so a long
   * line is not scanned again for every tag on it.
   */
  private nextNewline = -1;
  private root: XmlElement | undefined;
  /** The start tag and attribute being read (for the Xerces wording of an error). */
  private tag: string | undefined;
  private attr: string | undefined;
  /** The name of the accepted (harmless) DOCTYPE, if the document had one. */
  private doctype: string | undefined;
  private readonly stack: XmlElement[] = [];
  /**
   * The namespace bindings in scope: one map, prefix → URI, so a lookup is O(1) at any depth. Each
   * open element records what its declarations replaced (`undo`, a flat list of prefix / previous URI
   * pairs, and `undoMarks`, where each element's part starts), restored when it closes.
   */
  private readonly ns = new Map<string, string>();
  private readonly undo: Array<string | undefined> = [];
  private readonly undoMarks: number[] = [];
  private nsInScope = 0;

  constructor(
    private readonly s: string,
    private readonly limits: Limits,
  ) {}

  parse(): XmlDocument {
    const s = this.s;
    if (s.startsWith('<?xml') && /[ \t\r\n?]/.test(s.charAt(5))) {
      if (!XML_DECLARATION.test(s)) this.fail('Malformed XML declaration');
      this.skipPi();
    }
    while (this.pos < s.length) {
      const lt = s.indexOf('<', this.pos);
      const end = lt < 0 ? s.length : lt;
      if (end > this.pos) this.text(this.pos, end);
      if (lt < 0) break;
      this.pos = lt;
      const c = s.charCodeAt(lt + 1);
      if (c === 0x2f /* / */) this.endTag();
      else if (c === 0x21 /* ! */) this.bang();
      else if (c === 0x3f /* ? */) this.skipPi();
      else this.startTag();
    }
    if (this.stack.length > 0) this.fail(`Unclosed tag <${this.stack[this.stack.length - 1].name}>`);
    if (!this.root) this.fail('No root element');
    return this.doctype === undefined ? { root: this.root! } : { root: this.root!, doctype: this.doctype };
  }

  private fail(message: string, at = this.pos): never {
    const element = this.tag ?? this.stack[this.stack.length - 1]?.name;
    const ctx = { element, attribute: this.attr, afterRoot: this.root !== undefined && this.stack.length === 0, rest: this.s.slice(at) };
    throw new XmlParseError(message, this.lineOf(at), xercesParseMessage(message, ctx));
  }

  /**
   * 1-based line of offset `at` (incremental: offsets only grow while parsing). Line breaks are
   * counted as XML reads them: CR LF, CR and LF each end one line.
   */
  private lineOf(at: number): number {
    if (at < this.lineAt) {
      this.lineAt = 0;
      this.line = 1;
      this.nextNewline = -1;
    }
    let i = this.nextNewline >= 0 ? this.nextNewline : this.nextBreak(this.lineAt);
    while (i < at) {
      this.line++;
      i = this.nextBreak(i + (this.s.charCodeAt(i) === 0x0d && this.s.charCodeAt(i + 1) === 0x0a ? 2 : 1));
    }
    this.lineAt = at;
    this.nextNewline = i;
    return this.line;
  }

  /** Offset of the first CR or LF at or after `from`; Infinity when none. */
  private nextBreak(from: number): number {
    LINE_BREAK.lastIndex = from;
    return LINE_BREAK.exec(this.s)?.index ?? Infinity;
  }

  private text(from: number, to: number): void {
    let t = this.s.slice(from, to);
    const parent = this.stack[this.stack.length - 1];
    if (!parent) {
      if (/[^ \t\r\n]/.test(t)) this.fail('Text data outside of root node', from);
      return;
    }
    if (TEXT_SPECIAL.test(t)) {
      if (t.includes(']]>')) this.fail('The sequence "]]>" is not allowed in text', from);
      if (INVALID_CHAR.test(t)) this.fail('Invalid character in text', from);
      if (t.includes('\r')) t = t.replace(/\r\n?/g, '\n');
      if (t.includes('&')) t = this.decode(t, from);
      if (INVALID_CHAR.test(t)) this.fail('Invalid character in text', from);
    }
    this.appendText(parent, t);
  }

  private appendText(parent: XmlElement, t: string): void {
    const last = parent.children[parent.children.length - 1];
    if (last && last.kind === 'text') last.text += t;
    else parent.children.push({ kind: 'text', text: t });
  }

  private decode(t: string, at: number): string {
    return decodeReferences(t, (message) => this.fail(message, at));
  }

  private bang(): void {
    const s = this.s;
    const p = this.pos;
    if (s.startsWith('<!--', p)) {
      const end = s.indexOf('-->', p + 4);
      if (end < 0) this.fail('Unclosed comment');
      const body = s.slice(p + 4, end);
      if (body.includes('--') || body.endsWith('-')) this.fail('"--" is not allowed inside a comment');
      if (INVALID_CHAR.test(body)) this.fail('Invalid character in comment');
      const parent = this.stack[this.stack.length - 1];
      if (parent)
        parent.children.push({ kind: 'comment', text: body.includes('\r') ? body.replace(/\r\n?/g, '\n') : body });
      this.pos = end + 3;
    } else if (s.startsWith('<![CDATA[', p)) {
      const parent = this.stack[this.stack.length - 1];
      if (!parent) this.fail('CDATA outside of root node');
      const end = s.indexOf(']]>', p + 9);
      if (end < 0) this.fail('Unclosed CDATA section');
      let t = s.slice(p + 9, end);
      if (t.includes('\r')) t = t.replace(/\r\n?/g, '\n');
      if (INVALID_CHAR.test(t)) this.fail('Invalid character in CDATA');
      this.appendText(parent!, t);
      this.pos = end + 3;
    } else if (s.startsWith('<!DOCTYPE', p)) {
      if (this.root || this.stack.length > 0 || this.doctype !== undefined)
        this.fail('DOCTYPE declaration allowed only once, before the root element');
      const end = scanDoctype(s, p, (message, at) => this.fail(message, at));
      this.doctype = NAME_AT_START.exec(s.slice(p + 9, end))?.[1] ?? '';
      this.pos = end;
    } else {
      this.fail('Unexpected markup declaration');
    }
  }

  private skipPi(): void {
    const end = this.s.indexOf('?>', this.pos + 2);
    if (end < 0) this.fail('Unclosed processing instruction');
    const target = /^<\?([^ \t\r\n?]*)/.exec(this.s.slice(this.pos, end))![1];
    NAME.lastIndex = 0;
    const m = NAME.exec(target);
    if (!m || m[0].length !== target.length || target.includes(':'))
      this.fail(`Invalid processing instruction target "${target}"`);
    if (INVALID_CHAR.test(this.s.slice(this.pos, end))) this.fail('Invalid character in processing instruction');
    if (target.toLowerCase() === 'xml' && this.pos !== 0)
      this.fail('XML declaration allowed only at the start of the document');
    this.pos = end + 2;
  }

  /** A name with at most one colon, neither first nor last (Namespaces in XML, QName). */
  private qname(): string {
    const at = this.pos;
    const n = this.name();
    const c = n.indexOf(':');
    if (c === 0 || c === n.length - 1 || (c > 0 && n.includes(':', c + 1))) this.fail(`Malformed name ${n}`, at);
    return n;
  }

  private name(): string {
    NAME.lastIndex = this.pos;
    const m = NAME.exec(this.s);
    if (!m) this.fail('Invalid or missing name');
    this.pos += m![0].length;
    return m![0];
  }

  private skipSpace(): boolean {
    SPACE.lastIndex = this.pos;
    const m = SPACE.exec(this.s)!;
    this.pos += m[0].length;
    return m[0].length > 0;
  }

  private startTag(): void {
    const s = this.s;
    const start = this.pos;
    this.pos++;
    const qname = this.qname();
    this.tag = qname;
    const raw: Array<{ name: string; value: string }> = [];
    const seen = new Set<string>();
    let selfClosing = false;
    for (;;) {
      const spaced = this.skipSpace();
      const c = s.charCodeAt(this.pos);
      if (c === 0x3e /* > */) {
        this.pos++;
        break;
      }
      if (c === 0x2f /* / */ && s.charCodeAt(this.pos + 1) === 0x3e) {
        this.pos += 2;
        selfClosing = true;
        break;
      }
      if (Number.isNaN(c)) this.fail(`Unclosed start tag <${qname}>`, start);
      if (!spaced) this.fail('Attributes must be separated by white space');
      const an = this.qname();
      this.attr = an;
      this.skipSpace();
      if (s.charCodeAt(this.pos) !== 0x3d /* = */) this.fail(`Attribute ${an} without value`);
      this.pos++;
      this.skipSpace();
      const q = s[this.pos];
      if (q !== '"' && q !== "'") this.fail(`Attribute ${an} value must be quoted`);
      const close = s.indexOf(q, this.pos + 1);
      if (close < 0) this.fail(`Unclosed value of attribute ${an}`);
      let v = s.slice(this.pos + 1, close);
      if (ATTR_SPECIAL.test(v)) {
        if (v.includes('<')) this.fail(`"<" is not allowed in attribute values`);
        if (/[\t\n\r]/.test(v)) v = v.replace(/\r\n?/g, '\n').replace(/[\t\n]/g, ' ');
        if (v.includes('&')) v = this.decode(v, this.pos);
        if (INVALID_CHAR.test(v)) this.fail(`Invalid character in attribute ${an}`);
      }
      if (seen.has(an)) this.fail(`Duplicate attribute ${an}`);
      seen.add(an);
      raw.push({ name: an, value: v });
      this.pos = close + 1;
    }
    this.attr = undefined;
    const line = this.lineOf(this.pos - 1);
    this.open(qname, raw, line, start);
    this.tag = undefined;
    if (selfClosing) this.close();
  }

  private open(qname: string, raw: Array<{ name: string; value: string }>, line: number, at: number): void {
    const { maxDepth, maxNsPerElement, maxNsInScope } = this.limits;
    if (this.stack.length >= maxDepth) this.fail(`XML nesting deeper than ${maxDepth} (limit maxDepth)`, at);
    const map = this.ns;
    this.undoMarks.push(this.undo.length);
    let declared = 0;
    for (const a of raw) {
      if (a.name === 'xmlns' || a.name.startsWith('xmlns:')) {
        const prefix = a.name === 'xmlns' ? '' : a.name.slice(6);
        if (prefix !== '' && a.value === '') this.fail(`Empty namespace for prefix ${prefix}`, at);
        if (prefix === 'xmlns' || (prefix === 'xml' && a.value !== XML_NS))
          this.fail(`Reserved prefix ${prefix} cannot be declared`, at);
        if (++declared > maxNsPerElement)
          this.fail(
            `More than ${maxNsPerElement} namespace declarations on one element (limit maxNamespaceDeclarations)`,
            at,
          );
        if (++this.nsInScope > maxNsInScope)
          this.fail(`More than ${maxNsInScope} namespace declarations in scope (limit maxNamespacesInScope)`, at);
        this.undo.push(prefix, map.get(prefix));
        map.set(prefix, a.value);
      }
    }
    const attrs: XmlAttr[] = [];
    const seen = raw.length > 1 ? new Set<string>() : undefined;
    for (const a of raw) {
      const colon = a.name.indexOf(':');
      let prefix = colon < 0 ? '' : a.name.slice(0, colon);
      let local = colon < 0 ? a.name : a.name.slice(colon + 1);
      let ns: string;
      if (a.name === 'xmlns') {
        prefix = '';
        local = 'xmlns';
        ns = XMLNS_NS;
      } else {
        this.attr = a.name;
        ns = this.resolve(map, prefix, true, at);
        this.attr = undefined;
      }
      if (ns !== '' && seen) {
        // '}' cannot occur in a local name, so `{ns}local` is unambiguous.
        const key = `{${ns}}${local}`;
        if (seen.has(key)) this.fail(`Duplicate attribute ${a.name}`, at);
        seen.add(key);
      }
      attrs.push({ name: a.name, prefix, local, ns, value: a.value });
    }
    const colon = qname.indexOf(':');
    const prefix = colon < 0 ? '' : qname.slice(0, colon);
    const el: XmlElement = {
      kind: 'element',
      name: qname,
      prefix,
      local: colon < 0 ? qname : qname.slice(colon + 1),
      ns: this.resolve(map, prefix, false, at),
      attrs,
      children: [],
      line,
    };
    const parent = this.stack[this.stack.length - 1];
    if (parent) parent.children.push(el as XmlNode);
    else if (this.root) this.fail('More than one root element', at);
    else this.root = el;
    this.stack.push(el);
  }

  private resolve(map: Map<string, string>, prefix: string, isAttr: boolean, at: number): string {
    if (prefix === '') return isAttr ? '' : (map.get('') ?? '');
    if (prefix === 'xml') return XML_NS;
    if (prefix === 'xmlns') return XMLNS_NS;
    const uri = map.get(prefix);
    if (uri === undefined) this.fail(`Unbound namespace prefix: "${prefix}"`, at);
    return uri;
  }

  private close(): void {
    this.stack.pop();
    const mark = this.undoMarks.pop()!;
    const undo = this.undo;
    for (let i = undo.length - 2; i >= mark; i -= 2) {
      const prev = undo[i + 1];
      if (prev === undefined) this.ns.delete(undo[i]!);
      else this.ns.set(undo[i]!, prev);
      this.nsInScope--;
    }
    undo.length = mark;
  }

  private endTag(): void {
    const start = this.pos;
    this.pos += 2;
    const name = this.name();
    this.skipSpace();
    if (this.s.charCodeAt(this.pos) !== 0x3e) this.fail(`Malformed end tag </${name}>`, start);
    this.pos++;
    const top = this.stack[this.stack.length - 1];
    if (!top) this.fail(`Unexpected close tag </${name}>`, start);
    if (top.name !== name) this.fail(`Unexpected close tag </${name}>, expected </${top.name}>`, start);
    this.close();
  }
}
