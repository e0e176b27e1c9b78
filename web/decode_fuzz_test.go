package web

import (
	"errors"
	"net/http"
	"testing"
)

// FuzzRequestDecoding feeds arbitrary bytes to the request decoding and
// validation of the trigger and backfill bodies: the answer is always a
// valid request or a 400 with a message, never a panic.
func FuzzRequestDecoding(f *testing.F) {
	for _, seed := range []string{
		`{}`, `{"conf": {"a": 1}}`, `{"run_id": "x", "logical_date": "2024-01-01"}`, `{"conf": [1]}`,
		`{"dag_id": "d", "from_date": "2024-01-01", "to_date": "2024-01-07", "reprocess_behavior": "failed", "max_active_runs": 2}`,
		`{"dag_id": "d", "from_date": "2024-01-07", "to_date": "2024-01-01"}`, `{"max_active_runs": -1}`,
		`{"logical_date": "2024-13-45T99:00:00Z"}`, `nul`, `{"a":1} x`, "\xff", `{"conf": {"x": 1e999}}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var tb triggerBody
		if err := decodeBytes(body, &tb); err != nil {
			expect400(t, err)
		} else if _, err := tb.options(); err != nil {
			expect400(t, err)
		}
		var bb backfillBody
		if err := decodeBytes(body, &bb); err != nil {
			expect400(t, err)
		} else if req, err := bb.request(); err != nil {
			expect400(t, err)
		} else if req.From.After(req.To) || req.MaxActiveRuns < 1 || req.DAGID == "" {
			t.Fatalf("accepted an invalid backfill: %+v", req)
		}
	})
}

func expect400(t *testing.T, err error) {
	t.Helper()
	var he *httpError
	if !errors.As(err, &he) || he.status != http.StatusBadRequest || he.msg == "" {
		t.Fatalf("error %v is not a 400 with a message", err)
	}
}
