package kafka

import (
	"fmt"

	ck "github.com/confluentinc/confluent-kafka-go/v2/kafka"
)

// ProducerConfig is FinPipe's producer configuration: durable (acks=all,
// idempotent, so retries never duplicate or reorder) and tuned for
// throughput (large lz4-compressed batches, a short linger). Delivery
// reports carry no key or value, since only their errors and offsets matter.
func ProducerConfig(brokers string) ck.ConfigMap {
	cfg := baseConfig(brokers)
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
// surface as delivery errors within message.timeout.ms.
func NewProducer(brokers string) (*ck.Producer, error) {
	cfg := ProducerConfig(brokers)
	p, err := ck.NewProducer(&cfg)
	if err != nil {
		return nil, fmt.Errorf("kafka at %s: producer: %w", brokers, err)
	}
	return p, nil
}
