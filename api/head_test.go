package api

import (
	"net/http"
	"testing"

	"github.com/kume-geo/kume/basemap"
	"github.com/kume-geo/kume/internal/teststores"
)

// TestHeadAnswersAsGet checks that HEAD gets GET's status and headers on
// every kind of GET route, and that other methods are still refused.
func TestHeadAnswersAsGet(t *testing.T) {
	bm, err := basemap.New()
	if err != nil {
		t.Fatal(err)
	}
	s, _, _ := newTestServer(t, teststores.Memory, func(_ *Config, d *Deps) { d.Basemap = bm })
	for _, target := range []string{"/basemap/8/137/83.mvt", "/api/v1/config", "/ogc/collections", "/healthz", "/"} {
		get := do(t, s, http.MethodGet, target, "", nil)
		head := do(t, s, http.MethodHead, target, "", nil)
		if head.Code != get.Code || head.Code != http.StatusOK {
			t.Errorf("HEAD %s: %d, GET %d", target, head.Code, get.Code)
		}
		for _, h := range []string{"Content-Type", "Cache-Control", "ETag"} {
			if head.Header().Get(h) != get.Header().Get(h) {
				t.Errorf("HEAD %s %s: %q, GET %q", target, h, head.Header().Get(h), get.Header().Get(h))
			}
		}
	}
	if rec := do(t, s, http.MethodPut, "/basemap/8/137/83.mvt", "", nil); rec.Code != http.StatusMethodNotAllowed {
		t.Errorf("PUT on a tile: %d, want 405", rec.Code)
	}
}
