package archtest

import (
	"bytes"
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/finpipe/finpipe"

// pkg is what `go list -json` says of one package that matters here.
type pkg struct {
	ImportPath                         string
	Deps                               []string // transitive, non-test
	Imports, TestImports, XTestImports []string // direct
}

func listPackages(t *testing.T) []pkg {
	t.Helper()
	out, err := exec.Command("go", "list", "-json", module+"/...").Output()
	if err != nil {
		var stderr []byte
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = ee.Stderr
		}
		t.Fatalf("go list: %v\n%s", err, stderr)
	}
	var pkgs []pkg
	dec := json.NewDecoder(bytes.NewReader(out))
	for dec.More() {
		var p pkg
		if err := dec.Decode(&p); err != nil {
			t.Fatal(err)
		}
		pkgs = append(pkgs, p)
	}
	if len(pkgs) < 10 {
		t.Fatalf("go list found %d packages of %s", len(pkgs), module)
	}
	return pkgs
}

// under reports whether path is dir or a package below it (dir relative to the module).
func under(path, dir string) bool {
	full := module + "/" + dir
	return path == full || strings.HasPrefix(path, full+"/")
}

// TestImportDirections enforces the layout of the README: delta imports
// nothing of the project; the scheduler imports no task, table (delta) or
// web package; tasks import neither the scheduler nor web. Transitive
// imports count: a helper package that pulled the scheduler into a task
// would break the rule as surely as a direct import.
func TestImportDirections(t *testing.T) {
	rules := []struct {
		from   string
		banned []string
		why    string
	}{
		{"delta", []string{""}, "the table format knows nothing of the project"},
		{"scheduler", []string{"tasks", "delta", "web", "dags"}, "the engine knows nothing of Kafka, Delta, the tasks or the UI"},
		{"tasks", []string{"scheduler", "web", "dags"}, "task bodies are plain functions that dags wraps"},
	}
	for _, p := range listPackages(t) {
		for _, r := range rules {
			if !under(p.ImportPath, r.from) {
				continue
			}
			for _, dep := range p.Deps {
				for _, b := range r.banned {
					bad := under(dep, b)
					if b == "" { // anything of the module
						bad = dep == module || strings.HasPrefix(dep, module+"/")
					}
					if bad {
						t.Errorf("%s imports %s: %s", p.ImportPath, dep, r.why)
					}
				}
			}
		}
	}
}

// pgxUsers may import pgx: the store's driver, the migration runner it
// calls, and the packages that start and provision PostgreSQL servers for
// tests and the embedded mode. Everyone else reaches the database through
// the scheduler's Store or, for tools, pgstore.Exec and pgstore.QueryRow.
var pgxUsers = []string{"scheduler/pgstore", "migrations", "internal/pgembed", "internal/testenv"}

// TestOnlyTheStoreImportsPgx: no other package, test files included,
// imports pgx or pgconn, so the SQL and the driver's errors stay behind
// the store interface.
func TestOnlyTheStoreImportsPgx(t *testing.T) {
	for _, p := range listPackages(t) {
		allowed := false
		for _, u := range pgxUsers {
			allowed = allowed || under(p.ImportPath, u)
		}
		if allowed {
			continue
		}
		for _, imps := range [][]string{p.Imports, p.TestImports, p.XTestImports} {
			for _, imp := range imps {
				if strings.HasPrefix(imp, "github.com/jackc/pgx") {
					t.Errorf("%s imports %s: only %v may", p.ImportPath, imp, pgxUsers)
				}
			}
		}
	}
}
