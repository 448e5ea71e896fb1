/**
 * Streaming parsers for OAI-PMH responses (ListIdentifiers, GetRecord, Identify).
 *
 * The response body is fed chunk by chunk into saxes (oai-stream.ts), so a page is never held as one
 * string or a DOM: a ListIdentifiers page keeps only its headers, a GetRecord keeps only the serialized
 * metadata child (oai-subtree-writer.ts). Element matching is by local name, namespace-agnostic, like
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

import type { GetRecordResponse, IdentifyResponse, ListIdentifiersPage } from './oai-types.ts';

export type { OaiResponseError, StreamLimits } from './oai-stream.ts';
export type {
  GetRecordResponse,
  IdentifyResponse,
  ListIdentifiersPage,
  OaiHeader,
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
  const res: GetRecordResponse = { metadataChildCount: 0, errors: [] };
  const headers = new HeaderCollector();
  const errors = new ErrorCollector();
  // Namespace scope from the root down to <metadata>, one map per open ancestor.
  const scope: Array<Record<string, string>> = [];
  let writer: SubtreeWriter | undefined;
  let writerRootNs: Record<string, string> = {};
  let metadataDepth = -1;
  const inRecord = (path: string[]) => path[1] === 'GetRecord' && path[2] === 'record';

  await parseStream(
    body,
    {
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
    },
    limits,
  );
  res.errors = errors.errors;
  return res;
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
