/**
 * Harvest ports over the OAI-PMH client and the archive reader. The pipeline lists page by page, a
 * few pages per command (so a listing streams and resumes after a crash), which `OaiClient.listPage` provides
 * (`listRecordsPage` for a source with the `ListRecords` verb: the page carries its records).
 */
import { fileURLToPath } from 'node:url';
import { harvestArchive } from '../../steps/harvest/archive/archive-harvest.ts';
import { decodeRecordBytes } from '../../edm/encoding.ts';
import { XmlParseError } from '../../edm/xml-tree.ts';
import type { OaiClient } from '../../steps/harvest/oai/oai-client.ts';
import type { AddressPolicy } from '../../steps/http/address-policy.ts';
import type { RequestGate } from '../../steps/http/request-gate.ts';
import type { StepOutcome } from '../../steps/outcome.ts';
import type { ArchivePort, OaiPort } from './port-types.ts';

/** A fetched record as the port gives it: its content (with warnings, if any) or the failed outcome. */
function asRecord(outcome: StepOutcome): Awaited<ReturnType<OaiPort['getRecord']>> {
  if (outcome.status === 'fail' || outcome.content === undefined) return outcome;
  return outcome.messages.length > 0 ? { content: outcome.content, messages: outcome.messages } : { content: outcome.content };
}

/**
 * `redirectPolicy`: where an archive download's redirect to another host may go; `gate`: politeness
 * towards the archive's host (OAI requests are gated by the processors that make them).
 */
export function buildHarvestPorts(
  client: OaiClient,
  redirectPolicy: AddressPolicy = {},
  gate?: RequestGate,
): { oai: OaiPort; archive: ArchivePort } {
  const oai: OaiPort = {
    async listPage(source, token, signal, progress) {
      const endpoint = {
        baseUrl: source.url,
        metadataPrefix: source.metadataPrefix,
        set: source.set,
        from: source.from,
        until: source.until,
      };
      if (source.verb === 'ListRecords') {
        const page = await client.listRecordsPage(endpoint, token, signal, progress);
        return {
          headers: page.records.map((r) => ({ identifier: r.identifier, datestamp: r.datestamp, deleted: r.deleted })),
          records: page.records.map((r) => asRecord(r.outcome)),
          token: page.resumptionToken,
          completeListSize: page.completeListSize ?? undefined,
          progress: page.progress,
        };
      }
      const page = await client.listPage(endpoint, token, signal, progress);
      return {
        headers: page.headers.map((h) => ({ identifier: h.identifier, datestamp: h.datestamp, deleted: h.deleted })),
        token: page.resumptionToken,
        completeListSize: page.completeListSize ?? undefined,
        progress: page.progress,
      };
    },
    async getRecord(source, identifier, signal) {
      const outcome = await client.fetchRecord(
        { baseUrl: source.url, metadataPrefix: source.metadataPrefix },
        identifier,
        signal,
      );
      return asRecord(outcome);
    },
  };
  const archive: ArchivePort = {
    async *entries(url, signal) {
      const source = /^https?:/i.test(url) ? { url } : { path: url.startsWith('file:') ? fileURLToPath(url) : url };
      for await (const r of harvestArchive(source, { signal, redirectPolicy, gate })) {
        if (r.error) {
          yield { path: r.path, error: { code: r.error.code, message: r.error.message } };
          continue;
        }
        let text: string;
        try {
          text = decodeRecordBytes(r.content);
        } catch (err) {
          if (!(err instanceof XmlParseError)) throw err;
          yield { path: r.path, error: { code: err.code, message: `Record is not well-formed XML: ${err.message}` } };
          continue;
        }
        yield { path: r.path, content: text };
      }
    },
  };
  return { oai, archive };
}
