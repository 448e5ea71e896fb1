/**
 * Where the integration tests find the real services, and probes that fail fast with a message that
 * says what is down and how to start it (instead of a client retrying until the test times out).
 * The defaults are the addresses scripts/infra-up.sh starts; the environment variables override them.
 */
import net from 'node:net';
import pg from 'pg';
import { DEFAULT_PG_URL } from '../../src/store/db.ts';

export const KAFKA_BROKERS = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',').map((b) => b.trim());
export const KAFKA_CONNECT_URL = (process.env.KAFKA_CONNECT_URL ?? 'http://127.0.0.1:8083').replace(/\/$/, '');
export const METIS_PG_URL = process.env.METIS_PG_URL ?? DEFAULT_PG_URL;

const START_HINT = 'start the services with: bash scripts/infra-up.sh (status: bash scripts/infra-status.sh)';

/** A name unique to this test run: lower-case letters, digits and `_` (valid as topic, slot, schema). */
export function uniqueName(prefix: string): string {
  return `${prefix}_${process.pid}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 6)}`;
}

function tcpProbe(hostPort: string, timeoutMs: number): Promise<void> {
  const i = hostPort.lastIndexOf(':');
  const host = hostPort.slice(0, i);
  const port = Number(hostPort.slice(i + 1));
  return new Promise((resolve, reject) => {
    const s = net.connect({ host, port });
    const fail = (err: Error) => {
      s.destroy();
      reject(err);
    };
    s.setTimeout(timeoutMs, () => fail(new Error(`no answer within ${timeoutMs} ms`)));
    s.once('error', fail);
    s.once('connect', () => {
      s.end();
      resolve();
    });
  });
}

/** Resolves when a Kafka broker accepts connections; otherwise throws "Kafka broker is not reachable ...". */
export async function requireKafka(timeoutMs = 3000): Promise<string[]> {
  const errors: string[] = [];
  for (const b of KAFKA_BROKERS) {
    try {
      await tcpProbe(b, timeoutMs);
      return KAFKA_BROKERS;
    } catch (err) {
      errors.push(`${b}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  }
  throw new Error(
    `Kafka broker is not reachable (KAFKA_BROKERS=${KAFKA_BROKERS.join(',')}: ${errors.join('; ')}); ${START_HINT}`,
  );
}

/** Resolves when Kafka Connect answers and has Debezium's PostgreSQL connector; otherwise throws. */
export async function requireConnect(timeoutMs = 3000): Promise<string> {
  let plugins: string;
  try {
    const res = await fetch(`${KAFKA_CONNECT_URL}/connector-plugins`, { signal: AbortSignal.timeout(timeoutMs) });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    plugins = await res.text();
  } catch (err) {
    const e = err as Error & { cause?: { code?: string } };
    throw new Error(
      `Kafka Connect is not reachable at ${KAFKA_CONNECT_URL} (${e.cause?.code ?? e.message}); ${START_HINT}`,
    );
  }
  if (!plugins.includes('io.debezium.connector.postgresql.PostgresConnector')) {
    throw new Error(
      `Kafka Connect at ${KAFKA_CONNECT_URL} has no Debezium PostgreSQL connector (plugins: ${plugins}); run bash scripts/setup.sh, then restart it with scripts/infra-down.sh and scripts/infra-up.sh`,
    );
  }
  return KAFKA_CONNECT_URL;
}

/** Resolves when PostgreSQL accepts a login at METIS_PG_URL and has wal_level=logical; otherwise throws. */
export async function requirePostgres(opts: { logical?: boolean } = {}): Promise<string> {
  const c = new pg.Client({ connectionString: METIS_PG_URL, connectionTimeoutMillis: 3000 });
  try {
    await c.connect();
  } catch (err) {
    const e = err as Error & { code?: string };
    throw new Error(`PostgreSQL is not reachable at ${METIS_PG_URL} (${e.code ?? e.message}); ${START_HINT}`);
  }
  try {
    if (opts.logical) {
      const r = await c.query<{ wal_level: string }>('SHOW wal_level');
      if (r.rows[0].wal_level !== 'logical') {
        throw new Error(
          `PostgreSQL at ${METIS_PG_URL} has wal_level=${r.rows[0].wal_level}, Debezium needs logical; ${START_HINT}`,
        );
      }
    }
  } finally {
    await c.end();
  }
  return METIS_PG_URL;
}
