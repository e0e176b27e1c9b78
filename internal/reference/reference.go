// Package reference finds the reference tables that other engines wrote
// (Spark, delta-rs, the Delta Acceptance Tests), which tests read in place
// and never copy into the repository. They live in ../shared/testdata beside
// the clone, or wherever $FINPIPE_TESTDATA points. A user's bare clone has
// neither, so a test that needs them skips and says where it looked; CI sets
// FINPIPE_REQUIRE_TESTDATA=1 so that a missing folder fails instead of
// silently skipping. It imports nothing of FinPipe's, so that the tests of
// any package, delta's own included, can use it.
package reference

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// Dir is the folder sub (for example "delta" or "delta/spark") of the
// reference data, or an error that names where it was looked for and how
// to provide it.
func Dir(sub string) (string, error) {
	root := os.Getenv("FINPIPE_TESTDATA")
	if root == "" {
		_, file, _, _ := runtime.Caller(0)
		root = filepath.Join(filepath.Dir(file), "..", "..", "..", "shared", "testdata")
	}
	dir := filepath.Join(root, filepath.FromSlash(sub))
	if _, err := os.Stat(dir); err != nil {
		return "", fmt.Errorf("reference tables not found at %s: set FINPIPE_TESTDATA to the testdata folder, or place shared/ beside the clone", filepath.Clean(dir))
	}
	return dir, nil
}

// Required reports whether a missing folder must fail the tests (CI) rather
// than skip them (a bare clone).
func Required() bool { return os.Getenv("FINPIPE_REQUIRE_TESTDATA") != "" }

// Need is Dir for a test that cannot run without the folder: it skips the
// test when the folder is absent, or fails it when Required.
func Need(t testing.TB, sub string) string {
	t.Helper()
	dir, err := Dir(sub)
	if err != nil {
		if Required() {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	return dir
}
