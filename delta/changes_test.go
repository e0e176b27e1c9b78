package delta

import (
	"context"
	"errors"
	"testing"
)

func TestChangesListsDataChangesOnly(t *testing.T) {
	ctx := context.Background()
	tb, err := Create(t.TempDir(), Schema{Fields: []Field{{Name: "id", Type: "long"}, {Name: "p", Type: "string"}}}, []string{"p"})
	if err != nil {
		t.Fatal(err)
	}
	v1, err := tb.Append(ctx, []Row{{int64(1), "a"}, {int64(2), "b"}}, CommitOptions{})
	if err != nil {
		t.Fatal(err)
	}
	v2, err := tb.OverwritePartitions(ctx, []map[string]string{{"p": "a"}}, []Row{{int64(3), "a"}}, CommitOptions{})
	if err != nil {
		t.Fatal(err)
	}
	changes, err := tb.Changes(ctx, 0, v2)
	if err != nil {
		t.Fatal(err)
	}
	if len(changes) != 2 || changes[0].Version != v1 || len(changes[0].Adds) != 2 || len(changes[0].Removes) != 0 ||
		changes[1].Version != v2 || len(changes[1].Adds) != 1 || len(changes[1].Removes) != 1 {
		t.Fatalf("changes = %+v", changes)
	}
	// The rows of a removed file can still be read from the feed.
	s, err := tb.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	err = s.ScanFiles(ctx, changes[0].Adds, []string{"id"}, func(r Row) error {
		ids = append(ids, r[0].(int64))
		return nil
	})
	if err != nil || len(ids) != 2 {
		t.Fatalf("scan of the first commit's files: %v, %v", ids, err)
	}
	if c, err := tb.Changes(ctx, v2, v2); err != nil || len(c) != 0 {
		t.Fatalf("empty range: %v, %v", c, err)
	}
	if _, err := tb.Changes(ctx, 0, v2+1); !errors.Is(err, ErrVersionNotFound) {
		t.Fatalf("range past the log: %v", err)
	}
	if _, err := tb.Changes(ctx, 3, 1); err == nil {
		t.Fatal("reversed range accepted")
	}
}
