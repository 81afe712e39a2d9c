package api

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/uber/h3-go/v4"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/internal/teststores"
	"github.com/kume-geo/kume/tiles"
	"github.com/kume-geo/kume/tiles/mvtcheck"
)

// newTileServer returns a server with tiles over a store of the kind holding
// one analysis, with cells at resolution 6 around Istanbul.
func newTileServer(t testing.TB, kind teststores.Kind) *httptest.Server {
	t.Helper()
	st := teststores.Open(t, kind)
	r := &kume.AnalysisResult{Run: kume.AnalysisRun{Params: []byte(`{"resolutions":[6]}`)}}
	for i, c := range h3.LatLngToCell(h3.NewLatLng(41, 29), 6).GridDisk(5) {
		r.Cells = append(r.Cells, kume.CellStat{Res: 6, Cell: uint64(c), Firms: 5 + i})
	}
	if _, err := st.SaveAnalysis(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	svc, err := tiles.New(st, tiles.Config{CacheControl: "public, max-age=30"})
	if err != nil {
		t.Fatal(err)
	}
	cfg := DefaultConfig()
	cfg.API.RatePerIP = 1 << 30 // the benchmark's requests all come from one address
	srv := httptest.NewServer(New(cfg, Deps{Store: st, Log: slog.New(slog.DiscardHandler), Tiles: svc}))
	t.Cleanup(srv.Close)
	return srv
}

func TestTileHTTP(t *testing.T) { onStores(t, testTileHTTP) }

func testTileHTTP(t *testing.T, kind teststores.Kind) {
	srv := newTileServer(t, kind)
	const tile = "/tiles/hexagons/8/148/95"
	tests := []struct {
		path, accept string
		status       int
		code         string
	}{
		{tile + ".mvt", "", 200, ""},
		{tile + ".pbf", "gzip, deflate", 200, ""},
		{tile + ".mvt", "gzip;q=0", 200, ""},
		{"/tiles/hexagons/8/10/10.mvt", "", 204, ""},
		{tile + ".png", "", 404, kume.ENOTFOUND},
		{"/tiles/roads/8/148/95.mvt", "", 404, kume.ENOTFOUND},
		{"/tiles/hexagons/2/1/1.mvt", "", 404, kume.ENOTFOUND},
		{"/tiles/hexagons/8/256/95.mvt", "", 400, kume.EINVALID},
		{"/tiles/hexagons/8/x/95.mvt", "", 400, kume.EINVALID},
		{"/tiles/hexagons/99999999999999999999/1/1.mvt", "", 400, kume.EINVALID},
		{"/tiles/hexagons,hexagons/8/148/95.mvt", "", 400, kume.EINVALID},
		{tile + ".mvt?sector=13%27%3B%20DROP%20TABLE%20x", "", 400, kume.EINVALID},
		{tile + ".mvt?sector=13%00", "", 400, kume.EINVALID},
		{tile + ".mvt?sector=" + strings.Repeat("9", 10240), "", 400, kume.EINVALID},
		{tile + ".mvt?sector=C&sector=F", "", 400, kume.EINVALID},
		{tile + ".mvt?res=12", "", 400, kume.EINVALID},
		{tile + ".mvt?foo=1", "", 400, kume.EINVALID},
		{tile + ".mvt?sector=%zz", "", 400, kume.EINVALID},
	}
	for _, tt := range tests {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+tt.path, nil)
		req.Header.Set("Accept-Encoding", tt.accept) // "" stops the transport from adding gzip
		res, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		name := tt.path[:min(len(tt.path), 60)]
		if res.StatusCode != tt.status {
			t.Errorf("%s: status %d, want %d (%s)", name, res.StatusCode, tt.status, body[:min(len(body), 200)])
			continue
		}
		if v := res.Header.Get("Vary"); (!strings.Contains(v, "Accept-Encoding") || !strings.Contains(v, "Authorization")) && tt.status < 400 {
			t.Errorf("%s: Vary %q, want Accept-Encoding and the credentials", name, v)
		}
		switch {
		case tt.status >= 400:
			var e struct{ Code, Message string }
			if json.Unmarshal(body, &e) != nil || e.Code != tt.code || e.Message == "" || len(e.Message) > 200 {
				t.Errorf("%s: error body %.200s, want code %s", name, body, tt.code)
			}
		case tt.status == 200:
			if res.Header.Get("Content-Type") != "application/vnd.mapbox-vector-tile" || res.Header.Get("ETag") == "" ||
				res.Header.Get("Cache-Control") != "public, max-age=30" {
				t.Errorf("%s: headers %v", name, res.Header)
			}
			gz := res.Header.Get("Content-Encoding") == "gzip"
			if gz != strings.HasPrefix(tt.accept, "gzip,") {
				t.Errorf("%s: Content-Encoding %q for Accept-Encoding %q", name, res.Header.Get("Content-Encoding"), tt.accept)
			}
			if gz {
				zr, err := gzip.NewReader(bytes.NewReader(body))
				if err != nil {
					t.Fatal(err)
				}
				body, _ = io.ReadAll(zr)
			}
			if errs := mvtcheck.Check(body); len(errs) > 0 {
				t.Errorf("%s: %v", name, errs)
			}
		}
	}
}

