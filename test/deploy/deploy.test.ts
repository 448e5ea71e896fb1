/**
 * The deployment files (deploy/docker-compose.yml, deploy/k8s/*.yaml, Dockerfile) name only what the
 * project has: images built from this project (its name and version) or the versions the scripts run
 * (Kafka and Debezium from tools/kafka-libs/pom.xml, PostgreSQL 15), commands of the command table
 * with their own flags, environment variables of the settings schema read by the command that gets
 * them, ports equal to the settings' defaults, probe paths the servers answer, files that exist, and
 * no secret values. The YAML is parsed with `yaml`; nothing is run (there is no container engine).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments, parse } from 'yaml';
import { COMMANDS } from '../../src/cli/command-table.ts';
import {
  COMMAND_NAMES,
  DEFAULT_PG_URL,
  SETTINGS,
  SETTING_KEYS,
  setting,
  settingsOf,
  type CommandName,
} from '../../src/cli/config/settings.ts';
import { startHealthServer } from '../../src/cli/health-server.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
const pkg = JSON.parse(read('package.json')) as { name: string; version: string };
const pom = read('tools/kafka-libs/pom.xml');
const pomVersion = (name: string) => new RegExp(`<${name}>([^<]+)</${name}>`).exec(pom)![1];
const PROJECT_IMAGE = `${pkg.name}:${pkg.version}`;
/** The images of the services the scripts start, at the versions they run. */
const SERVICE_IMAGES = new Map([
  [`apache/kafka:${pomVersion('kafka.version')}`, 'Kafka'],
  [`quay.io/debezium/connect:${pomVersion('debezium.version')}`, 'Kafka Connect with Debezium'],
  ['postgres:15', 'PostgreSQL'],
]);

/** Every setting's environment variable → its key. */
const ENV = new Map(SETTING_KEYS.filter((k) => setting(k).env).map((k) => [setting(k).env as string, k]));
const portOf = (url: string) => Number(new URL(url).port);
const DEFAULT_PORTS = {
  api: SETTINGS.port.default,
  kafka: Number(SETTINGS.kafkaBrokers.default.split(':').at(-1)),
  connect: portOf(SETTINGS.kafkaConnectUrl.default),
  postgres: portOf(DEFAULT_PG_URL),
};

const compose = parse(read('deploy/docker-compose.yml')) as {
  services: Record<string, Record<string, any>>;
  volumes?: Record<string, unknown>;
};
const k8s = readdirSync(join(ROOT, 'deploy/k8s'))
  .filter((f) => f.endsWith('.yaml'))
  .flatMap((f) =>
    parseAllDocuments(read(`deploy/k8s/${f}`)).map((d) => {
      assert.deepEqual(d.errors, [], `deploy/k8s/${f} parses`);
      return { file: f, doc: d.toJS() as Record<string, any> };
    }),
  );
const ofKind = (kind: string) => k8s.filter((d) => d.doc.kind === kind).map((d) => d.doc);

/** A command line of the project's image: a command of the table, and flags that command reads. */
function checkCommandLine(where: string, args: unknown): CommandName {
  assert.ok(Array.isArray(args) && args.length > 0, `${where}: a command`);
  const [name, ...rest] = args as string[];
  assert.ok((COMMAND_NAMES as readonly string[]).includes(name), `${where}: "${name}" is a command of the table`);
  assert.ok(COMMANDS[name as CommandName], `${where}: "${name}" has a module`);
  const flags = new Set<string | undefined>(settingsOf(name as CommandName).map((k) => setting(k).flag));
  for (const a of rest.filter((x) => x.startsWith('--')))
    assert.ok(flags.has(a.slice(2).split('=')[0]), `${where}: ${a} is a flag of ${name}`);
  return name as CommandName;
}

/** A variable the command reads (its setting lists the command). */
function checkVariable(where: string, variable: string, commands: CommandName[]): void {
  const key = ENV.get(variable);
  assert.ok(key, `${where}: ${variable} is a variable of the settings schema`);
  assert.ok(
    commands.some((c) => (SETTINGS[key].commands as readonly string[]).includes(c)),
    `${where}: ${variable} (${key}) is read by ${commands.join(' or ')}`,
  );
}

test('compose: every image is the project image or a service the scripts run, at their versions', () => {
  for (const [name, s] of Object.entries(compose.services)) {
    assert.ok(s.image === PROJECT_IMAGE || SERVICE_IMAGES.has(s.image), `${name}: image ${s.image}`);
    if (s.build) {
      assert.equal(s.image, PROJECT_IMAGE);
      assert.ok(
        existsSync(join(ROOT, 'deploy', s.build.context, s.build.dockerfile)),
        `${name}: its Dockerfile exists`,
      );
    }
  }
  // Kafka KRaft, PostgreSQL with logical decoding (Debezium's source), Connect, N workers, the server.
  const kafka = compose.services.kafka;
  assert.match(kafka.environment.KAFKA_PROCESS_ROLES, /broker/);
  assert.match(kafka.environment.KAFKA_PROCESS_ROLES, /controller/);
  assert.deepEqual(compose.services.postgres.command, ['postgres', '-c', 'wal_level=logical']);
  assert.match(read('scripts/infra-up.sh'), /ALTER SYSTEM SET wal_level = logical/);
  assert.equal(compose.services.postgres.environment.POSTGRES_DB, new URL(DEFAULT_PG_URL).pathname.slice(1));
  assert.ok(compose.services.worker.deploy.replicas >= 1);
});

