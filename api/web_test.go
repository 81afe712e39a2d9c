package api

import (
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/kume-geo/kume/internal/teststores"
)

func TestWebFilesAreCompressedAndTilesAreNot(t *testing.T) {
	onStores(t, testWebFilesAreCompressedAndTilesAreNot)
}

func testWebFilesAreCompressedAndTilesAreNot(t *testing.T, kind teststores.Kind) {
	js := strings.Repeat("export const answer = 42;\n", 200)
	s, _, _ := newTestServer(t, kind, func(_ *Config, d *Deps) {
		d.Web = fstest.MapFS{"index.html": {Data: []byte("<html></html>")}, "js/app.js": {Data: []byte(js)}}
	})
	req := httptest.NewRequest(http.MethodGet, "/js/app.js", nil)
	req.Header.Set("Accept-Encoding", "gzip")
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK || rec.Header().Get("Content-Encoding") != "gzip" {
		t.Fatalf("status %d, Content-Encoding %q, want gzip", rec.Code, rec.Header().Get("Content-Encoding"))
	}
	zr, err := gzip.NewReader(rec.Body)
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(zr)
	if err != nil || string(body) != js {
		t.Fatalf("decompressed body differs (err %v, %d bytes)", err, len(body))
	}
	if rec.Header().Get("Content-Security-Policy") == "" {
		t.Error("security headers missing on a compressed response")
	}

	// Without Accept-Encoding the file comes as is.
	rec = do(t, s, http.MethodGet, "/js/app.js", "", nil)
	if rec.Header().Get("Content-Encoding") != "" || rec.Body.String() != js {
		t.Errorf("plain request: Content-Encoding %q, %d bytes", rec.Header().Get("Content-Encoding"), rec.Body.Len())
	}

	// The API is not compressed by this middleware.
	req = httptest.NewRequest(http.MethodGet, "/api/v1/value-chains", nil)
	req.Header.Set("Accept-Encoding", "gzip")
	rec = httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	if rec.Header().Get("Content-Encoding") != "" {
		t.Errorf("API answer compressed: %q", rec.Header().Get("Content-Encoding"))
	}
}

// TestNoDirectoryListings: directories of the web application without an
// index.html (js/, vendor/, nested ones) are 404s with or without the
// trailing slash, never listings; files and the index are served.
func TestNoDirectoryListings(t *testing.T) {
	s, _, _ := newTestServer(t, teststores.Memory, func(_ *Config, d *Deps) {
		d.Web = fstest.MapFS{"index.html": {Data: []byte("<html>kume</html>")}, "js/app.js": {Data: []byte("export {}")},
			"vendor/maplibre/maplibre-gl.js": {Data: []byte("x")}, "docs/index.html": {Data: []byte("<html>docs</html>")}}
	})
	for target, want := range map[string]int{
		"/js/": 404, "/js": 404, "/vendor/": 404, "/vendor/maplibre/": 404, "/vendor/maplibre": 404, "/nothing/": 404,
		"/": 200, "/index.html": 301, "/js/app.js": 200, "/vendor/maplibre/maplibre-gl.js": 200, "/docs/": 200,
	} {
		rec := do(t, s, http.MethodGet, target, "", nil)
		if rec.Code != want {
			t.Errorf("GET %s: %d, want %d", target, rec.Code, want)
		}
		if body := rec.Body.String(); strings.Contains(body, "<pre>") || strings.Contains(body, "app.js\"") {
			t.Errorf("GET %s lists a directory: %.200s", target, body)
		}
	}
}
