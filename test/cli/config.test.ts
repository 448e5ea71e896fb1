/**
 * The configuration loader in-process: precedence (flag > environment > config file > default),
 * conversions, relative paths, and messages that name the flag, the variable or the file's key.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type LoadInput } from '../../src/cli/config/load.ts';
import { COMMAND_NAMES, SETTINGS, SETTING_KEYS, DEFAULT_PG_URL, settingsOf } from '../../src/cli/config/settings.ts';
import { UsageError } from '../../src/cli/config/usage-error.ts';
import { DEFAULT_PG_URL as STORE_DEFAULT_PG_URL } from '../../src/store/db.ts';

const cwd = mkdtempSync(join(tmpdir(), 'metis-config-'));
const load = (command: LoadInput['command'], args: string[], env: Record<string, string> = {}) =>
  loadConfig({ command, args, env, cwd });
const usageError = (fn: () => unknown): string => {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof UsageError, `expected a UsageError, got ${String(err)}`);
    return err.message;
  }
  assert.fail('expected a UsageError');
};
const configFile = (values: unknown): string => {
  const dir = mkdtempSync(join(tmpdir(), 'metis-config-file-'));
  writeFileSync(join(dir, 'metis.json'), typeof values === 'string' ? values : JSON.stringify(values));
  return join(dir, 'metis.json');
};

test('defaults apply when nothing is given, with paths made absolute against the current folder', () => {
  const { config, sources } = load('worker', []);
  assert.equal(config.pgUrl, DEFAULT_PG_URL);
  assert.equal(config.kafkaBrokers, '127.0.0.1:9092');
  assert.equal(config.partitions, 6);
  assert.equal(config.dataDir, join(cwd, '.metis-data'));
  assert.equal(config.commitIntervalMs, undefined);
  assert.equal(sources.pgUrl, 'default');
});

test('flag beats environment beats config file beats default', () => {
  const file = configFile({ partitions: 3, applicationId: 'from-file', topicPrefix: 'file-prefix' });
  const env = { METIS_CONFIG: file, METIS_PARTITIONS: '4', METIS_APP_ID: 'from-env' };
  const { config, sources } = load('worker', ['--partitions', '5'], env);
  assert.equal(config.partitions, 5);
  assert.equal(sources.partitions, 'flag');
  assert.equal(config.applicationId, 'from-env');
  assert.equal(sources.applicationId, 'env');
  assert.equal(config.topicPrefix, 'file-prefix');
  assert.equal(sources.topicPrefix, 'file');
  // The seed intake reads the topic `intake`'s connector writes unless told otherwise.
  assert.equal(config.seedTopic, 'connect.public.record_execution');
  assert.equal(sources.seedTopic, 'default');
});

test('values are converted from text: numbers, switches, lists, JSON', () => {
  const env = {
    METIS_ALLOW_LOOPBACK: 'yes',
    METIS_HOST_LIMITS: '{"maxConcurrent":8,"ratePerSecond":20}',
    METIS_THREADS: '0',
  };
  const { config } = load('run', ['--demo', '--steps', 'harvest, validate-external', '--limit=50'], env);
  assert.equal(config.demo, true);
  assert.deepEqual(config.steps, ['harvest', 'validate-external']);
  assert.equal(config.limit, 50);
  assert.equal(config.allowLoopback, true);
  assert.equal(config.threads, 0);
  assert.deepEqual(config.hostLimits, { maxConcurrent: 8, ratePerSecond: 20 });
});

test('an empty environment variable counts as unset', () => {
  assert.equal(load('worker', [], { METIS_SEED_TOPIC: '' }).config.seedTopic, 'connect.public.record_execution');
  assert.equal(load('worker', [], { METIS_SEED_TOPIC: '' }).sources.seedTopic, 'default');
});

test('relative paths in a config file are relative to the file; URLs stay URLs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'metis-config-file-'));
  mkdirSync(join(dir, 'conf'));
  writeFileSync(join(dir, 'entities.xml'), '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>');
  const file = join(dir, 'conf', 'metis.json');
  writeFileSync(
    file,
    JSON.stringify({
      dataDir: 'data',
      schemaLocation: 'https://example.org/schemas.zip',
      entitiesFile: '../entities.xml',
    }),
  );
  const { config } = load('run', ['--demo', '--config', file]);
  assert.equal(config.dataDir, join(dir, 'conf', 'data'));
  assert.equal(config.schemaLocation, 'https://example.org/schemas.zip');
  assert.equal(config.entitiesFile, join(dir, 'entities.xml'));
});

test('a bad value names its flag, variable or file key and what is expected', () => {
  assert.equal(
    usageError(() => load('run', ['--records', 'abc'])),
    '--records: expected a positive integer, got "abc"',
  );
  assert.equal(
    usageError(() => load('run', ['--records=-5'])),
    '--records: expected a positive integer, got "-5"',
  );
  assert.equal(
    usageError(() => load('worker', [], { METIS_COMMIT_INTERVAL_MS: '1.5' })),
    'METIS_COMMIT_INTERVAL_MS: expected a positive integer (milliseconds), got "1.5"',
  );
  assert.match(
    usageError(() => load('worker', [], { METIS_HOST_LIMITS: '{"maxConcurrent":8' })),
    /^METIS_HOST_LIMITS: expected a JSON object/,
  );
  assert.match(
    usageError(() => load('worker', [], { KAFKA_BROKERS: 'localhost' })),
    /^KAFKA_BROKERS: expected host:port/,
  );
  assert.match(
    usageError(() => load('status', ['x'], { METIS_PG_URL: 'mysql://x' })),
    /^METIS_PG_URL: expected a PostgreSQL URL/,
  );
  assert.match(
    usageError(() => load('worker', [], { METIS_ALLOW_LOOPBACK: 'maybe' })),
    /^METIS_ALLOW_LOOPBACK: expected true or false \(as a variable: 1\/0/,
  );
  assert.equal(
    usageError(() => load('run', ['--steps', 'harvest,bogus'])),
    '--steps: expected comma-separated step names (harvest, transform-external, validate-external, transform, validate-internal, normalize, enrich, media, preview, publish, linkcheck, depublish), got "harvest,bogus" (not step names: "bogus")',
  );
  const file = configFile({ records: 'many' });
  assert.equal(
    usageError(() => load('run', ['--config', file])),
    `"records" in ${file}: expected a positive integer, got "many"`,
  );
});

test('a missing value, a value given to a switch, an unknown flag and a flag of another command are usage errors', () => {
  assert.equal(
    usageError(() => load('run', ['--records'])),
    '--records: expected a positive integer, got nothing',
  );
  assert.match(
    usageError(() => load('run', ['--oai', '--demo'])),
    /^--oai: expected an http\(s\) URL, got nothing \(for a value starting with "-", write --oai=--demo\)/,
  );
  assert.equal(
    usageError(() => load('run', ['--demo=yes'])),
    '--demo takes no value (got "yes")',
  );
  assert.equal(
    usageError(() => load('run', ['--recrods', '5'])),
    'unknown option --recrods for run (see metis-streams help run)',
  );
  assert.equal(
    usageError(() => load('status', ['--records', '5'])),
    '--records is not an option of status (it is one of: run)',
  );
});

test('schemas and entities must exist when given as local paths; URLs are not checked', () => {
  assert.equal(
    usageError(() => load('run', ['--schemas', 'no-such-folder'])),
    `--schemas: expected an existing path or an http(s) URL, got "no-such-folder" (no such file or folder: ${join(cwd, 'no-such-folder')})`,
  );
  assert.match(
    usageError(() => load('worker', [], { METIS_ENTITIES: '/no/such/file.xml' })),
    /^METIS_ENTITIES: expected an existing path, got/,
  );
  assert.equal(
    load('run', ['--schemas', 'https://example.org/edm.zip']).config.schemaLocation,
    'https://example.org/edm.zip',
  );
  assert.equal(load('run', ['--schemas', '.']).config.schemaLocation, cwd);
});

test('only the settings of the command are read from the environment', () => {
  // status does not read the commit interval: a bad value there does not stop it.
  assert.equal(load('status', ['x'], { METIS_COMMIT_INTERVAL_MS: 'fast' }).positionals[0], 'x');
});

test('config file mistakes are usage errors that name the file', () => {
  assert.match(
    usageError(() => load('worker', ['--config', join(cwd, 'missing.json')])),
    /^--config: cannot read the config file .*missing\.json \(no such file\)$/,
  );
  assert.match(
    usageError(() => load('worker', [], { METIS_CONFIG: configFile('{ nope') })),
    /^METIS_CONFIG: .*metis\.json is not valid JSON/,
  );
  assert.match(
    usageError(() => load('worker', ['--config', configFile([1])])),
    /must hold a JSON object/,
  );
  const typo = configFile({ partitons: 3 });
  assert.equal(
    usageError(() => load('worker', ['--config', typo])),
    `"partitons" in ${typo}: not a setting (the settings are listed by metis-streams help)`,
  );
});

test('--help and -h win over other mistakes, and nothing is validated', () => {
  assert.equal(load('run', ['--records', 'abc', '--help']).help, true);
  assert.equal(load('status', ['-h', '--bogus']).help, true);
});

test('every setting is declared once: unique flags and variables, a description, at least one command', () => {
  const flags = SETTING_KEYS.map((k) => (SETTINGS[k] as { flag?: string }).flag).filter(Boolean);
  const envs = SETTING_KEYS.map((k) => (SETTINGS[k] as { env?: string }).env).filter(Boolean);
  assert.equal(new Set(flags).size, flags.length);
  assert.equal(new Set(envs).size, envs.length);
  for (const k of SETTING_KEYS) {
    assert.ok(SETTINGS[k].description.length > 10, k);
    assert.ok(SETTINGS[k].commands.length > 0, k);
  }
  for (const c of COMMAND_NAMES) assert.ok(settingsOf(c).includes('configFile'), c);
});

test("the CLI's default PostgreSQL URL is the store's", () => {
  assert.equal(DEFAULT_PG_URL, STORE_DEFAULT_PG_URL);
});
