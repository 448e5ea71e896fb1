/** The EDM internal fixture records normalization is tested and benchmarked on (shared, read-only). */
import { fileURLToPath } from 'node:url';

export const FIXTURES = fileURLToPath(new URL('../../../shared/fixtures/metis/', import.meta.url));

export const INTERNAL_XSD = `${FIXTURES}metis-framework/metis-validation/metis-validation-service/src/test/resources/__files/test_schema.zip.extracted/EDM-INTERNAL.xsd`;

/** EDM internal records (MANIFEST sections edm-int, golden-transform, enrichment, tiers-index, problem-patterns). */
export const INTERNAL_RECORDS = [
  'metis-normalization/src/test/resources/edm-record-internal.xml',
  'metis-sandbox/src/test/resources/record/transform/record-expected.xml',
  'metis-sandbox/src/test/resources/record/debias/debias-text-record.xml',
  'metis-sandbox/src/test/resources/record/debias/debias-video-record.xml',
  'metis-framework/metis-transformation/metis-transformation-service/src/test/resources/europeana_record_edm_internal.xml',
  'metis-framework/metis-validation/metis-validation-service/src/test/resources/Item_35834473_test.xml',
  'metis-framework/metis-enrichment/metis-enrichment-client/src/test/resources/sample_1.rdf',
  'metis-framework/metis-enrichment/metis-enrichment-client/src/test/resources/sample_2.rdf',
  'metis-framework/metis-enrichment/metis-enrichment-client/src/test/resources/sample_completeness.rdf',
  'metis-framework/metis-indexing/src/test/resources/europeana_record_to_sample_index_rdf.xml',
  'metis-framework/metis-indexing/src/test/resources/europeana_record_with_normalized_date_timespan.xml',
  'metis-sandbox/src/test/resources/record.problempatterns/P1_lowercase_title.xml',
  'Europeana-Cloud/service/dps/storm/topologies/media-service/src/test/resources/files/Item_35834473.xml',
];
