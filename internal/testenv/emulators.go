package testenv

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"
)

// The well-known account of Azure's storage emulators (Azurite documents
// it): not a secret.
const (
	azuriteAccount = "devstoreaccount1"
	azuriteKey     = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
)

// emulator is one shared server per test binary, started on first use.
type emulator struct {
	once sync.Once
	addr string
	err  error
}

var gcsEmu, azureEmu emulator

func (e *emulator) start(name, rel string, args func(addr, dir string) []string) (string, error) {
	e.once.Do(func() {
		bin, err := Tool(name, rel)
		if err != nil {
			e.err = err
			return
		}
		dir, err := os.MkdirTemp("", "finpipe-test-"+name+"-")
		if err != nil {
			e.err = err
			return
		}
		if e.addr, e.err = freeAddr(); e.err != nil {
			return
		}
		_, _, e.err = startServer(bin, args(e.addr, filepath.Join(dir, "data")), nil, e.addr, filepath.Join(dir, name+".log"))
	})
	return e.addr, e.err
}

// GCS returns the lake URL (gs://bucket) of a new bucket in fake-gcs-server
// (Go module github.com/fsouza/fake-gcs-server; installed under .tools on
// first use, one server per test binary), and points the test's
// environment at it with STORAGE_EMULATOR_HOST (t.Setenv: the test cannot
// be parallel). fake-gcs-server honours ifGenerationMatch=0, the
// precondition of gocloud's IfNotExist. Skipped, saying why, when it cannot
// be installed, unless FINPIPE_REQUIRE_EMULATORS is set (CI).
func GCS(t testing.TB) string {
	t.Helper()
	addr, err := gcsEmu.start("fake-gcs-server", "bin/fake-gcs-server", func(addr, dir string) []string {
		host, port, _ := net.SplitHostPort(addr)
		return []string{"-scheme", "http", "-host", host, "-port", port, "-backend", "filesystem",
			"-filesystem-root", dir, "-public-host", addr, "-external-url", "http://" + addr, "-log-level", "warn"}
	})
	if err != nil {
		requireOrSkip(t, "FINPIPE_REQUIRE_EMULATORS", "GCS emulator", err)
	}
	t.Setenv("STORAGE_EMULATOR_HOST", addr)
	bucket := fmt.Sprintf("test-%d-%d", os.Getpid(), s3Buckets.Add(1))
	resp, err := http.Post("http://"+addr+"/storage/v1/b?project=finpipe-test", "application/json",
		bytes.NewReader([]byte(`{"name":"`+bucket+`"}`)))
	if err == nil {
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			err = fmt.Errorf("HTTP %s", resp.Status)
		}
	}
	if err != nil {
		t.Fatalf("testenv: create GCS bucket %s: %v", bucket, err)
	}
	return "gs://" + bucket
}

// Azure returns the lake URL (azblob://container?…) of a new container in
// Azurite (npm package azurite; installed under .tools on first use, one
// server per test binary), with the emulator's well-known account as the
// test's AZURE_STORAGE_ACCOUNT and AZURE_STORAGE_KEY (t.Setenv). Azurite
// honours If-None-Match: *, the precondition of gocloud's IfNotExist.
// Skipped, saying why, when it cannot be installed, unless
// FINPIPE_REQUIRE_EMULATORS is set (CI).
func Azure(t testing.TB) string {
	t.Helper()
	addr, err := azureEmu.start("azurite", "azurite/node_modules/.bin/azurite-blob", func(addr, dir string) []string {
		host, port, _ := net.SplitHostPort(addr)
		return []string{"--blobHost", host, "--blobPort", port, "--location", dir, "--silent", "--skipApiVersionCheck"}
	})
	if err != nil {
		requireOrSkip(t, "FINPIPE_REQUIRE_EMULATORS", "Azure emulator", err)
	}
	t.Setenv("AZURE_STORAGE_ACCOUNT", azuriteAccount)
	t.Setenv("AZURE_STORAGE_KEY", azuriteKey)
	container := fmt.Sprintf("test-%d-%d", os.Getpid(), s3Buckets.Add(1))
	cred, err := azblob.NewSharedKeyCredential(azuriteAccount, azuriteKey)
	if err != nil {
		t.Fatal(err)
	}
	c, err := azblob.NewClientWithSharedKeyCredential("http://"+addr+"/"+azuriteAccount, cred, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := c.CreateContainer(ctx, container, nil); err != nil {
		t.Fatalf("testenv: create Azure container %s at %s: %v", container, addr, err)
	}
	q := url.Values{"localemu": {"true"}, "domain": {addr}, "protocol": {"http"}}
	return "azblob://" + container + "?" + q.Encode()
}
