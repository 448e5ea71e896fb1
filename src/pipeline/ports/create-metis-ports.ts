/**
 * The pipeline's ports implemented with the real Metis step modules. Heavy things (compiled XSDs,
 * XSLT, the media fetcher, entity clients) are created once per process; per-task things (the
 * transformer, which depends on the dataset) once per task and cached.
 */
import { resolve } from 'node:path';
import { LRUCache } from 'lru-cache';
import type { Db } from '../../store/db.ts';
import { createEuropeanaId, providedChoAbout } from '../../edm/ids.ts';
import { parseXml } from '../../edm/xml.ts';
import { fail, type StepOutcome } from '../../steps/outcome.ts';
import { createOaiClient, type OaiClient, type OaiClientOptions } from '../../steps/harvest/oai/oai-client.ts';
import { createMediaProcessor, type MediaProcessor } from '../../steps/media/media-processor.ts';
import { createFileThumbnailStore } from '../../steps/media/thumbnail-store.ts';
import { createEnricher } from '../../steps/enrich/enricher.ts';
import type { EntityClient, DereferenceClient } from '../../steps/enrich/types.ts';
import { EntityApiClient } from '../../steps/enrich/entity-api-client.ts';
import { HttpDereferenceClient } from '../../steps/enrich/dereference-client.ts';
import { readEntityFile } from '../../steps/enrich/entity-file.ts';
import type { TaskRow } from '../../store/pipeline-store.ts';
import type { StepName } from '../../model/index.ts';
import type { ArchivePort, DepublishPort, MetisPorts, OaiPort, RecordStep, StepPort } from './port-types.ts';
import { buildHarvestPorts } from './harvest-ports.ts';
import { buildLateSteps, type LateSteps } from './late-step-ports.ts';
import { defaultStepThreads, StepPool } from '../step-pool.ts';
import { CPU_STEPS, CpuSteps } from '../cpu-steps.ts';
import { errorMessage, isMetisError } from '../../errors/index.ts';
import type { RequestGate } from '../../steps/http/request-gate.ts';

export interface MetisConfig {
  db: Db;
  /** Where downloaded schemas, compiled XSLT and the like are cached. */
  cacheDir: string;
  /** EDM XSD location: a folder, a local zip or an http(s) zip URL (METIS_SCHEMAS). Its `schematron/*.xsl` are the Schematron rules. */
  schemaLocation: string;
  /** Metis's `edm_sorter.xsl` and `default_transformation.xslt` (files), when configured (steps/rules/). */
  sorterXslt?: string;
  defaultXslt?: string;
  /** Engine of XSLT that runs (steps/transform/xslt.ts): SaxonJS (default) or Saxon-HE in a JVM per thread. */
  xsltEngine?: 'saxonjs' | 'saxon-he';
  /** Bytes of the sorted and transformed records: `compact` (default) or `saxon`, Metis's bytes (edm/xml-serialize.ts). */
  outputStyle?: 'compact' | 'saxon';
  /** Europeana Entity API (`/enrich`, `/resolve`, entity by id); without it the built-in entity store is used. */
  entityApi?: { url: string; apiKey?: string; token?: string };
  /** A Metis dereference service; optional. */
  dereferenceUrl?: string;
  /** Entities (RDF/XML or JSON-LD) to load into the built-in entity store at start. */
  entitiesFile?: string;
  thumbnailDir: string;
  /** Allow fetching from loopback addresses, never private ones (demo and tests only). */
  allowLoopback: boolean;
  mediaMode: 'FULL' | 'REDUCED';
  /** Total deadline of one media download (redirects and body). Default: the media step's (60 s). */
  mediaTimeoutMs?: number;
  /** Worker threads for the CPU-bound steps (0: run them on the main thread). Default: one per core but one, at least one. */
  threads: number;
  /** OAI-PMH client settings (listing bounds, deadlines, Retry-After cap, retry reports). */
  oai?: OaiClientOptions;
}

/** Defaults: the schemas bundled for the demo unless `schemaLocation` is given. */
export function defaultMetisConfig(
  c: Partial<MetisConfig> & {
    db: Db;
    cacheDir: string;
    thumbnailDir: string;
    schemaLocation?: string;
    allowLoopback?: boolean;
  },
): MetisConfig {
  return {
    mediaMode: 'FULL',
    allowLoopback: false,
    threads: defaultStepThreads(),
    ...c,
    schemaLocation: c.schemaLocation ?? defaultSchemaLocation(),
  } as MetisConfig;
}

/** The EDM schemas when none are configured (`--schemas` / METIS_SCHEMAS): the test fixtures beside a checkout (development and CI). */
export function defaultSchemaLocation(): string {
  return resolve(
    new URL(
      '../../../../shared/fixtures/metis/metis-framework/metis-validation/metis-validation-service/src/test/resources/__files/test_schema.zip.extracted/',
      import.meta.url,
    ).pathname,
  );
}

export interface MetisPortsHandle {
  ports: MetisPorts;
  close(): Promise<void>;
}

