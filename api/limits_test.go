package api

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/internal/teststores"
)

// TestRateLimits: the per-IP and per-key budgets (here 3 and 5 a minute,
// bursts of as many) are counted apart, a forged X-Forwarded-For does not
// escape the IP's, and every 429 says when to retry: a token comes back
// every 20 s (IP) and 12 s (key).
func TestRateLimits(t *testing.T) { onStores(t, testRateLimits) }

func testRateLimits(t *testing.T, kind teststores.Kind) {
	s, _, keys := newTestServer(t, kind, func(c *Config, _ *Deps) {
		c.API.RatePerIP, c.API.RatePerKey, c.API.BurstPerIP, c.API.BurstPerKey = 3, 5, 3, 5
	})
	var retry string
	get := func(remote, key, xff string) int {
		req := httptest.NewRequest(http.MethodGet, "/api/v1/datasets", nil)
		req.RemoteAddr = remote
		if key != "" {
			req.Header.Set("Authorization", "Bearer "+key)
		}
		if xff != "" {
			req.Header.Set("X-Forwarded-For", xff)
		}
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		retry = rec.Header().Get("Retry-After")
		return rec.Code
	}
	for i := 0; i < 3; i++ {
		if c := get("192.0.2.1:1000", "", ""); c != 200 {
			t.Fatalf("request %d: %d", i, c)
		}
	}
	if c := get("192.0.2.1:1001", "", "203.0.113.9"); c != http.StatusTooManyRequests || retry != "20" {
		t.Errorf("4th request from the same IP with a forged X-Forwarded-For: %d, Retry-After %q", c, retry)
	}
	// The web application's files cost no token: an empty bucket still
	// gets them.
	for _, path := range []string{"/", "/js/app.js", "/basemap/style.json"} {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.RemoteAddr = "192.0.2.1:1002"
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		if rec.Code == http.StatusTooManyRequests {
			t.Errorf("%s with the IP's bucket empty: 429", path)
		}
	}
	if c := get("192.0.2.2:1000", "", ""); c != 200 {
		t.Errorf("another IP: %d", c)
	}
	for i := 0; i < 5; i++ {
		if c := get("192.0.2.1:1000", keys[kume.ScopeRead], ""); c != 200 {
			t.Fatalf("keyed request %d: %d", i, c)
		}
	}
	if c := get("192.0.2.3:1000", keys[kume.ScopeRead], ""); c != http.StatusTooManyRequests || retry != "12" {
		t.Errorf("6th keyed request from another IP: %d, Retry-After %q", c, retry)
	}
}

func TestClientIPAndBaseURL(t *testing.T) { onStores(t, testClientIPAndBaseURL) }

func testClientIPAndBaseURL(t *testing.T, kind teststores.Kind) {
	s, _, _ := newTestServer(t, kind, nil)
	s.api.cfg.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}
	tests := []struct {
		remote, xff, proto, host string
		wantIP, wantBase         string
	}{
		{"192.0.2.1:5", "203.0.113.9", "https", "evil.example", "192.0.2.1", "http://kume.test"},
		{"10.1.1.1:5", "203.0.113.9, 10.2.2.2", "https", "maps.example.org", "203.0.113.9", "https://maps.example.org"},
		{"10.1.1.1:5", "", "gopher", "bad host/x", "10.1.1.1", "http://kume.test"},
	}
	for _, tc := range tests {
		req := httptest.NewRequest(http.MethodGet, "http://kume.test/ogc", nil)
		req.RemoteAddr = tc.remote
		req.Header.Set("X-Forwarded-For", tc.xff)
		req.Header.Set("X-Forwarded-Proto", tc.proto)
		req.Header.Set("X-Forwarded-Host", tc.host)
		if ip := s.clientIP(req); ip != tc.wantIP {
			t.Errorf("%s: client %s, want %s", tc.remote, ip, tc.wantIP)
		}
		if b := s.baseURL(req); b != tc.wantBase {
			t.Errorf("%s: base %s, want %s", tc.remote, b, tc.wantBase)
		}
	}
}

func TestCORSAllowList(t *testing.T) { onStores(t, testCORSAllowList) }

