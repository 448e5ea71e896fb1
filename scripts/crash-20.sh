#!/usr/bin/env bash
# Runs the pipeline crash test (test/integration/pipeline-kafka-crash.test.ts: 2 workers on Kafka, one
# SIGKILLed 3 times mid-run and restarted, database compared with a clean run, outcomes topic checked
# for duplicated events) RUNS times in a row (default 20) and stops at the first failure. Not part of
# CI (1.3–4 minutes a run alone on 2 cores, 6–17 at load 20–40). Needs the services (scripts/infra-up.sh).
#
#   bash scripts/crash-20.sh [RUNS]            logs in $CRASH_LOG_DIR (default: a new temp folder)
#   PIPELINE_CRASH_RECORDS=600 bash scripts/crash-20.sh 5
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-20}"
logs="${CRASH_LOG_DIR:-$(mktemp -d -t metis-crash-XXXXXX)}"
mkdir -p "$logs"
echo "crash test x$runs, logs in $logs"
for i in $(seq 1 "$runs"); do
  started=$(date +%s)
  mkdir -p "$logs/run-$i"
  if LOG_LEVEL="${LOG_LEVEL:-info}" PIPELINE_DEBUG_DIR="$logs/run-$i" node --import tsx --test --test-timeout=2400000 \
    test/integration/pipeline-kafka-crash.test.ts >"$logs/run-$i/test.log" 2>&1; then
    echo "run $i/$runs: pass in $(($(date +%s) - started)) s; $(grep -h '^# .*\(SIGKILLs\|time to recover\)' "$logs/run-$i/test.log" | sed 's/^# //' | tr '\n' ' ')"
  else
    echo "run $i/$runs: FAIL after $(($(date +%s) - started)) s (log: $logs/run-$i/test.log)"
    grep -E 'duplicated outcomes|AssertionError|Error:' "$logs/run-$i/test.log" | head -20
    exit 1
  fi
done
echo "crash test: $runs of $runs runs passed"
