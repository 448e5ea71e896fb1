/**
 * Streaming parsers for OAI-PMH responses (ListIdentifiers, GetRecord, Identify).
 *
 * The response body is fed chunk by chunk into saxes, so a page is never held as one string or a DOM:
 * a ListIdentifiers page keeps only its headers, a GetRecord keeps only the serialized metadata
 * child. Element matching is by local name, namespace-agnostic, like Metis's `OaiRecordParser` XPaths
 * (`/OAI-PMH/GetRecord/record/metadata/child::*`).
 */
import { SaxesParser, type SaxesTagNS } from 'saxes';
import { escapeAttr, escapeText } from '../../../edm/xml.ts';

/** One `<header>` of a ListIdentifiers page or a GetRecord response. */
export interface OaiHeader {
  identifier: string;
  datestamp: string;
  setSpecs: string[];
  /** `status="deleted"` on the header. */
  deleted: boolean;
}

/** An `<error code="…">` element of an OAI-PMH response. */
export interface OaiProtocolError {
  code: string;
  message: string;
}

export interface ListIdentifiersPage {
  headers: OaiHeader[];
  /** The trimmed resumption token; undefined when absent or empty (= last page). */
  resumptionToken?: string;
  /** `completeListSize` when present and a non-negative integer, else null (Metis's `countRecords`). */
  completeListSize: number | null;
  cursor?: number;
  errors: OaiProtocolError[];
}

export interface GetRecordResponse {
  header?: OaiHeader;
  /** The first metadata child serialized as a standalone XML string (in-scope namespaces copied). */
  metadata?: string;
  /** How many element children `<metadata>` has (Metis requires exactly one). */
  metadataChildCount: number;
  errors: OaiProtocolError[];
}

export interface IdentifyResponse {
  repositoryName?: string;
  baseURL?: string;
  protocolVersion?: string;
  earliestDatestamp?: string;
  deletedRecord?: string;
  granularity?: string;
  adminEmails: string[];
  errors: OaiProtocolError[];
}

/** The body is not a well-formed OAI-PMH document. */
export class OaiResponseError extends Error {
  readonly code = 'OAI_BAD_RESPONSE';
  constructor(message: string) {
    super(message);
    this.name = 'OaiResponseError';
  }
}

type Body = AsyncIterable<Uint8Array | string>;

/** Handlers a response parser registers; `path` holds the local names from the root down. */
interface Handlers {
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
async function parseStream(body: Body, handlers: Handlers): Promise<void> {
  const parser = new SaxesParser({ xmlns: true, position: true });
  const path: string[] = [];
  let failure: string | undefined;
  parser.on('doctype', () => (failure ??= 'DOCTYPE declarations are not allowed'));
  parser.on('error', (e) => (failure ??= e.message));
  parser.on('opentag', (tag) => {
    path.push(tag.local);
    handlers.open(tag, path);
  });
  parser.on('closetag', (tag) => {
    handlers.close(tag, path);
    path.pop();
  });
  parser.on('text', (t) => handlers.text(t, path));
  parser.on('cdata', (t) => handlers.text(t, path));
  parser.on('comment', (c) => handlers.other?.(`<!--${c}-->`, path));
  parser.on('processinginstruction', (pi) => handlers.other?.(`<?${pi.target}${pi.body ? ' ' + pi.body : ''}?>`, path));

  const decoder = new TextDecoder('utf-8');
  let started = false;
  for await (const chunk of body) {
    let text = typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    if (!started) {
      text = text.replace(/^[\uFEFF\s]+/, '');
      if (text.length === 0) continue;
      started = true;
    }
    parser.write(text);
    if (failure) throw new OaiResponseError(`Response is not well-formed XML: ${failure}`);
  }
  const tail = decoder.decode();
  if (tail) parser.write(tail);
  parser.close();
  if (failure) throw new OaiResponseError(`Response is not well-formed XML: ${failure}`);
  if (!started) throw new OaiResponseError('Response is empty');
}

function attr(tag: SaxesTagNS, local: string): string | undefined {
  for (const a of Object.values(tag.attributes)) if (a.local === local && a.uri === '') return a.value;
  return undefined;
}

/** Collects `<error>` elements and header fields; shared by ListIdentifiers and GetRecord. */
class HeaderCollector {
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
class ErrorCollector {
  readonly errors: OaiProtocolError[] = [];
  private current?: OaiProtocolError;

