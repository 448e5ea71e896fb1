/**
 * Enrichment configuration, declared once as a schema (units in names, documented defaults). The
 * environment is read by the caller (CLI / config loader), never here.
 */
import { z } from 'zod';
import { HttpDereferenceClient } from './dereference-client.ts';
import { EntityApiClient } from './entity-api-client.ts';
import { clientCredentialsToken } from './oauth-token.ts';

export const EnrichmentConfigSchema = z.object({
  /** Entity API base URL (`/enrich`, `/resolve`). Absent: use the built-in entity store instead. */
  entityApiUrl: z.url().optional(),
  /** Entity management base URL (entities by id). Default: entityApiUrl. */
  entityManagementUrl: z.url().optional(),
  /** Europeana API key (`wskey`). */
  apiKey: z.string().min(1).optional(),
  /** Static bearer token for the Entity API. */
  bearerToken: z.string().min(1).optional(),
  /** OAuth2 token endpoint (client-credentials grant); used instead of bearerToken when set. */
  tokenUrl: z.url().optional(),
  clientId: z.string().min(1).optional(),
  clientSecret: z.string().min(1).optional(),
  /** Metis dereference service base URL. Absent: only Europeana entity links are dereferenced. */
  dereferenceUrl: z.url().optional(),
  /** Per-request timeout. */
  timeoutMs: z.number().int().positive().default(30_000),
  /** Retries after network errors. */
  retries: z.number().int().min(0).default(3),
  /** Cached answers per client. */
  cacheSize: z.number().int().min(0).default(5000),
  /** Remote calls in flight per record. */
  concurrency: z.number().int().positive().default(8),
});
export type EnrichmentConfig = z.infer<typeof EnrichmentConfigSchema>;

/** The HTTP clients a configuration asks for (the caller supplies the entity store when there is no Entity API). */
export function httpClientsFromConfig(input: unknown): {
  config: EnrichmentConfig;
  entityApi?: EntityApiClient;
  dereference?: HttpDereferenceClient;
} {
  const config = EnrichmentConfigSchema.parse(input);
  const http = { timeoutMs: config.timeoutMs, retries: config.retries, cacheSize: config.cacheSize };
  return {
    config,
    entityApi: config.entityApiUrl
      ? new EntityApiClient({
          ...http,
          apiUrl: config.entityApiUrl,
          managementUrl: config.entityManagementUrl,
          apiKey: config.apiKey,
          bearerToken:
            config.tokenUrl && config.clientId && config.clientSecret
              ? clientCredentialsToken({
                  tokenUrl: config.tokenUrl,
                  clientId: config.clientId,
                  clientSecret: config.clientSecret,
                  timeoutMs: config.timeoutMs,
                })
              : config.bearerToken,
        })
      : undefined,
    dereference: config.dereferenceUrl ? new HttpDereferenceClient({ ...http, url: config.dereferenceUrl }) : undefined,
  };
}
