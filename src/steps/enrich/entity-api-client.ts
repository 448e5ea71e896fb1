/**
 * Client for the Europeana Entity API, as Metis's `ClientEntityResolver` uses it:
 * `GET {apiUrl}/enrich?text&lang&type` (text lookup), `GET {apiUrl}/resolve?uri` (co-reference) and
 * `GET {managementUrl}/{type}/base/{id}` (an entity by its `data.europeana.eu` id).
 */
import { entitiesFromJson } from './entity-json.ts';
import { HttpGetter, type HttpOptions } from './http.ts';
import { HttpStatusError, type Entity, type EntityClient, type TextQuery } from './types.ts';

export interface EntityApiOptions extends HttpOptions {
  /** Base URL serving `/enrich` and `/resolve`, e.g. `https://api.europeana.eu/entity`. */
  apiUrl: string;
  /** Base URL of the entity-management endpoint (entities by id). Default: `apiUrl`. */
  managementUrl?: string;
}

/** `http(s)://data.europeana.eu/{type}/{id}`: the ids the Entity API can return by id. */
export const EUROPEANA_ENTITY_ID =
  /^https?:\/\/data\.europeana\.eu\/(agent|concept|place|timespan|organization)\/(?:base\/)?([^/?#\s]+)$/;

/** Entity API client; implements the same `EntityClient` contract as the built-in entity store. */
export class EntityApiClient implements EntityClient {
  private readonly http: HttpGetter;
  private readonly apiUrl: string;
  private readonly managementUrl: string;

  constructor(options: EntityApiOptions) {
    this.http = new HttpGetter(options);
    this.apiUrl = options.apiUrl.replace(/\/+$/, '');
    this.managementUrl = (options.managementUrl ?? options.apiUrl).replace(/\/+$/, '');
  }

  /** Requests sent so far (cache hits send none). */
  get requestCount(): number {
    return this.http.requests;
  }

  /** `/enrich`: all matches. Any status but 200 is an error (the Entity API answers "no match" with an empty page). */
  findByText(query: TextQuery): Promise<Entity[]> {
    const url = new URL(`${this.apiUrl}/enrich`);
    url.searchParams.set('text', query.text);
    if (query.lang) url.searchParams.set('lang', query.lang);
    url.searchParams.set('type', query.types.join(','));
    return this.http.cached(url.href, async () => {
      const answer = await this.http.get(this.http.withKey(url).href, 'application/json');
      if (answer.status !== 200) throw new HttpStatusError(answer.status, url.href);
      return entitiesFromJson(JSON.parse(answer.text));
    });
  }

  /** `/resolve`: the entity co-referenced by `uri`; 404 or an error object (`success: false`) mean none. */
  findByUri(uri: string): Promise<Entity | undefined> {
    const url = new URL(`${this.apiUrl}/resolve`);
    url.searchParams.set('uri', uri);
    return this.http.cached(url.href, async () => {
      const answer = await this.http.get(this.http.withKey(url).href, 'application/json');
      if (answer.status === 404) return undefined;
      if (answer.status !== 200) throw new HttpStatusError(answer.status, url.href);
      return entitiesFromJson(JSON.parse(answer.text))[0];
    });
  }

  /** An entity by Europeana id; undefined for 404/410 and for ids that are not Europeana entity ids. */
  getById(id: string): Promise<Entity | undefined> {
    const m = EUROPEANA_ENTITY_ID.exec(id);
    if (!m) return Promise.resolve(undefined);
    const url = new URL(`${this.managementUrl}/${m[1]}/base/${m[2]}`);
    return this.http.cached(url.href, async () => {
      const answer = await this.http.get(this.http.withKey(url).href, 'application/json');
      if (answer.status === 404 || answer.status === 410) return undefined;
      if (answer.status !== 200) throw new HttpStatusError(answer.status, url.href);
      return entitiesFromJson(JSON.parse(answer.text))[0];
    });
  }
}
