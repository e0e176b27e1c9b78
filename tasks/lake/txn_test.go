package lake

import (
	"context"
	"errors"
	"testing"

	"github.com/finpipe/finpipe/delta"
)

func TestCheckTxnSeesACommitMadeMeanwhile(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	l, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if err := CheckTxn(ctx, l.Silver, "app", -1); err != nil {
		t.Fatalf("fresh table: %v", err)
	}
	// Another run of the same step commits version 3 of its input.
	if _, err := l.Silver.Append(ctx, nil, delta.CommitOptions{Txns: []delta.Txn{{AppID: "app", Version: 3}}}); err != nil {
		t.Fatal(err)
	}
	if err := CheckTxn(ctx, l.Silver, "app", -1); !errors.Is(err, delta.ErrConflict) {
		t.Fatalf("stale txn: %v, want ErrConflict", err)
	}
	if err := CheckTxn(ctx, l.Silver, "app", 3); err != nil {
		t.Fatalf("current txn: %v", err)
	}
}
