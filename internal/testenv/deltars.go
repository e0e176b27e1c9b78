package testenv

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/finpipe/finpipe/delta"
)

// DeltaRS returns the Python that has delta-rs (the deltalake module), so
// that tests can prove a second, independent Delta implementation reads
// FinPipe's tables: $FINPIPE_PYTHON, else the repository's .venv (what
// `make venv` creates), else python3. The test is skipped, saying how to get
// delta-rs, only when no Python or no deltalake module is found.
func DeltaRS(t testing.TB) (python string) {
	t.Helper()
	python = os.Getenv("FINPIPE_PYTHON")
	if python == "" {
		python = filepath.Join(repoRoot(), ".venv", "bin", "python")
		if _, err := os.Stat(python); err != nil {
			python = "python3"
		}
	}
	if _, err := exec.LookPath(python); err != nil {
		t.Skipf("delta-rs check skipped: no Python (%s): run `make venv` or set FINPIPE_PYTHON to a Python with deltalake", python)
	}
	if out, err := exec.Command(python, "-c", "import deltalake, pyarrow").CombinedOutput(); err != nil {
		t.Skipf("delta-rs check skipped: %s has no deltalake module (`make venv`, or `%s -m pip install deltalake pyarrow`): %s",
			python, python, bytes.TrimSpace(out))
	}
	return python
}

// DeltaRSScript is the path of one of the repository's delta-rs scripts
// (scripts/deltars: check.py, write.py).
func DeltaRSScript(name string) string {
	return filepath.Join(repoRoot(), "scripts", "deltars", name)
}

// CheckWithDeltaRS has delta-rs read the table at tablePath and fails the
// test unless it reports the same latest version, schema, txn versions and
// rows (as a multiset) as FinPipe's reader.
func CheckWithDeltaRS(t testing.TB, python, tablePath string) {
	t.Helper()
	tbl, err := delta.Open(tablePath)
	if err != nil {
		t.Fatal(err)
	}
	snap, err := tbl.Snapshot(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	CheckSnapshotWithDeltaRS(t, python, tablePath, snap, false)
}

// CheckSnapshotWithDeltaRS compares one snapshot of the table at tablePath
// with delta-rs's reading of the same version. With timeTravel delta-rs
// loads that version; without, delta-rs must agree it is the latest.
func CheckSnapshotWithDeltaRS(t testing.TB, python, tablePath string, snap *delta.Snapshot, timeTravel bool) {
	t.Helper()
	out, err := RunDeltaRSCheck(python, tablePath, snap, timeTravel, t.TempDir())
	if err != nil {
		t.Fatalf("delta-rs disagrees with FinPipe's reader on %s (version %d):\n%v", tablePath, snap.Version(), err)
	}
	name, _, _ := strings.Cut(tablePath, "?") // an s3:// location's query is noise here
	t.Logf("delta-rs %s: %s", filepath.Base(name), out)
}

// RunDeltaRSCheck runs scripts/deltars/check.py on the table with the rows,
// schema, version and txns FinPipe reads from snap (rows written to a file
// in tmpDir as `finpipe lake cat` prints them). It returns check.py's report,
// or an error holding its description of the differences.
func RunDeltaRSCheck(python, tablePath string, snap *delta.Snapshot, timeTravel bool, tmpDir string) (string, error) {
	ctx := context.Background()
	schema := snap.Schema()
	var rows bytes.Buffer
	err := snap.Scan(ctx, nil, func(r delta.Row) error {
		b, err := schema.RowJSON(r)
		rows.Write(b)
		rows.WriteByte('\n')
		return err
	})
	if err != nil {
		return "", err
	}
	rowsFile := filepath.Join(tmpDir, "expected.jsonl")
	if err := os.WriteFile(rowsFile, rows.Bytes(), 0o644); err != nil {
		return "", err
	}
	type field struct {
		Name string `json:"name"`
		Type string `json:"type"`
	}
	fields := make([]field, 0, len(schema.Fields))
	for _, f := range schema.Fields {
		fields = append(fields, field{f.Name, f.Type})
	}
	schemaJSON, err := json.Marshal(fields)
	if err != nil {
		return "", err
	}
	versionFlag := "--version"
	if timeTravel {
		versionFlag = "--at"
	}
	args := []string{DeltaRSScript("check.py"), tablePath, rowsFile,
		versionFlag, strconv.FormatInt(snap.Version(), 10), "--schema", string(schemaJSON)}
	for app, v := range snap.Txns() {
		args = append(args, "--txn", app+"="+strconv.FormatInt(v, 10))
	}
	out, err := exec.Command(python, args...).CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("%w\n%s", err, bytes.TrimSpace(out))
	}
	return string(bytes.TrimSpace(out)), nil
}

// repoRoot is the repository's top folder, found from this file's path so
// that tests of any package find the scripts and the .venv.
func repoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}
