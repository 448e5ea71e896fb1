/**
 * The enrichment step (metis-steps.md §8, EnrichmentWorkerImpl): parse the record once, dereference
 * the URIs it links to, enrich its literals and links through an `EntityClient`, merge what was
 * found, write completeness and years, and serialize once. Remote calls run with bounded
 * concurrency; merging happens afterwards in record order, so the output does not depend on timing.
 */
import { parseXml, serializeXml, XmlParseError, type XmlElement } from '../../edm/xml.ts';
import { fail, type StepOutcome } from '../outcome.ts';
import { setAdditionalData, YearParser, type EraWords } from './additional-data.ts';
import { cloneElement } from './entity-xml.ts';
import { createLimiter, type Limiter } from './limit.ts';
import {
  appendEntity,
  appendProxyLink,
  recordParts,
  replaceAggregationLink,
  removePreviousEnrichment,
  replaceAggregationLiteral,
  type RecordParts,
} from './record.ts';
import { outcomeFromReports, statusOf, type Report } from './reports.ts';
import { dereferenceUris, entityApiLanguage, referenceTerms, searchTerms, type EnrichmentField } from './terms.ts';
import type { DereferenceClient, DereferenceStatus, Entity, EntityClient, EntityType } from './types.ts';

export interface EnricherOptions {
  /** Entity API client or the built-in entity store. */
  entityClient: EntityClient;
  /** Metis dereference service client; without one, only Europeana entity links are dereferenced. */
  dereferenceClient?: DereferenceClient;
  /** Run dereferencing. Default true. */
  dereference?: boolean;
  /** Run enrichment (and completeness / year). Default true. */
  enrich?: boolean;
  /** Remote calls in flight per record. Default 8. */
  concurrency?: number;
  /** Era words for edm:year (Metis's adList / bcList). Default: a short built-in list. */
  eraWords?: EraWords;
  /** First remove the links and entities of an earlier enrichment (re-enrichment). Default false. */
  cleanupPrevious?: boolean;
  /** How many `isPartOf` levels of parents to fetch. Default 10. */
  maxParentDepth?: number;
}

export interface EnrichData {
  dereferencedUris: number;
  entitiesAdded: number;
  linksAdded: number;
  completeness?: number;
  years: number[];
  /** Every report, IGNOREs included (the outcome's messages hold WARN and ERROR only). */
  reports: Report[];
}

export interface EnrichInput {
  recordId: string;
  content: string;
}

/** Europeana's own entities are resolved by id through the entity client. */
const EUROPEANA_URI = /^https?:\/\/data\.europeana\.eu/;

const DEREFERENCE_MESSAGES: Partial<Record<DereferenceStatus, [Report['level'], string]>> = {
  FAILURE: ['ERROR', 'Dereference or Coreferencing failed.'],
  INVALID_URL: ['IGNORE', 'A URL to be dereferenced is invalid.'],
  NO_VOCABULARY_MATCHING: ['IGNORE', 'Could not find a vocabulary matching the URL.'],
  ENTITY_FOUND_XML_XSLT_PRODUCE_NO_CONTEXTUAL_CLASS: [
    'IGNORE',
    'Entity was found, but the XSLT mapping did not produce a contextual class.',
  ],
  UNKNOWN_EUROPEANA_ENTITY: ['WARN', 'Dereferencing or Coreferencing: the europeana entity does not exist.'],
  UNKNOWN_ENTITY: ['WARN', 'Dereferencing or Coreferencing: the europeana entity does not exist.'],
  NO_ENTITY_FOR_VOCABULARY: ['WARN', 'Could not find an entity for a known vocabulary.'],
  ENTITY_FOUND_XML_XSLT_ERROR: [
    'WARN',
    'Entity was found, applying the XSLT results in an XML error (either because the entity is malformed or the XSLT is malformed).',
  ],
};

function isHttpUrl(uri: string): boolean {
  try {
    const u = new URL(uri);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname !== '';
  } catch {
    return false;
  }
}

function errorDetail(err: unknown): string {
  return err instanceof Error ? (err.stack ?? err.message) : String(err);
}

