/**
 * The enrichment step (metis-steps.md §8, EnrichmentWorkerImpl): parse the record once, dereference
 * the URIs it links to, enrich its literals and links through an `EntityClient`, merge what was
 * found, write completeness and years, and serialize once. Remote calls run with bounded
 * concurrency; merging happens afterwards in record order, so the output does not depend on timing.
 */
import { parseXml, serializeXml, XmlParseError, type XmlElement } from '../../edm/xml.ts';
import { fail, type StepOutcome } from '../outcome.ts';
import { setAdditionalData, YearParser, type EraWords } from './additional-data.ts';
import { createEntityLookups } from './entity-lookups.ts';
import { cloneElement } from './entity-xml.ts';
import { createLimiter } from './limit.ts';
import {
  appendEntity,
  appendProxyLink,
  recordParts,
  replaceAggregationLink,
  removePreviousEnrichment,
  replaceAggregationLiteral,
  type RecordParts,
} from './record.ts';
import { outcomeFromReports, type Report } from './reports.ts';
import { dereferenceUris, referenceTerms, searchTerms, type EnrichmentField } from './terms.ts';
import type { DereferenceClient, Entity, EntityClient } from './types.ts';

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

/**
 * Creates the enrichment step: `(record) => StepOutcome`. The record fails when any report is an
 * ERROR, continues with warnings on WARN reports; IGNORE reports only show in `data.reports`.
 */
export function createEnricher(options: EnricherOptions): (record: EnrichInput) => Promise<StepOutcome<EnrichData>> {
  const lookups = createEntityLookups({
    entityClient: options.entityClient,
    dereferenceClient: options.dereferenceClient,
    maxParentDepth: options.maxParentDepth ?? 10,
  });
  const concurrency = options.concurrency ?? 8;
  const yearParser = new YearParser(options.eraWords);
  // Parsed entity elements, reused across records while the clients hand back the same objects.
  const parsed = new WeakMap<Entity, XmlElement>();

  function merge(parts: RecordParts, entity: Entity): boolean {
    let template = parsed.get(entity);
    if (!template) parsed.set(entity, (template = parseXml(entity.xml).root));
    if (parts.entities.has(entity.about)) return false;
    return appendEntity(parts, entity, cloneElement(template));
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
      const found = await Promise.all(uris.map((uri, i) => lookups.dereference(uri, perUri[i], limit)));
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
      const textResults = await Promise.all(texts.map((term, i) => lookups.byText(term, textReports[i], limit)));
      const refResults = await Promise.all(refs.map((term, i) => lookups.byReference(term, refReports[i], limit)));

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
