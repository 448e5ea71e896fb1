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
import type { OaiHeader, OaiProtocolError } from './oai-types.ts';
import { errors, type MetisError } from '../../../errors/index.ts';

/** The body is not a well-formed OAI-PMH document: the catalogue error `OAI_RESPONSE_INVALID`. */
export type OaiResponseError = MetisError<'OAI_RESPONSE_INVALID'>;

function invalid(detail: string): OaiResponseError {
  return errors.OAI_RESPONSE_INVALID({ detail });
}

export type Body = AsyncIterable<Uint8Array | string>;

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
export async function parseStream(body: Body, handlers: Handlers): Promise<void> {
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
    if (failure) throw invalid(`Response is not well-formed XML: ${failure}`);
  }
  const tail = decoder.decode();
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
