package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
)

// lakeDisk puts a lake directory on a small tmpfs of its own, so that
// filling it makes every write in the lake fail with ENOSPC: the real
// "disk full", not a simulation inside FinPipe. It needs root (mount);
// without it the fault is skipped and the row says so.
type lakeDisk struct {
	dir     string
	mounted bool
	filler  string
}

func mountLakeDisk(dir string, sizeMiB int) (*lakeDisk, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	out, err := exec.Command("mount", "-t", "tmpfs", "-o", fmt.Sprintf("size=%dm,mode=0755", sizeMiB), "tmpfs", dir).CombinedOutput()
	if err != nil {
		return &lakeDisk{dir: dir}, fmt.Errorf("mount tmpfs: %v %s", err, out)
	}
	return &lakeDisk{dir: dir, mounted: true, filler: filepath.Join(dir, ".reliability-filler")}, nil
}

// fill takes every free byte of the disk.
func (d *lakeDisk) fill() error {
	if !d.mounted {
		return errors.New("lake disk not mounted")
	}
	f, err := os.OpenFile(d.filler, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	defer f.Close()
	var st syscall.Statfs_t
	if err := syscall.Statfs(d.dir, &st); err != nil {
		return err
	}
	_ = syscall.Fallocate(int(f.Fd()), 0, 0, int64(st.Bavail)*st.Bsize)
	// Top up whatever fallocate left, until the disk refuses.
	buf := make([]byte, 64<<10)
	for i := 0; i < 1<<16; i++ {
		if _, err := f.Write(buf); err != nil {
			if errors.Is(err, syscall.ENOSPC) {
				return nil
			}
			return err
		}
	}
	return errors.New("the lake disk never filled up")
}

// free gives the space back.
func (d *lakeDisk) free() { _ = os.Remove(d.filler) }

// unmount drops the tmpfs (and the lake on it).
func (d *lakeDisk) unmount() {
	if d.mounted {
		d.free()
		_ = exec.Command("umount", d.dir).Run()
		d.mounted = false
	}
}
