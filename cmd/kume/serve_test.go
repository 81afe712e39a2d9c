package main

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestServeDemo serves the embedded store with the bundled demo and waits for
// the first analysis to complete. /metrics needs an admin key on the main
// address and is served without one on --metrics-addr.
func TestServeDemo(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	srv := &server{
		cfg: serveConfig{Addr: "127.0.0.1:0", Store: storeConfig{Dir: t.TempDir()}, Drain: time.Second, MetricsAddr: "127.0.0.1:0"},
		log: slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	srv.cfg.StoreDescription = srv.cfg.Store.describe()
	if err := srv.open(ctx); err != nil {
		t.Fatal(err)
	}
	defer srv.close()
	done := make(chan error, 1)
	go func() { done <- srv.serve(ctx) }()
	base := "http://" + srv.addr()
	client := &http.Client{Timeout: 10 * time.Second}

	for path, want := range map[string]int{
		base + "/healthz": http.StatusOK, base + "/readyz": http.StatusOK, base + "/metrics": http.StatusUnauthorized,
		"http://" + srv.metricsLn.Addr().String() + "/metrics":         http.StatusOK,
		"http://" + srv.metricsLn.Addr().String() + "/api/v1/datasets": http.StatusNotFound,
	} {
		resp, err := client.Get(path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("GET %s: %s, want %d", path, resp.Status, want)
		}
	}

	// The first analysis runs in the background: poll until its run covers
	// the data version (the demo's imports bump it), or give up at the deadline.
	deadline := time.Now().Add(45 * time.Second)
	var last string
	for {
		var body struct {
			DataVersion int64 `json:"data_version"`
			Latest      *struct {
				Version    int64     `json:"version"`
				FinishedAt time.Time `json:"finished_at"`
			} `json:"latest"`
			Status struct {
				LastError string `json:"last_error"`
			} `json:"status"`
		}
		resp, err := client.Get(base + "/api/v1/analysis")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		last = string(b)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET /api/v1/analysis: %s %s", resp.Status, b)
		}
		if err := json.Unmarshal(b, &body); err != nil {
			t.Fatalf("analysis status %s: %v", b, err)
		}
		if body.Status.LastError != "" {
			t.Fatalf("analysis failed: %s", body.Status.LastError)
		}
		if body.DataVersion > 0 && body.Latest != nil && body.Latest.Version == body.DataVersion && !body.Latest.FinishedAt.IsZero() {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no completed analysis by the deadline; last status %s", last)
		}
		select {
		case err := <-done:
			t.Fatalf("serve stopped: %v", err)
		case <-time.After(100 * time.Millisecond): // poll interval
		}
	}

	// The demo's firms are served.
	resp, err := client.Get(base + "/api/v1/datasets")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(b), "berlin-ihk-2023") {
		t.Errorf("GET /api/v1/datasets: %s %.300s", resp.Status, b)
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serve returned %v after shutdown", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not stop")
	}
}

func TestPrintConfigMasksPassword(t *testing.T) {
	r := mustRun(t, "serve", "--db", "postgres://kume:pa55w0rd-secret@db.example:5432/kume?sslmode=disable", "--print-config")
	if strings.Contains(r.stdout+r.stderr, "pa55w0rd-secret") {
		t.Fatalf("password printed: %s", r.stdout)
	}
	var cfg map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &cfg); err != nil {
		t.Fatalf("--print-config printed %q: %v", r.stdout, err)
	}
	if s, _ := cfg["store"].(string); !strings.Contains(s, "kume:xxxxx@db.example:5432") {
		t.Errorf("store = %q, want the URL with its password masked", s)
	}
	r = mustRun(t, "serve", "--db", "host=db password=pa55w0rd-secret", "--print-config")
	if strings.Contains(r.stdout, "pa55w0rd-secret") {
		t.Fatalf("password of a key=value DSN printed: %s", r.stdout)
	}
}

// TestServeUnreachableDatabase checks that serve gives up quickly with one
// line naming the host and the cause, and no password.
func TestServeUnreachableDatabase(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	start := time.Now()
	r := runCtx(ctx, "serve", "--db", "postgres://u:pa55w0rd-secret@127.0.0.1:1/x", "--addr", "127.0.0.1:0")
	elapsed := time.Since(start)
	if r.err == nil {
		t.Fatal("serve with an unreachable database succeeded")
	}
	if elapsed > 10*time.Second {
		t.Errorf("serve took %v to fail, want < 10s", elapsed)
	}
	msg := errorText(r.err)
	if strings.Contains(msg, "\n") {
		t.Errorf("error is not one line: %q", msg)
	}
	if !strings.Contains(msg, "127.0.0.1:1") || !strings.Contains(msg, "refused") {
		t.Errorf("error %q does not name the host and the cause", msg)
	}
	if strings.Contains(msg+r.stdout+r.stderr, "pa55w0rd") {
		t.Errorf("password leaked: %q", msg+r.stderr)
	}
	if errors.Is(r.err, errUsage) {
		t.Errorf("a connection failure is not a usage error")
	}
}
