#!/usr/bin/env bash
# Stops the Kafka that start.sh started (by its recorded pid) and removes its
# data, or keeps it with --keep (for start.sh --resume: a broker restart).
# Safe to run when it is not running.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=${KAFKA_WORK_DIR:-$here/target/run}
pidfile=$work/kafka.pid
if [ -f "$pidfile" ]; then
  pid=$(cat "$pidfile")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"
    for _ in $(seq 1 60); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.5
    done
    if kill -0 "$pid" 2>/dev/null; then
      echo "kafka (pid $pid) did not stop within 30 s; killing it" >&2
      kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
fi
if [ "${1:-}" != "--keep" ]; then
  rm -rf "$work"
fi
