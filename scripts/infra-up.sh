#!/usr/bin/env bash
# Starts, on 127.0.0.1, the services the integration tests and Kafka mode use (a no-op for any that is
# already up; run scripts/setup.sh first):
#   - Kafka 4.4 broker, single node in KRaft mode (broker + controller in one JVM): 9092, controller 9093
#   - Kafka Connect (standalone worker, REST API) with Debezium's PostgreSQL connector: 8083
#   - the machine's PostgreSQL (127.0.0.1:5432) with wal_level=logical and a database metis_streams
# Kafka and Connect keep their config, data, PID and log under .infra/{kafka,connect}/.
# Stop with scripts/infra-down.sh; see what runs with scripts/infra-status.sh.
set -euo pipefail
. "$(dirname "$0")/infra/common.sh"
hold_lock infra
cd "$INFRA_ROOT"

[ -d "$INFRA_LIBS" ] && [ -d "$INFRA_DEBEZIUM" ] || die "no jars in .infra/libs; run scripts/setup.sh first."
need_java
need curl "Install curl (Debian: apt-get install -y curl)."
need pg_isready "Install PostgreSQL 15 (Debian: apt-get install -y postgresql-15)."
need psql "Install PostgreSQL 15 (Debian: apt-get install -y postgresql-15)."

t0=$SECONDS
CP="$INFRA_LIBS/*"
LOG4J="-Dlog4j2.configurationFile=$INFRA_ROOT/scripts/infra/log4j2.properties"

# refuse_foreign PORT NAME PIDFILE: fail when PORT is taken by a process that is not ours.
refuse_foreign() {
  if port_open "$1" && ! pid_alive "$3"; then
    local owner; owner=$(port_owner "$1")
    die "port $1 ($2) is already in use${owner:+ by PID $owner ($(tr '\0' ' ' </proc/"$owner"/cmdline 2>/dev/null | cut -c1-160))}; stop it, or run scripts/infra-down.sh in the checkout that started it."
  fi
}

# check_ours NAME PIDFILE PORT: when our process from PIDFILE runs, it must be the one serving PORT
# (the ports follow KAFKA_BROKERS / KAFKA_CONNECT_URL, which may have changed since it started).
check_ours() {
  pid_alive "$2" || return 0
  local pid was; pid=$(cat "$2"); was=$(cat "$2.port" 2>/dev/null || echo "$3")
  [ "$was" = "$3" ] || die "$1 of this checkout (PID $pid) runs on port $was, not $3; run scripts/infra-down.sh first."
}

# start_java NAME PIDFILE LOGFILE JVM-ARGS...: start detached (own session, so Ctrl-C on a test run
# does not stop it) with its output in LOGFILE (the previous run's log is kept as LOGFILE.1).
start_java() {
  local name=$1 pidf=$2 logf=$3; shift 3
  [ -f "$logf" ] && mv -f "$logf" "$logf.1"
  setsid java "$@" >"$logf" 2>&1 </dev/null 9>&- &  # 9>&-: the JVM must not inherit the lock
  echo $! >"$pidf"
  log "$name starting (PID $!, log ${logf#"$INFRA_ROOT"/})"
}

# --- PostgreSQL ---------------------------------------------------------------------------------
pg_up() { pg_isready -q -h "$PG_HOST" -p "$PG_PORT"; }
pg_ctl_main() {
  local v; v=$(pg_version)
  [ -n "$v" ] || die "no PostgreSQL cluster under /etc/postgresql (Debian: apt-get install -y postgresql-15)."
  [ "$(id -u)" -eq 0 ] || die "PostgreSQL must be ${1}ed as root: sudo pg_ctlcluster --skip-systemctl-redirect $v main $1"
  log "PostgreSQL $v/main: $1"
  # 9>&-: the postmaster outlives this script and must not inherit the lock (a later infra-up would wait forever).
  pg_ctlcluster --skip-systemctl-redirect "$v" main "$1" 9>&- ||
    { tail -n 30 "/var/log/postgresql/postgresql-$v-main.log" >&2 || true; die "pg_ctlcluster $v main $1 failed"; }
  wait_until 60 "PostgreSQL on $PG_HOST:$PG_PORT" "/var/log/postgresql/postgresql-$v-main.log" "" pg_up
}
pg_up || pg_ctl_main start
pg_sql -d postgres -c 'select 1' >/dev/null ||
  die "cannot log in to PostgreSQL at $PG_HOST:$PG_PORT as postgres without a password (expected trust auth on 127.0.0.1)."
if [ "$(pg_sql -d postgres -c 'show wal_level')" != logical ]; then
  # Debezium decodes the write-ahead log (pgoutput), which needs logical level; takes effect on restart.
  pg_sql -d postgres -c 'ALTER SYSTEM SET wal_level = logical'
  pg_ctl_main restart
  [ "$(pg_sql -d postgres -c 'show wal_level')" = logical ] || die "wal_level is still not logical after the restart."
fi
if [ -z "$(pg_sql -d postgres -c "select 1 from pg_database where datname = '$PG_DATABASE'")" ]; then
  pg_sql -d postgres -c "CREATE DATABASE $PG_DATABASE"
  log "PostgreSQL: created database $PG_DATABASE"
fi
log "PostgreSQL ready on $PG_HOST:$PG_PORT (wal_level=logical, database $PG_DATABASE)"

# --- Kafka broker (KRaft, combined broker + controller) -----------------------------------------
KDIR="$INFRA_DIR/kafka"
KPID="$KDIR/kafka.pid"
KLOG="$KDIR/kafka.log"
mkdir -p "$KDIR/data"
kafka_ready() { port_open "$KAFKA_PORT" && grep -q 'Kafka Server started' "$KLOG"; }
check_ours Kafka "$KPID" "$KAFKA_PORT"
if pid_alive "$KPID" && kafka_ready; then
  log "Kafka already running (PID $(cat "$KPID")) on $KAFKA_HOST:$KAFKA_PORT"