func testCORSAllowList(t *testing.T, kind teststores.Kind) {
	s, _, _ := newTestServer(t, kind, func(c *Config, _ *Deps) { c.API.CORSOrigins = []string{"https://app.example"} })
	for _, tc := range []struct {
		origin string
		allow  bool
	}{{"https://app.example", true}, {"https://evil.example", false}} {
		req := httptest.NewRequest(http.MethodGet, "/api/v1/datasets", nil)
		req.Header.Set("Origin", tc.origin)
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		if got := rec.Header().Get("Access-Control-Allow-Origin") == tc.origin; got != tc.allow {
			t.Errorf("%s: allowed %v", tc.origin, got)
		}
	}
}

// TestMetricsAndErrors: /metrics answers admin keys only (401 without a
// key, 403 with a smaller scope), and counts requests, tile cache events
// and imported rows; the metrics listener serves them without a key and
// nothing else; unknown resources are JSON 404s.
func TestMetricsAndErrors(t *testing.T) { onStores(t, testMetricsAndErrors) }

func testMetricsAndErrors(t *testing.T, kind teststores.Kind) {
	s, _, keys := newTestServer(t, kind, nil)
	do(t, s, http.MethodGet, "/api/v1/datasets", "", nil)
	do(t, s, http.MethodGet, "/api/v1/establishments?bad=1", "", nil)
	s.Metrics().TileCache(TileCacheHit)
	s.Metrics().ImportRows(3, 1)
	for _, key := range []string{"", keys[kume.ScopeRead], keys[kume.ScopeWrite]} {
		if rec := do(t, s, http.MethodGet, "/metrics", key, nil); rec.Code != http.StatusUnauthorized && rec.Code != http.StatusForbidden {
			t.Errorf("/metrics without an admin key: %d", rec.Code)
		}
	}
	rec := do(t, s, http.MethodGet, "/metrics", keys[kume.ScopeAdmin], nil)
	body := rec.Body.String()
	for _, want := range []string{
		`kume_http_requests_total{method="GET",route="/api/v1/datasets",status="200"} 1`,
		`route="/api/v1/establishments",status="400"`,
		`kume_http_request_duration_seconds_bucket`,
		`kume_tile_cache_events_total{event="hit"} 1`,
		`kume_import_rows_total{outcome="rejected"} 1`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	mh := s.MetricsHandler()
	if rec := do(t, mh, http.MethodGet, "/metrics", "", nil); rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "kume_http_requests_total") {
		t.Errorf("metrics listener: %d", rec.Code)
	}
	for _, target := range []string{"/", "/api/v1/datasets", "/metrics/x", "/healthz"} {
		if rec := do(t, mh, http.MethodGet, target, "", nil); rec.Code != http.StatusNotFound {
			t.Errorf("metrics listener %s: %d, want 404", target, rec.Code)
		}
	}
	for _, target := range []string{"/api/v1/nothing", "/ogc/collections/nothing", "/api/v1/clusters/none"} {
		rec := do(t, s, http.MethodGet, target, "", nil)
		if rec.Code != 404 || decode(t, rec)["code"] != "not_found" {
			t.Errorf("%s: %d %s", target, rec.Code, rec.Body.String())
		}
	}
}

func TestClientGoneIsNotAnInternalError(t *testing.T) {
	onStores(t, testClientGoneIsNotAnInternalError)
}

func testClientGoneIsNotAnInternalError(t *testing.T, kind teststores.Kind) {
	var logs strings.Builder
	s, _, _ := newTestServer(t, kind, func(_ *Config, d *Deps) {
		d.Log = slog.New(slog.NewJSONHandler(&logs, nil))
	})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	req := httptest.NewRequest(http.MethodGet, "/api/v1/establishments", nil).WithContext(ctx)
	rec := httptest.NewRecorder()
	s.writeError(rec, req, fmt.Errorf("postgis: establishments: %w", context.Canceled))
	if rec.Code != statusClientClosed || decode(t, rec)["code"] != codeClientClosed {
		t.Errorf("client gone: %d %s", rec.Code, rec.Body.String())
	}
	if strings.Contains(logs.String(), `"level":"ERROR"`) {
		t.Errorf("client gone logged as an error: %s", logs.String())
	}
	// The same error on a live request (a store that canceled on its own) is
	// still an internal error.
	req = httptest.NewRequest(http.MethodGet, "/api/v1/establishments", nil)
	rec = httptest.NewRecorder()
	s.writeError(rec, req, fmt.Errorf("postgis: establishments: %w", context.Canceled))
	if rec.Code != http.StatusInternalServerError || !strings.Contains(logs.String(), `"level":"ERROR"`) {
		t.Errorf("live request: %d, logs %s", rec.Code, logs.String())
	}
}
