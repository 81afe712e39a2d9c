package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/kume-geo/kume/tiles"
	"github.com/kume-geo/kume/tiles/mvtcheck"
)

// testServePostGISTiles serves the database with --tile-encoder postgis and
// checks a tile's HTTP behaviour: the bytes of the PostGIS encoder, gzip with
// its own entity tag, 304 on revalidation, 204 for an empty tile.
func testServePostGISTiles(t *testing.T, dbURL string, want *tiles.Service) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	srv := &server{
		cfg: serveConfig{Addr: "127.0.0.1:0", Store: storeConfig{DB: dbURL}, Drain: time.Second, TileEncoder: tileEncoderPostGIS},
		log: slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	if err := srv.open(ctx); err != nil {
		t.Fatal(err)
	}
	defer srv.close()
	done := make(chan error, 1)
	go func() { done <- srv.serve(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	}()
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DisableCompression: true}}
	get := func(path string, header ...string) (*http.Response, []byte) {
		t.Helper()
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+srv.addr()+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
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
	id := tileOf(13.30, 52.45, 12)
	path := fmt.Sprintf("/tiles/regions/%s.mvt?level=fixture", id)
	resp, gz := get(path, "Accept-Encoding", "gzip")
	etag := resp.Header.Get("ETag")
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Encoding") != "gzip" || etag == "" {
		t.Fatalf("GET %s: %s, Content-Encoding %q, ETag %q", path, resp.Status, resp.Header.Get("Content-Encoding"), etag)
	}
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	wt, err := want.Tile(ctx, tiles.Request{Layers: []string{tiles.LayerRegions}, Tile: id, Params: tiles.Params{Level: "fixture"}})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(body, wt.Data) {
		t.Errorf("GET %s: %d bytes, not the PostGIS encoder's %d", path, len(body), len(wt.Data))
	}
	if errs := mvtcheck.Check(body); errs != nil {
		t.Errorf("GET %s: %v", path, errs)
	}
	resp, plain := get(path)
	if resp.StatusCode != http.StatusOK || !bytes.Equal(plain, body) || resp.Header.Get("ETag") == etag {
		t.Errorf("GET %s without gzip: %s, %d bytes, ETag %q (gzip's %q)", path, resp.Status, len(plain), resp.Header.Get("ETag"), etag)
	}
	if resp, _ := get(path, "Accept-Encoding", "gzip", "If-None-Match", etag); resp.StatusCode != http.StatusNotModified {
		t.Errorf("GET %s If-None-Match: %s, want 304", path, resp.Status)
	}
	// the middle of the Atlantic: no region
	empty := fmt.Sprintf("/tiles/regions,clusters/%s.mvt?sector=C", tileOf(-30, 40, 10))
	if resp, b := get(empty); resp.StatusCode != http.StatusNoContent || len(b) != 0 {
		t.Errorf("GET %s: %s with %d bytes, want 204", empty, resp.Status, len(b))
	}
}