  open(tag: SaxesTagNS, path: string[]): void {
    if (path.length === 2 && tag.local === 'error') this.current = { code: attr(tag, 'code') ?? 'unknown', message: '' };
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

function checkRoot(tag: SaxesTagNS, path: string[]): void {
  if (path.length === 1 && tag.local !== 'OAI-PMH') throw new OaiResponseError(`Not an OAI-PMH response (root element <${tag.name}>)`);
}

/** Parses a ListIdentifiers response page. Throws OaiResponseError on malformed XML or a non-OAI root. */
export async function parseListIdentifiers(body: Body): Promise<ListIdentifiersPage> {
  const page: ListIdentifiersPage = { headers: [], completeListSize: null, errors: [] };
  const headers = new HeaderCollector();
  const errors = new ErrorCollector();
  let inToken = false;
  let token = '';
  await parseStream(body, {
    open(tag, path) {
      checkRoot(tag, path);
      errors.open(tag, path);
      if (path[1] !== 'ListIdentifiers') return;
      if (path.length === 3 && tag.local === 'resumptionToken') {
        inToken = true;
        const size = attr(tag, 'completeListSize')?.trim();
        page.completeListSize = size && /^\d+$/.test(size) ? Number(size) : null;
        const cursor = attr(tag, 'cursor')?.trim();
        if (cursor && /^\d+$/.test(cursor)) page.cursor = Number(cursor);
      } else if (path.length >= 3) headers.open(tag);
    },
    text(t) {
      errors.text(t);
      if (inToken) token += t;
      else headers.text(t);
    },
    close(tag, path) {
      errors.close(tag, path);
      if (inToken && path.length === 3) {
        inToken = false;
        const trimmed = token.trim();
        if (trimmed) page.resumptionToken = trimmed;
      } else if (path[1] === 'ListIdentifiers') {
        const h = headers.close(tag);
        if (h) page.headers.push(h);
      }
    },
  });
  page.errors = errors.errors;
  return page;
}

/**
 * Serializes one element subtree from saxes events, and writes onto its root every namespace
 * declaration that was in scope (declared on an ancestor), that the subtree uses (element or
 * attribute prefixes, or `prefix:` at the start of an attribute value such as `xsi:type="dc:W3CDTF"`)
 * and that it does not declare itself, so the string stands alone.
 */
class SubtreeWriter {
  private readonly out: string[] = [];
  private rootOpen = '';
  private pendingClose = false;
  private depth = 0;
  private readonly used = new Set<string>();
  private readonly declaredInside: Array<Record<string, string>> = [];

  constructor(private readonly inherited: Map<string, string>) {}

  open(tag: SaxesTagNS): void {
    this.flushOpen();
    this.used.add(tag.prefix);
    let s = '<' + tag.name;
    for (const a of Object.values(tag.attributes)) {
      if (a.prefix && a.prefix !== 'xmlns') this.used.add(a.prefix);
      const qn = /^([A-Za-z_][\w.-]*):/.exec(a.value);
      if (qn) this.used.add(qn[1]);
      s += ` ${a.name}="${escapeAttr(a.value)}"`;
    }
    this.declaredInside.push(tag.ns);
    if (this.depth === 0) this.rootOpen = s;
    else this.out.push(s);
    this.pendingClose = true;
    this.depth++;
  }

  content(raw: string): void {
    this.flushOpen();
    this.out.push(raw);
  }

  /** Returns true when the subtree's root element closed. */
  close(tag: SaxesTagNS): boolean {
    this.depth--;
    this.declaredInside.pop();
    if (this.pendingClose) {
      this.pendingClose = false;
      if (this.depth === 0) this.rootOpen += '/>';
      else this.out.push('/>');
    } else this.out.push(`</${tag.name}>`);
    return this.depth === 0;
  }

  private flushOpen(): void {
    if (!this.pendingClose) return;
    this.pendingClose = false;
    if (this.depth === 1 && this.out.length === 0) this.rootOpen += '>';
    else this.out.push('>');
  }

  /** The finished standalone XML string. `rootNs` holds the declarations made on the root itself. */
  result(rootNs: Record<string, string>): string {
    let extra = '';
    for (const [prefix, uri] of this.inherited) {
      if (prefix === 'xml' || prefix in rootNs || !this.used.has(prefix)) continue;
      extra += prefix === '' ? ` xmlns="${escapeAttr(uri)}"` : ` xmlns:${prefix}="${escapeAttr(uri)}"`;
    }
    const open = this.rootOpen.endsWith('/>') ? this.rootOpen.slice(0, -2) + extra + '/>' : this.rootOpen.slice(0, -1) + extra + '>';
    return open + this.out.join('');
  }
}

/**
 * Parses a GetRecord response: the header, the number of metadata children and the first one as a
 * standalone XML string. Throws OaiResponseError on malformed XML or a non-OAI root.
 */
export async function parseGetRecord(body: Body): Promise<GetRecordResponse> {
  const res: GetRecordResponse = { metadataChildCount: 0, errors: [] };
  const headers = new HeaderCollector();
  const errors = new ErrorCollector();
  // Namespace scope from the root down to <metadata>, one map per open ancestor.
  const scope: Array<Record<string, string>> = [];
  let writer: SubtreeWriter | undefined;
  let writerRootNs: Record<string, string> = {};
  let metadataDepth = -1;
  const inRecord = (path: string[]) => path[1] === 'GetRecord' && path[2] === 'record';

  await parseStream(body, {
    open(tag, path) {
      checkRoot(tag, path);
      errors.open(tag, path);
      if (writer) return writer.open(tag);
      if (metadataDepth > 0 && path.length === metadataDepth + 1) {
        res.metadataChildCount++;
        if (res.metadataChildCount === 1) {
          const inherited = new Map<string, string>();
          for (const ns of scope) for (const [p, u] of Object.entries(ns)) inherited.set(p, u);
          writer = new SubtreeWriter(inherited);
          writerRootNs = tag.ns;
          writer.open(tag);
        }
        return;
      }
      scope.push(tag.ns);
      if (!inRecord(path)) return;
      if (path.length === 4 && tag.local === 'metadata') metadataDepth = 4;
      else if (path.length >= 4 && path[3] === 'header') headers.open(tag);
    },
    text(t, path) {
      errors.text(t);
      if (writer) writer.content(escapeText(t));
      else if (inRecord(path) && path[3] === 'header') headers.text(t);
    },
    other(raw) {
      writer?.content(raw);
    },
    close(tag, path) {
      errors.close(tag, path);
      if (writer) {
        if (writer.close(tag)) {
          res.metadata = writer.result(writerRootNs);
          writer = undefined;
        }
        return;
      }
      if (metadataDepth > 0 && path.length === metadataDepth + 1) return;
      scope.pop();
      if (metadataDepth === path.length && tag.local === 'metadata') metadataDepth = -1;
      else if (inRecord(path) && path[3] === 'header') {
        const h = headers.close(tag);
        if (h) res.header = h;
      }
    },
  });
  res.errors = errors.errors;
  return res;
}

/** Parses an Identify response (the fields Metis-like tools look at). */
export async function parseIdentify(body: Body): Promise<IdentifyResponse> {
  const res: IdentifyResponse = { adminEmails: [], errors: [] };
  const errors = new ErrorCollector();
  const fields = ['repositoryName', 'baseURL', 'protocolVersion', 'earliestDatestamp', 'deletedRecord', 'granularity', 'adminEmail'];
  let field: string | undefined;
  let buf = '';
  await parseStream(body, {
    open(tag, path) {
      checkRoot(tag, path);
      errors.open(tag, path);
      if (path.length === 3 && path[1] === 'Identify' && fields.includes(tag.local)) {
        field = tag.local;
        buf = '';
      }
    },
    text(t) {
      errors.text(t);
      if (field) buf += t;
    },
    close(tag, path) {
      errors.close(tag, path);
      if (field && path.length === 3) {
        const v = buf.trim();
        if (field === 'adminEmail') res.adminEmails.push(v);
        else (res as unknown as Record<string, string>)[field] = v;
        field = undefined;
      }
    },
  });
  res.errors = errors.errors;
  return res;
}
