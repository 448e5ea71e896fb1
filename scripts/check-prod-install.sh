#!/usr/bin/env bash
# Checks that a production install runs the command: package.json, package-lock.json, bin/ and dist/
# are copied into a temporary directory (outside this checkout, so nothing resolves to its
# node_modules), `npm ci --omit=dev --ignore-scripts` installs there (no tsx, no TypeScript, no
# native Kafka client build), and `node bin/metis-streams.js help` must exit 0 and print the usage;
# a compiled step-pool thread must run a record.
# Needs dist/ (`npm run build`) and the npm registry (or a warm npm cache).
set -euo pipefail
cd "$(dirname "$0")/.."
die() {
  echo "check-prod-install: $*" >&2
  exit 1
}
[ -f dist/cli/main.js ] || die "dist/ is missing: run npm run build first"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/metis-prod-install.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
cp package.json package-lock.json "$tmp/"
cp -R bin dist "$tmp/"
t0=$SECONDS
(cd "$tmp" && npm ci --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error) ||
  die "npm ci --omit=dev failed"
for dev in tsx typescript eslint; do
  [ ! -e "$tmp/node_modules/$dev" ] || die "the production install holds the dev dependency $dev"
done

out=$(cd "$tmp" && node bin/metis-streams.js help 2>&1) || die "metis-streams help failed after npm ci --omit=dev:
$out"
grep -q '^usage: metis-streams' <<<"$out" || die "metis-streams help printed no usage:
$out"
# The step pool's threads run the compiled body (dist/pipeline/step-worker.js): tsx is not installed
# here, so a thread that tried the TypeScript entry would fail. One demo record through transform
# and normalize.
cat >"$tmp/step-pool-check.mjs" <<'JS'
import { StepPool } from './dist/pipeline/step-pool.js';
import { demoDefect, demoRecord } from './dist/steps/harvest/oai/demo-dataset.js';
let i = 0;
while (demoDefect(i)) i++;
const pool = new StepPool({ schemaLocation: 'schemas', cacheDir: 'cache' }, 1);
const dataset = { id: '1', name: 'Check', country: 'Europe', language: 'mul' };
try {
  const task = { taskId: 'check', datasetId: '1', spec: { dataset, params: {} } };
  let content = demoRecord(i).xml;
  for (const step of ['transform', 'normalize']) {
    const outcome = await pool.run(task, step, { recordId: 'r', content });
    if (outcome.status !== 'success' && outcome.status !== 'warn') throw new Error(`${step}: ${JSON.stringify(outcome)}`);
    content = outcome.content;
  }
} finally {
  await pool.close();
}
JS
out=$(cd "$tmp" && node step-pool-check.mjs 2>&1) || die "a compiled step-pool thread failed after npm ci --omit=dev:
$out"
echo "check-prod-install: npm ci --omit=dev, then metis-streams help and a step-pool thread: ok ($((SECONDS - t0)) s, $(du -sh "$tmp/node_modules" | cut -f1) node_modules)"
