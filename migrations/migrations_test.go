package migrations_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/finpipe/finpipe/internal/testenv"
	"github.com/finpipe/finpipe/migrations"
)

func TestUpIsIdempotentAndConcurrentSafe(t *testing.T) {
	ctx := context.Background()
	db, err := pgxpool.New(ctx, testenv.Postgres(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := migrations.Check(ctx, db); !errors.Is(err, migrations.ErrBehind) {
		t.Fatalf("empty database: %v, want ErrBehind", err)
	}
	all, err := migrations.All()
	if err != nil || len(all) == 0 {
		t.Fatalf("embedded migrations: %v %d", err, len(all))
	}
	var wg sync.WaitGroup
	applied := make([]int, 3)
	for i := range applied {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			ms, err := migrations.Up(ctx, db)
			if err != nil {
				t.Error(err)
			}
			applied[i] = len(ms)
		}(i)
	}
	wg.Wait()
	if total := applied[0] + applied[1] + applied[2]; total != len(all) {
		t.Fatalf("applied %v across concurrent runs, want %d in total", applied, len(all))
	}
	if err := migrations.Check(ctx, db); err != nil {
		t.Fatal(err)
	}
	st, err := migrations.Status(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range st {
		if s.AppliedAt == nil {
			t.Fatalf("%04d pending after Up", s.Version)
		}
	}
}
