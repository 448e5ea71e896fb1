/**
 * Client for a Metis dereference service: `GET {url}/dereference?uri=<uri>` answers a `metis:results`
 * document (an EnrichmentResultList) holding the entity, its broader entities, and a
 * `metis:dereferenceStatus`.
 */
import { parseXml, textContent, walkElements } from '../../edm/xml.ts';
import { entitiesFromXml } from './entity-xml.ts';
import { HttpGetter, type HttpOptions } from './http.ts';
import { HttpStatusError, type DereferenceClient, type DereferenceResult, type DereferenceStatus } from './types.ts';

export interface DereferenceClientOptions extends HttpOptions {
  /** Base URL of the dereference service (the part before `/dereference`). */
  url: string;
}

const STATUSES = new Set<DereferenceStatus>([
  'SUCCESS',
  'INVALID_URL',
  'NO_VOCABULARY_MATCHING',
  'NO_ENTITY_FOR_VOCABULARY',
  'ENTITY_FOUND_XML_XSLT_ERROR',
  'ENTITY_FOUND_XML_XSLT_PRODUCE_NO_CONTEXTUAL_CLASS',
  'UNKNOWN_EUROPEANA_ENTITY',
  'UNKNOWN_ENTITY',
  'FAILURE',
]);

/**
 * Reads a `metis:results` document. The status is the first one given; with none, the answer counts
 * as SUCCESS when it holds entities and as UNKNOWN_ENTITY when it is empty (as DereferencerImpl does).
 */
export function parseDereferenceResults(xml: string): DereferenceResult {
  const root = parseXml(xml).root;
  let status: DereferenceStatus | undefined;
  for (const el of walkElements(root)) {
    if (el.local !== 'dereferenceStatus') continue;
    const s = textContent(el).trim() as DereferenceStatus;
    if (STATUSES.has(s)) {
      status = s;
      break;
    }
  }
  const entities = entitiesFromXml(root);
  return { status: status ?? (entities.length > 0 ? 'SUCCESS' : 'UNKNOWN_ENTITY'), entities };
}

/** HTTP dereference client with timeout, retries on network errors and an LRU cache. */
export class HttpDereferenceClient implements DereferenceClient {
  private readonly http: HttpGetter;
  private readonly baseUrl: string;

  constructor(options: DereferenceClientOptions) {
    this.http = new HttpGetter(options);
    this.baseUrl = options.url.replace(/\/+$/, '');
  }

  /** Requests sent so far (cache hits send none). */
  get requestCount(): number {
    return this.http.requests;
  }

  /** Dereferences one URI; an HTTP status other than 200 is thrown as HttpStatusError. */
  dereference(uri: string): Promise<DereferenceResult> {
    const url = new URL(`${this.baseUrl}/dereference`);
    url.searchParams.set('uri', uri);
    return this.http.cached(url.href, async () => {
      const answer = await this.http.get(url.href, 'application/xml');
      if (answer.status !== 200) throw new HttpStatusError(answer.status, url.href);
      return parseDereferenceResults(answer.text);
    });
  }
}
