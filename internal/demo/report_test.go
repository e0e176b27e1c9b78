package demo

import (
	"strings"
	"testing"
	"time"

	"github.com/finpipe/finpipe/tasks/medallion"
)

// TestPrintText checks that the text summary states durations and rates.
func TestPrintText(t *testing.T) {
	r := Report{Summary: medallion.Summary{Rows: map[string]int64{}}, Produced: 1000, Runs: 2, LakeDir: "lake",
		Timing: Timing{Produce: 500 * time.Millisecond, Pipeline: 2 * time.Second, Total: 4 * time.Second}}
	var out strings.Builder
	if err := r.Print(&out, false); err != nil {
		t.Fatal(err)
	}
	want := "produced 1000 messages in 500ms (2000 msg/s); 2 finpipe_medallion run(s) drained them into lake in 2s (500 tx/s); 4s in all"
	if !strings.HasPrefix(out.String(), want) {
		t.Fatalf("summary %q, want it to start %q", out.String(), want)
	}
}
