#!/usr/bin/env bash
# The test command (`npm test`): sets up what a fresh machine lacks, starts the real services, runs every test.
#   scripts/test.sh        everything (installs, infrastructure, build, production-install check, all suites)
#   scripts/test.sh unit   only the suites that need no service (no install, no infrastructure)
#   scripts/test.sh FILE…  the given test files (services must already be up)
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:-all}"
files=()
if [ "$mode" = all ]; then
  bash scripts/setup.sh
  bash scripts/infra-up.sh
  mapfile -t files < <(find test -name '*.test.ts' | sort)
elif [ "$mode" = unit ]; then
  mapfile -t files < <(find test -name '*.test.ts' -not -path 'test/integration/*' | sort)
else
  files=("$@")
fi
[ "${#files[@]}" -gt 0 ] || { echo "no test files found" >&2; exit 1; }
npx tsc --noEmit -p .
# Import boundaries and cycles (.dependency-cruiser.cjs) and lint (eslint.config.js): a violation fails the run.
npm run --silent lint:deps
npx eslint --max-warnings=0 src test bench web
# The compiled build (dist/): what bin/metis-streams.js and the step-pool threads run outside tsx;
# suites that spawn the command need it current.
npm run --silent build
# A production install (npm ci --omit=dev: no tsx, no TypeScript) must run the command.
[ "$mode" != all ] || bash scripts/check-prod-install.sh
exec node --import tsx --test --test-timeout=600000 --test-reporter=spec "${files[@]}"
