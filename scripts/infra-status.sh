#!/usr/bin/env bash
# Prints what runs of the infrastructure (Kafka, Kafka Connect, PostgreSQL) and where.
# Exit status: 0 when all three are up, 1 otherwise.
set -uo pipefail
. "$(dirname "$0")/infra/common.sh"

ok=0
line() { printf '%-15s %-5s %s\n' "$1" "$2" "$3"; }
pid_of() { pid_alive "$1" && echo "PID $(cat "$1")" || echo "no PID of ours"; }

if port_open "$KAFKA_PORT"; then line Kafka up "$KAFKA_HOST:$KAFKA_PORT, controller $KAFKA_CONTROLLER_PORT ($(pid_of "$INFRA_DIR/kafka/kafka.pid"))"
else line Kafka down "$KAFKA_HOST:$KAFKA_PORT"; ok=1; fi

if plugins=$(curl -sf --max-time 2 "$KAFKA_CONNECT_URL/connector-plugins"); then
  connectors=$(curl -sf --max-time 2 "$KAFKA_CONNECT_URL/connectors" || echo '?')
  dbz=$(grep -o 'PostgresConnector","type":"source","version":"[^"]*' <<<"$plugins" | sed 's/.*"//')
  line "Kafka Connect" up "$KAFKA_CONNECT_URL ($(pid_of "$INFRA_DIR/connect/connect.pid")); Debezium PostgreSQL ${dbz:-MISSING}; connectors $connectors"
  [ -n "$dbz" ] || ok=1
else line "Kafka Connect" down "$KAFKA_CONNECT_URL"; ok=1; fi

if pg_isready -q -h "$PG_HOST" -p "$PG_PORT" 2>/dev/null; then
  wal=$(pg_sql -d postgres -c 'show wal_level' 2>/dev/null || echo '?')
  slots=$(pg_sql -d postgres -c "select coalesce(string_agg(slot_name || case when active then '(active)' else '' end, ' '), 'none') from pg_replication_slots" 2>/dev/null || echo '?')
  db=$(pg_sql -d postgres -c "select datname from pg_database where datname = '$PG_DATABASE'" 2>/dev/null)
  line PostgreSQL up "$PG_HOST:$PG_PORT; wal_level=$wal; database $PG_DATABASE $([ -n "$db" ] && echo exists || echo MISSING); replication slots: $slots"
  [ "$wal" = logical ] && [ -n "$db" ] || ok=1
else line PostgreSQL down "$PG_HOST:$PG_PORT"; ok=1; fi

exit $ok
