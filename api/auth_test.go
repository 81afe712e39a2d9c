package api

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/internal/teststores"
)

func TestAccessControl(t *testing.T) { onStores(t, testAccessControl) }

func testAccessControl(t *testing.T, kind teststores.Kind) {
	s, _, keys := newTestServer(t, kind, nil)
	closed, _, keys2 := newTestServer(t, kind, func(c *Config, _ *Deps) { c.API.PublicReads = false })
	body := func() *strings.Reader { return strings.NewReader(`{"name":"new","visibility":"public"}`) }
	tests := []struct {
		name   string
		h      http.Handler
		method string
		target string
		key    string
		header string // "x" sends the key as X-API-Key
		want   int
	}{
		{"public read", s, http.MethodGet, "/api/v1/datasets", "", "", 200},
		{"closed read without key", closed, http.MethodGet, "/api/v1/datasets", "", "", 401},
		{"closed read with key", closed, http.MethodGet, "/api/v1/datasets", keys2[kume.ScopeRead], "", 200},
		{"closed OGC without key", closed, http.MethodGet, "/ogc/collections", "", "", 401},
		{"closed export without key", closed, http.MethodGet, "/api/v1/export/hexagons.geojson", "", "", 401},
		{"write without key", s, http.MethodPost, "/api/v1/datasets", "", "", 401},
		{"write with read key", s, http.MethodPost, "/api/v1/datasets", keys[kume.ScopeRead], "", 403},
		{"write with write key", s, http.MethodPost, "/api/v1/datasets", keys[kume.ScopeWrite], "", 201},
		{"write with X-API-Key", s, http.MethodPost, "/api/v1/datasets", keys[kume.ScopeAdmin], "x", 409},
		{"admin with write key", s, http.MethodPut, "/api/v1/value-chains/textiles", keys[kume.ScopeWrite], "", 403},
		{"admin without key", s, http.MethodPost, "/api/v1/analysis", "", "", 401},
		{"unknown key", s, http.MethodGet, "/api/v1/datasets", "kume_nope", "", 401},
		{"delete with read key", s, http.MethodDelete, "/api/v1/datasets/1", keys[kume.ScopeRead], "", 403},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var b *strings.Reader
			if tc.method != http.MethodGet {
				b = body()
			} else {
				b = strings.NewReader("")
			}
			req := httptest.NewRequest(tc.method, tc.target, b)
			switch {
			case tc.key != "" && tc.header == "x":
				req.Header.Set("X-API-Key", tc.key)
			case tc.key != "":
				req.Header.Set("Authorization", "Bearer "+tc.key)
			}
			rec := httptest.NewRecorder()
			tc.h.ServeHTTP(rec, req)
			if rec.Code != tc.want {
				t.Fatalf("status %d, want %d: %s", rec.Code, tc.want, rec.Body.String())
			}
			if rec.Code >= 400 {
				m := decode(t, rec)
				if m["code"] == nil || m["message"] == nil {
					t.Errorf("error body %v", m)
				}
			}
		})
	}
}

func TestMalformedCredentials(t *testing.T) { onStores(t, testMalformedCredentials) }

func testMalformedCredentials(t *testing.T, kind teststores.Kind) {
	s, _, keys := newTestServer(t, kind, nil)
	for _, h := range [][2]string{{"Authorization", "Basic abc"}, {"Authorization", "Bearer"}, {"Authorization", "Bearer " + strings.Repeat("x", 300)}} {
		req := httptest.NewRequest(http.MethodGet, "/api/v1/datasets", nil)
		req.Header.Set(h[0], h[1])
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		if rec.Code != http.StatusUnauthorized {
			t.Errorf("%s: %.20s: %d", h[0], h[1], rec.Code)
		}
	}
	req := httptest.NewRequest(http.MethodGet, "/api/v1/datasets", nil)
	req.Header.Set("Authorization", "Bearer "+keys[kume.ScopeRead])
	req.Header.Set("X-API-Key", keys[kume.ScopeRead])
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	if rec.Code != http.StatusUnauthorized {
		t.Errorf("two credentials: %d", rec.Code)
	}
}

