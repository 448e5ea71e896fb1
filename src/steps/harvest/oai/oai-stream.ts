/**
 * The streaming machinery under the OAI-PMH response parsers (oai-response.ts): the response body is
 * fed chunk by chunk into saxes, so a page is never held as one string or a DOM, and the element
 * collectors every response shares (`<header>`, `<error>`).
 *
 * Why saxes here and not the record parser of src/edm/xml-parse.ts: that one parses a whole record
 * held in memory into a tree; this is a different job (an event stream over a network body of
 * unbounded size, read once). saxes stays a production dependency for this module only.
 */
import { SaxesParser, type SaxesTagNS } from 'saxes';
import { StreamDecoder } from '../../../edm/encoding.ts';
import { XmlParseError } from '../../../edm/xml-tree.ts';
import type { OaiHeader, OaiProtocolError } from './oai-types.ts';
import { errors, type MetisError } from '../../../errors/index.ts';

/** The body is not a well-formed OAI-PMH document: the catalogue error `OAI_RESPONSE_INVALID`. */
export type OaiResponseError = MetisError<'OAI_RESPONSE_INVALID'>;

function invalid(detail: string): OaiResponseError {
  return errors.OAI_RESPONSE_INVALID({ detail });
}

export type Body = AsyncIterable<Uint8Array | string>;

/**
 * Limits of the response parser, checked as it reads (before saxes does any work for a tag beyond
 * them): saxes resolves a namespace prefix by walking every open element, so unbounded nesting makes
 * it quadratic (20,000 levels took 31 s); a bound keeps a page linear in its size.
 */
export interface StreamLimits {
  /** Deepest element nesting, envelope included. Default 512 (a record's own limit is 256). */
  maxDepth?: number;
  /** Most namespace declarations on one element. Default 256. */
  maxNamespaceDeclarations?: number;
  /** Most namespace declarations in scope at once. Default 1,024. */
  maxNamespacesInScope?: number;
}

const DEFAULT_LIMITS: Required<StreamLimits> = {
  maxDepth: 512,
  maxNamespaceDeclarations: 256,
  maxNamespacesInScope: 1024,
};

/**
 * saxes with namespace lookups in O(1): saxes's own `resolve` walks every open element for a prefix
 * not declared on the current one. Here the bindings in scope are one map, updated as declarations
 * are read (`declare`, from the `attribute` event, before saxes resolves the tag's names) and undone
 * when their element closes (`leave`).
 */
class ScopedSaxesParser extends SaxesParser<{ xmlns: true; position: true }> {
  private readonly bindings = new Map<string, string>([
    ['xml', 'http://www.w3.org/XML/1998/namespace'],
    ['xmlns', 'http://www.w3.org/2000/xmlns/'],
  ]);
  /** Flat undo list (prefix, previous URI) and where each open element's part starts. */
  private readonly undo: Array<string | undefined> = [];
  private readonly marks: number[] = [];

  constructor() {
    super({ xmlns: true, position: true });
  }

  /** A start tag begins (before its attributes). */
  enter(): void {
    this.marks.push(this.undo.length);
  }

  declare(prefix: string, uri: string): void {
    this.undo.push(prefix, this.bindings.get(prefix));
    this.bindings.set(prefix, uri.trim());
  }

  /** An element closes: its declarations go out of scope. */
  leave(): void {
    const mark = this.marks.pop() ?? 0;
    for (let i = this.undo.length - 2; i >= mark; i -= 2) {
      const prev = this.undo[i + 1];
      if (prev === undefined) this.bindings.delete(this.undo[i]!);
      else this.bindings.set(this.undo[i]!, prev);
    }
    this.undo.length = mark;
  }

  override resolve(prefix: string): string | undefined {
    return this.bindings.get(prefix);
  }
}

/** Handlers a response parser registers; `path` holds the local names from the root down. */
export interface Handlers {
  open(tag: SaxesTagNS, path: string[]): void;
  close(tag: SaxesTagNS, path: string[]): void;
  text(text: string, path: string[]): void;
  other?(raw: string, path: string[]): void;
}

/**
 * Feeds a byte stream into saxes. Leading whitespace and a BOM before the XML declaration are
 * dropped, because some servers send them (fixture oaiListIdentifiersIncorrectMetadataPrefix.xml)
 * and the strict parser would otherwise refuse the whole response.
 */
