package testenv

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/url"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// TestS3ServerHonoursConditionalWrites is why the test server is moto
// served one request at a time: Delta commits on S3 are PUTs with
// If-None-Match: *, so the server must refuse a second writer of a key
// with 412, also when the writers race.
func TestS3ServerHonoursConditionalWrites(t *testing.T) {
	u, err := url.Parse(S3(t))
	if err != nil {
		t.Fatal(err)
	}
	checkConditionalWrites(t, S3Client(u.Query().Get("endpoint")), u.Host)
}

// TestVersityHonoursConditionalWrites: the same for versitygw, the server
// of the restart and wrong-credential tests; and its objects outlive a
// SIGKILL of the server.
func TestVersityHonoursConditionalWrites(t *testing.T) {
	v, loc := VersityS3(t)
	u, err := url.Parse(loc)
	if err != nil {
		t.Fatal(err)
	}
	checkConditionalWrites(t, v.Client(), u.Host)
	v.Kill()
	if err := v.Start(); err != nil {
		t.Fatal(err)
	}
	if _, err := v.Client().HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: aws.String(u.Host), Key: aws.String("k")}); err != nil {
		t.Fatalf("after a SIGKILL and restart: %v", err)
	}
}

// checkConditionalWrites: a second PUT If-None-Match: * of a key gets 412
// and leaves the first; of racing writers exactly one creates the key.
func checkConditionalWrites(t *testing.T, c *s3.Client, bucket string) {
	t.Helper()
	ctx := context.Background()
	put := func(key, body string) error {
		_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key),
			Body: bytes.NewReader([]byte(body)), IfNoneMatch: aws.String("*")})
		return err
	}
	if err := put("k", "first"); err != nil {
		t.Fatalf("first conditional PUT: %v", err)
	}
	if err := put("k", "second"); status(err) != 412 {
		t.Fatalf("second conditional PUT of the same key: got %v (HTTP %d), want 412 Precondition Failed", err, status(err))
	}
	got, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("k")})
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	_, _ = b.ReadFrom(got.Body)
	got.Body.Close()
	if b.String() != "first" {
		t.Fatalf("key holds %q after the refused PUT, want %q", b.String(), "first")
	}

	// Racing writers: every round, exactly one of them creates the key.
	const writers, rounds = 8, 5
	for r := range rounds {
		key := fmt.Sprintf("race-%d", r)
		var wg sync.WaitGroup
		errs := make([]error, writers)
		for w := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[w] = put(key, fmt.Sprint(w))
			}()
		}
		wg.Wait()
		won := 0
		for _, err := range errs {
			switch {
			case err == nil:
				won++
			case status(err) != 412:
				t.Fatalf("round %d: a losing writer got %v, want 412", r, err)
			}
		}
		if won != 1 {
			t.Fatalf("round %d: %d of %d racing conditional PUTs succeeded, want exactly 1", r, won, writers)
		}
	}
}

func status(err error) int {
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		return re.HTTPStatusCode()
	}
	return 0
}
