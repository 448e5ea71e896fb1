/**
 * The command's entry (bin/metis-streams.js) runs the compiled build in dist/: with dist/ it prints
 * the usage; without it, one line saying to build first and exit 1 (no stack trace). `npm test`
 * builds dist/ before the suites (scripts/test.sh); scripts/check-prod-install.sh checks the same
 * entry after `npm ci --omit=dev`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

test('without dist/, the command says to run npm run build, in one line, and exits 1', () => {
  const dir = mkdtempSync(join(tmpdir(), 'metis-bin-'));
  try {
    cpSync(join(ROOT, 'bin'), join(dir, 'bin'), { recursive: true });
    const r = spawnSync(process.execPath, [join(dir, 'bin/metis-streams.js'), 'help'], { encoding: 'utf8' });
    assert.equal(r.status, 1);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, 'metis-streams: dist/ is missing: run `npm run build` first\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('with dist/, the command runs the compiled build: help prints the usage, exit 0', () => {
  assert.ok(existsSync(join(ROOT, 'dist/cli/main.js')), 'dist/ is missing: run `npm run build` (npm test does)');
  const r = spawnSync(process.execPath, [join(ROOT, 'bin/metis-streams.js'), 'help'], { encoding: 'utf8', cwd: ROOT });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^usage: metis-streams/);
});
