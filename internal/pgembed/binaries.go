package pgembed

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
)

// findBinDir returns a directory holding initdb and postgres. An explicit
// directory wins; then the newest Debian-style install; then PATH.
func findBinDir(explicit string) (string, error) {
	if explicit != "" {
		if hasServer(explicit) {
			return explicit, nil
		}
		return "", fmt.Errorf("pgembed: %s has no initdb and postgres binaries", explicit)
	}
	if dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin"); len(dirs) > 0 {
		// Newest major version first: "15" sorts after "9" only numerically.
		sort.Slice(dirs, func(i, j int) bool { return majorOf(dirs[i]) > majorOf(dirs[j]) })
		for _, d := range dirs {
			if hasServer(d) {
				return d, nil
			}
		}
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		d := filepath.Dir(p)
		if hasServer(d) {
			return d, nil
		}
	}
	return "", errNoLocalBinaries
}

func hasServer(dir string) bool {
	for _, name := range []string{"initdb", "postgres"} {
		if fi, err := os.Stat(filepath.Join(dir, name)); err != nil || fi.IsDir() {
			return false
		}
	}
	return true
}

func majorOf(binDir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return n
}
