package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kume-geo/kume/export"
	"github.com/kume-geo/kume/tiles/pmtiles/pmtilestest"
)

// regionsGeoJSON holds two provinces around İstanbul and Ankara; the first
// has a clockwise exterior and a counter-clockwise hole, the wrong way round
// for RFC 7946, so that the export has to orient them.
const regionsGeoJSON = `{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"name":"İstanbul","code":"34"},"geometry":{"type":"Polygon","coordinates":[
 [[28.0,40.7],[28.0,41.6],[29.9,41.6],[29.9,40.7],[28.0,40.7]],
 [[28.1,40.8],[28.3,40.8],[28.3,40.9],[28.1,40.9],[28.1,40.8]]]}},
{"type":"Feature","properties":{"name":"Ankara","code":"06"},"geometry":{"type":"Polygon","coordinates":[
 [[31.5,39.0],[33.5,39.0],[33.5,40.5],[31.5,40.5],[31.5,39.0]]]}}]}`

// exportStore builds an embedded store with regions, a public dataset of
// 3000 generated firms and a private one of 300, analysed.
func exportStore(t *testing.T) (dir, firms string) {
	t.Helper()
	dir = t.TempDir()
	regions := filepath.Join(t.TempDir(), "regions.geojson")
	if err := os.WriteFile(regions, []byte(regionsGeoJSON), 0o644); err != nil {
		t.Fatal(err)
	}
	mustRun(t, "regions", "import", regions, "--level", "province", "--store", dir)
	priv := genDemo(t, 300, 3, 0)
	mustRun(t, "import", priv, "--dataset", "private-firms", "--no-analyze", "--store", dir)
	firms = genDemo(t, 3000, 1, 0)
	plantTextiles(t, firms, 60)
	mustRun(t, "import", firms, "--dataset", "synthetic", "--visibility", "public", "--source", synthSource(), "--no-analyze", "--store", dir)
	mustRun(t, "analyze", "--res", "6-7", "--store", dir) // two resolutions keep the test quick
	return dir, firms
}

// plantTextiles appends n SYNTHETIC textile firms packed around a point of
// Denizli to the gen-demo file at path: a specialised value chain that a
// small register holds too few firms to show by itself.
func plantTextiles(t *testing.T, path string, n int) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for i := range n {
		lat, lon := 37.775+float64(i%8)*0.002, 29.085+float64(i/8)*0.002
		fmt.Fprintf(f, "synth-planted-%d,Synthetic planted textile firm %d,13.20,%.6f,%.6f,12,2015-01-01,,Denizli,TR\n", i, i, lat, lon)
	}
}

// featureCollection is a parsed GeoJSON export.
type featureCollection struct {
	Type     string `json:"type"`
	Features []struct {
		Type       string         `json:"type"`
		ID         any            `json:"id"`
		Geometry   rawGeometry    `json:"geometry"`
		Properties map[string]any `json:"properties"`
	} `json:"features"`
	Kume *export.Provenance `json:"kume"`
	CRS  json.RawMessage    `json:"crs"`
}

type rawGeometry struct {
	Type        string          `json:"type"`
	Coordinates json.RawMessage `json:"coordinates"`
}

// checkGeoJSON parses an export and checks the RFC 7946 basics: no crs,
// at most 7 decimals, closed rings with counter-clockwise exteriors and
// clockwise holes.
func checkGeoJSON(t *testing.T, data []byte) featureCollection {
	t.Helper()
	var fc featureCollection
	if err := json.Unmarshal(data, &fc); err != nil {
		t.Fatalf("export is not JSON: %v: %.300s", err, data)
	}
	if fc.Type != "FeatureCollection" || fc.CRS != nil || fc.Kume == nil {
		t.Fatalf("type %q, crs %s, provenance %v", fc.Type, fc.CRS, fc.Kume)
	}
	for _, f := range fc.Features {
		for _, num := range strings.FieldsFunc(string(f.Geometry.Coordinates), func(r rune) bool { return r == '[' || r == ']' || r == ',' }) {
			if _, frac, ok := strings.Cut(num, "."); ok && len(frac) > 7 {
				t.Fatalf("feature %v: coordinate %s has more than 7 decimals", f.ID, num)
			}
		}
		var polys [][][][2]float64
		switch f.Geometry.Type {
		case "Point":
			continue
		case "Polygon":
			var p [][][2]float64
			if err := json.Unmarshal(f.Geometry.Coordinates, &p); err != nil {
				t.Fatal(err)
			}
			polys = append(polys, p)
		case "MultiPolygon":
			if err := json.Unmarshal(f.Geometry.Coordinates, &polys); err != nil {
				t.Fatal(err)
			}
		default:
			t.Fatalf("feature %v: geometry %q", f.ID, f.Geometry.Type)
		}
		for _, p := range polys {
			for i, ring := range p {
				if len(ring) < 4 || ring[0] != ring[len(ring)-1] {
					t.Fatalf("feature %v: ring %d not closed: %v", f.ID, i, ring)
				}
				if a := area(ring); (i == 0) != (a > 0) {
					t.Fatalf("feature %v: ring %d has signed area %g (exterior must be counter-clockwise, holes clockwise)", f.ID, i, a)
				}
			}
		}
	}
	return fc
}

