package testenv

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// Versity is a versitygw S3 gateway (Go module github.com/versity/versitygw,
// its posix backend) serving a directory on a loopback port. The tests keep
// most S3 lakes in moto, which is quicker to start for every test binary;
// versitygw is for what moto cannot show: its objects are plain files, so a
// server killed with SIGKILL comes back with every acknowledged commit, and it
// checks request signatures against its root key, so wrong credentials are
// refused as AWS refuses them. It honours PUT If-None-Match: * (the race tests
// pass against it). Start and Kill may be called again and again: the server
// comes back on the same directory and port.
type Versity struct {
	Dir    string // the gateway's root: one sub-directory per bucket
	KeyID  string // the root access key it accepts
	Secret string
	bin    string
	addr   string // 127.0.0.1:port
	log    string

	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{}
}

// StartVersity starts versitygw (installed under .tools on first use) on
// dir, on a free loopback port, with the test credentials as its root key.
// It is not tied to a test: the reliability suite restarts it mid-commits.
func StartVersity(dir string) (*Versity, error) {
	bin, err := Tool("versitygw", "bin/versitygw")
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	v := &Versity{Dir: dir, KeyID: testS3KeyID, Secret: testS3Secret, bin: bin, addr: addr,
		log: filepath.Join(dir, "..", filepath.Base(dir)+"-versitygw.log")}
	return v, v.Start()
}

// Endpoint is the server's URL.
func (v *Versity) Endpoint() string { return "http://" + v.addr }

// Start launches the server (again) and waits until it answers.
func (v *Versity) Start() error {
	cmd, done, err := startServer(v.bin, []string{"--port", v.addr, "--quiet", "posix", v.Dir},
		[]string{"ROOT_ACCESS_KEY_ID=" + v.KeyID, "ROOT_SECRET_ACCESS_KEY=" + v.Secret}, v.addr, v.log)
	if err != nil {
		return err
	}
	v.mu.Lock()
	v.cmd, v.done = cmd, done
	v.mu.Unlock()
	return nil
}

// Kill stops the server with SIGKILL, as a crash would, and waits for it.
func (v *Versity) Kill() {
	v.mu.Lock()
	cmd, done := v.cmd, v.done
	v.cmd = nil
	v.mu.Unlock()
	if cmd == nil {
		return
	}
	_ = cmd.Process.Kill()
	<-done
}

// Client is an AWS SDK client signed with the server's root key.
func (v *Versity) Client() *s3.Client { return s3Client(v.Endpoint(), v.KeyID, v.Secret) }

// Bucket creates a new bucket and returns its lake URL, as S3 does for moto.
func (v *Versity) Bucket(ctx context.Context) (string, error) {
	bucket := fmt.Sprintf("vgw-%d-%d", os.Getpid(), s3Buckets.Add(1))
	if _, err := v.Client().CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		return "", fmt.Errorf("create bucket %s at %s: %w", bucket, v.Endpoint(), err)
	}
	q := url.Values{"endpoint": {v.Endpoint()}, "use_path_style": {"true"}, "region": {testS3Region}}
	return "s3://" + bucket + "?" + q.Encode(), nil
}

// VersityS3 starts a versitygw of the test's own (so it may kill it) and
// returns it with the lake URL of a new bucket there; the test's
// environment gets the server's root key as AWS credentials (t.Setenv: the
// test cannot be parallel). Without versitygw (offline, not installed) the
// test is skipped, saying why, unless FINPIPE_REQUIRE_S3 is set (CI).
func VersityS3(t testing.TB) (*Versity, string) {
	t.Helper()
	v, err := StartVersity(filepath.Join(t.TempDir(), "s3"))
	if err != nil {
		requireOrSkip(t, "FINPIPE_REQUIRE_S3", "versitygw S3", err)
	}
	t.Cleanup(v.Kill)
	t.Setenv("AWS_ACCESS_KEY_ID", v.KeyID)
	t.Setenv("AWS_SECRET_ACCESS_KEY", v.Secret)
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	loc, err := v.Bucket(ctx)
	if err != nil {
		t.Fatalf("testenv: %v", err)
	}
	return v, loc
}
