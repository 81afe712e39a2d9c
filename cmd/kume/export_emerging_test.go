package main

import (
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/kume-geo/kume/export"
	"github.com/kume-geo/kume/geo"
	"github.com/kume-geo/kume/layer"
	"github.com/kume-geo/kume/synth"
)

// TestExportEmerging exports the emerging hot spot analysis of a generated
// register with planted patterns (seeded, made up; 60,000 firms, as the
// planted patterns need at resolution 7): the GeoJSON holds each
// planted place in its category with the method's members and provenance,
// the CSV has the layer's columns and a provenance file, and bad options are
// refused with a reason.
func TestExportEmerging(t *testing.T) {
	dir := t.TempDir()
	firms := filepath.Join(t.TempDir(), "planted.csv")
	mustRun(t, "gen-demo", "--firms", "60000", "--seed", "1", "--bad", "0", "--patterns", "-o", firms)
	mustRun(t, "import", firms, "--dataset", "synthetic", "--visibility", "public", "--source", synthSource(), "--no-analyze", "--store", dir)
	out := filepath.Join(t.TempDir(), "emerging")
	for _, pat := range synth.PlantedPatterns() {
		path := out + "-" + pat.Name + ".geojson"
		r := mustRun(t, "export", "geojson", "--layer", "emerging", "--sector", pat.NACE, "--res", "7", "--from", "2015", "--to", "2024",
			"--public", "--store", dir, "-o", path)
		if !strings.Contains(r.stderr, "2015..2024, 10 year steps") {
			t.Errorf("%s: %s", pat.Name, r.stderr)
		}
		var fc struct {
			featureCollection
			Method string          `json:"method"`
			Steps  []any           `json:"steps"`
			Dates  json.RawMessage `json:"dates"`
		}
		b, err := os.ReadFile(path)
		if err != nil || json.Unmarshal(b, &fc) != nil {
			t.Fatalf("%s: %v %.300s", pat.Name, err, b)
		}
		cell, err := geo.CellOf(pat.Lon, pat.Lat, 7)
		if err != nil {
			t.Fatal(err)
		}
		found := ""
		for _, f := range fc.Features {
			if f.Properties["cell"] == strconv.FormatUint(cell, 16) {
				found, _ = f.Properties["category"].(string)
			}
		}
		if found != string(pat.Category) || fc.Kume == nil || fc.Kume.Layer != "emerging" || fc.Kume.Filters["sector"] != pat.NACE ||
			!strings.Contains(fc.Method, "Mann-Kendall") || len(fc.Steps) != 10 || len(fc.Dates) == 0 {
			t.Errorf("%s: planted cell is %q; provenance %+v, method %q, %d steps", pat.Name, found, fc.Kume, fc.Method, len(fc.Steps))
		}
	}

	csvPath := out + ".csv"
	mustRun(t, "export", "csv", "--layer", "emerging", "--sector", "26.20", "--step", "quarter", "--window", "2", "--store", dir, "-o", csvPath)
	f, err := os.Open(csvPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil || len(rows) < 2 || strings.Join(rows[0], ",") != strings.Join(append(layer.EmergingLayer().Names(layer.Feature), "wkt"), ",") {
		t.Fatalf("CSV: %v, %d rows, header %v", err, len(rows), rows[0])
	}
	var prov export.Provenance
	if b, err := os.ReadFile(csvPath + ".provenance.json"); err != nil || json.Unmarshal(b, &prov) != nil ||
		prov.Layer != "emerging" || prov.Filters["step"] != "quarter" || prov.Filters["window"] != "2" {
		t.Errorf("provenance: %v %+v", err, prov)
	}

	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--layer", "emerging", "--step", "week"}, `"step"`},
		{[]string{"--layer", "emerging", "--res", "12"}, `"res"`},
		{[]string{"--layer", "emerging", "--level", "province"}, "regions layer only"},
		{[]string{"--layer", "hexagons", "--window", "2"}, "--layer emerging only"},
		{[]string{"--layer", "emerging", "--res", "9", "--k", "10", "--public"}, "lower k"},
	} {
		args := append(append([]string{"export", "geojson"}, c.args...), "--store", dir, "-o", filepath.Join(t.TempDir(), "x.geojson"))
		if r := run(t, args...); r.err == nil || !strings.Contains(r.err.Error(), c.want) {
			t.Errorf("%v: %v", c.args, r.err)
		}
	}
}
