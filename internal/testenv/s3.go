package testenv

import (
	"bufio"
	"context"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// Credentials the tests sign with when the environment has none: moto
// accepts any, and with them set the AWS SDK never goes looking for an
// instance role (an HTTP call off this machine).
const (
	testS3KeyID  = "finpipe-test"
	testS3Secret = "finpipe-test-secret"
	testS3Region = "us-east-1"
)

var (
	s3Once     sync.Once
	s3Endpoint string
	s3Err      error
	s3Buckets  atomic.Int64
)

// S3 returns the lake URL of a new, empty bucket on an S3-compatible server
// that only this test uses, such as
// s3://test-123-1?endpoint=http://127.0.0.1:40409&use_path_style=true&region=us-east-1.
// The server is FINPIPE_TEST_S3_ENDPOINT's when set, else moto's S3 server
// (scripts/s3), installed into the repository's .venv-s3 on first use and
// started once per test binary on a free loopback port. Unless the
// environment has AWS credentials, the test's environment gets test ones
// (t.Setenv: such a test cannot be parallel), which subprocesses inherit.
// The test is skipped, saying why, only when moto cannot be installed
// (no python3, no PyPI) and FINPIPE_REQUIRE_S3 is not set (CI sets it).
func S3(t testing.TB) string {
	t.Helper()
	endpoint, err := S3Server()
	if err != nil {
		if os.Getenv("FINPIPE_REQUIRE_S3") != "" {
			t.Fatalf("testenv: S3 server: %v", err)
		}
		t.Skipf("S3 test skipped: no S3-compatible server: %v (run `make s3venv`, or set FINPIPE_TEST_S3_ENDPOINT)", err)
	}
	if os.Getenv("AWS_ACCESS_KEY_ID") == "" {
		t.Setenv("AWS_ACCESS_KEY_ID", testS3KeyID)
		t.Setenv("AWS_SECRET_ACCESS_KEY", testS3Secret)
	}
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	bucket := fmt.Sprintf("test-%d-%d", os.Getpid(), s3Buckets.Add(1))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := S3Client(endpoint).CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatalf("testenv: create bucket %s at %s: %v", bucket, endpoint, err)
	}
	q := url.Values{"endpoint": {endpoint}, "use_path_style": {"true"}, "region": {testS3Region}}
	return "s3://" + bucket + "?" + q.Encode()
}

// S3URL is the location of key prefix inside the bucket of the lake URL base
// (what S3 returns): s3://bucket/prefix?query.
func S3URL(base, prefix string) string {
	u, err := url.Parse(base)
	if err != nil {
		return base
	}
	u.Path = "/" + strings.Trim(prefix, "/")
	return u.String()
}

// S3Client is an AWS SDK client for the test server at endpoint, for tests
// that talk to S3 directly (e.g. to prove the server honours conditional
// writes).
func S3Client(endpoint string) *s3.Client {
	id, secret := os.Getenv("AWS_ACCESS_KEY_ID"), os.Getenv("AWS_SECRET_ACCESS_KEY")
	if id == "" {
		id, secret = testS3KeyID, testS3Secret
	}
	return s3Client(endpoint, id, secret)
}

func s3Client(endpoint, id, secret string) *s3.Client {
	return s3.New(s3.Options{
		BaseEndpoint: aws.String(endpoint),
		Region:       testS3Region,
		UsePathStyle: true,
		Credentials:  aws.NewCredentialsCache(credentials.NewStaticCredentialsProvider(id, secret, "")),
	})
}

// S3Server returns the endpoint of the shared test S3 server, starting it
// on first use.
func S3Server() (string, error) {
	s3Once.Do(func() {
		if e := os.Getenv("FINPIPE_TEST_S3_ENDPOINT"); e != "" {
			s3Endpoint = e
			return
		}
		s3Endpoint, s3Err = startMoto()
	})
	return s3Endpoint, s3Err
}

// startMoto installs moto into .venv-s3 when it is not there (under a file
// lock: several test binaries start at once) and starts
// scripts/s3/moto_server.py, which dies with this process.
func startMoto() (string, error) {
	venv := filepath.Join(repoRoot(), ".venv-s3")
	if err := installMoto(venv); err != nil {
		return "", err
	}
	logFile, err := os.CreateTemp("", "finpipe-test-s3-*.log")
	if err != nil {
		return "", err
	}
	cmd := exec.Command(filepath.Join(venv, "bin", "python"), filepath.Join(repoRoot(), "scripts", "s3", "moto_server.py"), "127.0.0.1", "0")
	cmd.Stderr = logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return "", err
	}
	if err := cmd.Start(); err != nil {
		return "", fmt.Errorf("start moto: %w", err)
	}
	type result struct {
		port string
		err  error
	}
	ch := make(chan result, 1)
	go func() {
		line, err := bufio.NewReader(out).ReadString('\n')
		port, ok := strings.CutPrefix(strings.TrimSpace(line), "port ")
		if !ok && err == nil {
			err = fmt.Errorf("unexpected first line %q", line)
		}
		ch <- result{port, err}
	}()
	select {
	case r := <-ch:
		if r.err != nil {
			_ = cmd.Process.Kill()
			return "", fmt.Errorf("moto did not start (log: %s): %w", logFile.Name(), r.err)
		}
		return "http://127.0.0.1:" + r.port, nil
	case <-time.After(2 * time.Minute):
		_ = cmd.Process.Kill()
		return "", fmt.Errorf("moto did not print its port within 2 minutes (log: %s)", logFile.Name())
	}
}

func installMoto(venv string) error {
	return runLocked(venv+".lock", filepath.Join(repoRoot(), "scripts", "s3", "venv.sh"), venv)
}
