package api

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/export"
	"github.com/kume-geo/kume/internal/teststores"
)

var longDecimal = regexp.MustCompile(`\.\d{8,}`)

func TestExportGeoJSON(t *testing.T) { onStores(t, testExportGeoJSON) }

func testExportGeoJSON(t *testing.T, kind teststores.Kind) {
	s, st, _ := newTestServer(t, kind, nil)
	for _, layer := range export.Layers() {
		t.Run(layer, func(t *testing.T) {
			rec := do(t, s, http.MethodGet, "/api/v1/export/"+layer+".geojson", "", nil)
			if rec.Code != 200 || rec.Header().Get("Content-Type") != "application/geo+json" {
				t.Fatalf("%d %q %.300s", rec.Code, rec.Header().Get("Content-Type"), rec.Body.String())
			}
			var fc struct {
				Type     string          `json:"type"`
				CRS      json.RawMessage `json:"crs"`
				Kume     export.Provenance
				Features []struct {
					Geometry struct {
						Type        string          `json:"type"`
						Coordinates json.RawMessage `json:"coordinates"`
					} `json:"geometry"`
				} `json:"features"`
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &fc); err != nil {
				t.Fatalf("invalid JSON: %v", err)
			}
			if fc.Type != "FeatureCollection" || fc.CRS != nil || len(fc.Features) == 0 {
				t.Fatalf("type %q crs %s features %d", fc.Type, fc.CRS, len(fc.Features))
			}
			if fc.Kume.DataVersion != st.dataVersion(t) || fc.Kume.GeneratedAt.IsZero() || !strings.Contains(string(fc.Kume.Params), `"k":1`) ||
				len(fc.Kume.Datasets) != 1 || fc.Kume.Datasets[0].Attribution != "Demo register" {
				t.Errorf("provenance %+v", fc.Kume)
			}
			for _, f := range fc.Features {
				if longDecimal.Match(f.Geometry.Coordinates) {
					t.Fatalf("more than 7 decimals: %s", f.Geometry.Coordinates)
				}
				if f.Geometry.Type == "Polygon" {
					var rings [][][2]float64
					if err := json.Unmarshal(f.Geometry.Coordinates, &rings); err != nil {
						t.Fatal(err)
					}
					if area(rings[0]) <= 0 || rings[0][0] != rings[0][len(rings[0])-1] {
						t.Fatalf("exterior ring not closed and counter-clockwise: %v", rings[0])
					}
				}
			}
		})
	}
}

func area(r [][2]float64) float64 {
	var s float64
	for i := 0; i+1 < len(r); i++ {
		s += r[i][0]*r[i+1][1] - r[i+1][0]*r[i][1]
	}
	return s
}

func TestExportPagingKeepsFilters(t *testing.T) { onStores(t, testExportPagingKeepsFilters) }

func testExportPagingKeepsFilters(t *testing.T, kind teststores.Kind) {
	s, _, _ := newTestServer(t, kind, nil)
	for _, target := range []string{
		"/api/v1/export/establishments.geojson?kind=firm&limit=30&bbox=28.8,40.9,29.5,41.5",
		"/api/v1/establishments?kind=firm&limit=30&bbox=28.8,40.9,29.5,41.5",
		"/api/v1/export/establishments.geojson?kind=firm&limit=30&region=province:34",
	} {
		seen := map[float64]bool{}
		next, pages := target, 0
		for next != "" && pages < 20 {
			pages++
			rec := do(t, s, http.MethodGet, next, "", nil)
			if rec.Code != 200 {
				t.Fatalf("%s: %d %s", next, rec.Code, rec.Body.String())
			}
			m := decode(t, rec)
			items, _ := m["features"].([]any)
			if items == nil {
				items, _ = m["establishments"].([]any)
			}
			for _, it := range items {
				obj := it.(map[string]any)
				if p, ok := obj["properties"].(map[string]any); ok {
					obj = p
				}
				if obj["kind"] != "firm" || seen[obj["id"].(float64)] {
					t.Fatalf("page %d: %v repeated or of the wrong kind", pages, obj["id"])
				}
				seen[obj["id"].(float64)] = true
			}
			next, _ = m["next"].(string)
			if next != "" && !strings.Contains(next, "kind=firm") {
				t.Fatalf("next link %s lost the filter", next)
			}
		}
		if len(seen) != 200 {
			t.Errorf("%s: collected %d firms in %d pages, want 200", target, len(seen), pages)
		}
	}
}

