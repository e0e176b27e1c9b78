package delta

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"syscall"

	"github.com/google/uuid"
)

// fileStore is a table on the local file system, rooted at dir.
// putIfAbsent is a hard link of a fully written temporary file (or O_EXCL
// where the file system has no links), so it needs one disk that every
// writer shares.
type fileStore struct{ dir string }

var _ storage = fileStore{}

func (s fileStore) String() string { return s.dir }

func (s fileStore) abs(key string) string { return filepath.Join(s.dir, filepath.FromSlash(key)) }

func (s fileStore) readFile(_ context.Context, key string) ([]byte, error) {
	return os.ReadFile(s.abs(key))
}

func (s fileStore) openFile(_ context.Context, key string) (fileReader, error) {
	f, err := os.Open(s.abs(key))
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	return osFile{f, st.Size()}, nil
}

// osFile is an open local file with the size it had when opened.
type osFile struct {
	*os.File
	size int64
}

func (f osFile) Size() int64 { return f.size }

func (s fileStore) stat(_ context.Context, key string) (fileInfo, error) {
	st, err := os.Stat(s.abs(key))
	if err != nil {
		return fileInfo{}, err
	}
	return fileInfo{key: key, size: st.Size(), modTime: st.ModTime()}, nil
}

func (s fileStore) list(_ context.Context, dir, startAfter string) ([]fileInfo, error) {
	entries, err := os.ReadDir(s.abs(dir))
	if err != nil {
		return nil, err
	}
	out := make([]fileInfo, 0, len(entries))
	for _, e := range entries {
		if e.IsDir() || e.Name() <= startAfter {
			continue
		}
		fi := fileInfo{key: e.Name()}
		if info, err := e.Info(); err == nil {
			fi.size, fi.modTime = info.Size(), info.ModTime()
		}
		out = append(out, fi)
	}
	slices.SortFunc(out, func(a, b fileInfo) int { return strings.Compare(a.key, b.key) })
	return out, nil
}

// listReadsAll: os.ReadDir reads every entry of the directory and sorts
// them, ~0.2 s for a log of 100,000 commits, whatever startAfter.
func (fileStore) listReadsAll() bool { return true }

func (s fileStore) walk(_ context.Context, fn func(fileInfo) error) error {
	return filepath.WalkDir(s.dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil // removed while walking
			}
			return err
		}
		if d.IsDir() {
			return nil
		}
		rel, err := filepath.Rel(s.dir, p)
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		return fn(fileInfo{key: filepath.ToSlash(rel), size: info.Size(), modTime: info.ModTime()})
	})
}

// putIfAbsent writes data to a temporary file that is then hard-linked into
// place, so readers never see a partial commit and a concurrent writer's
// commit is never overwritten.
func (s fileStore) putIfAbsent(_ context.Context, key string, data []byte) error {
	final, tmp, err := s.writeTemp(key, data)
	if err != nil {
		return err
	}
	defer os.Remove(tmp)
	err = os.Link(tmp, final)
	if err == nil {
		return nil
	}
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("%s: %w", path.Base(key), fs.ErrExist)
	}
	if errors.Is(err, syscall.EPERM) || errors.Is(err, syscall.ENOTSUP) || errors.Is(err, syscall.EOPNOTSUPP) {
		return createExclusive(final, data) // file systems without hard links
	}
	return err
}

// createExclusive is putIfAbsent's fallback: O_EXCL is still put-if-absent,
// but a reader may briefly see a partly written file.
func createExclusive(file string, data []byte) error {
	f, err := os.OpenFile(file, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if err != nil {
		if errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("%s: %w", filepath.Base(file), fs.ErrExist)
		}
		return err
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// writeTemp writes data to a new temporary file beside key's (named
// .tmp-…, which vacuum deletes when a writer died before using it) and
// returns both paths.
func (s fileStore) writeTemp(key string, data []byte) (final, tmp string, err error) {
	final = s.abs(key)
	if err := os.MkdirAll(filepath.Dir(final), 0o755); err != nil {
		return "", "", err
	}
	tmp = filepath.Join(filepath.Dir(final), ".tmp-"+uuid.NewString()+path.Ext(key))
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		os.Remove(tmp)
		return "", "", err
	}
	return final, tmp, nil
}

// put writes a temporary file and renames it over key.
func (s fileStore) put(_ context.Context, key string, data []byte) error {
	final, tmp, err := s.writeTemp(key, data)
	if err != nil {
		return err
	}
	if err := os.Rename(tmp, final); err != nil {
		os.Remove(tmp)
		return err
	}
	return nil
}

func (s fileStore) create(_ context.Context, key string) (fileSink, error) {
	abs := s.abs(key)
	if err := os.MkdirAll(filepath.Dir(abs), 0o755); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(abs, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if err != nil {
		return nil, err
	}
	return osSink{f}, nil
}

// osSink is a local data file being written.
type osSink struct{ *os.File }

func (f osSink) abort() {
	f.File.Close()
	os.Remove(f.File.Name())
}

func (s fileStore) remove(_ context.Context, key string) error {
	err := os.Remove(s.abs(key))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return err
}

func (fileStore) Close() error { return nil }
