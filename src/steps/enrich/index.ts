/** Public API of the enrichment step (metis-steps.md §8); see README.md. */
export { createEnricher, type EnricherOptions, type EnrichData, type EnrichInput } from './enricher.ts';
export { EntityApiClient, type EntityApiOptions } from './entity-api-client.ts';
export { HttpDereferenceClient, type DereferenceClientOptions } from './dereference-client.ts';
export { clientCredentialsToken, type ClientCredentialsOptions } from './oauth-token.ts';
export { EnrichmentConfigSchema, httpClientsFromConfig, type EnrichmentConfig } from './config.ts';
export { loadEraWords, DEFAULT_ERA_WORDS, type EraWords } from './additional-data.ts';
export { entitiesFromText } from './entity-xml.ts';
export type { Report, ReportLevel } from './reports.ts';
export * from './types.ts';
