/** What the OAI-PMH response parsers (oai-response.ts) return. */

/** One `<header>` of a ListIdentifiers page or a GetRecord response. */
export interface OaiHeader {
  identifier: string;
  datestamp: string;
  setSpecs: string[];
  /** `status="deleted"` on the header. */
  deleted: boolean;
}

/** An `<error code="…">` element of an OAI-PMH response. */
export interface OaiProtocolError {
  code: string;
  message: string;
}

export interface ListIdentifiersPage {
  headers: OaiHeader[];
  /** The trimmed resumption token; undefined when absent or empty (= last page). */
  resumptionToken?: string;
  /** `completeListSize` when present and a non-negative integer, else null (Metis's `countRecords`). */
  completeListSize: number | null;
  cursor?: number;
  errors: OaiProtocolError[];
}

/** One `<record>` of a GetRecord response or a ListRecords page. */
export interface OaiRecord {
  header?: OaiHeader;
  /** The first metadata child serialized as a standalone XML string (in-scope namespaces copied). */
  metadata?: string;
  /** How many element children `<metadata>` has (Metis requires exactly one). */
  metadataChildCount: number;
}

export interface GetRecordResponse extends OaiRecord {
  errors: OaiProtocolError[];
}

/** A ListRecords page: its records, and (as in ListIdentifiersPage) the headers of those that have one. */
export interface ListRecordsPage extends ListIdentifiersPage {
  records: OaiRecord[];
}

export interface IdentifyResponse {
  repositoryName?: string;
  baseURL?: string;
  protocolVersion?: string;
  earliestDatestamp?: string;
  deletedRecord?: string;
  granularity?: string;
  adminEmails: string[];
  errors: OaiProtocolError[];
}
