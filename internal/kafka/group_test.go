package kafka_test

import (
	"context"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/finpipe/finpipe/internal/kafka"
)

// notCoordinator is Kafka's NOT_COORDINATOR error code.
const notCoordinator = 16

// TestCommitGroupOffsetsWhileCoordinatorMoves: a fresh Apache Kafka answers
// the first offset commit with NOT_COORDINATOR while it creates
// __consumer_offsets; the commit retries instead of failing the ingest.
func TestCommitGroupOffsetsWhileCoordinatorMoves(t *testing.T) {
	e, err := kafka.StartEmbedded("", kafka.WithTopics("t"), kafka.WithPartitions(1))
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	refused := 0
	// One control function answers one request, then the broker's own
	// handling resumes.
	e.Cluster().ControlKey(kmsg.OffsetCommit.Int16(), func(kreq kmsg.Request) (kmsg.Response, error, bool) {
		req := kreq.(*kmsg.OffsetCommitRequest)
		resp := req.ResponseKind().(*kmsg.OffsetCommitResponse)
		for _, rt := range req.Topics {
			st := kmsg.NewOffsetCommitResponseTopic()
			st.Topic = rt.Topic
			for _, rp := range rt.Partitions {
				sp := kmsg.NewOffsetCommitResponseTopicPartition()
				sp.Partition, sp.ErrorCode = rp.Partition, notCoordinator
				st.Partitions = append(st.Partitions, sp)
			}
			resp.Topics = append(resp.Topics, st)
		}
		refused++
		return resp, nil, true
	})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := kafka.CommitGroupOffsets(ctx, e.Addr(), "g", "t", map[int32]int64{0: 7}); err != nil {
		t.Fatalf("commit after one NOT_COORDINATOR: %v", err)
	}
	if refused != 1 {
		t.Fatalf("the broker refused %d commits, want 1 (the test did not exercise the retry)", refused)
	}
	got, err := kafka.GroupOffsets(ctx, e.Addr(), "g", "t")
	if err != nil || got[0] != 7 {
		t.Fatalf("GroupOffsets = %v, %v; want partition 0 at 7", got, err)
	}
}
