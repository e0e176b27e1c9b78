package delta

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"path"
	"path/filepath"
	"strings"
	"time"
)

// storage is where one table's files live: every read and write of this
// package goes through it, so that a table works the same on a local disk
// (storage_file.go) and in an object store (storage_blob.go), where workers
// share no disk. Keys are slash-separated paths relative to the table root,
// such as "_delta_log/00000000000000000003.json" or
// "event_date=2024-05-01/part-00000-….snappy.parquet".
//
// The one primitive the commit protocol needs is putIfAbsent: the next log
// entry is created only if no other writer created it first.
type storage interface {
	// String is the table's location: a path, or a URL that Open accepts.
	String() string
	// readFile returns a whole file; a missing one is an error wrapping
	// fs.ErrNotExist.
	readFile(ctx context.Context, key string) ([]byte, error)
	// openFile opens a file for random access (Parquet reads its footer
	// first); a missing one is an error wrapping fs.ErrNotExist.
	openFile(ctx context.Context, key string) (fileReader, error)
	// stat describes one file; a missing one wraps fs.ErrNotExist.
	stat(ctx context.Context, key string) (fileInfo, error)
	// list returns the files directly inside dir whose names sort after
	// startAfter ("" for all), in name order. Object stores answer this
	// from their index (S3 start-after), so a reader that knows the last
	// version it saw pays only for the new entries. A dir that does not
	// exist is an error wrapping fs.ErrNotExist or an empty list.
	list(ctx context.Context, dir, startAfter string) ([]fileInfo, error)
	// listReadsAll reports whether list costs the whole folder whatever
	// startAfter (a local directory is read and sorted entirely), so that a
	// reader that knows the names it wants stats them instead (log_probe.go).
	listReadsAll() bool
	// walk calls fn for every file under the root, in no particular order
	// (vacuum looks for files the log does not reference).
	walk(ctx context.Context, fn func(fileInfo) error) error
	// putIfAbsent creates key with data, atomically and only if it does
	// not exist; otherwise the error wraps fs.ErrExist. Readers never see
	// a partly written file.
	putIfAbsent(ctx context.Context, key string, data []byte) error
	// put creates or replaces key with data atomically (checkpoints and
	// _last_checkpoint, whose content for a name is always the same or a
	// hint).
	put(ctx context.Context, key string, data []byte) error
	// create starts a new file that is streamed (data files); it fails
	// if key exists. An object store shows it only once Close succeeds; on
	// a disk it is visible at once. Either way no reader looks at it until
	// a log entry references it.
	create(ctx context.Context, key string) (fileSink, error)
	// remove deletes a file; a missing one is not an error.
	remove(ctx context.Context, key string) error
	// Close releases the store's connections.
	Close() error
}

// fileInfo describes one stored file; key is relative to the table root
// for walk and stat, and the bare name for list.
type fileInfo struct {
	key     string
	size    int64
	modTime time.Time
}

// fileReader is an open file: random access plus its size.
type fileReader interface {
	io.ReaderAt
	io.Closer
	Size() int64
}

// fileSink is a file being written; abort discards it.
type fileSink interface {
	io.Writer
	Close() error
	abort()
}

// joinKey joins slash-separated key parts.
func joinKey(parts ...string) string { return path.Join(parts...) }

// isLocation reports whether s is a URL (scheme://…) rather than a path.
func isLocation(s string) bool {
	i := strings.Index(s, "://")
	return i > 0 && !strings.ContainsAny(s[:i], "/\\.")
}

// openStorage opens the table location loc: a local path, a file:// URL,
// or an object-store URL (s3://bucket/prefix/table?…).
func openStorage(ctx context.Context, loc string) (storage, error) {
	if !isLocation(loc) {
		return fileStore{dir: loc}, nil
	}
	if strings.HasPrefix(loc, "file://") {
		u, err := url.Parse(loc)
		if err != nil {
			return nil, fmt.Errorf("delta: table location %q: %w", loc, err)
		}
		return fileStore{dir: filepath.FromSlash(u.Path)}, nil
	}
	return openBlobStore(ctx, loc)
}

// JoinLocation is the location of rel (slash-separated, e.g.
// "bronze/transactions") inside the lake or table location base: a path
// joined as a path, a URL's path extended with its query kept.
func JoinLocation(base, rel string) string {
	if !isLocation(base) {
		return filepath.Join(base, filepath.FromSlash(rel))
	}
	u, err := url.Parse(base)
	if err != nil {
		return base + "/" + rel // Open reports the bad URL
	}
	u.Path = "/" + strings.TrimPrefix(path.Join(u.Path, rel), "/")
	return u.String()
}
