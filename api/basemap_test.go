package api

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/kume-geo/kume/basemap"
	"github.com/kume-geo/kume/internal/teststores"
	"github.com/kume-geo/kume/tiles/mvtcheck"
)

// serve sends a prepared request through the handler.
func serve(h http.Handler, req *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func TestBasemapTiles(t *testing.T) {
	bm, err := basemap.New()
	if err != nil {
		t.Fatal(err)
	}
	s, _, _ := newTestServer(t, teststores.Memory, func(_ *Config, d *Deps) { d.Basemap = bm })
	// Berlin at zoom 8, gzip-compressed for a client that accepts it.
	req, _ := http.NewRequest(http.MethodGet, "/basemap/8/137/83.mvt", nil)
	req.Header.Set("Accept-Encoding", "gzip")
	rec := serve(s, req)
	if rec.Code != http.StatusOK || rec.Header().Get("Content-Encoding") != "gzip" || rec.Header().Get("Content-Type") != mvtContentType {
		t.Fatalf("gzip tile: %d %v", rec.Code, rec.Header())
	}
	zr, err := gzip.NewReader(bytes.NewReader(rec.Body.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(zr)
	if errs := mvtcheck.Check(raw); len(errs) > 0 {
		t.Fatalf("tile: %v", errs)
	}
	// The same tile uncompressed for a client that does not.
	plain := do(t, s, http.MethodGet, "/basemap/8/137/83.pbf", "", nil)
	if plain.Code != http.StatusOK || !bytes.Equal(plain.Body.Bytes(), raw) || plain.Header().Get("Content-Encoding") != "" {
		t.Fatalf("plain tile: %d, %d bytes, want %d", plain.Code, plain.Body.Len(), len(raw))
	}
	tag := plain.Header().Get("ETag")
	req, _ = http.NewRequest(http.MethodGet, "/basemap/8/137/83.mvt", nil)
	req.Header.Set("If-None-Match", tag)
	if rec := serve(s, req); rec.Code != http.StatusNotModified {
		t.Errorf("If-None-Match %s: %d", tag, rec.Code)
	}
	for target, want := range map[string]int{
		"/basemap/8/106/96.mvt":     http.StatusNoContent, // the open Atlantic
		"/basemap/9/0/0.mvt":        http.StatusNotFound,  // beyond the basemap's zooms
		"/basemap/8/137/83.png":     http.StatusNotFound,
		"/basemap/8/137/83.mvt?x=1": http.StatusBadRequest,
		"/basemap/2/9/0.mvt":        http.StatusBadRequest, // x out of range
	} {
		if rec := do(t, s, http.MethodGet, target, "", nil); rec.Code != want {
			t.Errorf("%s: %d, want %d: %s", target, rec.Code, want, rec.Body.String())
		}
	}
	cfg := decode(t, do(t, s, http.MethodGet, "/api/v1/config", "", nil))
	if b, _ := cfg["basemap"].(map[string]any); b["kind"] != BasemapOffline || b["maxzoom"] != float64(basemap.MaxZoom) {
		t.Errorf("config basemap %v", cfg["basemap"])
	}
}

func TestExternalBasemap(t *testing.T) {
	bm, err := basemap.New()
	if err != nil {
		t.Fatal(err)
	}
	s, _, _ := newTestServer(t, teststores.Memory, func(c *Config, d *Deps) {
		c.Basemap = BasemapConfig{Kind: BasemapStyle, URL: "https://tiles.example.org/styles/liberty",
			Attribution: "© OpenStreetMap contributors", Origins: []string{"https://fonts.example.net"}}
		d.Basemap = bm
	})
	cfg := decode(t, do(t, s, http.MethodGet, "/api/v1/config", "", nil))
	if cfg["style_url"] != "https://tiles.example.org/styles/liberty" {
		t.Errorf("style_url %v", cfg["style_url"])
	}
	if b, _ := cfg["basemap"].(map[string]any); b["kind"] != BasemapStyle || b["attribution"] != "© OpenStreetMap contributors" {
		t.Errorf("config basemap %v", cfg["basemap"])
	}
	// The page may fetch from the style's origins, and only those.
	csp := do(t, s, http.MethodGet, "/", "", nil).Header().Get("Content-Security-Policy")
	for _, want := range []string{"connect-src 'self' https://tiles.example.org https://fonts.example.net", "img-src 'self' data: blob: https://tiles.example.org"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}
	// The offline tiles are not served when another basemap is configured.
	if rec := do(t, s, http.MethodGet, "/basemap/0/0/0.mvt", "", nil); rec.Code != http.StatusNotFound {
		t.Errorf("offline tile with an external basemap: %d", rec.Code)
	}
}

func TestParseBasemap(t *testing.T) {
	for spec, want := range map[string]BasemapConfig{
		"":        {Kind: BasemapOffline},
		"offline": {Kind: BasemapOffline},
		"NONE":    {Kind: BasemapNone},
		"https://tiles.openfreemap.org/styles/liberty":        {Kind: BasemapStyle, URL: "https://tiles.openfreemap.org/styles/liberty"},
		"https://tile.openstreetmap.org/{z}/{x}/{y}.png":      {Kind: BasemapRaster, URL: "https://tile.openstreetmap.org/{z}/{x}/{y}.png"},
		"style:https://example.org/style?key={x}{y}{z}":       {Kind: BasemapStyle, URL: "https://example.org/style?key={x}{y}{z}"},
		"raster:http://localhost:8081/tiles/{z}/{x}/{y}.webp": {Kind: BasemapRaster, URL: "http://localhost:8081/tiles/{z}/{x}/{y}.webp"},
	} {
		got, err := ParseBasemap(spec)
		if err != nil || got.Kind != want.Kind || got.URL != want.URL {
			t.Errorf("ParseBasemap(%q) = %+v, %v; want %+v", spec, got, err, want)
		}
	}
	for _, bad := range []string{"ftp://example.org/style.json", "file:///etc/passwd", "https://", "raster:https://example.org/tiles.png",
		"javascript:alert(1)", "https://user:pw@example.org/style.json", "tiles/{z}/{x}/{y}.png"} {
		if got, err := ParseBasemap(bad); err == nil {
			t.Errorf("ParseBasemap(%q) = %+v, want an error", bad, got)
		}
	}
	if o, err := ParseOrigin("https://fonts.example.net/"); err != nil || o != "https://fonts.example.net" {
		t.Errorf("ParseOrigin = %q, %v", o, err)
	}
	for _, bad := range []string{"https://a.org/path", "https://a.org; script-src *", "a.org", "https://a.org?x=1"} {
		if _, err := ParseOrigin(bad); err == nil {
			t.Errorf("ParseOrigin(%q) accepted", bad)
		}
	}
}

// FuzzParseBasemap checks that any accepted basemap is offline, none or an
// http(s) URL, and that accepted origins cannot break out of the CSP.
func FuzzParseBasemap(f *testing.F) {
	for _, s := range []string{"offline", "https://a.org/style.json", "raster:https://a.org/{z}/{x}/{y}.png", "style:x", "https://a.org; x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if b, err := ParseBasemap(s); err == nil {
			switch b.Kind {
			case BasemapOffline, BasemapNone:
			case BasemapStyle, BasemapRaster:
				if !strings.HasPrefix(b.URL, "http://") && !strings.HasPrefix(b.URL, "https://") {
					t.Fatalf("%q accepted as %+v", s, b)
				}
			default:
				t.Fatalf("%q gave kind %q", s, b.Kind)
			}
		}
		if o, err := ParseOrigin(s); err == nil && strings.ContainsAny(o, " ;,'\"") {
			t.Fatalf("origin %q from %q", o, s)
		}
	})
}
