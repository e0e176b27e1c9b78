package testenv

import (
	"context"
	"errors"
	"testing"
	"time"

	ck "github.com/confluentinc/confluent-kafka-go/v2/kafka"
)

// SetTopicConfig sets one config of topic on the test broker. A transport
// failure fails the test; the broker's answer for the topic is returned, so
// that a test can tell a refused value from a key the broker does not know
// (see IsUnknownConfig).
func SetTopicConfig(t testing.TB, brokers, topic, key, value string) error {
	t.Helper()
	a, err := ck.NewAdminClient(&ck.ConfigMap{"bootstrap.servers": brokers})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	res, err := a.IncrementalAlterConfigs(ctx, []ck.ConfigResource{{Type: ck.ResourceTopic, Name: topic,
		Config: []ck.ConfigEntry{{Name: key, Value: value, IncrementalOperation: ck.AlterConfigOpTypeSet}}}})
	if err != nil {
		t.Fatal(err)
	}
	if res[0].Error.Code() != ck.ErrNoError {
		return res[0].Error
	}
	return nil
}

// AllowFutureTimestamps lets topic take records stamped up to 30 days ahead.
// Apache Kafka 3.6+ refuses records more than an hour ahead of the broker's
// clock (message.timestamp.after.max.ms), as managed Kafka does; a test of a
// producer with a skewed clock needs them through to see what the pipeline
// makes of them. The embedded broker has no such bound and does not know the
// key, which is fine.
func AllowFutureTimestamps(t testing.TB, brokers, topic string) {
	t.Helper()
	err := SetTopicConfig(t, brokers, topic, "message.timestamp.after.max.ms", "2592000000")
	var ke ck.Error
	if err != nil && !(errors.As(err, &ke) && ke.Code() == ck.ErrInvalidConfig) {
		t.Fatalf("testenv: allow future timestamps on %s: %v", topic, err)
	}
}
