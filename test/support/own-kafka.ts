/**
 * A private single-node Kafka (KRaft, broker + controller in one JVM) for fault tests that stop,
 * restart or kill the broker (never the shared one on 9092): the jars of `.infra/libs`
 * (scripts/setup.sh), the settings of scripts/infra-up.sh, its own ports and a data folder in a
 * temporary directory. `restart()` keeps ports and data, as a broker restart in production does.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { freePort } from './own-postgres.ts';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface OwnKafka {
  brokers: string;
  dir: string;
  /** Clean shutdown (SIGTERM), waits for the JVM to exit. */
  stop(): Promise<void>;
  /** SIGKILL. */
  kill(): Promise<void>;
  start(): Promise<void>;
  destroy(): Promise<void>;
}

export async function startOwnKafka(): Promise<OwnKafka> {
  const libs = join(ROOT, '.infra', 'libs');
  if (!existsSync(libs)) throw new Error('no Kafka jars in .infra/libs: run scripts/setup.sh first');
  const dir = mkdtempSync(join(tmpdir(), 'metis-own-kafka-'));
  const [port, controller] = [await freePort(), await freePort()];
  const props = join(dir, 'server.properties');
  writeFileSync(
    props,
    [
      'process.roles=broker,controller',
      'node.id=1',
      `controller.quorum.bootstrap.servers=127.0.0.1:${controller}`,
      `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controller}`,
      `advertised.listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controller}`,
      'controller.listener.names=CONTROLLER',
      'inter.broker.listener.name=PLAINTEXT',
      'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
      `log.dirs=${join(dir, 'data')}`,
      'offsets.topic.replication.factor=1',
      'offsets.topic.num.partitions=4',
      'transaction.state.log.replication.factor=1',
      'transaction.state.log.min.isr=1',
      'transaction.state.log.num.partitions=4',
      'share.coordinator.state.topic.replication.factor=1',
      'share.coordinator.state.topic.min.isr=1',
      'num.partitions=1',
      'default.replication.factor=1',
      'group.initial.rebalance.delay.ms=0',
      // As scripts/infra-up.sh: KIP-848 group timeouts and the dead-transaction check.
      'group.consumer.min.session.timeout.ms=1000',
      'group.consumer.session.timeout.ms=2500',
      'group.consumer.min.heartbeat.interval.ms=100',
      'group.consumer.heartbeat.interval.ms=250',
      'transaction.abort.timed.out.transaction.cleanup.interval.ms=1000',
      'auto.create.topics.enable=true',
      '',
    ].join('\n'),
  );
  const cp = `${libs}/*`;
  const log4j = `-Dlog4j2.configurationFile=${join(ROOT, 'scripts', 'infra', 'log4j2.properties')}`;
  const id = (await run('java', ['-cp', cp, log4j, 'kafka.tools.StorageTool', 'random-uuid'])).stdout.trim().split('\n').pop()!;
  await run('java', ['-cp', cp, log4j, 'kafka.tools.StorageTool', 'format', '--standalone', '-t', id, '-c', props, '--ignore-formatted']);
  const logFile = join(dir, 'kafka.log');
  let proc: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  const start = async () => {
    writeFileSync(logFile, '');
    const { openSync } = await import('node:fs');
    const out = openSync(logFile, 'a');
    proc = spawn('java', ['-Xms128m', '-Xmx512m', '-XX:+UseG1GC', '-Djava.awt.headless=true', log4j, '-cp', cp, 'kafka.Kafka', props], { stdio: ['ignore', out, out], detached: true });
    const p = proc;
    exited = new Promise((resolve) => p.once('exit', () => resolve()));
    const deadline = Date.now() + 120_000;
    while (!readFileSync(logFile, 'utf8').includes('Kafka Server started')) {
      if (p.exitCode !== null) throw new Error(`own Kafka exited:\n${readFileSync(logFile, 'utf8').slice(-2000)}`);
      if (Date.now() > deadline) throw new Error(`own Kafka not started within 120 s:\n${readFileSync(logFile, 'utf8').slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  };
  const signal = async (sig: NodeJS.Signals) => {
    if (proc && proc.exitCode === null && proc.signalCode === null) {
      proc.kill(sig);
      await exited;
    }
  };
  await start();
  return {
    brokers: `127.0.0.1:${port}`,
    dir,
    stop: () => signal('SIGTERM'),
    kill: () => signal('SIGKILL'),
    start,
    async destroy() {
      await signal('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
