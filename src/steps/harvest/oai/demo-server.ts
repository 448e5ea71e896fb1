/**
 * A small OAI-PMH repository on 127.0.0.1 that serves a generated dataset (demo-dataset.ts), for
 * `metis-streams run --demo`, tests and benchmarks. Like metis-repository's test server it answers
 * the verbs Metis uses (`ListIdentifiers` with resumption tokens, `GetRecord`) plus `Identify` and
 * `ListRecords` (same pages as ListIdentifiers, each header with its record).
 * Errors follow OAI-PMH: `badVerb`, `badArgument`, `badResumptionToken`, `cannotDisseminateFormat`,
 * `idDoesNotExist`, `noRecordsMatch` (as `<error>` elements with HTTP 200).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { escapeAttr, escapeText } from '../../../edm/xml.ts';
import { demoDatestamp, demoIdentifier, demoRecord, type DemoDatasetOptions } from './demo-dataset.ts';

/** One record as the repository serves it. */
export interface RepositoryRecord {
  identifier: string;
  datestamp: string;
  setSpecs: string[];
  deleted: boolean;
  /** The metadata element(s) to put inside `<metadata>` (no XML declaration). */
  metadata: string;
}

export interface OaiRepositoryOptions {
  /** Number of records (indexes 0..size-1). */
  size: number;
  /** Headers per ListIdentifiers (records per ListRecords) page (default 100). */
  pageSize?: number;
  /** Accepted metadataPrefix (default `edm`). */
  metadataPrefix?: string;
  /** Record `i` (default: the demo dataset, with `dataset` options, set `demo`, none deleted). */
  record?: (index: number) => RepositoryRecord;
  /** Options for the default demo records. */
  dataset?: DemoDatasetOptions;
  /** Indexes whose header says `status="deleted"` (default: none). */
  isDeleted?: (index: number) => boolean;
}

/** The default record source: demo-dataset records under set `demo`. */
export function demoRepositoryRecord(index: number, options: DemoDatasetOptions = {}, deleted = false): RepositoryRecord {
  return {
    identifier: demoIdentifier(index, options),
    datestamp: demoDatestamp(index, options),
    setSpecs: ['demo'],
    deleted,
    // Built on demand: listing pages need only the header fields.
    get metadata() {
      return demoRecord(index, options).xml.replace(/^<\?xml[^>]*\?>\s*/, '');
    },
  };
}

interface ListPosition {
  next: number;
  prefix: string;
  set?: string;
  from?: string;
  until?: string;
}

/**
 * The request handler (no server): parses the OAI request, writes the response. Exposed so test
 * servers can wrap it with delays and failures.
 */