export async function createMetisPorts(config: MetisConfig): Promise<MetisPortsHandle> {
  // Archive downloads, media fetches and link checks wait for the runtime's gate (its HostLimiter,
  // set with `gateRequests` when the runtime starts; none before).
  let gate: RequestGate | undefined;
  const lateGate: RequestGate = (url, signal) => (gate ? gate(url, signal) : Promise.resolve(() => {}));
  const oaiClient: OaiClient = createOaiClient({
    retries: 3,
    retryDelayMs: 1000,
    // A redirect to another host obeys the same address rules as media fetches.
    redirectPolicy: { allowLoopback: config.allowLoopback },
    ...config.oai,
  });
  const harvest: { oai: OaiPort; archive: ArchivePort } = buildHarvestPorts(
    oaiClient,
    { allowLoopback: config.allowLoopback },
    lateGate,
  );
  const cpuConfig = {
    schemaLocation: config.schemaLocation,
    cacheDir: config.cacheDir,
    sorterXslt: config.sorterXslt,
    defaultXslt: config.defaultXslt,
    xsltEngine: config.xsltEngine,
    outputStyle: config.outputStyle,
  };
  const cpu = new CpuSteps(cpuConfig);

  // Loopback only: the permission never opens private or link-local ranges.
  const fetchPolicy = { allowLoopback: config.allowLoopback, gate: lateGate };
  let media: MediaProcessor | undefined;
  const entityClient: EntityClient | Promise<EntityClient> = config.entityApi
    ? new EntityApiClient({
        apiUrl: config.entityApi.url,
        apiKey: config.entityApi.apiKey,
        bearerToken: config.entityApi.token,
      })
    : buildEntityStore(config);
  const dereferenceClient: DereferenceClient | undefined = config.dereferenceUrl
    ? new HttpDereferenceClient({ url: config.dereferenceUrl })
    : undefined;
  let enricher: Promise<RecordStep> | undefined;
  const late: LateSteps = await buildLateSteps({ ...config, gate: lateGate });

  /** Per-task steps (they depend on the task's dataset and parameters). */
  const perTask = new LRUCache<string, Promise<RecordStep>>({ max: 256 });

  const pool =
    config.threads > 0
      ? new StepPool(cpuConfig, config.threads)
      : undefined;

  const build = async (task: TaskRow, step: StepName): Promise<RecordStep> => {
    if (pool && CPU_STEPS.has(step)) return (r) => pool.run(task, step, r);
    if (CPU_STEPS.has(step)) {
      const fn = await cpu.get(task, step);
      return async (r) => fn(r);
    }
    switch (step) {
      case 'enrich': {
        enricher ??= (async (): Promise<RecordStep> => {
          const fn = createEnricher({ entityClient: await entityClient, dereferenceClient });
          return (r) => fn(r);
        })();
        return enricher;
      }
      case 'media': {
        media ??= createMediaProcessor({
          fetchPolicy,
          thumbnailStore: createFileThumbnailStore(config.thumbnailDir),
          ...(config.mediaTimeoutMs !== undefined && { timeouts: { totalMs: config.mediaTimeoutMs } }),
          mode: task.spec.params.mediaMode === 'reduced' ? 'REDUCED' : config.mediaMode,
        });
        const m = media;
        return async (r) => m(r);
      }
      default:
        return late.forTask(task, step);
    }
  };

  const steps: StepPort = {
    forTask(task, step) {
      const key = `${task.taskId}|${step}`;
      let p = perTask.get(key);
      if (!p) {
        p = build(task, step);
        // A failed setup is not cached: the next record retries it (and fails with the same clear message).
        p.catch(() => perTask.delete(key));
        perTask.set(key, p);
      }
      return p;
    },
    recordId(datasetId, content, fallbackId): string | StepOutcome {
      try {
        return createEuropeanaId(datasetId, providedChoAbout(parseXml(content)));
      } catch (err) {
        // Not XML: XML_PARSE; no ProvidedCHO rdf:about: NO_PROVIDER_ID (each its own code in the reports).
        return fail(fallbackId, isMetisError(err) ? err.code : 'NO_PROVIDER_ID', errorMessage(err));
      }
    },
  };

  const depublish: DepublishPort = late.depublish;

  return {
    ports: {
      ...harvest,
      steps,
      depublish,
      gateRequests(g) {
        gate = g;
      },
    },
    async close() {
      // The built-in entity store migrates in the background: let it finish before the database closes.
      await Promise.resolve(entityClient).catch(() => undefined);
      await pool?.close();
      await oaiClient.close();
      await media?.close();
      await cpu.dispose();
      await late.close();
    },
  };
}

async function buildEntityStore(config: MetisConfig): Promise<EntityClient> {
  const { EntityStore } = await import('../../store/entity-store.ts');
  const store = new EntityStore(config.db);
  await store.migrate();
  if (config.entitiesFile) await store.importEntities(await readEntityFile(config.entitiesFile));
  return store;
}
