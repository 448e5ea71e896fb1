#!/usr/bin/env bash
# Checks that a production install runs the command: package.json, package-lock.json, bin/ and dist/
# are copied into a temporary directory (outside this checkout, so nothing resolves to its
# node_modules), `npm ci --omit=dev --ignore-scripts` installs there (no tsx, no TypeScript, no
# native Kafka client build), and `node bin/metis-streams.js help` must exit 0 and print the usage.
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
echo "check-prod-install: npm ci --omit=dev, then metis-streams help: ok ($((SECONDS - t0)) s, $(du -sh "$tmp/node_modules" | cut -f1) node_modules)"
