package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kume-geo/kume/internal/pgtest"
	"github.com/kume-geo/kume/tiles"
)

// serveStoreConfig serves a store until the test ends and returns its base URL.
func serveStoreConfig(t *testing.T, sc storeConfig) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	srv := &server{
		cfg: serveConfig{Addr: "127.0.0.1:0", Store: sc, NoDemo: true, Drain: time.Second},
		log: slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	if err := srv.open(ctx); err != nil {
		cancel()
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.serve(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			t.Error("serve did not stop")
		}
		srv.close()
	})
	return "http://" + srv.addr()
}

// fetch GETs a URL without asking for compression and returns the response
// (body closed) and its body.
func fetch(t *testing.T, url string, header ...string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{DisableCompression: true}}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

// waitAnalysed waits until the server's latest analysis covers its data
// version, newer than after, and returns that version.
func waitAnalysed(t *testing.T, base string, after int64) int64 {
	t.Helper()
	for deadline := time.Now().Add(90 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		var body struct {
			DataVersion int64 `json:"data_version"`
			Latest      *struct {
				Version int64 `json:"version"`
			} `json:"latest"`
		}
		resp, b := fetch(t, base+"/api/v1/analysis")
		if resp.StatusCode != http.StatusOK || json.Unmarshal(b, &body) != nil {
			t.Fatalf("GET /api/v1/analysis: %s %s", resp.Status, b)
		}
		if body.Latest != nil && body.Latest.Version == body.DataVersion && body.DataVersion > after {
			return body.DataVersion
		}
	}
	t.Fatalf("no analysis after version %d in 90 s", after)
	return 0
}

// TestVersionedTiles checks tiles whose URLs carry the data version, on both
// stores: TileJSON gives them, they answer the bytes of the unversioned tile
// cached for good, and once the data moves on the old URLs answer 404 with
// the current version, not a redirect.
func TestVersionedTiles(t *testing.T) {
	csv := genDemo(t, 3000, 5, 0)
	stores := map[string]func(t *testing.T) (storeConfig, []string){
		"embedded": func(t *testing.T) (storeConfig, []string) {
			dir := t.TempDir()
			return storeConfig{Dir: dir}, []string{"--store", dir}
		},
		"postgis": func(t *testing.T) (storeConfig, []string) {
			url := pgtest.NewDatabase(t)
			return storeConfig{DB: url}, []string{"--db", url}
		},
	}
	for name, open := range stores {
		t.Run(name, func(t *testing.T) {
			sc, args := open(t)
			mustRun(t, append([]string{"import", csv, "--dataset", "synthetic", "--visibility", "public", "--no-analyze"}, args...)...)
			out := mustRun(t, append([]string{"keys", "create", "--scope", "admin", "--name", "t"}, args...)...).stdout
			key := strings.TrimSpace(out[strings.LastIndex(strings.TrimSpace(out), "\n")+1:])
			base := serveStoreConfig(t, sc)
			v1 := waitAnalysed(t, base, 0)
			testVersionedTiles(t, base, key, v1)
		})
	}
}

