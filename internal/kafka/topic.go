package kafka

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	ck "github.com/confluentinc/confluent-kafka-go/v2/kafka"
)

// EnsureTopic creates topic with the given number of partitions and the
// cluster's default replication factor, and waits until its metadata is
// visible. An existing topic is fine whatever its partition count: topics are
// never altered behind an operator's back.
func EnsureTopic[C Cluster](ctx context.Context, cluster C, topic string, partitions int) error {
	if topic == "" || partitions < 1 {
		return fmt.Errorf("kafka: ensure topic %q: need a name and at least one partition (got %d)", topic, partitions)
	}
	return withAdmin(ctx, connOf(cluster), func(ctx context.Context, a *session, brokers Conn) error {
		return ensureTopic(ctx, a, brokers, topic, partitions)
	})
}

func ensureTopic(ctx context.Context, a *session, brokers Conn, topic string, partitions int) error {
	res, err := a.CreateTopics(ctx, []ck.TopicSpecification{{
		Topic: topic, NumPartitions: partitions, ReplicationFactor: -1,
	}}, ck.SetAdminOperationTimeout(budget(ctx)))
	if err != nil {
		return clusterError(brokers, "create topic "+topic, failed(ctx, err))
	}
	for _, r := range res {
		if c := r.Error.Code(); c != ck.ErrNoError && c != ck.ErrTopicAlreadyExists {
			return clusterError(brokers, "create topic "+topic, r.Error)
		}
	}
	// Creation propagates to the brokers' metadata asynchronously.
	for {
		_, err := topicPartitions(ctx, a, a.pending(ctx), brokers, topic)
		if err == nil || !errors.Is(err, ErrTopicNotFound) {
			return err
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("kafka at %s: topic %s created but not visible in metadata: %w", brokers, topic, ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// Partitions lists the partition ids of topic, sorted. A missing topic is an
// error that wraps ErrTopicNotFound.
func Partitions[C Cluster](ctx context.Context, cluster C, topic string) ([]int32, error) {
	return perPartition(ctx, connOf(cluster), topic, func(_ context.Context, _ *session, ids []int32) ([]int32, error) {
		return ids, nil
	})
}

// metadataSource is what admin clients, consumers and producers share.
type metadataSource interface {
	GetMetadata(topic *string, allTopics bool, timeoutMs int) (*ck.Metadata, error)
}

// topicPartitions reads the partition ids of topic; pending reports an
// authentication failure seen meanwhile, which ends the wait.
func topicPartitions(ctx context.Context, a metadataSource, pending func() error, brokers Conn, topic string) ([]int32, error) {
	md, err := awaitMetadata(ctx, a, &topic, pending)
	if err != nil {
		return nil, clusterError(brokers, "metadata of topic "+topic, err)
	}
	tm, ok := md.Topics[topic]
	if !ok || tm.Error.Code() == ck.ErrUnknownTopicOrPart || tm.Error.Code() == ck.ErrUnknownTopic ||
		(tm.Error.Code() == ck.ErrNoError && len(tm.Partitions) == 0) {
		return nil, fmt.Errorf("kafka at %s: topic %q: %w (create it with 'finpipe produce' or your cluster's tools)", brokers, topic, ErrTopicNotFound)
	}
	if tm.Error.Code() != ck.ErrNoError {
		return nil, clusterError(brokers, "metadata of topic "+topic, tm.Error)
	}
	ids := make([]int32, 0, len(tm.Partitions))
	for _, p := range tm.Partitions {
		ids = append(ids, p.ID)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	return ids, nil
}

// HighWatermarks returns, per partition of topic, the offset that the next
// produced record will get: the end of what a reader can read now.
func HighWatermarks[C Cluster](ctx context.Context, cluster C, topic string) (map[int32]int64, error) {
	return listOffsets(ctx, connOf(cluster), topic, ck.LatestOffsetSpec)
}

// LowWatermarks returns, per partition of topic, the first offset still in
// the log (later than 0 once retention deleted old records).
func LowWatermarks[C Cluster](ctx context.Context, cluster C, topic string) (map[int32]int64, error) {
	return listOffsets(ctx, connOf(cluster), topic, ck.EarliestOffsetSpec)
}

// perPartition is the shared start of every per-partition query of topic:
// within the cluster call budget, with an admin client and the topic's
// partition ids (a missing topic is an error before fn runs).
func perPartition[T any](ctx context.Context, brokers Conn, topic string, fn func(ctx context.Context, a *session, ids []int32) (T, error)) (T, error) {
	var out T
	err := withAdmin(ctx, brokers, func(ctx context.Context, a *session, brokers Conn) error {
		ids, err := topicPartitions(ctx, a, a.pending(ctx), brokers, topic)
		if err != nil {
			return err
		}
		out, err = fn(ctx, a, ids)
		return err
	})
	return out, err
}

// withAdmin runs fn with a watched admin session on brokers, within the
// cluster call budget.
func withAdmin(ctx context.Context, brokers Conn, fn func(ctx context.Context, a *session, brokers Conn) error) error {
	ctx, cancel := context.WithTimeout(ctx, budget(ctx))
	defer cancel()
	a, ctx, err := openAdmin(ctx, brokers)
	if err != nil {
		return err
	}
	defer a.Close()
	return fn(ctx, a, brokers)
}

func listOffsets(ctx context.Context, brokers Conn, topic string, spec ck.OffsetSpec) (map[int32]int64, error) {
	return perPartition(ctx, brokers, topic, func(ctx context.Context, a *session, ids []int32) (map[int32]int64, error) {
		return offsetsAt(ctx, a, brokers, topic, ids, spec)
	})
}

func offsetsAt(ctx context.Context, a *session, brokers Conn, topic string, ids []int32, spec ck.OffsetSpec) (map[int32]int64, error) {
	req := make(map[ck.TopicPartition]ck.OffsetSpec, len(ids))
	for _, id := range ids {
		req[ck.TopicPartition{Topic: &topic, Partition: id}] = spec
	}
	res, err := a.ListOffsets(ctx, req)
	if err != nil {
		return nil, clusterError(brokers, "list offsets of topic "+topic, failed(ctx, err))
	}
	out := make(map[int32]int64, len(ids))
	for tp, info := range res.ResultInfos {
		if info.Error.Code() != ck.ErrNoError {
			return nil, clusterError(brokers, fmt.Sprintf("list offsets of %s/%d", topic, tp.Partition), info.Error)
		}
		out[tp.Partition] = int64(info.Offset)
	}
	return out, nil
}

// DeleteTopic deletes topic; a missing topic is not an error. Tests use it to
// clean up on a shared cluster.
func DeleteTopic[C Cluster](ctx context.Context, cluster C, topic string) error {
	return withAdmin(ctx, connOf(cluster), func(ctx context.Context, a *session, brokers Conn) error {
		res, err := a.DeleteTopics(ctx, []string{topic}, ck.SetAdminOperationTimeout(budget(ctx)))
		if err != nil {
			return clusterError(brokers, "delete topic "+topic, failed(ctx, err))
		}
		for _, r := range res {
			if c := r.Error.Code(); c != ck.ErrNoError && c != ck.ErrUnknownTopicOrPart {
				return clusterError(brokers, "delete topic "+topic, r.Error)
			}
		}
		return nil
	})
}