// area is twice the signed area of a closed ring, positive counter-clockwise.
func area(r [][2]float64) float64 {
	var s float64
	for i := 0; i+1 < len(r); i++ {
		s += r[i][0]*r[i+1][1] - r[i+1][0]*r[i][1]
	}
	return s
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestExport(t *testing.T) {
	dir, firms := exportStore(t)
	out := t.TempDir()
	exp := func(args ...string) result {
		return mustRun(t, append(append([]string{"export"}, args...), "--store", dir)...)
	}

	t.Run("establishments", func(t *testing.T) {
		exp("geojson", "--layer", "establishments", "-o", filepath.Join(out, "all.geojson"))
		fc := checkGeoJSON(t, readFile(t, filepath.Join(out, "all.geojson")))
		if len(fc.Features) != 3360 || len(fc.Kume.Datasets) != 2 {
			t.Errorf("%d features from %d datasets, want 3360 from 2", len(fc.Features), len(fc.Kume.Datasets))
		}
		exp("geojson", "--layer", "establishments", "--public", "-o", filepath.Join(out, "public.geojson"))
		fc = checkGeoJSON(t, readFile(t, filepath.Join(out, "public.geojson")))
		if len(fc.Features) != 3060 || len(fc.Kume.Datasets) != 1 || fc.Kume.Datasets[0].Source != synthSource() {
			t.Errorf("public export: %d features, datasets %+v; want the 3060 public firms", len(fc.Features), fc.Kume.Datasets)
		}
		if fc.Kume.DataVersion == 0 || fc.Kume.AnalysisVersion == 0 || fc.Kume.Filters["public"] != "true" {
			t.Errorf("provenance: data version %d, analysis %d, filters %v", fc.Kume.DataVersion, fc.Kume.AnalysisVersion, fc.Kume.Filters)
		}
	})

	t.Run("csv by sector", func(t *testing.T) {
		path := filepath.Join(out, "manufacturing.csv")
		exp("csv", "--layer", "establishments", "--dataset", "synthetic", "--sector", "C", "-o", path)
		rows, err := csv.NewReader(bytes.NewReader(readFile(t, path))).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		want := append(export.Columns(export.LayerEstablishments), "lon", "lat")
		if strings.Join(rows[0], ",") != strings.Join(want, ",") {
			t.Fatalf("header %v", rows[0])
		}
		gen, err := csv.NewReader(bytes.NewReader(readFile(t, firms))).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		manuf := 0
		for _, r := range gen[1:] {
			if r[2][:2] >= "10" && r[2][:2] <= "33" {
				manuf++
			}
		}
		if len(rows)-1 != manuf || manuf == 0 {
			t.Errorf("%d manufacturing firms exported, the file has %d", len(rows)-1, manuf)
		}
		for _, r := range rows[1:] {
			if d := r[6][:2]; d < "10" || d > "33" {
				t.Fatalf("row outside section C: %v", r)
			}
		}
		var prov export.Provenance
		if err := json.Unmarshal(readFile(t, path+".provenance.json"), &prov); err != nil {
			t.Fatal(err)
		}
		if prov.Layer != "establishments" || prov.Filters["sector"] != "C" || len(prov.Datasets) != 1 {
			t.Errorf("provenance: layer %s, filters %v, datasets %+v", prov.Layer, prov.Filters, prov.Datasets)
		}
	})

	t.Run("hexagons", func(t *testing.T) {
		exp("geojson", "--layer", "hexagons", "--res", "7", "-o", filepath.Join(out, "hex.geojson"))
		fc := checkGeoJSON(t, readFile(t, filepath.Join(out, "hex.geojson")))
		if len(fc.Features) == 0 || fc.Features[0].Geometry.Type != "Polygon" || fc.Features[0].Properties["res"] != 7.0 {
			t.Fatalf("%d hexagons", len(fc.Features))
		}
		r := exp("csv", "--layer", "hexagons", "--sector", "13", "-o", "-")
		rows, err := csv.NewReader(strings.NewReader(r.stdout)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) < 2 || rows[0][len(rows[0])-1] != "wkt" || !strings.HasPrefix(rows[1][len(rows[1])-1], "POLYGON") || rows[1][2] != "13" {
			t.Errorf("hexagons CSV: %.300s", r.stdout)
		}
		if !strings.Contains(r.stderr, `"layer":"hexagons"`) {
			t.Errorf("provenance of a CSV on standard output not on standard error: %s", r.stderr)
		}
	})

	t.Run("clusters and regions", func(t *testing.T) {
		exp("geojson", "--layer", "clusters", "-o", filepath.Join(out, "clusters.geojson"))
		fc := checkGeoJSON(t, readFile(t, filepath.Join(out, "clusters.geojson")))
		if len(fc.Features) == 0 || fc.Features[0].Properties["sector"] != "vc:textiles" {
			t.Errorf("%d clusters exported, want the planted textile cluster first", len(fc.Features))
		}
		exp("geojson", "--layer", "regions", "--level", "province", "-o", filepath.Join(out, "regions.geojson"))
		fc = checkGeoJSON(t, readFile(t, filepath.Join(out, "regions.geojson")))
		if len(fc.Features) != 2 {
			t.Fatalf("%d regions, want 2", len(fc.Features))
		}
	})

	t.Run("pmtiles", func(t *testing.T) {
		path := filepath.Join(out, "map.pmtiles")
		exp("pmtiles", "--layers", "hexagons,clusters,regions", "--maxzoom", "7", "-o", path)
		a, err := pmtilestest.Read(readFile(t, path))
		if err != nil {
			t.Fatal(err)
		}
		h := a.Header
		minLon, minLat := float64(h.MinLonE7)/1e7, float64(h.MinLatE7)/1e7
		maxLon, maxLat := float64(h.MaxLonE7)/1e7, float64(h.MaxLatE7)/1e7
		// The data lie in Türkiye: the archive covers its extent, not the world.
		if minLon < 24 || maxLon > 46 || minLat < 34 || maxLat > 44 || h.Addressed == 0 || h.MaxZoom != 7 {
			t.Errorf("archive bounds %.2f,%.2f,%.2f,%.2f, %d tiles, maxzoom %d", minLon, minLat, maxLon, maxLat, h.Addressed, h.MaxZoom)
		}
	})
}

// TestExportFailureLeavesNoFile checks that a failed export leaves neither the
// output nor a temporary file.
func TestExportFailureLeavesNoFile(t *testing.T) {
	dir := t.TempDir()
	firms := genDemo(t, 300, 1, 0)
	mustRun(t, "import", firms, "--dataset", "x", "--no-analyze", "--store", dir)
	out := t.TempDir()
	if r := run(t, "export", "pmtiles", "--minzoom", "5", "--maxzoom", "3", "-o", filepath.Join(out, "map.pmtiles"), "--store", dir); r.err == nil {
		t.Error("export with an empty zoom range succeeded")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if r := runCtx(ctx, "export", "geojson", "--layer", "establishments", "-o", filepath.Join(out, "x.geojson"), "--store", dir); r.err == nil {
		t.Error("cancelled export succeeded")
	}
	if r := run(t, "export", "csv", "--layer", "establishments", "--sector", "nonsense", "-o", filepath.Join(out, "x.csv"), "--store", dir); r.err == nil {
		t.Error("export with an invalid sector succeeded")
	}
	if r := run(t, "export", "geojson", "--layer", "nope", "-o", "-", "--store", dir); r.err == nil {
		t.Error("export of an unknown layer succeeded")
	}
	entries, err := os.ReadDir(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		t.Errorf("failed export left %s", e.Name())
	}
}
