package delta_test

import (
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/finpipe/finpipe/delta"
	"github.com/finpipe/finpipe/internal/testenv"
)

// TestGCSMissingBucket and TestAzureMissingContainer: a bucket or container
// that does not exist is said so, naming it and what to check, for Open
// and Create alike, as S3's missing bucket is (TestS3WrongBucket); never a
// bare "not found", never an empty table.
func TestGCSMissingBucket(t *testing.T) {
	missingContainer(t, testenv.GCS(t), `bucket "no-such-`, "STORAGE_EMULATOR_HOST")
}

func TestAzureMissingContainer(t *testing.T) {
	missingContainer(t, testenv.Azure(t), `container "no-such-`, "AZURE_STORAGE_ACCOUNT")
}

// missingContainer opens and creates a table in lake's bucket renamed to
// one that does not exist, and wants errors that name it and hint.
func missingContainer(t *testing.T, lake, names, hint string) {
	t.Helper()
	u, err := url.Parse(lake)
	if err != nil {
		t.Fatal(err)
	}
	u.Host = "no-such-" + u.Host
	loc := delta.JoinLocation(u.String(), "lake/t")
	check := func(op string, err error) {
		t.Helper()
		if err == nil || errors.Is(err, delta.ErrNotATable) || !strings.Contains(err.Error(), names) ||
			!strings.Contains(err.Error(), "does not exist") || !strings.Contains(err.Error(), hint) {
			t.Fatalf("%s in a missing bucket: %v\nwant an error saying %s… does not exist and naming %s", op, err, names, hint)
		}
		t.Logf("%s: %v", op, err)
	}
	_, err = delta.Open(loc)
	check("Open", err)
	_, err = delta.Create(loc, delta.SilverSchema, nil)
	check("Create", err)
}
