/** Paths to the shared Metis fixtures (read in place, never copied into the repository). */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const FIXTURES = new URL('../../../shared/fixtures/metis/', import.meta.url);

/** The EDM XSD folder (EDM.xsd = external root, EDM-INTERNAL.xsd = internal root). */
export const SCHEMA_DIR = fileURLToPath(
  new URL(
    'metis-framework/metis-validation/metis-validation-service/src/test/resources/__files/test_schema.zip.extracted/',
    FIXTURES,
  ),
);

/** Reads a fixture file by its path under `fixtures/metis/`. */
export function fixture(path: string): string {
  return readFileSync(new URL(path, FIXTURES), 'utf8');
}

export const SANDBOX = 'metis-sandbox/src/test/resources/';
export const VALIDATION = 'metis-framework/metis-validation/metis-validation-service/src/test/resources/';

/** External records that pass EDM.xsd and the external schematron (MANIFEST "edm-ext"). */
export const VALID_EXTERNAL = [
  'metis-framework/metis-repository/metis-repository-rest/src/test/resources/record-test.xml',
  `${SANDBOX}zip/Record1.xml`,
  `${SANDBOX}zip/Record2.xml`,
  `${SANDBOX}zip/Record3.xml`,
  `${SANDBOX}zip/Record4.xml`,
  `${SANDBOX}record/valid-record.xml`,
  'Europeana-Cloud/service/commons/src/test/resources/Lithuania_1.xml',
  'Europeana-Cloud/service/commons/src/test/resources/Lithuania_2.xml',
];
