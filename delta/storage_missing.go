package delta

import (
	"errors"
	"fmt"
	"strings"

	gcs "cloud.google.com/go/storage"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/bloberror"
	"github.com/aws/smithy-go"
	"google.golang.org/api/googleapi"
)

// missingContainer says so when err means the bucket (S3, GCS) or
// container (Azure) itself does not exist, naming it and what to check,
// and returns nil otherwise. Each store answers a missing bucket with a
// 404, which gocloud files under NotFound like a missing object; taken for
// "no such file", a wrong bucket would read as an empty table (Open would
// say "not a Delta table") and Create would fail with a bare "not found".
func (s *blobStore) missingContainer(err error) error {
	var what, hint string
	switch {
	case isCode(err, "NoSuchBucket"):
		what, hint = "bucket", "check the bucket name, and AWS_ENDPOINT_URL or the URL's endpoint= and AWS_REGION for where it is"
	case gcsBucketMissing(err):
		what, hint = "bucket", "check the bucket name, the project that GOOGLE_APPLICATION_CREDENTIALS names, and STORAGE_EMULATOR_HOST if you use an emulator"
	case bloberror.HasCode(err, bloberror.ContainerNotFound):
		what, hint = "container", "check the container name, the account in AZURE_STORAGE_ACCOUNT or AZURE_STORAGE_CONNECTION_STRING, and the URL's domain= for an emulator"
	default:
		return nil
	}
	return &missingContainerError{msg: fmt.Sprintf("%s: %s %q does not exist (or is not at this endpoint; %s)", s.name, what, s.bucketName, hint), err: err}
}

// missingContainerError keeps the store's own error for errors.Is/As but
// shows one line: Azure's carries the whole HTTP response.
type missingContainerError struct {
	msg string
	err error
}

func (e *missingContainerError) Error() string {
	first, _, _ := strings.Cut(e.err.Error(), "\n")
	return e.msg + ": " + strings.TrimSpace(first)
}

func (e *missingContainerError) Unwrap() error { return e.err }

// isCode reports whether err is an S3 API error with that code.
func isCode(err error, code string) bool {
	var ae smithy.APIError
	return errors.As(err, &ae) && ae.ErrorCode() == code
}

// gcsBucketMissing: listing a missing bucket is gcs.ErrBucketNotExist;
// an upload to one is a bare 404 (an upload never 404s for an object),
// whereas reading, describing or deleting a missing object is
// gcs.ErrObjectNotExist, which says nothing about the bucket.
func gcsBucketMissing(err error) bool {
	if errors.Is(err, gcs.ErrBucketNotExist) {
		return true
	}
	var ge *googleapi.Error
	return errors.As(err, &ge) && ge.Code == 404 && !errors.Is(err, gcs.ErrObjectNotExist)
}
