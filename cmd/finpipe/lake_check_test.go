package main

import (
	"context"
	"testing"
	"time"

	"github.com/finpipe/finpipe/delta"
	"github.com/finpipe/finpipe/internal/testenv"
	"github.com/finpipe/finpipe/tasks/lake"
)

func TestLakeCheckExitStatus(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if code := run(t, []string{"lake", "check", dir}); code != 2 {
		t.Fatalf("check of a directory without tables: exit %d, want 2", code)
	}
	l, err := lake.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if code := run(t, []string{"lake", "check", "--json", dir}); code != 0 {
		t.Fatalf("check of an empty lake: exit %d, want 0", code)
	}
	now := time.Now()
	twice := []delta.Row{
		lake.BronzeRow("transactions", 0, 0, now, nil, []byte("{}"), now),
		lake.BronzeRow("transactions", 0, 0, now, nil, []byte("{}"), now),
	}
	if _, err := l.Bronze.Append(context.Background(), twice, delta.CommitOptions{}); err != nil {
		t.Fatal(err)
	}
	if code := run(t, []string{"lake", "check", dir}); code != 1 {
		t.Fatalf("check of a lake with a duplicate offset: exit %d, want 1", code)
	}
}

// TestLakeCheckOnS3: --lake-url points lake check at a lake in a bucket.
func TestLakeCheckOnS3(t *testing.T) {
	u := testenv.S3URL(testenv.S3(t), "finpipe/dev/lake")
	if code := run(t, []string{"lake", "check", "--lake-url", u}); code != 2 {
		t.Fatalf("check of a bucket without tables: exit %d, want 2", code)
	}
	if _, err := lake.Open(u); err != nil {
		t.Fatal(err)
	}
	t.Setenv("FINPIPE_LAKE_URL", u)
	if code := run(t, []string{"lake", "check", "--json"}); code != 0 {
		t.Fatalf("check of an empty lake named by FINPIPE_LAKE_URL: exit %d, want 0", code)
	}
}