func TestTileNotModified(t *testing.T) { onStores(t, testTileNotModified) }

func testTileNotModified(t *testing.T, kind teststores.Kind) {
	srv := newTileServer(t, kind)
	res, err := http.Get(srv.URL + "/tiles/hexagons/8/148/95.mvt")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	tag := res.Header.Get("ETag")
	if !strings.HasPrefix(tag, `"`) {
		t.Fatalf("ETag %q is not a strong tag", tag)
	}
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/tiles/hexagons/8/148/95.mvt", nil)
	req.Header.Set("If-None-Match", tag)
	res, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusNotModified {
		t.Fatalf("status %d, want 304", res.StatusCode)
	}
	other, _ := http.Get(srv.URL + "/tiles/hexagons/8/148/95.mvt?sector=13")
	other.Body.Close()
	if other.Header.Get("ETag") == tag {
		t.Fatal("ETag does not change with the parameters")
	}
}

func TestTileJSONHTTP(t *testing.T) { onStores(t, testTileJSONHTTP) }

func testTileJSONHTTP(t *testing.T, kind teststores.Kind) {
	srv := newTileServer(t, kind)
	res, err := http.Get(srv.URL + "/tiles/hexagons,regions.json?sector=13")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var tj tiles.TileJSON
	if err := json.NewDecoder(res.Body).Decode(&tj); err != nil || res.StatusCode != 200 {
		t.Fatalf("status %d: %v", res.StatusCode, err)
	}
	if tj.TileJSON != "3.0.0" || len(tj.VectorLayers) != 2 || !strings.HasSuffix(tj.Tiles[0], "/tiles/v/1/hexagons,regions/{z}/{x}/{y}.mvt?sector=13") {
		t.Fatalf("%+v", tj)
	}
}

// BenchmarkCachedTile serves a warm tile through the whole HTTP stack.
func BenchmarkCachedTile(b *testing.B) {
	srv := newTileServer(b, teststores.Memory)
	url := srv.URL + "/tiles/hexagons/8/148/95.mvt"
	client := srv.Client()
	for b.Loop() {
		res, err := client.Get(url)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != 200 {
			b.Fatal(res.Status)
		}
	}
}

// TestTileJSONBoundsFollowTheData: the TileJSON document announces the extent
// of the analysed cells (around Istanbul here), not the whole world.
func TestTileJSONBoundsFollowTheData(t *testing.T) { onStores(t, testTileJSONBoundsFollowTheData) }

func testTileJSONBoundsFollowTheData(t *testing.T, kind teststores.Kind) {
	srv := newTileServer(t, kind)
	res, err := http.Get(srv.URL + "/tiles/hexagons.json")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var doc tiles.TileJSON
	if err := json.NewDecoder(res.Body).Decode(&doc); err != nil {
		t.Fatal(err)
	}
	b, c := doc.Bounds, doc.Center
	if b[0] < 28 || b[2] > 30 || b[1] < 40 || b[3] > 42 || b[0] >= b[2] || b[1] >= b[3] {
		t.Errorf("bounds %v, want a box around 29°E 41°N", b)
	}
	if c[0] < b[0] || c[0] > b[2] || c[1] < b[1] || c[1] > b[3] || int(c[2]) < doc.MinZoom || int(c[2]) > doc.MaxZoom {
		t.Errorf("center %v outside bounds %v or zoom range %d–%d", c, b, doc.MinZoom, doc.MaxZoom)
	}
}

// TestTileJSONRegionsKeepTheirExtent: layers not drawn from the analysed
// cells keep the configured (world) bounds, or a map would never ask for
// regions outside the data's extent.
func TestTileJSONRegionsKeepTheirExtent(t *testing.T) {
	onStores(t, testTileJSONRegionsKeepTheirExtent)
}

func testTileJSONRegionsKeepTheirExtent(t *testing.T, kind teststores.Kind) {
	srv := newTileServer(t, kind)
	for _, layers := range []string{"regions", "hexagons,regions"} {
		res, err := http.Get(srv.URL + "/tiles/" + layers + ".json")
		if err != nil {
			t.Fatal(err)
		}
		var doc tiles.TileJSON
		err = json.NewDecoder(res.Body).Decode(&doc)
		res.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		if doc.Bounds[0] > -179 || doc.Bounds[2] < 179 {
			t.Errorf("%s: bounds %v, want the whole world", layers, doc.Bounds)
		}
	}
}