/**
 * Creates the enrichment step: `(record) => StepOutcome`. The record fails when any report is an
 * ERROR, continues with warnings on WARN reports; IGNORE reports only show in `data.reports`.
 */
export function createEnricher(options: EnricherOptions): (record: EnrichInput) => Promise<StepOutcome<EnrichData>> {
  const client = options.entityClient;
  const concurrency = options.concurrency ?? 8;
  const maxDepth = options.maxParentDepth ?? 10;
  const yearParser = new YearParser(options.eraWords);
  // Parsed entity elements, reused across records while the clients hand back the same objects.
  const parsed = new WeakMap<Entity, XmlElement>();

  /** The entity and its `isPartOf` ancestors, each once. */
  async function withParents(entity: Entity, limit: Limiter): Promise<Entity[]> {
    const out = [entity];
    const seen = new Set([entity.about]);
    let level = entity.parents;
    for (let depth = 0; depth < maxDepth && level.length > 0; depth++) {
      const next: string[] = [];
      const wanted = [...new Set(level.filter((p) => !seen.has(p)))];
      const found = await Promise.all(wanted.map((p) => limit(() => client.getById(p))));
      for (const parent of found) {
        if (!parent || seen.has(parent.about)) continue;
        seen.add(parent.about);
        out.push(parent);
        next.push(...parent.parents);
      }
      level = next;
    }
    return out;
  }

  function merge(parts: RecordParts, entity: Entity): boolean {
    let template = parsed.get(entity);
    if (!template) parsed.set(entity, (template = parseXml(entity.xml).root));
    if (parts.entities.has(entity.about)) return false;
    return appendEntity(parts, entity, cloneElement(template));
  }

  async function dereferenceOne(uri: string, reports: Report[], limit: Limiter): Promise<Entity[]> {
    const report = (level: Report['level'], message: string, extra: Partial<Report> = {}) =>
      reports.push({ level, mode: 'DEREFERENCE', message, value: uri, ...extra });
    if (!isHttpUrl(uri)) {
      report('IGNORE', 'A URL to be dereferenced is invalid.');
      return [];
    }
    try {
      if (EUROPEANA_URI.test(uri)) {
        const entity = await limit(() => client.getById(uri));
        if (!entity) {
          report('WARN', 'Dereferencing or Coreferencing: the europeana entity does not exist.');
          return [];
        }
        return await withParents(entity, limit);
      }
      // Like Metis, try the own entity collection first (the Entity API client has only Europeana
      // ids and answers at once; the built-in store may hold any vocabulary), then the service.
      const own = await limit(() => client.getById(uri));
      if (own) return await withParents(own, limit);
      if (!options.dereferenceClient) return [];
      const deref = options.dereferenceClient;
      const result = await limit(() => deref.dereference(uri));
      const mapped = DEREFERENCE_MESSAGES[result.status];
      if (mapped) report(mapped[0], mapped[1]);
      return result.entities;
    } catch (err) {
      const status = statusOf(err);
      // Client errors (bad request, unknown resource) are forgiven as warnings; anything else fails the record.
      const level = status !== undefined && status >= 400 && status < 500 ? 'WARN' : 'ERROR';
      report(
        level,
        level === 'WARN' ? 'Dereferencing failed with a client error.' : 'Dereference or Coreferencing failed.',
        {
          status,
          detail: errorDetail(err),
        },
      );
      return [];
    }
  }

  function link(
    parts: RecordParts,
    fields: EnrichmentField[],
    entity: Entity,
    replace: (f: EnrichmentField) => number,
  ): number {
    let n = 0;
    for (const field of fields) {
      if (field.type !== entity.type) continue;
      if (field.on === 'proxy') n += appendProxyLink(parts, field, entity.about) ? 1 : 0;
      else n += replace(field);
    }
    return n;
  }

  return async function enrich(record: EnrichInput): Promise<StepOutcome<EnrichData>> {
    let doc;
    try {
      doc = parseXml(record.content);
    } catch (err) {
      if (err instanceof XmlParseError)
        return fail(record.recordId, 'ENRICH_PARSE', `Could not parse the record: ${err.message}`);
      throw err;
    }
    const parts = recordParts(doc.root);
    const reports: Report[] = [];
    const data: EnrichData = { dereferencedUris: 0, entitiesAdded: 0, linksAdded: 0, years: [], reports };
    const limit = createLimiter(concurrency);
    if (options.cleanupPrevious) removePreviousEnrichment(parts);

    if (options.dereference ?? true) {
      const uris = dereferenceUris(parts);
      data.dereferencedUris = uris.length;
      const perUri = uris.map((): Report[] => []);
      const found = await Promise.all(uris.map((uri, i) => dereferenceOne(uri, perUri[i], limit)));
      reports.push(...perUri.flat());
      // Dereferenced entities are added without links: the record already links to them.
      for (const list of found) for (const e of list) if (merge(parts, e)) data.entitiesAdded++;
    }

    if (options.enrich ?? true) {
      const texts = searchTerms(parts);
      const refs = referenceTerms(parts);
      if (texts.length === 0)
        reports.push({ level: 'IGNORE', mode: 'ENRICHMENT', message: 'No values to enrich.', value: '' });
      if (refs.length === 0)
        reports.push({ level: 'IGNORE', mode: 'ENRICHMENT', message: 'No references to enrich.', value: '' });

      // Reports are gathered per term and joined in record order, so messages do not depend on timing.
      const textReports = texts.map((): Report[] => []);
      const refReports = refs.map((): Report[] => []);
      const textResults = await Promise.all(
        texts.map(async (term, i): Promise<Entity[]> => {
          const types = [...new Set(term.fields.map((f) => f.type))] as EntityType[];
          try {
            const matches = await limit(() =>
              client.findByText({ text: term.text, lang: entityApiLanguage(term.lang), types }),
            );
            // Exactly one match is used; several are as good as none.
            if (matches.length === 1) return await withParents(matches[0], limit);
            const organization = types.includes('organization');
            textReports[i].push({
              level: organization ? 'WARN' : 'IGNORE',
              mode: 'ENRICHMENT',
              message: organization
                ? 'Could not find an entity for the given search term with type Organization.'
                : `Could not find an entity for the given search term (${matches.length} matches).`,
              value: term.text,
            });
            return [];
          } catch (err) {
            textReports[i].push({
              level: 'ERROR',
              mode: 'ENRICHMENT',
              message: 'Error while resolving values by text when enriching values',
              value: term.text,
              status: statusOf(err),
              detail: errorDetail(err),
            });
            return [];
          }
        }),
      );
      const refResults = await Promise.all(
        refs.map(async (term, i): Promise<Entity[]> => {
          try {
            const entity = await limit(() =>
              EUROPEANA_URI.test(term.uri) ? client.getById(term.uri) : client.findByUri(term.uri),
            );
            if (entity) return await withParents(entity, limit);
            refReports[i].push({
              level: 'IGNORE',
              mode: 'ENRICHMENT',
              message: 'Could not find an entity for the given reference.',
              value: term.uri,
            });
            return [];
          } catch (err) {
            const status = statusOf(err);
            refReports[i].push({
              level: status !== undefined && status >= 300 && status < 500 ? 'WARN' : 'ERROR',
              mode: 'ENRICHMENT',
              message: 'Error while resolving references when enriching values',
              value: term.uri,
              status,
              detail: errorDetail(err),
            });
            return [];
          }
        }),
      );

      reports.push(...textReports.flat(), ...refReports.flat());
      texts.forEach((term, i) => {
        for (const e of textResults[i]) {
          if (merge(parts, e)) data.entitiesAdded++;
          data.linksAdded += link(parts, term.fields, e, (f) =>
            replaceAggregationLiteral(parts, f, term.text, e.about),
          );
        }
      });
      refs.forEach((term, i) => {
        for (const e of refResults[i]) {
          if (merge(parts, e)) data.entitiesAdded++;
          data.linksAdded += link(parts, term.fields, e, (f) => replaceAggregationLink(parts, f, term.uri, e.about));
        }
      });

      const extra = setAdditionalData(parts, yearParser);
      data.completeness = extra.completeness;
      data.years = extra.years;
    }

    return outcomeFromReports(record.recordId, serializeXml(doc), reports, data);
  };
}
