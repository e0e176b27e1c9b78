#!/usr/bin/env bash
# Runs the Kafka tests (every Go test package that calls testenv.Kafka)
# against a real single-node Apache Kafka started with start.sh, and stops it
# at the end whatever happens. The TLS and SASL tests of internal/kafka use
# its SASL_SSL listener (FINPIPE_TEST_KAFKA_SASL_* from start.sh's sasl.env). Extra arguments go to `go test` (e.g. -run X).
#
#   bash ci/kafka/test.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
brokers=$(bash ci/kafka/start.sh)
trap 'bash ci/kafka/stop.sh' EXIT
work=${KAFKA_WORK_DIR:-ci/kafka/target/run}
set -a
# shellcheck source=/dev/null
. <(grep '^FINPIPE_TEST_KAFKA_SASL_' "$work/sasl.env")
set +a
mapfile -t pkgs < <(grep -rl --include='*_test.go' 'testenv\.Kafka(' . | xargs -n1 dirname | sort -u)
echo "== Kafka tests against Apache Kafka at $brokers: ${pkgs[*]}"
KAFKA_BROKERS=$brokers go test -count=1 -timeout 30m "$@" "${pkgs[@]}"
