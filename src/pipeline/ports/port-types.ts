/**
 * What the pipeline's processors need from the Metis steps, as small interfaces (the port types).
 * `create-metis-ports.ts` implements them with the real step modules (with `harvest-ports.ts` and
 * `late-step-ports.ts`); keeping them apart lets the topologies be read (and tested) without the
 * details of each step.
 */
import type { StepMessage, StepOutcome } from '../../steps/outcome.ts';
import type { ListingProgress } from '../../steps/harvest/oai/oai-client.ts';
import type { StepName } from '../../model/index.ts';
import type { TaskRow } from '../../store/pipeline-store.ts';
import type { RequestGate } from '../../steps/http/request-gate.ts';

export interface OaiSourceSpec {
  url: string;
  metadataPrefix: string;
  set?: string;
  from?: string;
  until?: string;
  /** `ListRecords`: the records come with the listing's pages (`OaiPage.records`). */
  verb?: 'ListIdentifiers' | 'ListRecords';
}

export interface OaiHeader {
  identifier: string;
  datestamp?: string;
  deleted: boolean;
}

export interface OaiPage {
  headers: OaiHeader[];
  /** The resumption token of the next page; undefined on the last page. */
  token?: string;
  completeListSize?: number;
  /** Where the listing stands after this page; sent with the next token. */
  progress?: ListingProgress;
  /** With the `ListRecords` verb: the record of each header (same order), as `getRecord` would give it. */
  records?: Array<Awaited<ReturnType<OaiPort['getRecord']>>>;
}

export interface OaiPort {
  /**
   * One ListIdentifiers page (the first when `token` is undefined), `progress` where the listing
   * stood before it. Throws TaskError on protocol errors and broken listing bounds (cycle, caps).
   */
  listPage(
    source: OaiSourceSpec,
    token: string | undefined,
    signal?: AbortSignal,
    progress?: ListingProgress,
  ): Promise<OaiPage>;
  /** GetRecord: the record's metadata as a standalone XML string (with warnings, if any), or a failed outcome. */
  getRecord(
    source: OaiSourceSpec,
    identifier: string,
    signal?: AbortSignal,
  ): Promise<{ content: string; messages?: StepMessage[] } | StepOutcome>;
}

/**
 * One archive record as text (decoded as Metis reads it: BOM, UTF-16, declared encoding), or the
 * record error that stops it (entry over the record limit, corrupt entry data, invalid bytes).
 */
export type ArchiveEntry =
  { path: string; content: string } | { path: string; error: { code: string; message: string } };

export interface ArchivePort {
  /** Records in an archive (zip, tar, tgz, gz; nested). Throws TaskError for a bad archive. */
  entries(url: string, signal?: AbortSignal): AsyncIterable<ArchiveEntry>;
}

export interface RecordInput {
  recordId: string;
  content: string;
}

/** One step of one task, ready to run on records. */
export type RecordStep = (input: RecordInput, signal?: AbortSignal) => Promise<StepOutcome<any>>;

export interface StepPort {
  /** The step function for a task (built once per task and step, then reused). */
  forTask(task: TaskRow, step: StepName): Promise<RecordStep>;
  /** The Europeana record id of a harvested record, or a failed outcome when it has none. */
  recordId(datasetId: string, content: string, fallbackId: string): string | StepOutcome;
}

export interface DepublishPort {
  /** Depublishes records (or a whole dataset when `recordIds` is absent); one outcome per record. */
  depublish(datasetId: string, recordIds: string[] | undefined, reason: string): Promise<StepOutcome<any>[]>;
}

export interface MetisPorts {
  oai: OaiPort;
  archive: ArchivePort;
  steps: StepPort;
  depublish: DepublishPort;
  /**
   * Sends every request the ports make to a remote host (archive downloads, media, link checks)
   * through `gate` from now on (the runtime's HostLimiter; OAI requests are gated by the processors).
   */
  gateRequests?(gate: RequestGate): void;
}