test('compose: the project image runs commands of the table with their flags and their variables', () => {
  const project = Object.entries(compose.services).filter(([, s]) => s.image === PROJECT_IMAGE);
  assert.deepEqual(project.map(([n]) => n).sort(), ['intake', 'server', 'worker']);
  for (const [name, s] of project) {
    const command = checkCommandLine(`compose ${name}`, s.command);
    for (const variable of Object.keys(s.environment ?? {})) checkVariable(`compose ${name}`, variable, [command]);
  }
  assert.equal(compose.services.server.command[0], 'serve');
  assert.equal(compose.services.worker.command[0], 'worker');
});

test('compose: published ports are the settings defaults, and the services address each other on them', () => {
  const published = (name: string) =>
    (compose.services[name].ports ?? []).map((p: string) => Number(p.split(':').at(-1)));
  assert.deepEqual(published('kafka'), [DEFAULT_PORTS.kafka]);
  assert.deepEqual(published('connect'), [DEFAULT_PORTS.connect]);
  assert.deepEqual(published('postgres'), [DEFAULT_PORTS.postgres]);
  assert.deepEqual(published('server'), [DEFAULT_PORTS.api]);
  const server = compose.services.server.environment;
  assert.equal(Number(server.METIS_API_PORT), DEFAULT_PORTS.api);
  for (const name of ['worker', 'server']) {
    const env = compose.services[name].environment;
    assert.equal(env.KAFKA_BROKERS, `kafka:${DEFAULT_PORTS.kafka}`);
    assert.match(env.METIS_PG_URL, new RegExp(`@postgres:${DEFAULT_PORTS.postgres}/metis_streams$`));
  }
  assert.equal(compose.services.intake.environment.KAFKA_CONNECT_URL, `http://connect:${DEFAULT_PORTS.connect}`);
  assert.ok(server.METIS_API_TOKENS.startsWith('${'), 'tokens come from the environment');
  assert.ok(
    compose.services.postgres.environment.POSTGRES_PASSWORD.startsWith('${'),
    'the password comes from the environment',
  );
});

test('k8s: workers are a scalable Deployment with probes; the server, ConfigMap and Secret are there', () => {
  const deployments = new Map<string, Record<string, any>>(ofKind('Deployment').map((d) => [d.metadata.name, d]));
  const configMaps = new Map(ofKind('ConfigMap').map((d) => [d.metadata.name, d]));
  const secrets = new Map(ofKind('Secret').map((d) => [d.metadata.name, d]));
  const claims = new Set(ofKind('PersistentVolumeClaim').map((d) => d.metadata.name));
  assert.deepEqual([...deployments.keys()].sort(), ['metis-server', 'metis-worker']);
  assert.equal(configMaps.size, 1);
  assert.equal(secrets.size, 1);
  for (const d of deployments.values()) {
    const [c] = d.spec.template.spec.containers;
    assert.equal(c.image, PROJECT_IMAGE);
    const command = checkCommandLine(`k8s ${d.metadata.name}`, c.args);
    assert.ok(d.spec.replicas >= 1);
    assert.deepEqual(d.spec.selector.matchLabels, Object.fromEntries(Object.entries(d.spec.template.metadata.labels)));
    // Every variable reaches it through the ConfigMap, the Secret or its own env, and is read by some
    // command of the project (the ConfigMap is shared: each key by the worker or the server).
    for (const ref of c.envFrom) {
      const source = ref.configMapRef ? configMaps.get(ref.configMapRef.name) : secrets.get(ref.secretRef.name);
      assert.ok(source, `${d.metadata.name}: ${JSON.stringify(ref)} is defined`);
      for (const variable of Object.keys(source.data ?? source.stringData))
        checkVariable(`k8s ${source.metadata.name}`, variable, ['worker', 'serve']);
    }
    for (const e of c.env ?? []) checkVariable(`k8s ${d.metadata.name}`, e.name, [command]);
    // Probes on a named port the container declares, at paths its server answers.
    const ports = new Map(c.ports.map((p: { name: string; containerPort: number }) => [p.name, p.containerPort]));
    for (const probe of [c.livenessProbe, c.readinessProbe]) {
      assert.ok(probe?.httpGet, `${d.metadata.name}: liveness and readiness probes`);
      assert.ok(ports.has(probe.httpGet.port), `${d.metadata.name}: probe port ${probe.httpGet.port} is declared`);
    }
    assert.equal(c.livenessProbe.httpGet.path, '/health');
    assert.equal(c.readinessProbe.httpGet.path, '/ready');
    for (const v of d.spec.template.spec.volumes)
      if (v.persistentVolumeClaim)
        assert.ok(claims.has(v.persistentVolumeClaim.claimName), `claim ${v.persistentVolumeClaim.claimName}`);
  }
  const config = [...configMaps.values()][0].data;
  const server = deployments.get('metis-server')!.spec.template.spec.containers[0];
  const worker = deployments.get('metis-worker')!.spec.template.spec.containers[0];
  assert.equal(server.ports[0].containerPort, Number(config.METIS_API_PORT));
  assert.equal(Number(config.METIS_API_PORT), DEFAULT_PORTS.api);
  assert.equal(worker.ports[0].containerPort, Number(config.METIS_HEALTH_PORT));
  assert.equal(Number(config.KAFKA_BROKERS.split(':').at(-1)), DEFAULT_PORTS.kafka);
  assert.equal(config.METIS_SERVE_MODE, 'kafka');
  // A restarted container keeps its pod name: the instance id that fences its zombie.
  assert.deepEqual(worker.env.find((e: { name: string }) => e.name === 'METIS_INSTANCE_ID').valueFrom, {
    fieldRef: { fieldPath: 'metadata.name' },
  });
  // SIGTERM stops a worker within 10 s (src/cli/commands/worker.ts): the grace period covers it.
  assert.ok(deployments.get('metis-worker')!.spec.template.spec.terminationGracePeriodSeconds > 10);
  // The Secret holds placeholders only.
  for (const value of Object.values([...secrets.values()][0].stringData as Record<string, string>))
    assert.match(value, /CHANGE_ME/);
  const service = ofKind('Service').find((s) => s.metadata.name === 'metis-server');
  assert.equal(service?.spec.ports[0].port, DEFAULT_PORTS.api);
  // kustomization.yaml lists every manifest.
  const kustomization = k8s.find((d) => d.file === 'kustomization.yaml')!.doc;
  assert.deepEqual(
    [...kustomization.resources].sort(),
    [...new Set(k8s.filter((d) => d.file !== 'kustomization.yaml').map((d) => d.file))].sort(),
  );
});

