/**
 * Harvest ports over the OAI-PMH client and the archive reader. The pipeline lists one page per
 * command (so a listing streams and resumes after a crash), which `OaiClient.listPage` provides.
 */
import { fileURLToPath } from 'node:url';
import { harvestArchive } from '../../steps/harvest/archive/archive-harvest.ts';
import type { OaiClient } from '../../steps/harvest/oai/oai-client.ts';
import type { ArchivePort, OaiPort } from './port-types.ts';

export function buildHarvestPorts(client: OaiClient): { oai: OaiPort; archive: ArchivePort } {
  const oai: OaiPort = {
    async listPage(source, token, signal, progress) {
      const page = await client.listPage(
        {
          baseUrl: source.url,
          metadataPrefix: source.metadataPrefix,
          set: source.set,
          from: source.from,
          until: source.until,
        },
        token,
        signal,
        progress,
      );
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
      if (outcome.status === 'fail' || outcome.content === undefined) return outcome;
      return outcome.messages.length > 0
        ? { content: outcome.content, messages: outcome.messages }
        : { content: outcome.content };
    },
  };
  const archive: ArchivePort = {
    async *entries(url, signal) {
      const source = /^https?:/i.test(url) ? { url } : { path: url.startsWith('file:') ? fileURLToPath(url) : url };
      yield* harvestArchive(source, { signal });
    },
  };
  return { oai, archive };
}