else
  if ! pid_alive "$KPID"; then
    refuse_foreign "$KAFKA_PORT" "Kafka" "$KPID"
    refuse_foreign "$KAFKA_CONTROLLER_PORT" "Kafka controller" "$KPID"
    cat >"$KDIR/server.properties" <<PROPS
# Written by scripts/infra-up.sh on every start: edit the script, not this file.
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=$KAFKA_HOST:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://$KAFKA_HOST:$KAFKA_PORT,CONTROLLER://$KAFKA_HOST:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://$KAFKA_HOST:$KAFKA_PORT,CONTROLLER://$KAFKA_HOST:$KAFKA_CONTROLLER_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$KDIR/data
# One node: every internal topic has one replica.
offsets.topic.replication.factor=1
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=10
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
num.partitions=1
default.replication.factor=1
# Tests start consumer groups constantly: no 3 s wait for more members.
group.initial.rebalance.delay.ms=0
# KIP-848 groups (the engine's default protocol): a killed member's partitions move after 2.5 s, not
# Kafka's default 45 s; members heartbeat every 250 ms (librdkafka's own thread, not the event loop).
group.consumer.min.session.timeout.ms=1000
group.consumer.session.timeout.ms=2500
group.consumer.min.heartbeat.interval.ms=100
group.consumer.heartbeat.interval.ms=250
# A dead producer's open transaction is aborted within a second of its timeout (default check: 10 s).
transaction.abort.timed.out.transaction.cleanup.interval.ms=1000
# Topics are normally created explicitly (with their partition counts); auto-creation stays on for tools.
auto.create.topics.enable=true
PROPS
    if [ ! -f "$KDIR/data/meta.properties" ]; then
      cluster_id=$(java -cp "$CP" $LOG4J kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n1)
      java -cp "$CP" $LOG4J kafka.tools.StorageTool format --standalone -t "$cluster_id" \
        -c "$KDIR/server.properties" --ignore-formatted >"$KDIR/format.log" 2>&1 ||
        { cat "$KDIR/format.log" >&2; die "formatting the Kafka log directory failed"; }
      log "Kafka: formatted $KDIR/data (cluster $cluster_id)"
    fi
    # shellcheck disable=SC2086 # heap options are a word list
    echo "$KAFKA_PORT" >"$KPID.port"
    start_java Kafka "$KPID" "$KLOG" $KAFKA_HEAP_OPTS -XX:+UseG1GC -XX:MaxGCPauseMillis=20 \
      -Djava.awt.headless=true $LOG4J -cp "$CP" kafka.Kafka "$KDIR/server.properties"
  fi
  wait_until 90 "Kafka broker on $KAFKA_HOST:$KAFKA_PORT" "$KLOG" "$KPID" kafka_ready
  log "Kafka ready on $KAFKA_HOST:$KAFKA_PORT (controller $KAFKA_CONTROLLER_PORT)"
fi

# --- Kafka Connect (standalone) with Debezium ---------------------------------------------------
# Standalone: one worker, no rebalances, connectors created over REST live until the worker stops
# (tests create and delete their own); source offsets go to a file.
CDIR="$INFRA_DIR/connect"
CPID="$CDIR/connect.pid"
CLOG="$CDIR/connect.log"
mkdir -p "$CDIR"
connect_ready() { curl -sf --max-time 2 "$KAFKA_CONNECT_URL/connector-plugins" | grep -q PostgresConnector; }
check_ours "Kafka Connect" "$CPID" "$CONNECT_PORT"
if pid_alive "$CPID" && connect_ready; then
  log "Kafka Connect already running (PID $(cat "$CPID")) at $KAFKA_CONNECT_URL"
else
  if ! pid_alive "$CPID"; then
    refuse_foreign "$CONNECT_PORT" "Kafka Connect REST" "$CPID"
    cat >"$CDIR/worker.properties" <<PROPS
# Written by scripts/infra-up.sh on every start: edit the script, not this file.
bootstrap.servers=$KAFKA_HOST:$KAFKA_PORT
listeners=http://127.0.0.1:$CONNECT_PORT
key.converter=org.apache.kafka.connect.json.JsonConverter
value.converter=org.apache.kafka.connect.json.JsonConverter
key.converter.schemas.enable=false
value.converter.schemas.enable=false
offset.storage.file.filename=$CDIR/connect.offsets
offset.flush.interval.ms=1000
plugin.path=$INFRA_PLUGINS
# Debezium ships ServiceLoader manifests: no reflective scan of every jar at start.
plugin.discovery=service_load
PROPS
    # shellcheck disable=SC2086
    echo "$CONNECT_PORT" >"$CPID.port"
    start_java "Kafka Connect" "$CPID" "$CLOG" $CONNECT_HEAP_OPTS -XX:+UseG1GC -Djava.awt.headless=true $LOG4J \
      -cp "$CP" org.apache.kafka.connect.cli.ConnectStandalone "$CDIR/worker.properties"
  fi
  wait_until 120 "Kafka Connect at $KAFKA_CONNECT_URL (with the Debezium PostgreSQL connector)" "$CLOG" "$CPID" connect_ready
  log "Kafka Connect ready at $KAFKA_CONNECT_URL"
fi

log "all services up in $((SECONDS - t0))s: KAFKA_BROKERS=$KAFKA_BROKERS KAFKA_CONNECT_URL=$KAFKA_CONNECT_URL METIS_PG_URL=$METIS_PG_URL"
