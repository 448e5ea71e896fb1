# Shared settings and helpers for scripts/setup.sh, infra-up.sh, infra-down.sh and infra-status.sh.
# Sourced, not run. Every path is absolute, rooted at the checkout, so the scripts work from any folder.

INFRA_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
INFRA_DIR="$INFRA_ROOT/.infra"
INFRA_LIBS="$INFRA_DIR/libs"                         # broker + Connect classpath (flat)
INFRA_PLUGINS="$INFRA_DIR/plugins"                   # Connect plugin.path
INFRA_DEBEZIUM="$INFRA_PLUGINS/debezium-connector-postgres"
INFRA_POM="$INFRA_ROOT/tools/kafka-libs/pom.xml"

# The addresses everything uses; code and tests fall back to the same values when these are unset.
# Set KAFKA_BROKERS / KAFKA_CONNECT_URL (before infra-up and the tests) to run a second checkout's
# broker and Connect beside the first on other ports; the controller takes the broker's port + 1.
: "${KAFKA_BROKERS:=127.0.0.1:9092}"
: "${KAFKA_CONNECT_URL:=http://127.0.0.1:8083}"
: "${METIS_PG_URL:=postgres://postgres@127.0.0.1:5432/metis_streams}"
KAFKA_HOST=127.0.0.1
KAFKA_PORT=${KAFKA_BROKERS##*:}
KAFKA_PORT=${KAFKA_PORT%%,*}
: "${KAFKA_CONTROLLER_PORT:=$((KAFKA_PORT + 1))}"
CONNECT_PORT=${KAFKA_CONNECT_URL##*:}
CONNECT_PORT=${CONNECT_PORT%%/*}
# The machine's PostgreSQL: host, port and database are read from METIS_PG_URL (postgres://user@host:port/db).
PG_HOST=$(sed -E 's#^[a-z]+://([^@/]*@)?([^:/]+).*#\2#' <<<"$METIS_PG_URL")
PG_PORT=$(sed -nE 's#^[a-z]+://([^@/]*@)?[^:/]+:([0-9]+).*#\2#p' <<<"$METIS_PG_URL")
: "${PG_PORT:=5432}"
PG_DATABASE=${METIS_PG_URL##*/}
PG_DATABASE=${PG_DATABASE%%\?*}
export KAFKA_BROKERS KAFKA_CONNECT_URL METIS_PG_URL

# Heap bounds: the machine has 2 cores and 24 GiB, shared with the tests and the machine's own services.
: "${KAFKA_HEAP_OPTS:=-Xms256m -Xmx768m}"
: "${CONNECT_HEAP_OPTS:=-Xms128m -Xmx512m}"

log() { printf '[infra] %s\n' "$*"; }
die() { printf '[infra] ERROR: %s\n' "$*" >&2; exit 1; }

# need CMD HINT: fail with an install hint when a binary is missing.
need() { command -v "$1" >/dev/null 2>&1 || die "'$1' not found on PATH. $2"; }

need_java() {
  need java "Install a JDK 17+ (Debian: apt-get install -y openjdk-17-jdk-headless)."
  local v
  v=$(java -XshowSettings:properties -version 2>&1 | awk -F' = ' '/java.specification.version/ {print $2}')
  [ "${v%%.*}" -ge 17 ] 2>/dev/null || die "Java 17+ is needed for Kafka 4 and Debezium 3 (found java.specification.version=$v)."
}

# True when something accepts TCP connections on 127.0.0.1:PORT.
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# PID listening on PORT (empty when none, or when ss cannot tell).
port_owner() { ss -Hltnp "sport = :$1" 2>/dev/null | grep -o 'pid=[0-9]*' | head -n1 | cut -d= -f2; }

# pid_alive FILE: the PID in FILE is a running process.
pid_alive() { [ -s "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

# wait_until DEADLINE_SECONDS DESCRIPTION LOGFILE PIDFILE CMD...: poll CMD every 0.5 s; on timeout,
# or when the process in PIDFILE dies meanwhile, print the log's tail and fail.
wait_until() {
  local secs=$1 what=$2 logf=$3 pidf=$4; shift 4
  local end=$((SECONDS + secs))
  while ! "$@" >/dev/null 2>&1; do
    if [ -n "$pidf" ] && ! pid_alive "$pidf"; then
      printf '[infra] ERROR: %s: the process exited. Last lines of %s:\n' "$what" "$logf" >&2
      tail -n 40 "$logf" >&2 || true
      exit 1
    fi
    if [ "$SECONDS" -ge "$end" ]; then
      printf '[infra] ERROR: %s: not ready after %ss. Last lines of %s:\n' "$what" "$secs" "$logf" >&2
      tail -n 40 "$logf" >&2 || true
      exit 1
    fi
    sleep 0.5
  done
}

# The cluster directory of the machine's PostgreSQL (Debian layout: /etc/postgresql/<version>/main).
pg_version() { ls /etc/postgresql 2>/dev/null | sort -V | tail -n1; }

# psql as the superuser over TCP (the machine's cluster trusts 127.0.0.1).
pg_sql() { psql -X -q -v ON_ERROR_STOP=1 -h "$PG_HOST" -p "$PG_PORT" -U postgres -At "$@"; }

# hold_lock NAME: serialize this script against another run of the same kind from this checkout
# (several people or test runs may call it at once); released when the script exits.
hold_lock() {
  mkdir -p "$INFRA_DIR"
  exec 9>"$INFRA_DIR/$1.lock"
  if command -v flock >/dev/null 2>&1 && ! flock -n 9; then
    log "waiting for another $1 run in this checkout"
    flock 9
  fi
}
