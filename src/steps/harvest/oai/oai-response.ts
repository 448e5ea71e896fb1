/**
 * Streaming parsers for OAI-PMH responses (ListIdentifiers, GetRecord, ListRecords, Identify).
 *
 * The response body is fed chunk by chunk into saxes (oai-stream.ts), so a page is never held as one
 * string or a DOM: a ListIdentifiers page keeps only its headers, a GetRecord (or each record of a
 * ListRecords page) keeps only its header and the serialized metadata child (oai-subtree-writer.ts). Element matching is by local name, namespace-agnostic, like
 * Metis's `OaiRecordParser` XPaths (`/OAI-PMH/GetRecord/record/metadata/child::*`).
 */
import { escapeText } from '../../../edm/xml.ts';
import {
  attr,
  type Body,
  checkRoot,
  ErrorCollector,
  HeaderCollector,
  parseStream,
  type StreamLimits,
} from './oai-stream.ts';
import { SubtreeWriter } from './oai-subtree-writer.ts';

import type { GetRecordResponse, IdentifyResponse, ListIdentifiersPage, ListRecordsPage, OaiRecord } from './oai-types.ts';

export type { OaiResponseError, StreamLimits } from './oai-stream.ts';
export type {
  GetRecordResponse,
  IdentifyResponse,
  ListIdentifiersPage,
  ListRecordsPage,
  OaiHeader,
  OaiRecord,
  OaiProtocolError,
} from './oai-types.ts';

/** Parses a ListIdentifiers response page. Throws OaiResponseError on malformed XML or a non-OAI root. */
export async function parseListIdentifiers(body: Body, limits?: StreamLimits): Promise<ListIdentifiersPage> {
  const page: ListIdentifiersPage = { headers: [], completeListSize: null, errors: [] };
  const headers = new HeaderCollector();
  const errors = new ErrorCollector();
  let inToken = false;
  let token = '';
  await parseStream(
    body,
    {
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
    },
    limits,
  );
  page.errors = errors.errors;
  return page;
}

/**
 * Parses a GetRecord response: the header, the number of metadata children and the first one as a
 * standalone XML string. Throws OaiResponseError on malformed XML or a non-OAI root.
 */
export async function parseGetRecord(body: Body, limits?: StreamLimits): Promise<GetRecordResponse> {
  const page = await parseRecords(body, 'GetRecord', limits);
  const { records, errors } = page;
  return { ...(records[0] ?? { metadataChildCount: 0 }), errors };
}

/**
 * Parses a ListRecords response page: each record as GetRecord would give it (header, metadata
 * children, the first one serialized), the resumption token and `completeListSize`. `headers` holds
 * the header of every record that has one. Throws OaiResponseError on malformed XML or a non-OAI root.
 */
export async function parseListRecords(body: Body, limits?: StreamLimits): Promise<ListRecordsPage> {
  const page = await parseRecords(body, 'ListRecords', limits);
  return { ...page, headers: page.records.flatMap((r) => (r.header ? [r.header] : [])) };
}

/** One `<record>` being read. */
interface RecordState extends OaiRecord {
  headers: HeaderCollector;
  writer?: SubtreeWriter;
  writerRootNs: Record<string, string>;
  metadataDepth: number;
}

const newRecord = (): RecordState => ({ metadataChildCount: 0, headers: new HeaderCollector(), writerRootNs: {}, metadataDepth: -1 });

/**
 * The records of a GetRecord or ListRecords response (`/OAI-PMH/<verb>/record`), with ListRecords'
 * resumption token. GetRecord keeps one state for the whole response (as it always did); ListRecords
 * starts one per `<record>`.
 */
