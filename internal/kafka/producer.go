package kafka

import (
	"context"
	"fmt"

	ck "github.com/confluentinc/confluent-kafka-go/v2/kafka"
)

// ProducerConfig is FinPipe's producer configuration: durable (acks=all,
// idempotent, so retries never duplicate or reorder) and tuned for
// throughput (large lz4-compressed batches, a short linger). Delivery
// reports carry no key or value, since only their errors and offsets matter.
func ProducerConfig[C Cluster](cluster C) ck.ConfigMap {
	cfg := baseConfig(connOf(cluster))
	for k, v := range map[string]any{
		"acks":                         "all",
		"enable.idempotence":           true,
		"compression.type":             "lz4",
		"linger.ms":                    20,
		"batch.size":                   1 << 20,
		"batch.num.messages":           100000,
		"queue.buffering.max.messages": 500000,
		"queue.buffering.max.kbytes":   64 << 10, // bounds RSS; 1 MB batches need far less
		"message.timeout.ms":           60000,
		"go.delivery.report.fields":    "none",
	} {
		cfg[k] = v
	}
	return cfg
}

// NewProducer opens a producer with ProducerConfig. Connection problems
// surface as delivery errors within message.timeout.ms. With TLS or SASL it
// first waits for the cluster's answer (within DefaultTimeout), so that
// rejected credentials are an error here, not a minute of queued messages
// timing out with librdkafka's error events unread.
func NewProducer[C Cluster](cluster C) (*ck.Producer, error) {
	conn := connOf(cluster)
	cfg := ProducerConfig(conn)
	p, err := ck.NewProducer(&cfg)
	if err != nil {
		return nil, fmt.Errorf("kafka at %s: producer: %w", conn, err)
	}
	if conn.Security.protocol() == "plaintext" {
		return p, nil
	}
	queued := func() ck.Event {
		select {
		case ev := <-p.Events():
			return ev
		default:
			return nil
		}
	}
	pending := func() error { return eventFailure(conn, queued) }
	if _, err := awaitMetadata(context.Background(), p, nil, pending); err != nil {
		p.Close()
		return nil, clusterError(conn, "producer", err)
	}
	return p, nil
}
