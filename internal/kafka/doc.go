// Package kafka holds FinPipe's Kafka plumbing on top of librdkafka
// (confluent-kafka-go): topic administration, a tuned producer configuration,
// a bounded range reader for the ingest task, and an embedded Kafka-protocol
// broker (franz-go's kfake) for standalone runs and tests.
//
// Every call that talks to a cluster is bounded in time (DefaultTimeout, or
// the context's deadline when sooner), so an unreachable cluster or a missing
// topic is a clear error, never a hang: librdkafka itself retries forever.
//
// The cluster is a Conn: brokers plus TLS and SASL (security.go), which
// every function here accepts, or a bare broker list meaning PLAINTEXT. A
// refused login or TLS handshake ends a call at once with an error wrapping
// ErrAuthentication (authfail.go), since librdkafka would only retry it.
//
// librdkafka talks to kfake with its default settings (api.version.request
// on): the tests here exercise the idempotent lz4 producer, CreateTopics,
// DeleteTopics, ListOffsets, metadata and assign-and-fetch against the
// embedded broker and, with KAFKA_BROKERS set, against Apache Kafka 4.1.
package kafka

import (
	"context"
	"errors"
	"fmt"
	"time"

	ck "github.com/confluentinc/confluent-kafka-go/v2/kafka"
)

// Defaults of the pipeline's topic (DESIGN.md).
const (
	DefaultTopic      = "transactions"
	DefaultPartitions = 3
)

// DefaultTimeout bounds each cluster call, and how long a read may go
// without progress.
const DefaultTimeout = 15 * time.Second

// ErrTopicNotFound is returned (wrapped) when a topic does not exist.
var ErrTopicNotFound = errors.New("topic does not exist")

// baseConfig is what every client of ours shares. Logs of librdkafka go to
// stderr at warning level and above, which is where an operator looks.
func baseConfig(conn Conn) ck.ConfigMap {
	cfg := ck.ConfigMap{
		"bootstrap.servers":                  conn.Brokers,
		"client.id":                          "finpipe",
		"socket.timeout.ms":                  10000,
		"socket.keepalive.enable":            true,
		"socket.nagle.disable":               true, // small requests (metadata, offsets) must not wait ~40 ms
		"topic.metadata.refresh.interval.ms": 30000,
		"log_level":                          4,
		"log.connection.close":               false,
		"allow.auto.create.topics":           false,
	}
	conn.Security.apply(cfg)
	return cfg
}

// budget returns the time a cluster call may take: DefaultTimeout, or less
// when the context ends sooner. A task with an hour-long timeout still learns
// within seconds that the cluster is unreachable, and retries.
func budget(ctx context.Context) time.Duration {
	if dl, ok := ctx.Deadline(); ok {
		return max(min(time.Until(dl), DefaultTimeout), time.Millisecond)
	}
	return DefaultTimeout
}

func millis(d time.Duration) int {
	if ms := int(d / time.Millisecond); ms > 0 {
		return ms
	}
	return 1
}

// clusterError explains a failed cluster call in terms of what to check.
func clusterError(brokers Conn, what string, err error) error {
	if errors.Is(err, ErrAuthentication) {
		return err // already says what to check
	}
	if aerr := authFailure(brokers, err); aerr != nil {
		return aerr
	}
	var kerr ck.Error
	if errors.As(err, &kerr) {
		switch kerr.Code() {
		case ck.ErrTimedOut, ck.ErrTransport, ck.ErrAllBrokersDown, ck.ErrTimedOutQueue:
			return fmt.Errorf("kafka at %s: %s: cluster unreachable or not answering (%v); check KAFKA_BROKERS and that the broker is running", brokers, what, err)
		}
	}
	return fmt.Errorf("kafka at %s: %s: %w", brokers, what, err)
}
