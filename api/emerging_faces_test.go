package api

import (
	"encoding/csv"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"

	"github.com/kume-geo/kume/emerging"
	"github.com/kume-geo/kume/geo"
	"github.com/kume-geo/kume/layer"
	"github.com/kume-geo/kume/store/memory"
	"github.com/kume-geo/kume/synth"
	"github.com/kume-geo/kume/tiles"
)

// TestEmergingFaces serves one emerging hot spot analysis of generated firms
// (seeded, with planted patterns) on every face — GET /emerging, its
// members alone, the vector tiles and their TileJSON, the GeoJSON and CSV
// exports — from one engine: the faces agree, the tiles and exports reuse the
// API's computation, GDAL reads the tile and the exports, and a cube beyond
// the bound is a 400 on the tiles too.
func TestEmergingFaces(t *testing.T) {
	st := memory.New()
	defer st.Close()
	loadEmergingData(t, st)
	keys := mustSectorKeys(t, st)
	eng, err := emerging.New(st, keys, emerging.Config{})
	if err != nil {
		t.Fatal(err)
	}
	ts, err := tiles.New(st, tiles.Config{Emerging: eng, Sectors: keys})
	if err != nil {
		t.Fatal(err)
	}
	cfg := DefaultConfig()
	cfg.API.RatePerIP, cfg.API.RatePerKey = 0, 0
	s := New(cfg, Deps{Store: st, Web: fstest.MapFS{"index.html": {Data: []byte("<html></html>")}},
		Log: slog.New(slog.NewJSONHandler(io.Discard, nil)), SectorKeys: keys, Tiles: ts, Emerging: eng})

	pat := synth.PlantedPatterns()[1] // the intensifying hot spot
	const query = "sector=26.12&from=2015&to=2024"
	summary := do(t, s, http.MethodGet, "/api/v1/emerging?"+query+"&features=false", "", nil)
	var members struct {
		Features          []any          `json:"features"`
		NFeatures         int            `json:"n_features"`
		FeatureCategories map[string]int `json:"feature_categories"`
		Dates             emerging.Dates `json:"dates"`
		Firms             emerging.FirmCounts
	}
	if summary.Code != http.StatusOK || json.Unmarshal(summary.Body.Bytes(), &members) != nil || len(members.Features) != 0 ||
		members.NFeatures == 0 || members.Dates.Founded.Count == 0 || members.Dates.Founded.First == "" {
		t.Fatalf("members only: %d %.400s", summary.Code, summary.Body.String())
	}
	sum := 0
	for _, n := range members.FeatureCategories {
		sum += n
	}
	if sum != members.NFeatures || members.FeatureCategories[string(pat.Category)] == 0 {
		t.Errorf("feature categories %v sum to %d, want %d features", members.FeatureCategories, sum, members.NFeatures)
	}

	// The tile of the planted place, read by GDAL, shows its category; the
	// engine computed nothing more.
	cell, err := geo.CellOf(pat.Lon, pat.Lat, 7)
	if err != nil {
		t.Fatal(err)
	}
	const zoom = 11
	mt := maptile.At(orb.Point{pat.Lon, pat.Lat}, zoom)
	target := "/tiles/emerging/" + strconv.Itoa(zoom) + "/" + strconv.Itoa(int(mt.X)) + "/" + strconv.Itoa(int(mt.Y)) + ".mvt?" + query
	tile := do(t, s, http.MethodGet, target, "", nil)
	if tile.Code != http.StatusOK || tile.Header().Get("Content-Type") != mvtContentType {
		t.Fatalf("%s: %d %.300s", target, tile.Code, tile.Body.String())
	}
	if n, _ := eng.Cached(); n != 1 {
		t.Errorf("the engine keeps %d answers after the summary and a tile, want the one both read", n)
	}
	path := filepath.Join(t.TempDir(), strconv.Itoa(zoom), strconv.Itoa(int(mt.X)), strconv.Itoa(int(mt.Y))+".pbf")
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, tile.Body.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	out := ogrinfo(t, "-ro", "-al", "-oo", "CLIP=NO", "-where", "cell = '"+strconv.FormatUint(cell, 16)+"'", path)
	if !strings.Contains(out, "category (String) = "+string(pat.Category)) || !strings.Contains(out, "category_code (Integer") {
		t.Errorf("ogrinfo on the tile:\n%.3000s", out)
	}

	tj := do(t, s, http.MethodGet, "/tiles/emerging.json?"+query, "", nil)
	var doc tiles.TileJSON
	if tj.Code != http.StatusOK || json.Unmarshal(tj.Body.Bytes(), &doc) != nil || len(doc.VectorLayers) != 1 ||
		doc.VectorLayers[0].ID != "emerging" || !strings.Contains(doc.Tiles[0], "from=2015") {
		t.Errorf("TileJSON: %d %.500s", tj.Code, tj.Body.String())
	}

	// The exports: every feature of the answer, with the layer's feature
	// properties and the provenance; pages by limit.
	gj := do(t, s, http.MethodGet, "/api/v1/export/emerging.geojson?"+query+"&limit=10000", "", nil)
	var fc struct {
		Features []struct {
			Properties map[string]any `json:"properties"`
		} `json:"features"`
		Kume struct {
			Layer   string            `json:"layer"`
			Filters map[string]string `json:"filters"`
		} `json:"kume"`
		Method string `json:"method"`
		Next   *string
	}
	if gj.Code != http.StatusOK || json.Unmarshal(gj.Body.Bytes(), &fc) != nil || len(fc.Features) != members.NFeatures ||
		fc.Kume.Layer != "emerging" || fc.Kume.Filters["sector"] != "26.12" || fc.Method == "" || fc.Next != nil {
		t.Fatalf("GeoJSON export: %d, %d features (want %d) %.300s", gj.Code, len(fc.Features), members.NFeatures, gj.Body.String())
	}
	want := layer.EmergingLayer().Names(layer.Feature)
	for _, f := range fc.Features[:3] {
		if len(f.Properties) != len(want) {
			t.Errorf("export properties %v, want %v", f.Properties, want)
		}
	}
	if n, _ := eng.Cached(); n != 1 {
		t.Errorf("the export computed again: %d answers kept", n)
	}
	gpath := filepath.Join(t.TempDir(), "emerging.geojson")
	if err := os.WriteFile(gpath, gj.Body.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	if n := featureCount(t, ogrinfo(t, "-ro", "-al", "-so", gpath)); n != members.NFeatures {
		t.Errorf("ogrinfo counts %d features in the GeoJSON export, want %d", n, members.NFeatures)
	}
	page := do(t, s, http.MethodGet, "/api/v1/export/emerging.csv?"+query+"&limit=5", "", nil)
	rows, err := csv.NewReader(page.Body).ReadAll()
	if page.Code != http.StatusOK || err != nil || len(rows) != 6 || strings.Join(rows[0], ",") != strings.Join(append(want, "wkt"), ",") ||
		!strings.Contains(page.Header().Get("Link"), "cursor=") || page.Header().Get("Kume-Number-Matched") != strconv.Itoa(members.NFeatures) ||
		!strings.Contains(page.Header().Get("Kume-Provenance"), `"layer":"emerging"`) {
		t.Errorf("CSV page: %d %v rows %d, header %v, link %q", page.Code, err, len(rows), rows[0], page.Header().Get("Link"))
	}

	// Bounds and bad parameters on the tiles and exports.
	for _, c := range []struct{ target, want string }{
		{"/tiles/emerging/8/150/97.mvt?res=9&k=10", "lower k"},
		{"/tiles/emerging/8/150/97.mvt?step=week", "not year, quarter or month"},
		{"/tiles/hexagons,emerging/8/150/97.mvt", "alone"},
		{"/api/v1/export/emerging.csv?window=99", "outside 0..24"},
		{"/api/v1/export/emerging.geojson?include_empty=true", "unknown"},
	} {
		rec := do(t, s, http.MethodGet, c.target, "", nil)
		if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), c.want) {
			t.Errorf("%s: %d %.300s", c.target, rec.Code, rec.Body.String())
		}
	}
	if rec := do(t, s, http.MethodGet, "/api/v1/export/nolayer.csv", "", nil); rec.Code != http.StatusNotFound ||
		!strings.Contains(rec.Body.String(), "emerging") {
		t.Errorf("unknown layer: %d %s", rec.Code, rec.Body.String())
	}
}
