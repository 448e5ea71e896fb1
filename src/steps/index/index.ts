/** Index to preview / publish (metis-steps.md §11): public entry points. */
export { createIndexer, completeFullReindex, NOT_SUITABLE_FOR_PUBLICATION, type IndexInput, type IndexerOptions, type IndexData, type PublishedIndexWriter } from './indexer.ts';
export { extractSearchFields } from './search-fields.ts';
