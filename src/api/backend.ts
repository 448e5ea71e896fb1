/**
 * What the API runs on, made by `metis-streams serve` (src/cli/commands/serve.ts): the database,
 * the pipeline service (in embedded mode the pipeline runs in this process; in Kafka mode commands go
 * to the workers over the tasks topic), the published index, and where files live. The API itself
 * never reads settings or opens connections.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { Db } from '../store/db.ts';
import type { PublishedStore } from '../store/published-store.ts';
import type { PipelineService } from '../pipeline/service.ts';
import type { Role, TokenTable } from './auth.ts';

export interface EngineView {
  mode: 'embedded' | 'kafka';
  topics: Array<{ name: string; partitions: number; endOffset?: number }>;
  groups: Array<{
    groupId: string;
    state: string;
    members: Array<{ clientId: string; host: string; partitions: Array<{ topic: string; partition: number }> }>;
    lag: number;
    lagByTopic: Record<string, number>;
  }>;
  /** Processes running the pipeline: consumer-group members in Kafka mode, this process when embedded. */
  workers: number;
}

export interface ApiBackend {
  mode: 'embedded' | 'kafka';
  db: Db;
  service: PipelineService;
  published: PublishedStore;
  /** Where the media step writes thumbnails (file store). */
  thumbnailDir: string;
  /** Where uploaded archives and XSLTs are kept. */
  uploadDir: string;
  /** Topics, consumer groups, lag and workers. */
  engine(): Promise<EngineView>;
  /** Readiness checks besides the database (Kafka mode: the broker); each 'ok' or the failure. */
  checks?(): Promise<Record<string, string>>;
}

export interface ApiOptions {
  /** No tokens: every caller is admin (serve allows that on loopback only). */
  tokens: TokenTable;
  /** GET routes under /api and /metrics without a token. */
  publicReads: boolean;
  /** Largest request body and upload, in bytes. */
  uploadLimitBytes: number;
  version: string;
  /** A pino logger for requests and errors (default: none). */
  logger?: FastifyBaseLogger;
}

/** The role a request was granted (set by the auth hook). */
export type GrantedRole = Role | 'public';
