package pgstore_test

import (
	"context"
	"testing"

	"github.com/finpipe/finpipe/internal/testenv"
	"github.com/finpipe/finpipe/scheduler/internal/driver"
	"github.com/finpipe/finpipe/scheduler/internal/driver/drivertest"
	"github.com/finpipe/finpipe/scheduler/pgstore"
)

// TestConformance runs the driver conformance suite against PostgreSQL,
// each group on its own database.
func TestConformance(t *testing.T) {
	drivertest.Run(t, func(t *testing.T) driver.Driver {
		ctx := context.Background()
		d, err := pgstore.Open(ctx, testenv.Postgres(t), pgstore.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(d.Close)
		if _, err := d.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		return d
	})
}