async function parseRecords(
  body: Body,
  verb: 'GetRecord' | 'ListRecords',
  limits?: StreamLimits,
): Promise<Omit<ListRecordsPage, 'headers'>> {
  const page: Omit<ListRecordsPage, 'headers'> = { records: [], completeListSize: null, errors: [] };
  const errors = new ErrorCollector();
  // Namespace scope from the root down to <metadata>, one map per open ancestor.
  const scope: Array<Record<string, string>> = [];
  let rec: RecordState | undefined = verb === 'GetRecord' ? newRecord() : undefined;
  const states: RecordState[] = rec ? [rec] : [];
  let inToken = false;
  let token = '';
  const inRecord = (path: string[]) => path[1] === verb && path[2] === 'record';

  await parseStream(
    body,
    {
      open(tag, path) {
        checkRoot(tag, path);
        errors.open(tag, path);
        if (rec?.writer) return rec.writer.open(tag);
        if (rec && rec.metadataDepth > 0 && path.length === rec.metadataDepth + 1) {
          rec.metadataChildCount++;
          if (rec.metadataChildCount === 1) {
            const inherited = new Map<string, string>();
            for (const ns of scope) for (const [p, u] of Object.entries(ns)) inherited.set(p, u);
            rec.writer = new SubtreeWriter(inherited);
            rec.writerRootNs = tag.ns;
            rec.writer.open(tag);
          }
          return;
        }
        scope.push(tag.ns);
        if (verb === 'ListRecords' && path.length === 3 && path[1] === verb) {
          if (tag.local === 'record') states.push((rec = newRecord()));
          else if (tag.local === 'resumptionToken') {
            inToken = true;
            const size = attr(tag, 'completeListSize')?.trim();
            page.completeListSize = size && /^\d+$/.test(size) ? Number(size) : null;
            const cursor = attr(tag, 'cursor')?.trim();
            if (cursor && /^\d+$/.test(cursor)) page.cursor = Number(cursor);
          }
        }
        if (!rec || !inRecord(path)) return;
        if (path.length === 4 && tag.local === 'metadata') rec.metadataDepth = 4;
        else if (path.length >= 4 && path[3] === 'header') rec.headers.open(tag);
      },
      text(t, path) {
        errors.text(t);
        if (rec?.writer) rec.writer.content(escapeText(t));
        else if (inToken) token += t;
        else if (rec && inRecord(path) && path[3] === 'header') rec.headers.text(t);
      },
      other(raw) {
        rec?.writer?.content(raw);
      },
      close(tag, path) {
        errors.close(tag, path);
        if (rec?.writer) {
          if (rec.writer.close(tag)) {
            rec.metadata = rec.writer.result(rec.writerRootNs);
            rec.writer = undefined;
          }
          return;
        }
        if (rec && rec.metadataDepth > 0 && path.length === rec.metadataDepth + 1) return;
        scope.pop();
        if (inToken && path.length === 3) {
          inToken = false;
          const trimmed = token.trim();
          if (trimmed) page.resumptionToken = trimmed;
        } else if (rec && rec.metadataDepth === path.length && tag.local === 'metadata') rec.metadataDepth = -1;
        else if (rec && inRecord(path) && path[3] === 'header') {
          const h = rec.headers.close(tag);
          if (h) rec.header = h;
        }
      },
    },
    limits,
  );
  page.records = states.map(({ header, metadata, metadataChildCount }) => ({
    ...(header ? { header } : {}),
    ...(metadata !== undefined ? { metadata } : {}),
    metadataChildCount,
  }));
  page.errors = errors.errors;
  return page;
}

/** Parses an Identify response (the fields Metis-like tools look at). */
export async function parseIdentify(body: Body, limits?: StreamLimits): Promise<IdentifyResponse> {
  const res: IdentifyResponse = { adminEmails: [], errors: [] };
  const errors = new ErrorCollector();
  const fields = [
    'repositoryName',
    'baseURL',
    'protocolVersion',
    'earliestDatestamp',
    'deletedRecord',
    'granularity',
    'adminEmail',
  ];
  let field: string | undefined;
  let buf = '';
  await parseStream(
    body,
    {
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
    },
    limits,
  );
  res.errors = errors.errors;
  return res;
}
