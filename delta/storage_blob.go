package delta

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"path"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
	"gocloud.dev/blob"
	_ "gocloud.dev/blob/s3blob" // registers s3:// with blob.OpenBucket
	"gocloud.dev/gcerrors"
)

// blobStore is a table in an object store, opened from a gocloud.dev/blob
// URL such as s3://bucket/lake/bronze/transactions?endpoint=http://…&use_path_style=true.
// The endpoint, region and credentials come from the standard AWS
// variables and files (AWS_ENDPOINT_URL, AWS_REGION, AWS_ACCESS_KEY_ID,
// ~/.aws/config…) or from the URL's query (endpoint, region,
// use_path_style, disable_https: see gocloud.dev/aws and s3blob).
//
// A commit is a PUT with If-None-Match: * (WriterOptions.IfNotExist): the
// store itself refuses the second writer of a log entry with 412, which is
// what makes several workers on several machines safe without a lock.
type blobStore struct {
	bucket *blob.Bucket
	prefix string // the table's key prefix inside the bucket, "" or ending in "/"
	loc    string // the location as opened: Open(loc) opens the same table
	name   string // the location without its query, for messages

	// s3 and bucketName are set on S3, whose ListObjectsV2 takes
	// start-after (gocloud's portable List does not).
	s3         *s3.Client
	bucketName string

	timeout time.Duration // per request: defaultRequestTimeout or request_timeout
}

var _ storage = (*blobStore)(nil)

// defaultRequestTimeout bounds one request to the store (a GET, PUT, HEAD,
// DELETE or a page of a listing), the SDK's own retries included: the SDK
// retries throttling and 5xx answers, but has no deadline for a store that
// stops answering, and a commit or a reader must then fail with an error,
// not hang. The location's request_timeout query parameter (a Go duration,
// e.g. request_timeout=10s) sets another bound. Data file uploads stream for
// as long as the write takes and are not bounded.
const defaultRequestTimeout = 2 * time.Minute

func (s *blobStore) withRequestTimeout(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, s.timeout)
}

// openBlobStore opens the table at loc, a URL whose path is the table's
// prefix inside the bucket.
func openBlobStore(ctx context.Context, loc string) (*blobStore, error) {
	u, err := url.Parse(loc)
	if err != nil {
		return nil, fmt.Errorf("delta: table location %q: %w", loc, err)
	}
	prefix := strings.Trim(u.Path, "/")
	if prefix != "" {
		prefix += "/"
	}
	name := (&url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path}).String()
	q := u.Query()
	timeout := defaultRequestTimeout
	if v := q.Get("request_timeout"); v != "" {
		if timeout, err = time.ParseDuration(v); err != nil || timeout <= 0 {
			return nil, fmt.Errorf("delta: table location %s: request_timeout=%q is not a positive duration (e.g. 30s)", name, v)
		}
		q.Del("request_timeout") // ours, not the driver's
	}
	// Checksums only where S3 requires them unless the URL says otherwise:
	// S3-compatible stores (MinIO, moto, Ceph) often send none, and the
	// SDK would then log a warning for every GET. Parquet pages carry
	// their own CRCs, and a log entry that does not parse fails loudly.
	for _, k := range []string{"request_checksum_calculation", "response_checksum_validation"} {
		if u.Scheme == "s3" && !q.Has(k) {
			q.Set(k, "when_required")
		}
	}
	bucketURL := (&url.URL{Scheme: u.Scheme, Host: u.Host, RawQuery: q.Encode()}).String()
	b, err := blob.OpenBucket(ctx, bucketURL)
	if err != nil {
		return nil, fmt.Errorf("delta: open %s: %w", name, err)
	}
	st := &blobStore{bucket: b, prefix: prefix, loc: loc, name: name, bucketName: u.Host, timeout: timeout}
	var c *s3.Client
	if b.As(&c) {
		st.s3 = c
	}
	return st, nil
}

// String is the location as opened. Its query holds the endpoint, region
// and path style, never credentials (gocloud takes those only from the
// environment and files), so it can be shown.
func (s *blobStore) String() string { return s.loc }

