package api

import (
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
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

// TestWebFilesRevalidateAndAnswerHead: the web application's files carry a
// strong ETag per encoding, a matching If-None-Match is a 304 without body,
// HEAD gives the Content-Length GET would send (compressed or not), and a
// file too small to gain from gzip is sent as it is.
func TestWebFilesRevalidateAndAnswerHead(t *testing.T) {
	js := strings.Repeat("export const answer = 42;\n", 200)
	s, _, _ := newTestServer(t, teststores.Memory, func(_ *Config, d *Deps) {
		d.Web = fstest.MapFS{"index.html": {Data: []byte("<html></html>")}, "js/app.js": {Data: []byte(js)}, "js/tiny.js": {Data: []byte("export {}")}}
	})
	get := func(method, target, encoding, etag string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(method, target, nil)
		if encoding != "" {
			req.Header.Set("Accept-Encoding", encoding)
		}
		if etag != "" {
			req.Header.Set("If-None-Match", etag)
		}
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		return rec
	}
	zipped := get(http.MethodGet, "/js/app.js", "gzip", "")
	plain := get(http.MethodGet, "/js/app.js", "", "")
	zetag, petag := zipped.Header().Get("ETag"), plain.Header().Get("ETag")
	if zetag == "" || petag == "" || zetag == petag {
		t.Fatalf("ETags %q (gzip) and %q (plain): want two different ones", zetag, petag)
	}
	for _, rec := range []*httptest.ResponseRecorder{zipped, plain} {
		if rec.Header().Get("Cache-Control") != "no-cache" || rec.Header().Get("Vary") != "Accept-Encoding" {
			t.Errorf("Cache-Control %q, Vary %q", rec.Header().Get("Cache-Control"), rec.Header().Get("Vary"))
		}
		if !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/javascript") {
			t.Errorf("Content-Type %q", rec.Header().Get("Content-Type"))
		}
	}
	if rec := get(http.MethodGet, "/js/app.js", "gzip", zetag); rec.Code != http.StatusNotModified || rec.Body.Len() != 0 {
		t.Errorf("If-None-Match %s: %d with %d bytes, want 304 without body", zetag, rec.Code, rec.Body.Len())
	}
	if rec := get(http.MethodGet, "/js/app.js", "", zetag); rec.Code != http.StatusOK {
		t.Errorf("the gzip ETag revalidated the plain file: %d", rec.Code)
	}
	for _, c := range []struct {
		encoding string
		want     int
	}{{"gzip", zipped.Body.Len()}, {"", len(js)}} {
		rec := get(http.MethodHead, "/js/app.js", c.encoding, "")
		if rec.Code != http.StatusOK || rec.Body.Len() != 0 || rec.Header().Get("Content-Length") != strconv.Itoa(c.want) {
			t.Errorf("HEAD (Accept-Encoding %q): %d, %d bytes, Content-Length %q, want 200, 0, %d",
				c.encoding, rec.Code, rec.Body.Len(), rec.Header().Get("Content-Length"), c.want)
		}
	}
	if rec := get(http.MethodGet, "/js/tiny.js", "gzip", ""); rec.Header().Get("Content-Encoding") != "" || rec.Body.String() != "export {}" {
		t.Errorf("a 9-byte file: Content-Encoding %q, body %q", rec.Header().Get("Content-Encoding"), rec.Body.String())
	}
	if rec := get(http.MethodGet, "/", "gzip", ""); rec.Code != http.StatusOK || rec.Header().Get("ETag") == "" {
		t.Errorf("GET /: %d, ETag %q", rec.Code, rec.Header().Get("ETag"))
	}
}
