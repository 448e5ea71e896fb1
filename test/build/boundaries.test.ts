/**
 * The import boundaries (.dependency-cruiser.cjs) hold on src/, and the rules can fail: a small tree
 * that breaks each kind of rule (a cycle, the engine importing the domain, the store importing a step,
 * the Kafka client outside the engine, pg outside the store) is cruised with the same configuration
 * and every violation is reported by name.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DEPCRUISE = join(ROOT, 'node_modules/.bin/depcruise');
const CONFIG = join(ROOT, '.dependency-cruiser.cjs');

interface Violation {
  rule: { name: string };
  from: string;
  to: string;
}

function cruise(cwd: string): { status: number | null; violations: Violation[] } {
  const r = spawnSync(DEPCRUISE, ['--config', CONFIG, '--output-type', 'json', 'src'], {
    cwd,
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  assert.ok(r.stdout, `depcruise printed nothing: ${r.stderr}`);
  return { status: r.status, violations: JSON.parse(r.stdout).summary.violations };
}

test('src/ keeps every import boundary and has no cycle', () => {
  const { status, violations } = cruise(ROOT);
  assert.deepEqual(
    violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`),
    [],
  );
  assert.equal(status, 0);
});

test('the rules catch a cycle, a domain import in the engine, a step in the store, Kafka and pg out of place', () => {
  const dir = mkdtempSync(join(tmpdir(), 'metis-boundaries-'));
  const files: Record<string, string> = {
    'src/edm/a.ts': "import { b } from './b.ts';\nexport const a = () => b;\n",
    'src/edm/b.ts': "import type { a } from './a.ts';\nexport const b = 1;\nexport type A = typeof a;\n",
    'src/engine/runtime.ts': "import { step } from '../steps/step.ts';\nexport const run = step;\n",
    'src/steps/step.ts': 'export const step = 1;\n',
    'src/store/repo.ts':
      "import { step } from '../steps/step.ts';\nimport pg from 'pg';\nexport const repo = [step, pg];\n",
    'src/pipeline/db.ts': "import pg from 'pg';\nexport const db = pg;\n",
    'src/pipeline/bus.ts': "import { KafkaJS } from '@confluentinc/kafka-javascript';\nexport const bus = KafkaJS;\n",
    'tsconfig.json': JSON.stringify({
      compilerOptions: {
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        allowImportingTsExtensions: true,
        noEmit: true,
      },
    }),
  };
  try {
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
    symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
    const { status, violations } = cruise(dir);
    const found = new Set(violations.map((v) => `${v.rule.name}: ${v.from}`));
    for (const expected of [
      'no-circular: src/edm/a.ts',
      'engine-is-generic: src/engine/runtime.ts',
      'store-is-below-the-domain: src/store/repo.ts',
      'database-only-in-store: src/pipeline/db.ts',
      'kafka-client-only-in-engine: src/pipeline/bus.ts',
    ]) {
      assert.ok(found.has(expected), `expected ${expected} among ${[...found].join(', ')}`);
    }
    assert.ok(!found.has('database-only-in-store: src/store/repo.ts'), 'pg inside src/store/ is allowed');
    assert.equal(status, 0, 'the JSON report itself succeeds');
    // What CI runs (npm run lint:deps: the default reporter) fails on the same tree.
    const gate = spawnSync(DEPCRUISE, ['--config', CONFIG, 'src'], { cwd: dir, encoding: 'utf8' });
    assert.notEqual(gate.status, 0, gate.stdout);
    assert.match(gate.stdout, /engine-is-generic/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
