/**
 * The last part of a harvest for one record, shared by OAI and archive harvesting: as eCloud does
 * (`IdentifierSupplier`, metis-steps.md §1 "Identifiers"), compute the Europeana id from the
 * record's ProvidedCHO rdf:about, and refuse duplicates within the task.
 */
import { EuropeanaIdError, generatedIdsForRecord } from '../../edm/ids.ts';
import { XmlParseError } from '../../edm/xml.ts';
import { decodeRecordBytes } from '../../edm/encoding.ts';
import { fail, success, type StepOutcome } from '../outcome.ts';
import type { DuplicateDetector } from './duplicate-detector.ts';

export type HarvestedRecordData = {
  /** The OAI identifier or the archive path. */
  providerId: string;
  europeanaId: string;
  providedChoAbout: string;
};

/**
 * Identifies one harvested record. `success`: recordId = the Europeana id, content = the record as
 * UTF-8 text. `fail` (recordId = providerId): `XML_PARSE` (not well-formed, with the parser's
 * message), `NO_PROVIDER_ID` ("Could not find provider ID in source."), `RECORD_ID_TOO_LONG` (a
 * Europeana id over 255 characters, `MAX_EUROPEANA_ID_LENGTH`), or `DUPLICATE_RECORD`
 * ("Duplicate detected") when a `detector` already saw the provider id or the Europeana id.
 */
export function identifyHarvestedRecord(
  datasetId: string,
  providerId: string,
  content: string | Buffer,
  detector?: DuplicateDetector,
): StepOutcome<HarvestedRecordData> {
  let text: string;
  let ids;
  try {
    // Bytes are decoded as Metis reads them (BOM, UTF-16, declared encoding); bad bytes are XML_PARSE.
    text = typeof content === 'string' ? content : decodeRecordBytes(content);
    ids = generatedIdsForRecord(datasetId, text);
  } catch (err) {
    if (err instanceof EuropeanaIdError) return fail(providerId, err.code, err.message);
    if (err instanceof XmlParseError)
      return fail(providerId, err.code, `Record is not well-formed XML: ${err.message}`);
    throw err;
  }
  const duplicate = detector?.check(providerId, ids.europeanaId);
  if (duplicate) return duplicate as StepOutcome<HarvestedRecordData>;
  return success<HarvestedRecordData>(ids.europeanaId, text, {
    providerId,
    europeanaId: ids.europeanaId,
    providedChoAbout: ids.sourceProvidedChoAbout,
  });
}
