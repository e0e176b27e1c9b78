package pgembed

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// DefaultClusterRoot is where root's clusters go when their DataDir lies in
// a folder the unprivileged server account may not enter.
const DefaultClusterRoot = "/var/lib/finpipe"

// clusterFile, in DataDir, names the cluster directory when it lives
// elsewhere.
const clusterFile = "finpipe_cluster"

// layout says where a server's files are. The cluster stays in DataDir
// whenever the server account can reach it: always for an ordinary user
// (the server runs as that user) and for root when every parent of DataDir
// is searchable by the unprivileged account. Otherwise (root with a clone in
// /root, mode 0700: the everyday case in a container) the cluster lives in
// <cluster root>/pg-<hash of DataDir>, recorded in DataDir/finpipe_cluster,
// so that no folder of the user's has to be opened up. DataDir then keeps
// FinPipe's own files: password, port, URL, server log and the lock.
type layout struct {
	home    string // DataDir, absolute
	cluster string // the PostgreSQL data directory; home unless relocated
}

func (l layout) relocated() bool { return l.home != l.cluster }

func (l layout) lockPath() string { return l.home + ".lock" }

// existingLayout reads where the cluster of home is without changing
// anything; ok is false when home has none.
func existingLayout(home string) (layout, bool, error) {
	if fileExists(filepath.Join(home, "PG_VERSION")) {
		return layout{home: home, cluster: home}, true, nil
	}
	b, err := os.ReadFile(filepath.Join(home, clusterFile))
	if errors.Is(err, os.ErrNotExist) {
		return layout{home: home, cluster: home}, false, nil
	}
	if err != nil {
		return layout{}, false, fmt.Errorf("pgembed: %w", err)
	}
	c := strings.TrimSpace(string(b))
	if !filepath.IsAbs(c) {
		return layout{}, false, fmt.Errorf("pgembed: %s names %q, not an absolute directory", filepath.Join(home, clusterFile), c)
	}
	return layout{home: home, cluster: c}, true, nil
}

// relocatedCluster is the directory under one of roots that root's cluster
// for home lives in: the first root that can be created and that the
// account reaches. The name is stable, so a restart finds it again even if
// the record is lost.
func relocatedCluster(home string, roots []string, acct account) (string, error) {
	sum := sha256.Sum256([]byte(home))
	name := "pg-" + hex.EncodeToString(sum[:8])
	var tried []string
	for _, r := range roots {
		if err := os.MkdirAll(r, 0o755); err != nil {
			tried = append(tried, err.Error())
			continue
		}
		c := filepath.Join(r, name)
		if p := acct.blockedAt(c); p != "" {
			tried = append(tried, p+" is not searchable by the database account")
			continue
		}
		return c, nil
	}
	return "", fmt.Errorf("pgembed: %s is not reachable by the unprivileged database account and no other place for the cluster is (%s); set DATABASE_URL", home, strings.Join(tried, "; "))
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}
