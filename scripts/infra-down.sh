#!/usr/bin/env bash
# Stops the Kafka Connect worker and the Kafka broker that scripts/infra-up.sh started from this
# checkout (by the PIDs in .infra/). Leaves the machine's PostgreSQL running: it is the machine's
# service, not ours. Fine when nothing runs. Data stays in .infra/ (delete the folder to start afresh).
set -euo pipefail
. "$(dirname "$0")/infra/common.sh"
hold_lock infra

# stop NAME PIDFILE: SIGTERM (a clean shutdown), then SIGKILL after 30 s.
stop() {
  local name=$1 pidf=$2
  if ! pid_alive "$pidf"; then
    rm -f "$pidf" "$pidf.port"
    log "$name: not running"
    return 0
  fi
  local pid; pid=$(cat "$pidf")
  kill -TERM "$pid" 2>/dev/null || true
  local end=$((SECONDS + 30))
  while kill -0 "$pid" 2>/dev/null && [ "$SECONDS" -lt "$end" ]; do sleep 0.2; done
  if kill -0 "$pid" 2>/dev/null; then
    log "$name (PID $pid) did not stop within 30 s: SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$pidf" "$pidf.port"
  log "$name stopped (PID $pid)"
}

# Connect first: it is a client of the broker.
stop "Kafka Connect" "$INFRA_DIR/connect/connect.pid"
stop "Kafka" "$INFRA_DIR/kafka/kafka.pid"
