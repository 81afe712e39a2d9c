package api

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/kume-geo/kume/internal/teststores"
)

// TestHeavyRoutesAreLimited: with its class's slots taken, every heavy
// route answers 503 with Retry-After after the wait, and routes that are
// not heavy (an OGC page without a filter among them) answer as usual.
func TestHeavyRoutesAreLimited(t *testing.T) {
	s, _, keys := newTestServer(t, teststores.Memory, func(c *Config, _ *Deps) {
		c.API.HeavyRequests, c.API.ExportRequests, c.API.UploadRequests = 1, 1, 1
		c.API.HeavyWait = 20 * time.Millisecond
	})
	heavy := map[heavyClass][]string{
		heavyCompute: {"GET /api/v1/rank", "GET /api/v1/lisa?res=7", "GET /api/v1/emerging", "GET /api/v1/timeline",
			"GET /api/v1/trends", "GET /ogc/collections/establishments/items?filter=id%3D1", "GET /api/v1/clusters/c-13-7-1/dynamics"},
		heavyExport: {"GET /api/v1/export/establishments.geojson", "GET /api/v1/export/hexagons.csv?res=7"},
		heavyUpload: {"POST /api/v1/datasets/1/imports"},
	}
	light := []string{"GET /api/v1/datasets", "GET /ogc/collections/establishments/items", "GET /api/v1/hexagons?res=7", "GET /healthz",
		"GET /api/v1/clusters/c-13-7-1"}
	for class, routes := range heavy {
		sl := s.api.heavy[class]
		sl.running <- struct{}{} // the one slot is busy
		for _, route := range routes {
			var method, target string
			fmt.Sscan(route, &method, &target)
			if got := classify(httptest.NewRequest(method, target, nil)); got != class {
				t.Errorf("%s: class %q, want %q", route, got, class)
			}
			rec := do(t, s, method, target, keys["write"], nil)
			if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") != "1" || decode(t, rec)["code"] != "unavailable" {
				t.Errorf("%s with its class full: %d, Retry-After %q, %s", route, rec.Code, rec.Header().Get("Retry-After"), rec.Body.String())
			}
		}
		for _, route := range light {
			var method, target string
			fmt.Sscan(route, &method, &target)
			if rec := do(t, s, method, target, "", nil); rec.Code != http.StatusOK {
				t.Errorf("%s with the %s class full: %d", route, class, rec.Code)
			}
		}
		sl.release()
	}
	if rec := do(t, s, http.MethodGet, "/api/v1/rank", "", nil); rec.Code != http.StatusOK {
		t.Errorf("rank with its slot free again: %d %s", rec.Code, rec.Body.String())
	}
}

// blockingRanker ranks once its gate opens.
type blockingRanker struct {
	entered chan struct{}
	gate    chan struct{}
}

func (b blockingRanker) Rank(ctx context.Context, _ RankRequest) (RankResult, error) {
	b.entered <- struct{}{}
	select {
	case <-b.gate:
	case <-ctx.Done():
		return RankResult{}, ctx.Err()
	}
	return RankResult{Method: "fake"}, nil
}

// TestHeavyRequestsWaitTheirTurn: with two compute slots, a third ranking
// waits for a slot and is served when one frees within the wait, and a
// request beyond the waiting line (four per slot) is refused at once.
func TestHeavyRequestsWaitTheirTurn(t *testing.T) {
	br := blockingRanker{entered: make(chan struct{}, 16), gate: make(chan struct{})}
	s, _, _ := newTestServer(t, teststores.Memory, func(c *Config, d *Deps) {
		c.API.HeavyRequests, c.API.HeavyWait = 2, 10*time.Second
		d.Ranker = br
	})
	codes := make(chan int, 16)
	get := func() {
		codes <- do(t, s, http.MethodGet, "/api/v1/rank", "", nil).Code
	}
	go get()
	go get()
	<-br.entered
	<-br.entered // both slots taken
	for range 8 {
		go get() // the line: four per slot
	}
	deadline := time.Now().Add(5 * time.Second)
	for len(s.api.heavy[heavyCompute].waiting) < 8 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	start := time.Now()
	get() // beyond the line
	if c := <-codes; c != http.StatusServiceUnavailable || time.Since(start) > time.Second {
		t.Errorf("beyond the line: %d after %v, want 503 at once", c, time.Since(start))
	}
	close(br.gate)
	for range 10 {
		if c := <-codes; c != http.StatusOK {
			t.Errorf("a ranking that waited its turn: %d", c)
		}
	}
}
