package produce

import (
	"context"
	"fmt"
	"strconv"

	ck "github.com/confluentinc/confluent-kafka-go/v2/kafka"

	"github.com/finpipe/finpipe/internal/kafka"
)

// Kafka's record format adds at most this much to a record's key and
// value (librdkafka's RD_KAFKAP_MESSAGE_V2_MAX_OVERHEAD: length, attributes,
// timestamp and offset deltas, key and value lengths, header count, all
// varints at their widest). librdkafka refuses a message locally when key +
// value + this exceeds its message.max.bytes.
const recordOverhead = 36

// batchOverhead is a record batch's header (v2). The broker's and topic's
// max.message.bytes bound a whole batch, so one record must fit beside it.
const batchOverhead = 61

// clientMaxMessageBytes is librdkafka's default message.max.bytes, used
// when the producer configuration does not set it.
const clientMaxMessageBytes = 1_000_000

// messageLimit is the largest record (key + value + recordOverhead) that
// both the client and topic accept, and which setting imposes it.
type messageLimit struct {
	bytes int
	by    string
}

func (l messageLimit) String() string { return fmt.Sprintf("%d bytes (%s)", l.bytes, l.by) }

// recordSize is what librdkafka counts against message.max.bytes.
func recordSize(key, value []byte) int { return len(key) + len(value) + recordOverhead }

// limitOf reads the limit that applies to topic: the producer's
// message.max.bytes as FinPipe configures it, lowered by the topic's
// max.message.bytes when the cluster reports one (which it does for topic
// overrides and broker defaults alike). The broker checks the batch after
// compression; checking the uncompressed record is stricter, never looser,
// so that a file is judged the same whatever its lines compress to.
func limitOf[C kafka.Cluster](ctx context.Context, p *ck.Producer, brokers C, topic string) (messageLimit, error) {
	cfg := kafka.ProducerConfig(brokers)
	lim := messageLimit{bytes: clientMaxMessageBytes, by: "the producer's message.max.bytes"}
	if v, ok := cfg["message.max.bytes"].(int); ok {
		lim.bytes = v
	}
	a, err := ck.NewAdminClientFromProducer(p)
	if err != nil {
		return lim, fmt.Errorf("kafka at %s: admin client: %w", brokers, err)
	}
	defer a.Close()
	res, err := a.DescribeConfigs(ctx, []ck.ConfigResource{{Type: ck.ResourceTopic, Name: topic}})
	if err != nil {
		return lim, fmt.Errorf("kafka at %s: describe configs of topic %s: %w", brokers, topic, err)
	}
	for _, r := range res {
		if r.Error.Code() != ck.ErrNoError {
			return lim, fmt.Errorf("kafka at %s: describe configs of topic %s: %w", brokers, topic, r.Error)
		}
		e, ok := r.Config["max.message.bytes"]
		if !ok {
			continue
		}
		if n, err := strconv.Atoi(e.Value); err == nil && n-batchOverhead < lim.bytes {
			lim = messageLimit{bytes: n - batchOverhead, by: fmt.Sprintf("topic %s's max.message.bytes %d less the %d-byte batch header", topic, n, batchOverhead)}
		}
	}
	return lim, nil
}
