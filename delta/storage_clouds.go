package delta

// The other object stores gocloud.dev/blob opens at no cost of our own:
// the commit path is the same (storage_blob.go), and WriterOptions.IfNotExist
// maps to each store's own precondition, so two writers of one log entry
// still meet exactly one refusal:
//
//   - gs://bucket/prefix: Google Cloud Storage, ifGenerationMatch=0.
//     Credentials: Application Default Credentials (GOOGLE_APPLICATION_CREDENTIALS,
//     gcloud's login, the metadata server); STORAGE_EMULATOR_HOST points the
//     client at an emulator (fake-gcs-server in the tests) without any.
//   - azblob://container/prefix: Azure Blob Storage, If-None-Match: *.
//     Credentials: AZURE_STORAGE_ACCOUNT with AZURE_STORAGE_KEY, or
//     AZURE_STORAGE_CONNECTION_STRING, or AZURE_STORAGE_SAS_TOKEN, or the
//     default Azure identity; ?localemu=true&domain=127.0.0.1:10000&protocol=http
//     reaches Azurite.
import (
	_ "gocloud.dev/blob/azureblob" // registers azblob://
	_ "gocloud.dev/blob/gcsblob"   // registers gs://
)