test('the probe paths are answered: the API server declares them, the worker health server serves them', async () => {
  const server = read('src/api/server.ts');
  assert.match(server, /'\/health'/);
  assert.match(server, /'\/ready'/);
  const health = await startHealthServer(0, '127.0.0.1');
  try {
    const get = (path: string) => fetch(`http://127.0.0.1:${health.port}${path}`);
    assert.equal((await get('/health')).status, 200);
    assert.equal((await get('/ready')).status, 200);
    health.notReady('stopping');
    const ready = await get('/ready');
    assert.equal(ready.status, 503);
    assert.deepEqual(await ready.json(), { status: 'stopping', reason: 'stopping' });
    assert.equal((await get('/health')).status, 200, 'alive while stopping');
    assert.equal((await get('/nope')).status, 404);
  } finally {
    await health.close();
  }
});

test('Dockerfile: what it copies exists, its entry point is the command, its tools are the media step’s', () => {
  const docker = read('Dockerfile');
  for (const m of docker.matchAll(/^COPY (?!--from)(.+) \S+$/gm))
    for (const path of m[1].split(/\s+/)) assert.ok(existsSync(join(ROOT, path)), `COPY ${path} exists`);
  assert.match(docker, /ENTRYPOINT \["node", "bin\/metis-streams\.js"\]/);
  assert.ok(existsSync(join(ROOT, 'bin/metis-streams.js')));
  assert.equal(Number(/^EXPOSE (\d+)$/m.exec(docker)?.[1]), DEFAULT_PORTS.api);
  assert.match(docker, /ENV METIS_DATA_DIR=/);
  // The external tools the media step spawns, and the Debian package of each.
  const PACKAGE_OF: Record<string, string> = {
    ffprobe: 'ffmpeg',
    pdftoppm: 'poppler-utils',
    pdftotext: 'poppler-utils',
    pdfimages: 'poppler-utils',
  };
  const media = readdirSync(join(ROOT, 'src/steps/media'))
    .map((f) => read(`src/steps/media/${f}`))
    .join('\n');
  const tools = [...new Set([...media.matchAll(/spawnTool\(\s*'([^']+)'/g)].map((m) => m[1]))];
  assert.ok(tools.length > 0);
  for (const tool of tools) {
    assert.ok(PACKAGE_OF[tool], `${tool}: a known tool`);
    assert.match(
      docker,
      new RegExp(`apt-get install[^\\n]*\\b${PACKAGE_OF[tool]}\\b`),
      `${tool} comes with ${PACKAGE_OF[tool]}`,
    );
  }
  // The build stage compiles what npm run build compiles (sources and the dashboard).
  assert.match(JSON.parse(read('package.json')).scripts.build, /tsc -p tsconfig\.build\.json/);
});