func TestNewKey(t *testing.T) {
	a, ha, err := NewKey()
	if err != nil {
		t.Fatal(err)
	}
	b, hb, _ := NewKey()
	if a == b || string(ha) == string(hb) || len(ha) != 32 || string(HashKey(a)) != string(ha) || len(a) < 40 {
		t.Fatalf("keys %q %q", a, b)
	}
}

func TestPrivateDatasetStaysPrivate(t *testing.T) { onStores(t, testPrivateDatasetStaysPrivate) }

func testPrivateDatasetStaysPrivate(t *testing.T, kind teststores.Kind) {
	s, _, keys := newTestServer(t, kind, nil)
	public := []string{
		"/api/v1/datasets", "/api/v1/establishments?limit=1000", "/api/v1/export/establishments.geojson?limit=1000",
		"/api/v1/export/establishments.csv?limit=1000", "/ogc/collections/establishments/items?limit=1000",
		"/api/v1/export/institutions.geojson?limit=1000",
	}
	for _, target := range public {
		rec := do(t, s, http.MethodGet, target, "", nil)
		if rec.Code != 200 {
			t.Fatalf("%s: %d %s", target, rec.Code, rec.Body.String())
		}
		if b := rec.Body.String(); strings.Contains(b, "Hidden") || strings.Contains(b, "secret") || strings.Contains(b, "Confidential") {
			t.Errorf("%s leaks the private dataset", target)
		}
	}
	// A key without a grant on the private dataset sees no more of it than
	// an anonymous caller; the read key of the fixture is granted it.
	secret, hash, err := NewKey()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.store.CreateKey(context.Background(), &kume.APIKey{Name: "plain", Scope: kume.ScopeWrite, Hash: hash}); err != nil {
		t.Fatal(err)
	}
	for _, target := range []string{"/api/v1/establishments/251", "/ogc/collections/establishments/items/251", "/api/v1/establishments?dataset=secret"} {
		for _, key := range []string{"", secret} {
			if rec := do(t, s, http.MethodGet, target, key, nil); rec.Code != 404 && rec.Code != 400 {
				t.Errorf("%s (key %v): %d, want not found", target, key != "", rec.Code)
			}
		}
		if rec := do(t, s, http.MethodGet, target, keys[kume.ScopeRead], nil); rec.Code != 200 {
			t.Errorf("%s with a key granted the dataset: %d", target, rec.Code)
		}
	}
	for _, target := range public {
		if b := do(t, s, http.MethodGet, target, secret, nil).Body.String(); strings.Contains(b, "Hidden") || strings.Contains(b, "secret") {
			t.Errorf("%s leaks the private dataset to a key without a grant", target)
		}
	}
}

func TestSuppressedAggregatesAreMasked(t *testing.T) { onStores(t, testSuppressedAggregatesAreMasked) }

func testSuppressedAggregatesAreMasked(t *testing.T, kind teststores.Kind) {
	s, _, keys := newTestServer(t, kind, nil)
	for _, tc := range []struct {
		key  string
		mask bool
	}{{"", true}, {keys[kume.ScopeRead], false}} {
		rec := do(t, s, http.MethodGet, "/api/v1/hexagons?res=7&include_empty=true", tc.key, nil)
		m := decode(t, rec)
		masked := 0
		for _, f := range m["features"].([]any) {
			p := f.(map[string]any)["properties"].(map[string]any)
			if p["suppressed"] == true && p["firms"] == nil && p["lq"] == nil {
				masked++
			}
		}
		if (masked > 0) != tc.mask {
			t.Errorf("key %v: %d masked cells", tc.key != "", masked)
		}
	}
}
