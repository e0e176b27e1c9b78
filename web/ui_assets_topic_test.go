package web_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/finpipe/finpipe/internal/kafka"
	"github.com/finpipe/finpipe/internal/testenv"
	"github.com/finpipe/finpipe/scheduler"
	"github.com/finpipe/finpipe/tasks/produce"
)

// A Kafka topic asset, watched on a real broker (the embedded one, or
// KAFKA_BROKERS): its event carries the end offsets the watcher saw, and
// the API and the pages show them and the lag of the DAG scheduled on it.
// That DAG is paused, so nothing consumes and the lag is every record.
func TestAssetTopicShowsEndOffsetsAndLag(t *testing.T) {
	t.Parallel()
	brokers := testenv.Kafka(t)
	topic := testenv.Topic(t, brokers, 1)
	reg := assetRegistryOn(t, scheduler.KafkaURI(topic))
	h := newHarnessWith(t, reg, false)
	h.json("PATCH", "/api/v1/dags/"+streamerDAG, `{"is_paused": true}`, 200, nil)
	offsets := kafka.NewEndOffsetReader(brokers)
	t.Cleanup(offsets.Close)
	startEngine(t, h.store, reg, func(o *scheduler.SchedulerOptions) {
		o.Topics = offsets
		o.WatchInterval = 50 * time.Millisecond
	})
	const n = 7
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := produce.Produce(ctx, brokers, topic, produce.Options{Count: n, Seed: 1}); err != nil {
		t.Fatal(err)
	}

	var a scheduler.AssetInfo
	deadline := time.Now().Add(30 * time.Second)
	for {
		h.json("GET", "/api/v1/assets/"+topicAsset, "", 200, &a)
		if a.LastEvent != nil && a.LastEvent.Offsets[0] == n {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no event with offset %d after 30 s: %+v (last event %+v)", n, a, a.LastEvent)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if a.EndOffsets[0] != n || a.Lag[streamerDAG] != n || a.LastEvent.SourceRunID != "" {
		t.Fatalf("topic asset: end offsets %v, lag %v, last event %+v; want p0 %d and lag %d", a.EndOffsets, a.Lag, a.LastEvent, n, n)
	}

	c := browserClient(t)
	uiLogin(t, c, h.srv.URL, "/assets")
	_, body := getPage(t, c, h.srv.URL+"/assets")
	row := body[strings.Index(body, `data-asset="orders"`):]
	row = row[:strings.Index(row, "</tr>")]
	if !strings.Contains(row, `<span class="offset">p0: 7</span>`) || !strings.Contains(row, `data-dag="streamer"><a href="/dags/streamer">streamer</a>: 7`) {
		t.Errorf("the assets page's topic row lacks its end offset or lag: %s", row)
	}
	_, body = getPage(t, c, h.srv.URL+"/assets/"+topicAsset)
	if !strings.Contains(body, `Kafka end offsets <span class="offset">p0: 7</span>`) || !strings.Contains(body, `streamer</a>: 7 records`) {
		t.Errorf("the topic's page lacks the event's offsets or the lag")
	}
}
