package medallion

import (
	"context"

	"github.com/finpipe/finpipe/tasks/aggregate"
	"github.com/finpipe/finpipe/tasks/clean"
	"github.com/finpipe/finpipe/tasks/ingest"
	"github.com/finpipe/finpipe/tasks/lake"
)

// runSteps brings a lake up to date with Kafka for these tests of the
// steps themselves: ingest, clean and aggregate one after the other, as a
// finpipe_medallion run has its worker call them (batch 0: the steps'
// defaults), until a round finds nothing to do. The product runs them
// only through the scheduler (internal/drive).
func runSteps(ctx context.Context, l *lake.Lake, brokers, topic string, batch int) error {
	for {
		in, err := ingest.Run(ctx, l.Bronze, ingest.Options{Brokers: brokers, Topic: topic, MaxRecords: batch})
		if err != nil {
			return err
		}
		cl, err := clean.Run(ctx, l, clean.Options{MaxRecords: int64(batch)})
		if err != nil {
			return err
		}
		if _, err := aggregate.Run(ctx, l, aggregate.Options{}); err != nil {
			return err
		}
		if in.Records == 0 && cl.BronzeTo == cl.BronzeFrom {
			return nil
		}
	}
}