export function createOaiRepositoryHandler(options: OaiRepositoryOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const pageSize = options.pageSize ?? 100;
  const prefix = options.metadataPrefix ?? 'edm';
  const isDeleted = options.isDeleted ?? (() => false);
  const recordAt = options.record ?? ((i: number) => demoRepositoryRecord(i, options.dataset, isDeleted(i)));
  // Identifier → index: identifiers of the default source end with `record-<i>`; others are looked up once.
  let byIdentifier: Map<string, number> | undefined;
  const indexOf = (identifier: string): number | undefined => {
    if (!options.record) {
      const m = /record-(\d+)$/.exec(identifier);
      const i = m ? Number(m[1]) : -1;
      return i >= 0 && i < options.size && recordAt(i).identifier === identifier ? i : undefined;
    }
    if (!byIdentifier) {
      byIdentifier = new Map();
      for (let i = 0; i < options.size; i++) byIdentifier.set(recordAt(i).identifier, i);
    }
    return byIdentifier.get(identifier);
  };

  return (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const q = url.searchParams;
    const verb = q.get('verb') ?? '';
    const send = (body: string) => {
      const xml =
        '<?xml version="1.0" encoding="UTF-8"?>\n<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://www.openarchives.org/OAI/2.0/ http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd">\n' +
        `<responseDate>${new Date().toISOString().replace(/\.\d+Z$/, 'Z')}</responseDate>\n<request${verb ? ` verb="${escapeAttr(verb)}"` : ''}>http://${escapeText(req.headers.host ?? '127.0.0.1')}/oai</request>\n${body}\n</OAI-PMH>\n`;
      res.writeHead(200, { 'content-type': 'text/xml; charset=utf-8' });
      res.end(xml);
    };
    const error = (code: string, message: string) => send(`<error code="${code}">${escapeText(message)}</error>`);

    if (verb === 'Identify') {
      return send(
        '<Identify><repositoryName>Metis Streams demo repository</repositoryName>' +
          `<baseURL>http://${escapeText(req.headers.host ?? '127.0.0.1')}/oai</baseURL><protocolVersion>2.0</protocolVersion>` +
          '<adminEmail>demo@metis-streams.invalid</adminEmail><earliestDatestamp>2010-01-01</earliestDatestamp>' +
          '<deletedRecord>persistent</deletedRecord><granularity>YYYY-MM-DD</granularity></Identify>',
      );
    }
    if (verb === 'GetRecord') {
      const id = q.get('identifier');
      const p = q.get('metadataPrefix');
      if (!id || !p) return error('badArgument', 'GetRecord requires identifier and metadataPrefix');
      if (p !== prefix) return error('cannotDisseminateFormat', `Unsupported metadata format: ${p}`);
      const i = indexOf(id);
      if (i === undefined) return error('idDoesNotExist', `No record with identifier ${id}`);
      const r = recordAt(i);
      return send(`<GetRecord><record>${header(r)}${r.deleted ? '' : `<metadata>${r.metadata}</metadata>`}</record></GetRecord>`);
    }
    if (verb === 'ListIdentifiers' || verb === 'ListRecords') {
      let pos: ListPosition;
      const token = q.get('resumptionToken');
      if (token !== null) {
        if ([...q.keys()].some((k) => k !== 'verb' && k !== 'resumptionToken')) return error('badArgument', 'resumptionToken is exclusive');
        const decoded = decodeToken(token);
        if (!decoded) return error('badResumptionToken', `Invalid or expired resumption token: ${token}`);
        pos = decoded;
      } else {
        const p = q.get('metadataPrefix');
        if (!p) return error('badArgument', 'metadataPrefix is required');
        if (p !== prefix) return error('cannotDisseminateFormat', `Unsupported metadata format: ${p}`);
        pos = { next: 0, prefix: p, set: q.get('set') ?? undefined, from: q.get('from') ?? undefined, until: q.get('until') ?? undefined };
      }
      const matches = (r: RepositoryRecord) =>
        (!pos.set || r.setSpecs.includes(pos.set)) && (!pos.from || r.datestamp >= pos.from) && (!pos.until || r.datestamp.slice(0, pos.until.length) <= pos.until);
      const filtered = pos.set !== undefined || pos.from !== undefined || pos.until !== undefined;
      const headers: string[] = [];
      let i = pos.next;
      for (; i < options.size && headers.length < pageSize; i++) {
        const r = recordAt(i);
        if (filtered && !matches(r)) continue;
        headers.push(verb === 'ListRecords' ? `<record>${header(r)}${r.deleted ? '' : `<metadata>${r.metadata}</metadata>`}</record>` : header(r));
      }
      if (pos.next === 0 && headers.length === 0) return error('noRecordsMatch', 'The combination of the values of the from, until, set and metadataPrefix arguments results in an empty list.');
      let more = false;
      for (let j = i; j < options.size && !more; j++) more = !filtered || matches(recordAt(j));
      // completeListSize is only known cheaply without filters.
      const size = filtered ? '' : ` completeListSize="${options.size}"`;
      const tokenXml = more
        ? `<resumptionToken${size} cursor="${pos.next}">${escapeText(encodeToken({ ...pos, next: i }))}</resumptionToken>`
        : pos.next > 0
          ? `<resumptionToken${size} cursor="${pos.next}"/>`
          : '';
      return send(`<${verb}>${headers.join('')}${tokenXml}</${verb}>`);
    }
    return error('badVerb', verb ? `Illegal verb: ${verb}` : 'Missing verb');
  };
}

function header(r: RepositoryRecord): string {
  return (
    `<header${r.deleted ? ' status="deleted"' : ''}><identifier>${escapeText(r.identifier)}</identifier>` +
    `<datestamp>${escapeText(r.datestamp)}</datestamp>${r.setSpecs.map((s) => `<setSpec>${escapeText(s)}</setSpec>`).join('')}</header>`
  );
}

function encodeToken(pos: ListPosition): string {
  return Buffer.from(JSON.stringify(pos)).toString('base64url');
}

function decodeToken(token: string): ListPosition | undefined {
  try {
    const pos = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as ListPosition;
    return Number.isInteger(pos.next) && pos.next >= 0 && typeof pos.prefix === 'string' ? pos : undefined;
  } catch {
    return undefined;
  }
}

export interface RunningOaiServer {
  /** Base URL to harvest, e.g. `http://127.0.0.1:40123/oai`. */
  url: string;
  server: Server;
  close(): Promise<void>;
}

/** Starts `handler` on 127.0.0.1 (port 0 = any free port). */
export async function listenOnLoopback(handler: (req: IncomingMessage, res: ServerResponse) => void, port = 0): Promise<RunningOaiServer> {
  const server = createServer(handler);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const { port: actual } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${actual}/oai`,
    server,
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      })),
  };
}

/** Serves a demo dataset of `size` records over OAI-PMH on 127.0.0.1. Close it with `close()`. */
export async function startDemoOaiServer(options: OaiRepositoryOptions & { port?: number }): Promise<RunningOaiServer> {
  return listenOnLoopback(createOaiRepositoryHandler(options), options.port);
}
