#!/usr/bin/env bash
# Installs what a fresh machine lacks, and nothing when everything is present (a second run takes ~1 s):
#   1. Debian packages in APT_PACKAGES (apt-get runs only when one is missing);
#   2. node_modules (npm ci when missing or out of date with package-lock.json), with the Kafka client
#      @confluentinc/kafka-javascript built against the system's librdkafka dependencies;
#   3. the Kafka broker, Kafka Connect and Debezium jars from Maven Central, into .infra/ (git-ignored).
# Needs: root (or sudo) for apt, Node 20, npm, Java 17+, Maven. Fails with a hint when one is missing.
set -euo pipefail
. "$(dirname "$0")/infra/common.sh"
hold_lock setup
cd "$INFRA_ROOT"

# Other sessions' packages go here too: one name per entry, Debian bookworm names.
APT_PACKAGES=(
  libzstd-dev libsasl2-dev libssl-dev zlib1g-dev libcurl4-openssl-dev # librdkafka: zstd, SASL, TLS, OIDC
  libxml2-utils ffmpeg poppler-utils imagemagick libsaxonhe-java chromium
)

t0=$SECONDS

# --- 1. Debian packages ------------------------------------------------------------------------
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  log "installing Debian packages: ${missing[*]}"
  need apt-get "Install these packages by hand: ${missing[*]}"
  sudo=()
  [ "$(id -u)" -eq 0 ] || { need sudo "Run as root, or install: ${missing[*]}"; sudo=(sudo); }
  # flock: several sessions may share one machine; concurrent apt runs fail on dpkg's lock.
  lock=(); command -v flock >/dev/null && lock=(flock /tmp/apt.lock)
  "${sudo[@]}" "${lock[@]}" apt-get update -qq
  "${sudo[@]}" "${lock[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
fi

# --- 2. node_modules ---------------------------------------------------------------------------
need node "Install Node.js 20 (https://nodejs.org or Debian's nodejs)."
need npm "Install npm (it comes with Node.js)."
node -e 'const [M,m]=process.versions.node.split(".").map(Number); process.exit(M>20||(M===20&&m>=19)?0:1)' ||
  die "Node.js >= 20.19 is needed (found $(node --version))."

# node_modules is current when npm's own record of what it installed (node_modules/.package-lock.json)
# has every non-optional package of package-lock.json at the same version.
node_modules_current() {
  node -e '
    const fs = require("fs");
    const lock = JSON.parse(fs.readFileSync("package-lock.json", "utf8")).packages;
    const have = JSON.parse(fs.readFileSync("node_modules/.package-lock.json", "utf8")).packages;
    for (const [path, p] of Object.entries(lock)) {
      if (path === "" || p.optional || p.link) continue;
      if (!have[path] || have[path].version !== p.version) { console.error("stale: " + path); process.exit(1); }
    }' 2>/dev/null
}
CKJS_BINDING=node_modules/@confluentinc/kafka-javascript/build/Release/confluent-kafka-javascript.node
# CKJS_LINKING=dynamic: the client's install script would otherwise download a prebuilt binary (or
# librdkafka's build dependencies) from GitHub, which this network does not reach; this builds
# librdkafka against the Debian -dev packages above instead (~1 min on 2 cores).
export CKJS_LINKING=dynamic
npm_lock=(); command -v flock >/dev/null && npm_lock=(flock /tmp/npm.lock)
# The Kafka client is an optional dependency (the embedded default runs without it: `npm ci
# --omit=optional`), but Kafka mode and the tests need it: a node_modules without it is reinstalled.
if [ ! -d node_modules ] || ! node_modules_current || [ ! -d node_modules/@confluentinc/kafka-javascript ]; then
  log "npm ci (node_modules missing, out of date with package-lock.json, or without the Kafka client)"
  "${npm_lock[@]}" npm ci --no-audit --no-fund
fi
# npm drops an optional package whose build failed without failing itself: say so here, clearly.
[ -d node_modules/@confluentinc/kafka-javascript ] ||
  die "@confluentinc/kafka-javascript failed to build (npm skipped it as optional); see: CKJS_LINKING=dynamic npm install @confluentinc/kafka-javascript"

if [ -d node_modules/@confluentinc/kafka-javascript ] && [ ! -f "$CKJS_BINDING" ]; then
  log "building @confluentinc/kafka-javascript against system libraries"
  "${npm_lock[@]}" npm rebuild @confluentinc/kafka-javascript
fi
if [ -d node_modules/@confluentinc/kafka-javascript ]; then
  node -e 'require("@confluentinc/kafka-javascript")' 2>/dev/null ||
    die "@confluentinc/kafka-javascript does not load; rebuild it: CKJS_LINKING=dynamic npm rebuild @confluentinc/kafka-javascript"
fi

# --- 3. Kafka, Connect and Debezium jars -------------------------------------------------------
# Re-resolved only when tools/kafka-libs/pom.xml changes (its hash is kept beside the jars).
need_java
need mvn "Install Maven (Debian: apt-get install -y maven)."
# Debian's Maven 3.8 prints colour resets even in batch mode: strip them (pipefail keeps mvn's status).
mvn_quiet() { mvn -q -B "$@" 2>&1 | sed 's/\x1b\[[0-9;]*m//g'; }
pom_hash=$(sha256sum "$INFRA_POM" | cut -c1-16)
stamp="$INFRA_DIR/libs.stamp"
if [ "$(cat "$stamp" 2>/dev/null)" != "$pom_hash" ] || [ ! -d "$INFRA_LIBS" ] || [ ! -d "$INFRA_DEBEZIUM" ]; then
  log "resolving Kafka, Connect and Debezium jars from Maven Central into .infra/"
  mkdir -p "$INFRA_DIR"
  rm -rf "$INFRA_LIBS.tmp" "$INFRA_DEBEZIUM.tmp"
  mvn_quiet -f "$INFRA_POM" -P broker dependency:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$INFRA_LIBS.tmp"
  # The connector gets its own folder under plugin.path (Connect loads it in an isolated class
  # loader); the Kafka and SLF4J APIs it was built against come from the worker's classpath.
  mvn_quiet -f "$INFRA_POM" -P debezium dependency:copy-dependencies \
    -DincludeScope=runtime -DexcludeGroupIds=org.apache.kafka,org.slf4j -DoutputDirectory="$INFRA_DEBEZIUM.tmp"
  rm -rf "$INFRA_LIBS" "$INFRA_DEBEZIUM"
  mkdir -p "$INFRA_PLUGINS"
  mv "$INFRA_LIBS.tmp" "$INFRA_LIBS"
  mv "$INFRA_DEBEZIUM.tmp" "$INFRA_DEBEZIUM"
  echo "$pom_hash" >"$stamp"
fi

# --- 4. PostgreSQL binaries (the server itself is started by infra-up.sh) ------------------------
need psql "Install PostgreSQL 15 (Debian: apt-get install -y postgresql-15)."
need pg_isready "Install PostgreSQL 15 (Debian: apt-get install -y postgresql-15)."
[ -n "$(pg_version)" ] || die "No PostgreSQL server cluster under /etc/postgresql (Debian: apt-get install -y postgresql-15)."

log "setup done in $((SECONDS - t0))s"
