/**
 * A private Kafka Connect worker for fault tests that kill Connect (never the shared one on 8083): a
 * distributed worker from the jars of `.infra/libs` with the Debezium plugins of `.infra/plugins`
 * (scripts/setup.sh), its own REST port, group id and config/offset/status topics on the given broker.
 * `kill()` + `start()` keep the topics, so the restarted worker resumes the connector from the source
 * offsets it last flushed, as a Connect restart in production does.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './own-postgres.ts';
import { until } from './pipeline-harness.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface OwnConnect {
  url: string;
  /** Group id, also the prefix of its config/offset/status topics. */
  id: string;
  dir: string;
  /** The JVM's process id while it runs. */
  pid(): number | undefined;
  /** SIGKILL, waits for the JVM to exit. */
  kill(): Promise<void>;
  /** Starts the worker (again) and waits until its REST API lists the Debezium connector. */
  start(): Promise<void>;
  /** Resolves when `name`'s connector and its task run. */
  running(name: string, timeoutMs?: number): Promise<void>;
  destroy(): Promise<void>;
}

export interface OwnConnectOptions {
  brokers: string;
  /** Group id and topic prefix. */
  id: string;
  /** How often source offsets are flushed (Connect's default: 60 s); what a kill can make Debezium send again. */
  offsetFlushMs?: number;
}

export async function startOwnConnect(o: OwnConnectOptions): Promise<OwnConnect> {
  const libs = join(ROOT, '.infra', 'libs');
  const plugins = join(ROOT, '.infra', 'plugins');
  if (!existsSync(libs) || !existsSync(plugins)) throw new Error('no Kafka Connect jars in .infra/libs or .infra/plugins: run scripts/setup.sh first');
  const dir = mkdtempSync(join(tmpdir(), 'metis-own-connect-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const props = join(dir, 'worker.properties');
  writeFileSync(
    props,
    [
      `bootstrap.servers=${o.brokers}`,
      `listeners=${url}`,
      `group.id=${o.id}`,
      `config.storage.topic=${o.id}-configs`,
      `offset.storage.topic=${o.id}-offsets`,
      `status.storage.topic=${o.id}-status`,
      'config.storage.replication.factor=1',
      'offset.storage.replication.factor=1',
      'offset.storage.partitions=1',
      'status.storage.replication.factor=1',
      'status.storage.partitions=1',
      // A worker that died is not waited for (default 5 min): its connector is reassigned at once.
      'scheduled.rebalance.max.delay.ms=0',
      `offset.flush.interval.ms=${o.offsetFlushMs ?? 60_000}`,
      'key.converter=org.apache.kafka.connect.json.JsonConverter',
      'value.converter=org.apache.kafka.connect.json.JsonConverter',
      'key.converter.schemas.enable=false',
      'value.converter.schemas.enable=false',
      `plugin.path=${plugins}`,
      'plugin.discovery=service_load',
      '',
    ].join('\n'),
  );
  const log4j = `-Dlog4j2.configurationFile=${join(ROOT, 'scripts', 'infra', 'log4j2.properties')}`;
  const logFile = join(dir, 'connect.log');
  let proc: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  const start = async () => {
    const out = openSync(logFile, 'a');
    proc = spawn('java', ['-Xms128m', '-Xmx512m', '-XX:+UseG1GC', '-Djava.awt.headless=true', log4j, '-cp', `${libs}/*`, 'org.apache.kafka.connect.cli.ConnectDistributed', props], {
      stdio: ['ignore', out, out],
      detached: true,
    });
    const p = proc;
    exited = new Promise((resolve) => p.once('exit', () => resolve()));
    await until(
      `own Kafka Connect at ${url}`,
      async () => {
        if (p.exitCode !== null) throw new Error(`own Kafka Connect exited:\n${readFileSync(logFile, 'utf8').slice(-2000)}`);
        const r = await fetch(`${url}/connector-plugins`, { signal: AbortSignal.timeout(2000) }).catch(() => undefined);
        return r?.ok && (await r.text()).includes('PostgresConnector') ? true : undefined;
      },
      240_000,
      500,
    );
  };
  const alive = () => proc !== undefined && proc.exitCode === null && proc.signalCode === null;
  const kill = async () => {
    if (alive()) {
      proc!.kill('SIGKILL');
      await exited;
    }
  };
  await start();
  return {
    url,
    id: o.id,
    dir,
    pid: () => (alive() ? proc!.pid : undefined),
    kill,
    start,
    async running(name, timeoutMs = 240_000) {
      await until(
        `connector ${name} to run`,
        async () => {
          const r = await fetch(`${url}/connectors/${name}/status`, { signal: AbortSignal.timeout(5000) }).catch(() => undefined);
          const s = r?.ok ? ((await r.json()) as { connector: { state: string }; tasks: Array<{ state: string; trace?: string }> }) : undefined;
          if (s?.tasks[0]?.state === 'FAILED') throw new Error(`connector ${name} failed: ${s.tasks[0].trace?.slice(0, 2000)}`);
          return s?.connector.state === 'RUNNING' && s.tasks[0]?.state === 'RUNNING' ? true : undefined;
        },
        timeoutMs,
        500,
      );
    },
    async destroy() {
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
