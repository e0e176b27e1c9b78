#!/usr/bin/env bash
# Runs the Kafka tests (every Go test package that calls testenv.Kafka)
# against a real single-node Apache Kafka started with start.sh, and stops it
# at the end whatever happens. Extra arguments go to `go test` (e.g. -run X).
#
#   bash ci/kafka/test.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
brokers=$(bash ci/kafka/start.sh)
trap 'bash ci/kafka/stop.sh' EXIT
mapfile -t pkgs < <(grep -rl --include='*_test.go' 'testenv\.Kafka(' . | xargs -n1 dirname | sort -u)
echo "== Kafka tests against Apache Kafka at $brokers: ${pkgs[*]}"
KAFKA_BROKERS=$brokers go test -count=1 -timeout 30m "$@" "${pkgs[@]}"