// blobErr turns the store's "not found" and "precondition failed" into
// fs.ErrNotExist and fs.ErrExist, which the rest of the package tests for.
func (s *blobStore) blobErr(key string, err error) error {
	if missing := s.missingContainer(err); missing != nil {
		return missing // not "no such file": a wrong bucket is not an empty table
	}
	if refused(err) {
		// A 403 is not retried and must not be mistaken for a missing
		// file or table: say what to fix.
		return fmt.Errorf("%s: the store refused the credentials (check AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_PROFILE or the store's own key variables): %w", s.name, err)
	}
	switch gcerrors.Code(err) {
	case gcerrors.NotFound:
		return fmt.Errorf("%s/%s: %w", s.name, key, fs.ErrNotExist)
	case gcerrors.FailedPrecondition:
		return fmt.Errorf("%s/%s: %w", s.name, key, fs.ErrExist)
	}
	// S3 answers 409 ConditionalRequestConflict when another conditional
	// write of the same key is in flight: the key may exist a moment
	// later, so the commit loop treats it as a lost race and re-reads.
	if isCode(err, "ConditionalRequestConflict") {
		return fmt.Errorf("%s/%s: %w (%v)", s.name, key, fs.ErrExist, err)
	}
	return fmt.Errorf("%s/%s: %w", s.name, key, err)
}

// refused reports whether the store rejected the request's credentials or
// signature, as opposed to a missing key or bucket.
func refused(err error) bool {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		switch ae.ErrorCode() {
		case "InvalidAccessKeyId", "SignatureDoesNotMatch", "AccessDenied", "InvalidToken", "ExpiredToken",
			"XAdminUserNotFound": // versitygw's answer (404) to an unknown access key
			return true
		}
	}
	return gcerrors.Code(err) == gcerrors.PermissionDenied
}

func (s *blobStore) readFile(ctx context.Context, key string) ([]byte, error) {
	ctx, cancel := s.withRequestTimeout(ctx)
	defer cancel()
	b, err := s.bucket.ReadAll(ctx, s.prefix+key)
	if err != nil {
		return nil, s.blobErr(key, err)
	}
	return b, nil
}

// openFile downloads the whole object: Parquet reads a file in many small
// pieces, and one GET is far cheaper than a ranged GET per piece.
func (s *blobStore) openFile(ctx context.Context, key string) (fileReader, error) {
	b, err := s.readFile(ctx, key)
	if err != nil {
		return nil, err
	}
	return memFile{bytes.NewReader(b)}, nil
}

// memFile is a downloaded object.
type memFile struct{ *bytes.Reader }

func (memFile) Close() error { return nil }

func (s *blobStore) stat(ctx context.Context, key string) (fileInfo, error) {
	ctx, cancel := s.withRequestTimeout(ctx)
	defer cancel()
	a, err := s.bucket.Attributes(ctx, s.prefix+key)
	if err != nil {
		return fileInfo{}, s.blobErr(key, err)
	}
	return fileInfo{key: key, size: a.Size, modTime: a.ModTime}, nil
}

// listReadsAll: the store answers start-after from its index.
func (*blobStore) listReadsAll() bool { return false }

func (s *blobStore) list(ctx context.Context, dir, startAfter string) ([]fileInfo, error) {
	p := s.prefix + dir + "/"
	if s.s3 != nil {
		return s.listS3(ctx, p, startAfter)
	}
	var out []fileInfo
	it := s.bucket.List(&blob.ListOptions{Prefix: p, Delimiter: "/"})
	for {
		o, err := it.Next(ctx)
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, s.blobErr(dir, err)
		}
		name := strings.TrimPrefix(o.Key, p)
		if o.IsDir || name <= startAfter {
			continue
		}
		out = append(out, fileInfo{key: name, size: o.Size, modTime: o.ModTime})
	}
}

