package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kume-geo/kume"
)

// TestSectorOneParser follows the sector parameter through everything kume
// serves and exports, wired as "kume serve" and "kume export" wire it: a
// section outside A–U (and a code the taxonomy lacks, or a register's raw
// form) is refused with the same code and message by every JSON route, export,
// OGC collection, tile, TileJSON document and command; a well-formed one
// passes everywhere, including sector=vc:textiles on establishment tiles and
// exports of a store without saved value chains (the shipped chains are in
// force).
func TestSectorOneParser(t *testing.T) {
	dir := t.TempDir()
	mustRun(t, "import", genDemo(t, 60, 1, 0), "--dataset", "x", "--no-analyze", "--store", dir)
	// The commands first: the embedded store admits one process at a time.
	const message = `parameter "sector": not a NACE code (C, 13, 13.2, 13.20) or vc:<value chain>`
	bad := []string{"V", "Z", "00", "1320", "c"}
	for _, bad := range bad {
		out := t.TempDir()
		for _, args := range [][]string{
			{"export", "csv", "--layer", "hexagons", "--sector", bad, "-o", filepath.Join(out, "h.csv")},
			{"export", "geojson", "--layer", "establishments", "--sector", bad, "-o", filepath.Join(out, "e.geojson")},
			{"export", "pmtiles", "--sector", bad, "--maxzoom", "2", "-o", filepath.Join(out, "m.pmtiles")},
		} {
			r := run(t, append(args, "--store", dir)...)
			if kume.ErrorCode(r.err) != kume.EINVALID || kume.ErrorMessage(r.err) != message {
				t.Errorf("kume %v: %v; want invalid %q", args, r.err, message)
			}
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	srv := &server{
		cfg: serveConfig{Addr: "127.0.0.1:0", Store: storeConfig{Dir: dir}, NoDemo: true, Drain: time.Second},
		log: slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	srv.cfg.StoreDescription = srv.cfg.Store.describe()
	if err := srv.open(ctx); err != nil {
		t.Fatal(err)
	}
	base := "http://" + srv.addr()
	go func() { _ = srv.http.Serve(srv.ln) }()
	defer srv.close()
	defer srv.http.Close()
	client := &http.Client{Timeout: 20 * time.Second}
	get := func(path string) (int, string, string) {
		t.Helper()
		resp, err := client.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var body struct{ Code, Message string }
		b, _ := io.ReadAll(resp.Body)
		_ = json.Unmarshal(b, &body)
		return resp.StatusCode, body.Code, body.Message
	}
	routes := []string{
		"/api/v1/hexagons?sector=%s", "/api/v1/clusters?sector=%s", "/api/v1/rank?sector=%s",
		"/api/v1/lisa?sector=%s", "/api/v1/timeline?sector=%s", "/api/v1/establishments?sector=%s",
		"/api/v1/regions/34/profile?sector=%s", "/api/v1/export/establishments.csv?sector=%s",
		"/api/v1/export/hexagons.geojson?sector=%s", "/ogc/collections/regions/items?sector=%s",
		"/tiles/hexagons/8/148/95.mvt?sector=%s", "/tiles/establishments/14/9000/6000.mvt?sector=%s",
		"/tiles/hexagons,regions.json?sector=%s",
	}
	for _, bad := range bad {
		for _, r := range routes {
			path := fmt.Sprintf(r, bad)
			status, code, msg := get(path)
			if status != http.StatusBadRequest || code != kume.EINVALID || msg != message || msg == "" {
				t.Errorf("GET %s: %d %s %q; want 400 invalid %q", path, status, code, msg, message)
			}
		}
	}
	for _, good := range []string{"C", "U", "13", "47.1", "47.11", "vc:textiles"} {
		for _, r := range routes {
			path := fmt.Sprintf(r, good)
			status, code, msg := get(path)
			// No analysis has run: /lisa finds no cell of the key (400), and
			// the region does not exist (404); everything else answers.
			lisa := status == http.StatusBadRequest && strings.HasPrefix(path, "/api/v1/lisa") && strings.Contains(msg, "no cell with active firms")
			region := status == http.StatusNotFound && strings.HasPrefix(path, "/api/v1/regions/")
			if status >= 300 && !lisa && !region {
				t.Errorf("GET %s: %d %s %s", path, status, code, msg)
			}
		}
	}
}