export async function parseStream(body: Body, handlers: Handlers, limits: StreamLimits = {}): Promise<void> {
  const { maxDepth, maxNamespaceDeclarations, maxNamespacesInScope } = { ...DEFAULT_LIMITS, ...limits };
  const parser = new ScopedSaxesParser();
  const path: string[] = [];
  // Namespace declarations of each open element, and their total; `declared`: of the tag being read.
  const declaredAt: number[] = [];
  let inScope = 0;
  let declared = 0;
  let failure: string | undefined;
  // A throw from a handler leaves parser.write(): saxes stops at once, with no more work on the tag.
  const tooMuch = (what: string) => invalid(`Response is not well-formed XML: ${what} (line ${parser.line})`);
  parser.on('doctype', () => (failure ??= 'DOCTYPE declarations are not allowed'));
  parser.on('error', (e) => (failure ??= e.message));
  parser.on('opentagstart', () => {
    if (path.length >= maxDepth) throw tooMuch(`XML nesting deeper than ${maxDepth} (limit maxDepth)`);
    declared = 0;
    parser.enter();
  });
  parser.on('attribute', (a) => {
    if (a.name !== 'xmlns' && !a.name.startsWith('xmlns:')) return;
    parser.declare(a.name === 'xmlns' ? '' : a.name.slice(6), a.value);
    if (++declared > maxNamespaceDeclarations)
      throw tooMuch(
        `More than ${maxNamespaceDeclarations} namespace declarations on one element (limit maxNamespaceDeclarations)`,
      );
    if (++inScope > maxNamespacesInScope)
      throw tooMuch(`More than ${maxNamespacesInScope} namespace declarations in scope (limit maxNamespacesInScope)`);
  });
  parser.on('opentag', (tag) => {
    path.push(tag.local);
    declaredAt.push(declared);
    handlers.open(tag, path);
  });
  parser.on('closetag', (tag) => {
    handlers.close(tag, path);
    path.pop();
    parser.leave();
    inScope -= declaredAt.pop() ?? 0;
  });
  parser.on('text', (t) => handlers.text(t, path));
  parser.on('cdata', (t) => handlers.text(t, path));
  parser.on('comment', (c) => handlers.other?.(`<!--${c}-->`, path));
  parser.on('processinginstruction', (pi) => handlers.other?.(`<?${pi.target}${pi.body ? ' ' + pi.body : ''}?>`, path));

  // Bytes are decoded as Metis's parser reads them (BOM, UTF-16, declared encoding), strictly:
  // invalid bytes make the response malformed instead of becoming U+FFFD.
  const decoder = new StreamDecoder();
  const decode = (chunk?: Uint8Array): string => {
    try {
      return chunk ? decoder.write(chunk) : decoder.end();
    } catch (err) {
      if (err instanceof XmlParseError) throw invalid(`Response is not well-formed XML: ${err.message}`);
      throw err;
    }
  };
  let started = false;
  for await (const chunk of body) {
    let text = typeof chunk === 'string' ? chunk : decode(chunk);
    if (!started) {
      text = text.replace(/^[\uFEFF\s]+/, '');
      if (text.length === 0) continue;
      started = true;
    }
    parser.write(text);
    if (failure) throw invalid(`Response is not well-formed XML: ${failure}`);
  }
  let tail = decode();
  if (!started) {
    tail = tail.replace(/^[\uFEFF\s]+/, '');
    started = tail.length > 0;
  }
  if (tail) parser.write(tail);
  parser.close();
  if (failure) throw invalid(`Response is not well-formed XML: ${failure}`);
  if (!started) throw invalid('Response is empty');
}

export function attr(tag: SaxesTagNS, local: string): string | undefined {
  for (const a of Object.values(tag.attributes)) if (a.local === local && a.uri === '') return a.value;
  return undefined;
}

/** Collects `<error>` elements and header fields; shared by ListIdentifiers and GetRecord. */
export class HeaderCollector {
  current?: OaiHeader;
  private field?: 'identifier' | 'datestamp' | 'setSpec';
  private buf = '';

  open(tag: SaxesTagNS): void {
    if (tag.local === 'header') {
      this.current = { identifier: '', datestamp: '', setSpecs: [], deleted: attr(tag, 'status') === 'deleted' };
    } else if (this.current && (tag.local === 'identifier' || tag.local === 'datestamp' || tag.local === 'setSpec')) {
      this.field = tag.local;
      this.buf = '';
    }
  }

  text(t: string): void {
    if (this.field) this.buf += t;
  }

  /** Returns the finished header when `</header>` closes. */
  close(tag: SaxesTagNS): OaiHeader | undefined {
    if (this.current && this.field && tag.local === this.field) {
      const v = this.buf.trim();
      if (this.field === 'setSpec') this.current.setSpecs.push(v);
      else this.current[this.field] = v;
      this.field = undefined;
    } else if (tag.local === 'header' && this.current) {
      const done = this.current;
      this.current = undefined;
      return done;
    }
    return undefined;
  }
}

/** Collects `/OAI-PMH/error` elements. */
export class ErrorCollector {
  readonly errors: OaiProtocolError[] = [];
  private current?: OaiProtocolError;

  open(tag: SaxesTagNS, path: string[]): void {
    if (path.length === 2 && tag.local === 'error')
      this.current = { code: attr(tag, 'code') ?? 'unknown', message: '' };
  }
  text(t: string): void {
    if (this.current) this.current.message += t;
  }
  close(tag: SaxesTagNS, path: string[]): void {
    if (this.current && path.length === 2 && tag.local === 'error') {
      this.current.message = this.current.message.trim();
      this.errors.push(this.current);
      this.current = undefined;
    }
  }
}

/** Refuses a document whose root is not `<OAI-PMH>`. */
export function checkRoot(tag: SaxesTagNS, path: string[]): void {
  if (path.length === 1 && tag.local !== 'OAI-PMH')
    throw invalid(`Not an OAI-PMH response (root element <${tag.name}>)`);
}
