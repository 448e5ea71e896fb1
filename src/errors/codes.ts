/**
 * The one error catalogue of the Metis domain (the engine keeps its own `ENGINE_*` codes): every
 * code with its kind, whether a retry can help, and its message template. `{name}` placeholders are
 * filled from the parameters given to the code's constructor (`errors.CODE({ name })`).
 *
 * - kind `record`: that record fails (an outcome with this code); the task goes on.
 * - kind `task`: a broken setup; the task fails once with this message, its other records stop.
 * - kind `request`: a caller's request (CLI, API, service call) is refused; no task or record changes.
 * - `retriable`: a transient condition (timeout, 5xx, connection reset, transient database error):
 *   callers retry it with `retry()`; once the tries are used up, the kind decides.
 *
 * Every code is documented in `README.md` (meaning and what the operator does); a test checks both
 * lists agree. Codes are stable: reports and dashboards group by them. Add, never rename.
 */
export type ErrorKind = 'record' | 'task' | 'request';

export interface CodeSpec {
  readonly kind: ErrorKind;
  readonly retriable: boolean;
  readonly message: string;
}

const task = <M extends string>(message: M) => ({ kind: 'task', retriable: false, message }) as const;
const record = <M extends string>(message: M) => ({ kind: 'record', retriable: false, message }) as const;
const request = <M extends string>(message: M) => ({ kind: 'request', retriable: false, message }) as const;
const transient = <M extends string>(message: M) => ({ kind: 'record', retriable: true, message }) as const;