// listS3 lists one "directory" from after startAfter: S3 returns keys in
// order, so a reader that saw version N asks only for what follows it.
func (s *blobStore) listS3(ctx context.Context, p, startAfter string) ([]fileInfo, error) {
	in := &s3.ListObjectsV2Input{Bucket: aws.String(s.bucketName), Prefix: aws.String(p), Delimiter: aws.String("/")}
	if startAfter != "" {
		in.StartAfter = aws.String(p + startAfter)
	}
	var out []fileInfo
	pages := s3.NewListObjectsV2Paginator(s.s3, in)
	for pages.HasMorePages() {
		pctx, cancel := s.withRequestTimeout(ctx)
		page, err := pages.NextPage(pctx)
		cancel()
		if err != nil {
			return nil, s.blobErr(strings.TrimPrefix(p, s.prefix), err)
		}
		for _, o := range page.Contents {
			fi := fileInfo{key: strings.TrimPrefix(aws.ToString(o.Key), p), size: aws.ToInt64(o.Size)}
			if o.LastModified != nil {
				fi.modTime = *o.LastModified
			}
			out = append(out, fi)
		}
	}
	return out, nil
}

func (s *blobStore) walk(ctx context.Context, fn func(fileInfo) error) error {
	it := s.bucket.List(&blob.ListOptions{Prefix: s.prefix})
	for {
		o, err := it.Next(ctx)
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return s.blobErr("", err)
		}
		if err := fn(fileInfo{key: strings.TrimPrefix(o.Key, s.prefix), size: o.Size, modTime: o.ModTime}); err != nil {
			return err
		}
	}
}

func (s *blobStore) putIfAbsent(ctx context.Context, key string, data []byte) error {
	ctx, cancel := s.withRequestTimeout(ctx)
	defer cancel()
	err := s.bucket.WriteAll(ctx, s.prefix+key, data, &blob.WriterOptions{IfNotExist: true, ContentType: contentType(key)})
	if err != nil {
		return s.blobErr(key, err)
	}
	return nil
}

func (s *blobStore) put(ctx context.Context, key string, data []byte) error {
	ctx, cancel := s.withRequestTimeout(ctx)
	defer cancel()
	if err := s.bucket.WriteAll(ctx, s.prefix+key, data, &blob.WriterOptions{ContentType: contentType(key)}); err != nil {
		return s.blobErr(key, err)
	}
	return nil
}

func (s *blobStore) create(ctx context.Context, key string) (fileSink, error) {
	ctx, cancel := context.WithCancel(ctx)
	w, err := s.bucket.NewWriter(ctx, s.prefix+key, &blob.WriterOptions{ContentType: contentType(key)})
	if err != nil {
		cancel()
		return nil, s.blobErr(key, err)
	}
	return &blobSink{w: w, cancel: cancel, key: key, s: s}, nil
}

// blobSink is an object being uploaded; nothing is stored unless Close
// succeeds, and abort cancels the upload.
type blobSink struct {
	w      *blob.Writer
	cancel context.CancelFunc
	key    string
	s      *blobStore
}

func (b *blobSink) Write(p []byte) (int, error) { return b.w.Write(p) }

func (b *blobSink) Close() error {
	defer b.cancel()
	if err := b.w.Close(); err != nil {
		return b.s.blobErr(b.key, err)
	}
	return nil
}

func (b *blobSink) abort() {
	b.cancel() // gocloud: a cancelled context before Close discards the write
	_ = b.w.Close()
}

func (s *blobStore) remove(ctx context.Context, key string) error {
	ctx, cancel := s.withRequestTimeout(ctx)
	defer cancel()
	err := s.bucket.Delete(ctx, s.prefix+key)
	if err != nil && gcerrors.Code(err) != gcerrors.NotFound {
		return s.blobErr(key, err)
	}
	return nil
}

func (s *blobStore) Close() error { return s.bucket.Close() }

// contentType is what a browser of the bucket should see for key.
func contentType(key string) string {
	switch path.Ext(key) {
	case ".json", "":
		return "application/json"
	case ".parquet":
		return "application/vnd.apache.parquet"
	}
	return "application/octet-stream"
}
