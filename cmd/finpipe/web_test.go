package main

import (
	"context"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/finpipe/finpipe/internal/testenv"
	"github.com/finpipe/finpipe/scheduler"
	"github.com/finpipe/finpipe/web"
)

// `finpipe web` against DATABASE_URL: it generates and stores a token on
// first start, serves the health check and the token-protected API, and
// stops cleanly when its context ends (SIGTERM).
func TestWebCommandServesAndStops(t *testing.T) {
	ctx := context.Background()
	dbURL := testenv.Postgres(t)
	store, err := scheduler.Open(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	store.Close()

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	dataDir := t.TempDir()
	t.Setenv("DATABASE_URL", dbURL)
	t.Setenv("FINPIPE_DATA_DIR", dataDir)
	t.Setenv("FINPIPE_HTTP_ADDR", addr)
	t.Setenv("FINPIPE_API_TOKEN", "")
	t.Setenv("KAFKA_BROKERS", "")

	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- runWeb(runCtx, newProcess(os.Stdout, os.Stderr), nil) }()

	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := http.Get("http://" + addr + "/api/v1/health")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("web did not become healthy: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	b, err := os.ReadFile(filepath.Join(dataDir, web.TokenFile))
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("GET", "http://"+addr+"/api/v1/dags", nil)
	req.Header.Set("Authorization", "Bearer "+strings.TrimSpace(string(b)))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /api/v1/dags with the stored token: %d", resp.StatusCode)
	}
	resp, err = http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /metrics: %d", resp.StatusCode)
	}
	stop()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("runWeb: %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("runWeb did not stop")
	}
}