func testVersionedTiles(t *testing.T, base, key string, v1 int64) {
	id := tileOf(29.0, 41.02, 8)
	// TileJSON names the version in its tile URLs and is revalidated on use.
	resp, b := fetch(t, base+"/tiles/hexagons.json?sector=C")
	var tj tiles.TileJSON
	if err := json.Unmarshal(b, &tj); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("TileJSON: %s %s", resp.Status, b)
	}
	wantTmpl := fmt.Sprintf("%s/tiles/v/%d/hexagons/{z}/{x}/{y}.mvt?sector=C", base, v1)
	if len(tj.Tiles) != 1 || tj.Tiles[0] != wantTmpl || tj.DataVersion == nil || *tj.DataVersion != v1 {
		t.Fatalf("TileJSON tiles %q, data_version %v; want %q and %d", tj.Tiles, tj.DataVersion, wantTmpl, v1)
	}
	if cc := resp.Header.Get("Cache-Control"); cc != "no-cache" {
		t.Errorf("TileJSON Cache-Control %q, want no-cache", cc)
	}
	tileURL := func(v int64, layers string) string {
		return fmt.Sprintf("%s/tiles/v/%d/%s/%d/%d/%d.mvt?sector=C", base, v, layers, id.Z, id.X, id.Y)
	}
	// The versioned tile is the unversioned one, cached for good.
	plain, plainBody := fetch(t, fmt.Sprintf("%s/tiles/hexagons/%d/%d/%d.mvt?sector=C", base, id.Z, id.X, id.Y))
	vr, vBody := fetch(t, tileURL(v1, "hexagons"))
	if plain.StatusCode != http.StatusOK || vr.StatusCode != http.StatusOK || len(vBody) == 0 || !bytes.Equal(plainBody, vBody) {
		t.Fatalf("unversioned %s (%d bytes), versioned %s (%d bytes): want the same tile", plain.Status, len(plainBody), vr.Status, len(vBody))
	}
	if cc := vr.Header.Get("Cache-Control"); cc != "public, max-age=31536000, immutable" {
		t.Errorf("versioned Cache-Control %q", cc)
	}
	if cc := plain.Header.Get("Cache-Control"); cc != "public, max-age=60" || plain.Header.Get("ETag") == "" {
		t.Errorf("unversioned Cache-Control %q, ETag %q: want short caching with an entity tag", cc, plain.Header.Get("ETag"))
	}
	if r, _ := fetch(t, tileURL(v1, "hexagons"), "If-None-Match", vr.Header.Get("ETag")); r.StatusCode != http.StatusNotModified {
		t.Errorf("revalidation of the versioned tile: %s", r.Status)
	}
	// Malformed versions are 400, never cached.
	for _, bad := range []string{"x", "-1", "1e3", "+3", "1234567890123456789"} {
		r, b := fetch(t, fmt.Sprintf("%s/tiles/v/%s/hexagons/%d/%d/%d.mvt", base, bad, id.Z, id.X, id.Y))
		if r.StatusCode != http.StatusBadRequest || r.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("version %q: %s, Cache-Control %q: %s", bad, r.Status, r.Header.Get("Cache-Control"), b)
		}
	}
	// A version that is not current: 404 naming the current one, linked.
	notServed := func(v, current int64, layers string) {
		t.Helper()
		r, b := fetch(t, tileURL(v, layers))
		var e struct{ Code, Message string }
		_ = json.Unmarshal(b, &e)
		link := fmt.Sprintf(`<%s>; rel="latest-version"`, tileURL(current, layers))
		if r.StatusCode != http.StatusNotFound || e.Code != "not_found" || r.Header.Get("Cache-Control") != "no-store" ||
			r.Header.Get("Link") != link || !strings.Contains(e.Message, fmt.Sprintf("the current version is %d", current)) {
			t.Errorf("%s at version %d: %s, Cache-Control %q, Link %q: %s", layers, v, r.Status, r.Header.Get("Cache-Control"), r.Header.Get("Link"), b)
		}
	}
	notServed(v1-1, v1, "hexagons")
	notServed(v1+7, v1, "hexagons")

	// Establishments carry the store's data version.
	resp, b = fetch(t, base+"/tiles/establishments.json")
	if err := json.Unmarshal(b, &tj); err != nil || tj.DataVersion == nil {
		t.Fatalf("establishments TileJSON: %s %s", resp.Status, b)
	}
	dv := *tj.DataVersion
	pid := tileOf(29.0, 41.02, 13)
	pointURL := fmt.Sprintf("%s/tiles/v/%d/establishments/%d/%d/%d.mvt", base, dv, pid.Z, pid.X, pid.Y)
	if r, _ := fetch(t, pointURL); r.StatusCode/100 != 2 || r.Header.Get("Cache-Control") != "public, max-age=31536000, immutable" {
		t.Errorf("versioned establishments tile: %s, Cache-Control %q", r.Status, r.Header.Get("Cache-Control"))
	}

	// A new analysis: the old URLs are no longer served, the TileJSON gives
	// the new version.
	if code, b := call(t, http.MethodPost, base+"/api/v1/analysis", key, "", nil); code != http.StatusAccepted && code != http.StatusOK {
		t.Fatalf("POST /api/v1/analysis: %d %s", code, b)
	}
	v2 := waitAnalysed(t, base, v1)
	time.Sleep(1100 * time.Millisecond) // the tile service's version check
	notServed(v1, v2, "hexagons")
	if r, b := fetch(t, tileURL(v2, "hexagons")); r.StatusCode != http.StatusOK || !bytes.Equal(b, vBody) {
		t.Errorf("the same analysis at version %d: %s, %d bytes (was %d)", v2, r.Status, len(b), len(vBody))
	}
	if r, _ := fetch(t, pointURL); r.StatusCode != http.StatusNotFound {
		t.Errorf("establishments at data version %d after a new one: %s", dv, r.Status)
	}
	_, b = fetch(t, base+"/tiles/hexagons.json?sector=C")
	if !regexp.MustCompile(fmt.Sprintf(`/tiles/v/%d/hexagons/`, v2)).Match(b) {
		t.Errorf("TileJSON after the new analysis: %s", b)
	}
}
