package pgembed

import (
	"errors"
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"syscall"
)

// account is the OS identity the server runs as. A nil credential means
// "the current user", which is what happens whenever FinPipe is not root.
type account struct {
	cred *syscall.Credential
}

// serverAccount picks an unprivileged account when running as root, because
// postgres exits with "root execution of the PostgreSQL server is not
// permitted".
func serverAccount() (account, error) {
	if os.Geteuid() != 0 {
		return account{}, nil
	}
	for _, name := range []string{"postgres", "nobody"} {
		u, err := user.Lookup(name)
		if err != nil {
			continue
		}
		uid, _ := strconv.ParseUint(u.Uid, 10, 32)
		gid, _ := strconv.ParseUint(u.Gid, 10, 32)
		return account{cred: &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}}, nil
	}
	return account{}, fmt.Errorf("pgembed: running as root and no unprivileged account (postgres or nobody) exists to run PostgreSQL")
}

// own hands dir and everything below it to the account.
func (a account) own(dir string) error {
	if a.cred == nil {
		return nil
	}
	err := filepath.Walk(dir, func(p string, _ os.FileInfo, err error) error {
		if errors.Is(err, os.ErrNotExist) {
			return nil // a file a server removed as it stopped
		}
		if err != nil {
			return err
		}
		if err := os.Lchown(p, int(a.cred.Uid), int(a.cred.Gid)); !errors.Is(err, os.ErrNotExist) {
			return err
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("pgembed: hand %s to the database account: %w", dir, err)
	}
	return nil
}

// checkReachable fails early, with advice, when a parent of dir is not
// searchable by the account: postgres would otherwise die with a bare
// "permission denied".
func (a account) checkReachable(dir string) error {
	if p := a.blockedAt(dir); p != "" {
		return fmt.Errorf("pgembed: %s is not searchable by the unprivileged database account; choose a data directory outside it or set DATABASE_URL", p)
	}
	return nil
}

// blockedAt returns the first parent of dir (from the root down) that the
// account may not search, or "" when it reaches dir. The current user
// always does. Permission bits only, as the kernel applies them to the
// account's own uid and primary gid; ACLs are not consulted.
func (a account) blockedAt(dir string) string {
	if a.cred == nil {
		return ""
	}
	var parents []string
	for p := filepath.Dir(dir); ; p = filepath.Dir(p) {
		parents = append(parents, p)
		if p == filepath.Dir(p) {
			break
		}
	}
	for i := len(parents) - 1; i >= 0; i-- {
		fi, err := os.Stat(parents[i])
		if err != nil {
			return parents[i]
		}
		if !a.maySearch(fi) {
			return parents[i]
		}
	}
	return ""
}

func (a account) maySearch(fi os.FileInfo) bool {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return fi.Mode().Perm()&0o001 != 0
	}
	perm := fi.Mode().Perm()
	switch {
	case st.Uid == a.cred.Uid:
		return perm&0o100 != 0
	case st.Gid == a.cred.Gid:
		return perm&0o010 != 0
	default:
		return perm&0o001 != 0
	}
}

func (a account) sysProcAttr() *syscall.SysProcAttr {
	// Pdeathsig makes the server stop (fast shutdown) when FinPipe dies, even
	// by SIGKILL, so no orphan keeps the data directory locked.
	return &syscall.SysProcAttr{Credential: a.cred, Pdeathsig: syscall.SIGINT, Setpgid: true}
}
