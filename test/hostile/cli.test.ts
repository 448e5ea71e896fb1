/**
 * Hostile command lines (issue #12 row 13): bad flag values, files and URLs. Each case spawns the
 * command as users run it and expects exactly one line on stderr naming the flag and the problem,
 * nothing on stdout and exit code 2, before anything opens (no database, no server, no log line, no
 * stack). An encrypted zip is a failed task (exit 1) whose reason is one line; a PNG whose header
 * chunk has a bad CRC, served on 127.0.0.1, is a media warning naming the damage, not "Unknown error".
 * The hostile files are generated in test/hostile/support/cli-inputs.ts.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createMediaProcessor } from '../../src/steps/media/media-processor.ts';
import { createMemoryThumbnailStore } from '../../src/steps/media/thumbnail-store.ts';
import { buildRecord } from '../tiers/edm-builder.ts';
import { png, writeCliInputs, type CliInputs } from './support/cli-inputs.ts';
import { startServer, type CountingServer } from './support/remote-servers.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** The TypeScript loader by its path: the children run in a temporary folder, where `tsx` is not found by name. */
const TSX = pathToFileURL(join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href;

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `metis-streams ARGS` in a child process with only PATH and HOME (no METIS_* of the caller). */
function cli(args: string[], cwd: string): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', TSX, join(ROOT, 'src/cli/main.ts'), ...args], {
      cwd,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    // A generous bound: a case that hangs fails instead of blocking the suite.
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

interface UsageCase {
  name: string;
  args: (f: CliInputs) => string[];
  /** What the one line must say (after "metis-streams run: "). */
  line: (f: CliInputs) => RegExp;
  /** A data folder the case names that must not be created. */
  noDataDir?: boolean;
}

const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const CASES: UsageCase[] = [
  {
    name: '--entities on a PNG',
    args: (f) => ['--demo', '--entities', f.png],
    line: (f) => new RegExp(`^--entities: cannot read entities from ${esc(f.png)} \\(Text data outside of root node`),
  },
  {
    name: '--entities on an empty file',
    args: (f) => ['--demo', '--entities', f.empty],
    line: () => /^--entities: cannot read entities from .*empty\.xml \(No root element/,
  },
  {
    name: '--entities on broken XML',
    args: (f) => ['--demo', '--entities', f.brokenXml],
    line: () => /^--entities: cannot read entities from .*broken\.xml \(Unbound namespace prefix: "rdf"/,
  },
  {
    name: '--entities on XML that holds no entities',
    args: (f) => ['--demo', '--entities', f.noEntities],
    line: () => /^--entities: .*no-entities\.xml holds no entities \(expected EDM RDF\/XML or Entity API JSON/,
  },
  {
    name: '--entities on broken JSON',
    args: (f) => ['--demo', '--entities', f.brokenJson],
    line: () => /^--entities: cannot read entities from .*broken\.json \(.*JSON/,
  },
  {
    name: '--entities on a folder',
    args: (f) => ['--demo', '--entities', f.folder],
    line: () => /^--entities: cannot read entities from .*a-folder \(a folder;/,
  },
  {
    name: '--archive ftp://',
    args: () => ['--archive', 'ftp://example.org/records.zip'],
    line: () => /^--archive: expected a path or an http\(s\) URL, got "ftp:\/\/example\.org\/records\.zip" \(ftp: URLs/,
  },
  {
    name: '--archive file:',
    args: () => ['--archive', 'file:///etc/passwd'],
    line: () => /^--archive: .*got "file:\/\/\/etc\/passwd" \(file: URLs are not read\)$/,
  },
  {
    name: '--archive gopher:',
    args: () => ['--archive', 'gopher://example.org/1'],
    line: () => /^--archive: .*\(gopher: URLs are not read\)$/,
  },
  {
    name: '--archive a bare word that is no file',
    args: () => ['--archive', 'records'],
    line: (f) => new RegExp(`^--archive: no such file: ${esc(join(f.dir, 'records'))}$`),
  },
  {
    name: '--archive a folder',
    args: (f) => ['--archive', f.folder],
    line: () => /^--archive: .*a-folder is not a file \(give a zip, tar or tgz archive\)$/,
  },
  {
    name: '--data-dir on a file',
    args: (f) => ['--demo', '--data-dir', f.plainFile],
    line: () => /^--data-dir: expected a folder, got ".*plain\.txt" \(.*plain\.txt is a file\)$/,
  },
  {
    name: '--thumbnails on a file',
    args: (f) => ['--demo', '--thumbnails', f.plainFile],
    line: () => /^--thumbnails: expected a folder, got ".*plain\.txt" \(.*is a file\)$/,
  },
  {
    name: '--dataset-id of 300 characters',
    args: () => ['--demo', '--dataset-id', 'a'.repeat(300)],
    line: () => /^--dataset-id: expected 1 to 64 letters, digits, _ or -, got "a{300}"$/,
  },
  {
    name: '--records 1e400',
    args: () => ['--demo', '--records', '1e400'],
    line: () => /^--records: expected a positive integer, got "1e400"$/,
  },
  {
    name: '--records -1',
    args: () => ['--demo', '--records=-1'],
    line: () => /^--records: expected a positive integer, got "-1"$/,
  },
  {
    name: '--threads -1',
    args: () => ['--demo', '--threads=-1'],
    line: () => /^--threads: expected a whole number ≥ 0 \(threads\), got "-1"$/,
  },
  {
    name: '--host-limits {bad json',
    args: () => ['--demo', '--host-limits', '{bad json'],
    line: () => /^--host-limits: expected a JSON object .*, got "\{bad json"$/,
  },
  {
    name: '--config a missing file',
    args: (f) => ['--demo', '--config', join(f.dir, 'missing.json')],
    line: () => /^--config: cannot read the config file .*missing\.json \(no such file\)$/,
  },
  {
    name: '--config broken JSON',
    args: (f) => ['--demo', '--config', f.badConfig],
    line: () => /^--config: .*bad-config\.json is not valid JSON \(/,
  },
  {
    name: '--config a JSON array',
    args: (f) => ['--demo', '--config', f.arrayConfig],
    line: () => /^--config: .*array-config\.json must hold a JSON object of settings/,
  },
];

describe('hostile command lines: one line naming the flag, exit 2, nothing else', () => {
  let f: CliInputs;
  const results = new Map<string, { result: Result; dataDir: string }>();

  before(async () => {
    f = writeCliInputs();
    // Four children at a time: each costs about a second of start-up on a busy machine.
    for (let i = 0; i < CASES.length; i += 4) {
      await Promise.all(
        CASES.slice(i, i + 4).map(async (c) => {
          const args = c.args(f);
          const dataDir = f.dataDir();
          const withDir = args.includes('--data-dir') ? args : [...args, '--data-dir', dataDir];
          results.set(c.name, { result: await cli(['run', ...withDir], f.dir), dataDir });
        }),
      );
    }
  });
  after(() => rmSync(f.dir, { recursive: true, force: true }));

  for (const c of CASES) {
    it(c.name, () => {
      const { result: r, dataDir } = results.get(c.name)!;
      assert.equal(r.stdout, '', `nothing on stdout:\n${r.stdout}`);
      const lines = r.stderr.trimEnd().split('\n');
      assert.equal(lines.length, 1, `one line on stderr:\n${r.stderr}`);
      const prefix = 'metis-streams run: ';
      assert.ok(lines[0].startsWith(prefix), lines[0]);
      assert.match(lines[0].slice(prefix.length), c.line(f));
      assert.equal(r.code, 2, r.stderr);
      // Nothing was opened: the data folder (and its database) was not made.
      assert.equal(existsSync(dataDir), false, `${dataDir} was created`);
    });
  }
});

describe('hostile files that are not usage errors', () => {
  it('an encrypted zip fails the task with one line naming encryption (exit 1, no stack)', async () => {
    const f = writeCliInputs();
    try {
      const r = await cli(['run', '--archive', f.encryptedZip, '--data-dir', f.dataDir(), '--steps', 'harvest'], f.dir);
      assert.equal(r.code, 1, r.stderr);
      const reasons = r.stdout.split('\n').filter((l) => l.startsWith('reason: '));
      assert.deepEqual(reasons, ['reason: Encrypted archives are not supported (r1.xml is encrypted)']);
      assert.doesNotMatch(r.stdout + r.stderr, /\n\s+at .*\(|Unknown error|PGlite is closed/);
    } finally {
      rmSync(f.dir, { recursive: true, force: true });
    }
  });

  describe('a PNG with a bad header CRC served on 127.0.0.1', () => {
    let server: CountingServer;
    before(async () => {
      server = await startServer((req, res) => {
        res.writeHead(200, { 'content-type': 'image/png' });
        res.end(png({ badHeaderCrc: req.url === '/bad.png' }));
      });
    });
    after(() => server.close());

    it('is a media warning naming the bad chunk, never "Unknown error"; the good PNG is processed', async () => {
      const media = createMediaProcessor({
        fetchPolicy: { allowLoopback: true, allowedHosts: ['127.0.0.1'] },
        timeouts: { totalMs: 30_000 },
        thumbnailStore: createMemoryThumbnailStore(),
      });
      const content = buildRecord(
        { type: 'IMAGE', isShownBy: `${server.base}/good.png`, hasView: [`${server.base}/bad.png`] },
        '/13/png',
      );
      const outcome = await media({ recordId: '/13/png', content }).finally(() => media.close());
      assert.equal(outcome.status, 'warn');
      assert.deepEqual(
        outcome.messages.map((m) => [m.message, m.detail]),
        [
          [
            `Problem while processing ${server.base}/bad.png (MEDIA_CORRUPT)`,
            'Corrupt image: PNG chunk "IHDR" at byte 8 has a bad CRC',
          ],
        ],
      );
      assert.deepEqual(server.requests.sort(), ['/bad.png', '/good.png']);
    });
  });
});

describe('hostile values of the other commands', () => {
  it('depublish --record-ids naming an id longer than a Europeana id: one line, exit 2, nothing opened', async () => {
    const f = writeCliInputs();
    try {
      const dataDir = f.dataDir();
      const args = ['depublish', '--dataset-id', '1', '--reason', 'GENERIC', '--record-ids', 'a'.repeat(5000)];
      const r = await cli([...args, '--data-dir', dataDir], f.dir);
      assert.equal(r.stdout, '');
      assert.match(
        r.stderr,
        /^metis-streams depublish: --record-ids: an id of 5003 characters \(\/1\/a{37}…\) is longer than the 255 of a Europeana id\n$/,
      );
      assert.equal(r.code, 2);
      assert.equal(existsSync(dataDir), false, `${dataDir} was created`);
    } finally {
      rmSync(f.dir, { recursive: true, force: true });
    }
  });
});
