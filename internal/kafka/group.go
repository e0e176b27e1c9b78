package kafka

import (
	"context"
	"errors"
	"fmt"
	"time"

	ck "github.com/confluentinc/confluent-kafka-go/v2/kafka"
)

// FinPipe's offsets of record live in Bronze's Delta txn actions; Kafka's
// committed offsets are informative only (DESIGN.md). Committing them after
// each ingest lets the usual tools (kafka-consumer-groups, lag exporters) show
// how far behind the pipeline is.

// CommitGroupOffsets records, for group, the next offset to read of each
// partition of topic. It never moves a consumer, and nothing in FinPipe
// reads it back to decide where to start.
func CommitGroupOffsets[C Cluster](ctx context.Context, cluster C, group, topic string, next map[int32]int64) error {
	if len(next) == 0 {
		return nil
	}
	return withAdmin(ctx, connOf(cluster), func(ctx context.Context, a *session, brokers Conn) error {
		return whileCoordinatorMoves(ctx, func() error {
			return commitGroupOffsets(ctx, a, brokers, group, topic, next)
		})
	})
}

// whileCoordinatorMoves retries fn while the group's coordinator is being
// elected or loaded: on a fresh cluster the first group call creates
// __consumer_offsets and answers NOT_COORDINATOR for a moment (seen on
// Apache Kafka 4.1); the call's budget still bounds the wait.
func whileCoordinatorMoves(ctx context.Context, fn func() error) error {
	for {
		err := fn()
		var kerr ck.Error
		if !errors.As(err, &kerr) {
			return err
		}
		switch kerr.Code() {
		case ck.ErrNotCoordinator, ck.ErrCoordinatorNotAvailable, ck.ErrCoordinatorLoadInProgress:
		default:
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func commitGroupOffsets(ctx context.Context, a *session, brokers Conn, group, topic string, next map[int32]int64) error {
	tps := make([]ck.TopicPartition, 0, len(next))
	for p, off := range next {
		tps = append(tps, ck.TopicPartition{Topic: &topic, Partition: p, Offset: ck.Offset(off)})
	}
	res, err := a.AlterConsumerGroupOffsets(ctx, []ck.ConsumerGroupTopicPartitions{{Group: group, Partitions: tps}})
	if err != nil {
		return clusterError(brokers, "commit offsets of group "+group, failed(ctx, err))
	}
	for _, g := range res.ConsumerGroupsTopicPartitions {
		for _, tp := range g.Partitions {
			if tp.Error != nil {
				return clusterError(brokers, fmt.Sprintf("commit offset of group %s on %s/%d", group, topic, tp.Partition), tp.Error)
			}
		}
	}
	return nil
}

// GroupOffsets returns group's committed next offsets on topic; partitions
// without a committed offset are absent.
func GroupOffsets[C Cluster](ctx context.Context, cluster C, group, topic string) (map[int32]int64, error) {
	brokers := connOf(cluster)
	return perPartition(ctx, brokers, topic, func(ctx context.Context, a *session, ids []int32) (map[int32]int64, error) {
		var out map[int32]int64
		err := whileCoordinatorMoves(ctx, func() (err error) {
			out, err = groupOffsets(ctx, a, brokers, group, topic, ids)
			return err
		})
		return out, err
	})
}

func groupOffsets(ctx context.Context, a *session, brokers Conn, group, topic string, ids []int32) (map[int32]int64, error) {
	tps := make([]ck.TopicPartition, 0, len(ids))
	for _, id := range ids {
		tps = append(tps, ck.TopicPartition{Topic: &topic, Partition: id})
	}
	out := make(map[int32]int64)
	res, err := a.ListConsumerGroupOffsets(ctx, []ck.ConsumerGroupTopicPartitions{{Group: group, Partitions: tps}})
	var kerr ck.Error
	if errors.As(err, &kerr) && kerr.Code() == ck.ErrGroupIDNotFound {
		return out, nil // kfake's answer for a group that never committed
	}
	if err != nil {
		return nil, clusterError(brokers, "offsets of group "+group, failed(ctx, err))
	}
	for _, g := range res.ConsumerGroupsTopicPartitions {
		for _, tp := range g.Partitions {
			if tp.Error != nil {
				return nil, clusterError(brokers, fmt.Sprintf("offset of group %s on %s/%d", group, topic, tp.Partition), tp.Error)
			}
			if tp.Offset >= 0 {
				out[tp.Partition] = int64(tp.Offset)
			}
		}
	}
	return out, nil
}
