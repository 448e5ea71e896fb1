/**
 * Hostile OAI-PMH servers for test/hostile/oai.test.ts: a loopback HTTP server whose every answer
 * comes from a test's handler, and generators of the OAI-PMH bodies they send (ListIdentifiers pages
 * with chosen tokens, GetRecord answers with a chosen identifier). Nothing is read from fixtures.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HostileRequest {
  /** 1-based number of this request. */
  seq: number;
  verb: string;
  params: URLSearchParams;
  /** Length of the request line's URL, in characters. */
  urlLength: number;
  path: string;
}

export type HostileHandler = (req: HostileRequest, res: ServerResponse, raw: IncomingMessage) => void;

export interface HostileServer {
  /** The OAI base URL (`http://127.0.0.1:<port>/oai`). */
  url: string;
  /** `http://127.0.0.1:<port>` */
  origin: string;
  port: number;
  requests: HostileRequest[];
  close(): Promise<void>;
}

export async function startHostileServer(handler: HostileHandler): Promise<HostileServer> {
  const requests: HostileRequest[] = [];
  const server: Server = createServer((raw, res) => {
    const u = new URL(raw.url ?? '/', 'http://localhost');
    const req: HostileRequest = {
      seq: requests.length + 1,
      verb: u.searchParams.get('verb') ?? '',
      params: u.searchParams,
      urlLength: (raw.url ?? '').length,
      path: u.pathname,
    };
    requests.push(req);
    handler(req, res, raw);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}/oai`,
    origin: `http://127.0.0.1:${port}`,
    port,
    requests,
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      })),
  };
}

const OAI_OPEN =
  '<?xml version="1.0" encoding="UTF-8"?>\n<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/">' +
  '<responseDate>2026-01-01T00:00:00Z</responseDate><request>http://example.org/oai</request>';

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** `n` header identifiers of page `page`: `oai:hostile:<page>-<i>`. */
export function pageIdentifiers(page: number, n: number): string[] {
  return Array.from({ length: n }, (_, i) => `oai:hostile:${page}-${i}`);
}

/** A ListIdentifiers page with these identifiers and (when given) this resumption token. */
export function listPage(identifiers: string[], token?: string, completeListSize?: number): string {
  const headers = identifiers
    .map((id) => `<header><identifier>${esc(id)}</identifier><datestamp>2026-01-01</datestamp></header>`)
    .join('');
  const size = completeListSize !== undefined ? ` completeListSize="${completeListSize}"` : '';
  const rt = token !== undefined ? `<resumptionToken${size}>${esc(token)}</resumptionToken>` : '';
  return `${OAI_OPEN}<ListIdentifiers>${headers}${rt}</ListIdentifiers></OAI-PMH>`;
}

/** An EDM-ish record body for `identifier`. */
export function recordMetadata(identifier: string): string {
  return (
    '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:edm="http://www.europeana.eu/schemas/edm/">' +
    `<edm:ProvidedCHO rdf:about="${esc(identifier)}"/></rdf:RDF>`
  );
}

/** A GetRecord answer whose header names `answered` (which a hostile server makes differ from the request). */
export function getRecord(answered: string, metadata = recordMetadata(answered)): string {
  return (
    `${OAI_OPEN}<GetRecord><record><header><identifier>${esc(answered)}</identifier>` +
    `<datestamp>2026-01-01</datestamp></header><metadata>${metadata}</metadata></record></GetRecord></OAI-PMH>`
  );
}

/** An OAI-PMH error answer. */
export function oaiError(code: string, message: string): string {
  return `${OAI_OPEN}<error code="${code}">${esc(message)}</error></OAI-PMH>`;
}

export function sendXml(res: ServerResponse, body: string | Buffer, headers: Record<string, string> = {}): void {
  res.writeHead(200, { 'content-type': 'text/xml; charset=utf-8', ...headers });
  res.end(body);
}
