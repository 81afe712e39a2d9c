package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// statusCounter counts the answers of a handler by status.
type statusCounter struct {
	mu     sync.Mutex
	counts map[int]int
}

// statusRecorder remembers the status a handler wrote.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

func (c *statusCounter) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		h.ServeHTTP(rec, r)
		c.mu.Lock()
		c.counts[rec.status]++
		c.mu.Unlock()
	})
}

// TestOGRPagesWithDefaults: ogr2ogr with GDAL's defaults (GDAL 3.6 asks for
// ten features a request, one request after the other, and does not retry
// a 429) copies every establishment of a server that runs with the default
// rate limits. Beyond the burst its requests are slowed to the rate, never
// refused. The register has 7,000 synthetic firms: some 700 requests, more
// than the 600 a minute that once stopped GDAL. KUME_OGR_FIRMS asks for more
// (docs/BENCHMARKS.md has the run with 100,000).
func TestOGRPagesWithDefaults(t *testing.T) {
	if _, err := exec.LookPath("ogr2ogr"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("ogr2ogr not found: GDAL tests cannot run")
		}
		t.Skip("ogr2ogr not found (apt-get install gdal-bin)")
	}
	firms := 7000
	if v := os.Getenv("KUME_OGR_FIRMS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			t.Fatalf("KUME_OGR_FIRMS=%q", v)
		}
		firms = n
	}
	dir := t.TempDir()
	mustRun(t, "import", genDemo(t, firms, 11, 0), "--dataset", "synth", "--visibility", "public", "--store", dir)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	srv := &server{
		cfg: serveConfig{Addr: "127.0.0.1:0", Store: storeConfig{Dir: dir}, NoDemo: true, Drain: time.Second},
		log: slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	if err := srv.open(ctx); err != nil {
		t.Fatal(err)
	}
	defer srv.close()
	counter := &statusCounter{counts: map[int]int{}}
	srv.http.Handler = counter.wrap(srv.http.Handler)
	done := make(chan error, 1)
	go func() { done <- srv.serve(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	}()
	base := "http://" + srv.addr()

	res, err := http.Get(base + "/ogc/collections/establishments/items?limit=1")
	if err != nil {
		t.Fatal(err)
	}
	var first struct {
		NumberMatched int `json:"numberMatched"`
	}
	err = json.NewDecoder(res.Body).Decode(&first)
	res.Body.Close()
	if err != nil || first.NumberMatched < firms*9/10 {
		t.Fatalf("numberMatched %d (%v) of %d firms", first.NumberMatched, err, firms)
	}

	out := filepath.Join(t.TempDir(), "out.geojson")
	// 40 requests a second at the least, and two minutes for the rest.
	octx, ocancel := context.WithTimeout(ctx, time.Duration(first.NumberMatched/10/40+120)*time.Second)
	defer ocancel()
	cmd := exec.CommandContext(octx, "ogr2ogr", "-f", "GeoJSON", out, "OAPIF:"+base+"/ogc", "establishments")
	cmd.Env = append(os.Environ(), "CPL_DEBUG=OFF")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	start := time.Now()
	err = cmd.Run()
	took := time.Since(start)
	counter.mu.Lock()
	counts := counter.counts
	counter.mu.Unlock()
	if err != nil || strings.Contains(stderr.String(), "ERROR") {
		t.Fatalf("ogr2ogr: %v after %v; answers %v\n%s", err, took, counts, stderr.String())
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var fc struct {
		Features []json.RawMessage `json:"features"`
	}
	if err := json.Unmarshal(b, &fc); err != nil {
		t.Fatal(err)
	}
	requests := 0
	for _, n := range counts {
		requests += n
	}
	t.Logf("ogr2ogr copied %d features in %v with %d requests; answers %v", len(fc.Features), took.Round(time.Millisecond), requests, counts)
	if len(fc.Features) != first.NumberMatched {
		t.Errorf("ogr2ogr copied %d features, the collection has %d", len(fc.Features), first.NumberMatched)
	}
	if counts[http.StatusTooManyRequests] != 0 || counts[http.StatusOK] != requests {
		t.Errorf("answers %v: want only 200s", counts)
	}
	if requests > 400 {
		// Beyond the burst of 300 the requests come at 50 a second: no
		// faster than that.
		if floor := time.Duration(requests-300) * time.Second / 50; took < floor*9/10 {
			t.Errorf("%d requests in %v: faster than the rate limit allows (%v)", requests, took, floor)
		}
	}
}
