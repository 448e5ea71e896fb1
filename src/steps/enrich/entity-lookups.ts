/**
 * The remote side of enrichment: finding entities for a record's dereference URIs, search terms and
 * references through the `EntityClient` (and the dereference service), each with its `isPartOf`
 * parents. Every lookup appends its reports (Metis's messages and levels) to the list it is given;
 * merging what was found into the record is the enricher's job (enricher.ts).
 */
import type { Limiter } from './limit.ts';
import { statusOf, type Report } from './reports.ts';
import { entityApiLanguage, type ReferenceTerm, type SearchTerm } from './terms.ts';
import type { DereferenceClient, DereferenceStatus, Entity, EntityClient, EntityType } from './types.ts';

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

export interface EntityLookups {
  /** Entities for a URI the record links to (Europeana entity, own collection, then the dereference service). */
  dereference(uri: string, reports: Report[], limit: Limiter): Promise<Entity[]>;
  /** The one entity matching a search term (several matches count as none). */
  byText(term: SearchTerm, reports: Report[], limit: Limiter): Promise<Entity[]>;
  /** The entity a reference (a URI in the record) resolves to. */
  byReference(term: ReferenceTerm, reports: Report[], limit: Limiter): Promise<Entity[]>;
}

export function createEntityLookups(options: {
  entityClient: EntityClient;
  dereferenceClient?: DereferenceClient;
  /** How many `isPartOf` levels of parents to fetch. */
  maxParentDepth: number;
}): EntityLookups {
  const client = options.entityClient;
  const maxDepth = options.maxParentDepth;

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

  async function dereference(uri: string, reports: Report[], limit: Limiter): Promise<Entity[]> {
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

  async function byText(term: SearchTerm, reports: Report[], limit: Limiter): Promise<Entity[]> {
    const types = [...new Set(term.fields.map((f) => f.type))] as EntityType[];
    try {
      const matches = await limit(() =>
        client.findByText({ text: term.text, lang: entityApiLanguage(term.lang), types }),
      );
      // Exactly one match is used; several are as good as none.
      if (matches.length === 1) return await withParents(matches[0], limit);
      const organization = types.includes('organization');
      reports.push({
        level: organization ? 'WARN' : 'IGNORE',
        mode: 'ENRICHMENT',
        message: organization
          ? 'Could not find an entity for the given search term with type Organization.'
          : `Could not find an entity for the given search term (${matches.length} matches).`,
        value: term.text,
      });
      return [];
    } catch (err) {
      reports.push({
        level: 'ERROR',
        mode: 'ENRICHMENT',
        message: 'Error while resolving values by text when enriching values',
        value: term.text,
        status: statusOf(err),
        detail: errorDetail(err),
      });
      return [];
    }
  }

  async function byReference(term: ReferenceTerm, reports: Report[], limit: Limiter): Promise<Entity[]> {
    try {
      const entity = await limit(() =>
        EUROPEANA_URI.test(term.uri) ? client.getById(term.uri) : client.findByUri(term.uri),
      );
      if (entity) return await withParents(entity, limit);
      reports.push({
        level: 'IGNORE',
        mode: 'ENRICHMENT',
        message: 'Could not find an entity for the given reference.',
        value: term.uri,
      });
      return [];
    } catch (err) {
      const status = statusOf(err);
      reports.push({
        level: status !== undefined && status >= 300 && status < 500 ? 'WARN' : 'ERROR',
        mode: 'ENRICHMENT',
        message: 'Error while resolving references when enriching values',
        value: term.uri,
        status,
        detail: errorDetail(err),
      });
      return [];
    }
  }

  return { dereference, byText, byReference };
}