export const CODES = {
  // ---- task setup ----
  SCHEMA_UNAVAILABLE: task('{detail}'),
  SCHEMA_INVALID: task('Cannot compile schema {path}: {detail}'),
  XSLT_COMPILE: task('XSLT does not compile: {detail}'),
  NO_XSLT: task('transform-external needs params.externalXslt'),
  UNKNOWN_STEP: task('No step module for {step}'),
  DEPUBLISH_REASON: task('Unknown depublication reason: {reason}'),

  // ---- OAI-PMH harvesting (the listing fails the task; a single GetRecord fails its record) ----
  OAI_BAD_PARAMETERS: task('Invalid OAI-PMH harvest parameter {field}: {detail}'),
  OAI_UNREACHABLE: task('Error harvesting OAI-PMH records: {verb} {detail}'),
  OAI_BAD_RESPONSE: task('{verb}: {detail}'),
  OAI_TOKEN_LOOP: task('The server returned the same resumption token twice: {token}'),
  OAI_TOKEN_TOO_LONG: task('Resumption token of {size} bytes is longer than the limit of {max} bytes'),
  OAI_TOO_MANY_PAGES: task('The listing passed the limit of {max} pages (oaiMaxPages): endless listing?'),
  OAI_TOO_MANY_RECORDS: task('The listing passed the limit of {max} records (oaiMaxRecords)'),
  BAD_STEP_SIZE: task('Step size must be a positive integer'),
  STEP_SIZE_TOO_BIG: task('Step size value bigger than the dataset size: {seen}'),
  OAI_BAD_ARGUMENT: task('{detail}'),
  OAI_BAD_RESUMPTION_TOKEN: task('{detail}'),
  OAI_BAD_VERB: task('{detail}'),
  OAI_CANNOT_DISSEMINATE_FORMAT: task('{detail}'),
  OAI_ID_DOES_NOT_EXIST: task('{detail}'),
  OAI_NO_METADATA_FORMATS: task('{detail}'),
  OAI_NO_SET_HIERARCHY: task('{detail}'),
  OAI_NO_RECORDS_MATCH: task('{detail}'),
  OAI_PROTOCOL_ERROR: task('{detail}'),
  OAI_HTTP: transient('{tries} failed: {detail}'),
  OAI_HTTP_STATUS: transient('HTTP status {status}'),
  OAI_REQUEST_DEADLINE: transient('no complete response within {ms} ms'),
  OAI_RESPONSE_INVALID: record('{detail}'),

  // ---- archive harvesting ----
  ARCHIVE_NOT_FOUND: task('Cannot read archive {path}: {detail}'),
  ARCHIVE_DOWNLOAD: task('Problem downloading archive {url}: {detail}'),
  ARCHIVE_PROTOCOL: task('This functionality does not support this protocol ({protocol}).'),
  ARCHIVE_TOO_LARGE: task('Archive is larger than {max} bytes'),
  ARCHIVE_INVALID_TYPE: task('The compressed file type is invalid{detail}'),
  ARCHIVE_CORRUPT: task('Error extracting archive {name}: {detail}'),
  ARCHIVE_TOO_DEEP: task('Archives nested deeper than {max} levels (at {path})'),
  ARCHIVE_TOO_MANY_ENTRIES: task('Archive has more than {max} entries'),
  ARCHIVE_BOMB: task('{detail}'),
  ARCHIVE_ZIP_SLIP: task('Entry is outside of the target dir: {entry}'),
  ARCHIVE_ENCRYPTED: task('Encrypted archives are not supported ({path} is encrypted)'),
  ARCHIVE_ENTRY_TOO_LARGE: record('Entry {path} is {size} bytes, larger than the record limit of {max} bytes'),
  ARCHIVE_ENTRY_CORRUPT: record('Entry {path} cannot be extracted: {detail}'),

  // ---- record content ----
  XML_PARSE: record('{detail}'),
  NO_PROVIDER_ID: record('Could not find provider ID in source.'),
  RECORD_ID_TOO_LONG: record(
    'The Europeana id made from the ProvidedCHO rdf:about is {length} characters long, more than the {max} allowed: {start}…',
  ),
  BAD_DATASET_ID: record('Dataset id must not be empty'),
  NORMALIZE_FAILED: record('{detail}'),
  TIER_ANNOTATION: record('{detail}'),
  TRANSFORM_RESULT: record('Malformed XSLT result: {detail}'),
  MEDIA_UNSUPPORTED: record('{detail}'),
  MEDIA_CORRUPT: record('Corrupt image: {detail}'),

  // ---- HTTP (provider resources, entity and dereference services) ----
  BAD_URL: record('{detail}'),
  HOST_NOT_ALLOWED: record('{detail}'),
  TOO_MANY_REDIRECTS: record('More than {max} redirects for {url}'),
  HTTP_STATUS: record('Download failed of resource {url}. Status code {status}'),
  TOO_LARGE: record('{detail}'),
  TIMEOUT: transient('Timeout while fetching {url}: {detail}'),
  NETWORK: transient('Could not fetch {url}: {detail}'),
  HOST_DOWN: record(
    'Host {host} is skipped for {cooldownMs} ms after {failures} consecutive failed connections (the last: {detail})',
  ),
  SERVICE_HTTP_STATUS: record('HTTP {status} from {url}'),
  SERVICE_UNREACHABLE: transient('GET {url} failed after {attempts} attempt(s): {detail}'),
  TOKEN_ENDPOINT: record('Token endpoint {url} answered HTTP {status}'),
  COMMAND_FAILED: record('{detail}'),
  S3_SDK_MISSING: task(
    'The S3 thumbnail store needs the optional package @aws-sdk/client-s3, which is not installed (npm install @aws-sdk/client-s3): {detail}',
  ),

  // ---- store and intake ----
  DB_TRANSIENT: transient('Database error (transient): {detail}'),
  RETRY_BUDGET_SPENT: task('{what} still failed after {budget} of retries (retry budget, retryBudgetMs): {detail}'),
  DB_REFUSED: record("The database refused this record's result ({sqlState}): {detail}"),
  SINK_FENCED: record('Sink offsets for {topic}[{partition}] moved on: another sink owns this partition now'),
  DEBEZIUM_EVENT_INVALID: record('{detail}'),
  DEBEZIUM_EVENT_UNSUPPORTED: record("Debezium operation '{op}' carries no row"),
  PAYLOAD_MISSING: record('Record payload {ref} not found'),
  ENVELOPE_EMPTY: record('Envelope has neither content nor contentRef'),
  TASK_NOT_FOUND: request('Task {taskId} not found'),
  NOTHING_TO_RERUN: request('Task {taskId} ran no step after {step}: nothing to re-run'),
  TASK_WAIT_TIMEOUT: request('Task {taskId} did not finish within {timeoutMs} ms (state {state})'),
  TASK_ILLEGAL_TRANSITION: request('A task cannot go from {from} to {to}'),
  PLAN_INVALID: request('{detail}'),
  SEARCH_FIELD_UNKNOWN: request('Unknown {what} field: {field}'),
  CLI_USAGE: request('{detail}'),
  DATA_DIR_IN_USE: request(
    'The database in {dir} is in use by process {pid} (another metis-streams run or serve): wait for it to end or stop it',
  ),
  API_UNAUTHORIZED: request('{detail}'),
  API_FORBIDDEN: request('This needs the {role} role; the token has {has}'),
  API_INVALID_INPUT: request('Invalid {field}: {detail}'),
  API_NOT_FOUND: request('No route {method} {url}'),
  API_PAYLOAD_TOO_LARGE: request('{what} is larger than the limit of {limit} bytes'),
  RECORD_NOT_FOUND: request('Record {recordId} has {detail} in task {taskId}'),
  TASK_NOT_RUNNING: request('Task {taskId} is {state}: nothing to cancel'),

  // ---- internal invariants (a bug: report it) ----
  INTERNAL: record('{detail}'),
} as const satisfies Record<string, CodeSpec>;

export type ErrorCode = keyof typeof CODES;
