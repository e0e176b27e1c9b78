#!/usr/bin/env bash
# Starts a single-node Apache Kafka 4.x (KRaft: one process that is broker and
# controller) from the Maven Central jars of pom.xml, waits until it serves,
# and prints its bootstrap address. Stop it with stop.sh.
#
#   KAFKA_BROKERS=$(bash ci/kafka/start.sh)
#   bash ci/kafka/start.sh --resume   # after stop.sh --keep: same data, same cluster
#
# Settings: KAFKA_PORT (default 9092), KAFKA_CONTROLLER_PORT (9093),
# KAFKA_WORK_DIR (ci/kafka/target/run: config, data, log, pid).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
port=${KAFKA_PORT:-9092}
ctrl=${KAFKA_CONTROLLER_PORT:-9093}
work=${KAFKA_WORK_DIR:-$here/target/run}
libs=$here/target/libs
resume=false
if [ "${1:-}" = "--resume" ]; then resume=true; fi

if ! ls "$libs"/kafka_2.13-*.jar >/dev/null 2>&1; then
  echo "fetching Kafka jars from Maven Central..." >&2
  mvn -q -B -f "$here/pom.xml" dependency:copy-dependencies >&2
fi
if [ -f "$work/kafka.pid" ] && kill -0 "$(cat "$work/kafka.pid")" 2>/dev/null; then
  echo "kafka already running (pid $(cat "$work/kafka.pid")); stop it with ci/kafka/stop.sh" >&2
  exit 1
fi
if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
  echo "port $port is already in use" >&2
  exit 1
fi

if ! { $resume && [ -f "$work/data/meta.properties" ]; }; then
  resume=false # nothing to resume: a fresh cluster
  rm -rf "$work"
fi
mkdir -p "$work/data"
cat >"$work/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$ctrl
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$ctrl
advertised.listeners=PLAINTEXT://127.0.0.1:$port
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$work/data
num.partitions=3
auto.create.topics.enable=false
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
PROPS

java_opts=(-Xms256m -Xmx1g -XX:+UseG1GC -Djava.awt.headless=true
  -Dorg.slf4j.simpleLogger.defaultLogLevel=info -Dorg.slf4j.simpleLogger.showDateTime=true)
cp="$libs/*"
if ! $resume; then
  cluster_id=$(java -cp "$cp" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -1)
  java "${java_opts[@]}" -cp "$cp" kafka.tools.StorageTool format \
    -t "$cluster_id" -c "$work/server.properties" >"$work/format.log" 2>&1 || {
    cat "$work/format.log" >&2
    exit 1
  }
fi

touch "$work/kafka.log"
log_start=$(($(wc -l <"$work/kafka.log") + 1)) # a resumed broker appends to its log
# setsid: the broker outlives this script and is stopped by stop.sh by pid.
setsid java "${java_opts[@]}" -cp "$cp" kafka.Kafka "$work/server.properties" \
  >>"$work/kafka.log" 2>&1 </dev/null &
echo $! >"$work/kafka.pid"

for _ in $(seq 1 240); do
  if tail -n +"$log_start" "$work/kafka.log" 2>/dev/null | grep -q "Kafka Server started"; then
    echo "127.0.0.1:$port"
    exit 0
  fi
  if ! kill -0 "$(cat "$work/kafka.pid")" 2>/dev/null; then
    echo "kafka exited during start-up; last log lines:" >&2
    tail -n 40 "$work/kafka.log" >&2
    exit 1
  fi
  sleep 0.5
done
echo "kafka did not start within 120 s; last log lines:" >&2
tail -n 40 "$work/kafka.log" >&2
exit 1
