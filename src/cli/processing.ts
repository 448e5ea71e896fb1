/**
 * What `run` and `worker` share: the Metis ports' configuration and the logger, made from the
 * settings (the pipeline below never reads the environment).
 */
import { resolve } from 'node:path';
import { pino, type Logger } from 'pino';
import type { Db } from '../store/db.ts';
import { defaultMetisConfig, type MetisConfig } from '../pipeline/ports/create-metis-ports.ts';
import type { Config } from './config/settings.ts';

/**
 * `opts.entities`: an entity file used when no `--entities` is given (the demo's own entities).
 * `opts.allowLoopback`: fetch from loopback whatever the setting says (the demo's servers).
 */
export function metisConfigFrom(
  c: Config,
  db: Db,
  opts: { allowLoopback?: boolean; entities?: string } = {},
): MetisConfig {
  const entitiesFile = c.entitiesFile ?? opts.entities;
  return defaultMetisConfig({
    db,
    cacheDir: resolve(c.dataDir, 'cache'),
    thumbnailDir: c.thumbnailDir ?? resolve(c.dataDir, 'thumbnails'),
    allowLoopback: c.allowLoopback || opts.allowLoopback === true,
    // Unset settings stay out, so the pipeline's own defaults apply.
    ...(c.schemaLocation !== undefined && { schemaLocation: c.schemaLocation }),
    ...(c.sorterXslt !== undefined && { sorterXslt: c.sorterXslt }),
    ...(c.defaultXslt !== undefined && { defaultXslt: c.defaultXslt }),
    xsltEngine: c.xsltEngine,
    ...(entitiesFile !== undefined && { entitiesFile }),
    ...(c.entityApiUrl !== undefined && { entityApi: { url: c.entityApiUrl, apiKey: c.entityApiKey } }),
    ...(c.dereferenceUrl !== undefined && { dereferenceUrl: c.dereferenceUrl }),
    ...(c.threads !== undefined && { threads: c.threads }),
    mediaTimeoutMs: c.mediaTimeoutMs,
    oai: {
      maxPages: c.oaiMaxPages,
      maxRecords: c.oaiMaxRecords,
      requestTimeoutMs: c.oaiRequestTimeoutMs,
      maxRetryAfterMs: c.oaiMaxRetryAfterMs,
      // Every wait is reported, with what a Retry-After asked for (it is capped).
      onRetry: (e) =>
        oaiLog(c).warn(
          { url: e.url, attempt: e.attempt, waitMs: e.delayMs, retryAfterMs: e.retryAfterMs, error: e.error.message },
          'OAI-PMH request failed; retrying after a wait',
        ),
    },
  });
}

let oaiLogger: Logger | undefined;
const oaiLog = (c: Config): Logger => (oaiLogger ??= loggerFrom(c));

/** Logs (JSON lines) go to stderr: stdout carries the command's own output (a summary, a task id). */
export const loggerFrom = (c: Config): Logger => pino({ level: c.logLevel }, pino.destination({ dest: 2, sync: true }));