func TestExportCSV(t *testing.T) { onStores(t, testExportCSV) }

func testExportCSV(t *testing.T, kind teststores.Kind) {
	s, st, _ := newTestServer(t, kind, nil)
	rec := do(t, s, http.MethodGet, "/api/v1/export/establishments.csv?limit=100", "", nil)
	if rec.Code != 200 {
		t.Fatalf("%d %s", rec.Code, rec.Body.String())
	}
	rows, err := csv.NewReader(strings.NewReader(rec.Body.String())).ReadAll()
	if err != nil || len(rows) != 101 || rows[0][len(rows[0])-2] != "lon" {
		t.Fatalf("rows %d err %v header %v", len(rows), err, rows[0])
	}
	var prov export.Provenance
	if err := json.Unmarshal([]byte(rec.Header().Get("Kume-Provenance")), &prov); err != nil || prov.DataVersion != st.dataVersion(t) {
		t.Errorf("provenance header %q: %v", rec.Header().Get("Kume-Provenance"), err)
	}
	if !strings.Contains(rec.Header().Get("Link"), `rel="next"`) {
		t.Errorf("no next link: %q", rec.Header().Get("Link"))
	}
	rec = do(t, s, http.MethodGet, "/api/v1/export/clusters.csv", "", nil)
	if !strings.Contains(rec.Body.String(), "MULTIPOLYGON") && !strings.Contains(rec.Body.String(), "POLYGON") {
		t.Errorf("no WKT in %s", rec.Body.String())
	}
}

// slowStore streams establishments forever, slowly, until its context ends.
type slowStore struct {
	kume.Store
	done chan struct{}
}

func (s *slowStore) EachEstablishment(ctx context.Context, _ kume.EstablishmentFilter, fn func(*kume.Establishment) error) error {
	defer close(s.done)
	for i := int64(1); ; i++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		e := kume.Establishment{ID: i, Name: strings.Repeat("x", 500), Kind: kume.KindFirm, Lon: 29, Lat: 41}
		if err := fn(&e); err != nil {
			return err
		}
	}
}

func TestClientDisconnectStopsExport(t *testing.T) { onStores(t, testClientDisconnectStopsExport) }

func testClientDisconnectStopsExport(t *testing.T, kind teststores.Kind) {
	slow := &slowStore{done: make(chan struct{})}
	s, _, _ := newTestServer(t, kind, func(_ *Config, d *Deps) { slow.Store, d.Store = d.Store, slow })
	s.api.cfg.MaxLimit = 1 << 30
	srv := httptest.NewServer(s)
	defer srv.Close()
	before := runtime.NumGoroutine()
	resp, err := http.Get(srv.URL + "/api/v1/export/establishments.geojson?limit=1000000000")
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 64<<10)
	if _, err := resp.Body.Read(buf); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close() // the client goes away mid-export
	select {
	case <-slow.done:
	case <-time.After(5 * time.Second):
		t.Fatal("the export kept running after the client left")
	}
	srv.CloseClientConnections()
	deadline := time.Now().Add(3 * time.Second)
	for runtime.NumGoroutine() > before+2 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before+2 {
		t.Errorf("goroutines: %d before, %d after", before, n)
	}
}

func TestSlowlorisIsCut(t *testing.T) { onStores(t, testSlowlorisIsCut) }

func testSlowlorisIsCut(t *testing.T, kind teststores.Kind) {
	s, _, _ := newTestServer(t, kind, nil)
	s.cfg.ReadHeaderTimeout = 300 * time.Millisecond
	hs := s.HTTPServer("127.0.0.1:0")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go hs.Serve(ln)
	defer hs.Close()
	conn, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	start := time.Now()
	if _, err := conn.Write([]byte("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ")); err != nil {
		t.Fatal(err)
	}
	// keep trickling a header byte by byte; the server must hang up anyway
	closed := make(chan struct{})
	go func() {
		b := make([]byte, 1024)
		for {
			if _, err := conn.Read(b); err != nil {
				close(closed)
				return
			}
		}
	}()
	for i := 0; i < 40; i++ {
		select {
		case <-closed:
			if d := time.Since(start); d > 2*time.Second {
				t.Fatalf("closed after %v", d)
			}
			return
		case <-time.After(50 * time.Millisecond):
			_, _ = conn.Write([]byte("a"))
		}
	}
	t.Fatal("the slow connection was not closed")
}
