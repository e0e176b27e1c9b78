#!/usr/bin/env bash
# Starts a single-node Apache Kafka 4.x (KRaft: one process that is broker and
# controller) from the Maven Central jars of pom.xml, waits until it serves,
# and prints its bootstrap address. Stop it with stop.sh.
#
#   KAFKA_BROKERS=$(bash ci/kafka/start.sh)
#   bash ci/kafka/start.sh --resume   # after stop.sh --keep: same data, same cluster
#
# Besides PLAINTEXT it serves SASL_SSL, as MSK and Confluent Cloud do, on
# KAFKA_SASL_PORT: a throwaway CA and broker certificate made here with
# openssl, a PLAIN user and a SCRAM-SHA-512 user with random passwords. Their
# details go to <work dir>/sasl.env (FINPIPE_TEST_KAFKA_SASL_BROKERS, _CA,
# _USERS) for the tests; nothing secret is committed.
#
# Settings: KAFKA_PORT (default 9092), KAFKA_CONTROLLER_PORT (9093),
# KAFKA_SASL_PORT (9094), KAFKA_WORK_DIR (ci/kafka/target/run: config, data,
# log, pid, tls, sasl.env).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
port=${KAFKA_PORT:-9092}
ctrl=${KAFKA_CONTROLLER_PORT:-9093}
sasl_port=${KAFKA_SASL_PORT:-9094}
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
for p in "$port" "$sasl_port"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
    echo "port $p is already in use" >&2
    exit 1
  fi
done

if ! { $resume && [ -f "$work/data/meta.properties" ] && [ -f "$work/sasl.env" ]; }; then
  resume=false # nothing to resume: a fresh cluster
  rm -rf "$work"
fi
mkdir -p "$work/data"
tls=$work/tls
if ! $resume; then
  # Throwaway CA and a broker certificate for 127.0.0.1, in a PKCS12 keystore.
  mkdir -p "$tls"
  store_pw=$(openssl rand -hex 16)
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=finpipe CI CA" \
    -keyout "$tls/ca.key" -out "$tls/ca.pem" 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" \
    -keyout "$tls/broker.key" -out "$tls/broker.csr" 2>/dev/null
  printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n' >"$tls/ext.cnf"
  openssl x509 -req -in "$tls/broker.csr" -CA "$tls/ca.pem" -CAkey "$tls/ca.key" -CAcreateserial \
    -days 2 -extfile "$tls/ext.cnf" -out "$tls/broker.pem" 2>/dev/null
  openssl pkcs12 -export -in "$tls/broker.pem" -inkey "$tls/broker.key" -certfile "$tls/ca.pem" \
    -name broker -out "$tls/broker.p12" -passout "pass:$store_pw"
  rm -f "$tls/ca.key" "$tls/broker.key" "$tls/broker.csr"
  cat >"$work/sasl.env" <<ENV
store_pw=$store_pw
plain_user=finpipe-plain
plain_pw=$(openssl rand -hex 16)
scram_user=finpipe-scram
scram_pw=$(openssl rand -hex 16)
ENV
  chmod 600 "$work/sasl.env"
fi
# shellcheck source=/dev/null
. "$work/sasl.env"
cat >"$work/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$ctrl
listeners=PLAINTEXT://127.0.0.1:$port,SASL_SSL://127.0.0.1:$sasl_port,CONTROLLER://127.0.0.1:$ctrl
advertised.listeners=PLAINTEXT://127.0.0.1:$port,SASL_SSL://127.0.0.1:$sasl_port
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,SASL_SSL:SASL_SSL,CONTROLLER:PLAINTEXT
sasl.enabled.mechanisms=PLAIN,SCRAM-SHA-512
listener.name.sasl_ssl.sasl.enabled.mechanisms=PLAIN,SCRAM-SHA-512
listener.name.sasl_ssl.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required user_$plain_user="$plain_pw";
listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
listener.name.sasl_ssl.ssl.keystore.type=PKCS12
listener.name.sasl_ssl.ssl.keystore.location=$tls/broker.p12
listener.name.sasl_ssl.ssl.keystore.password=$store_pw
listener.name.sasl_ssl.ssl.key.password=$store_pw
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
  # SCRAM credentials live in the cluster metadata, so they are added at format.
  java "${java_opts[@]}" -cp "$cp" kafka.tools.StorageTool format \
    -t "$cluster_id" -c "$work/server.properties" \
    --add-scram "SCRAM-SHA-512=[name=$scram_user,password=$scram_pw]" >"$work/format.log" 2>&1 || {
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
    sed -i '/^FINPIPE_TEST_KAFKA_SASL_/d' "$work/sasl.env" # a resumed broker's previous lines
    cat >>"$work/sasl.env" <<ENV
FINPIPE_TEST_KAFKA_SASL_BROKERS=127.0.0.1:$sasl_port
FINPIPE_TEST_KAFKA_SASL_CA=$tls/ca.pem
FINPIPE_TEST_KAFKA_SASL_USERS=PLAIN=$plain_user:$plain_pw,SCRAM-SHA-512=$scram_user:$scram_pw
ENV
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
