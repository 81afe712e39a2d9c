package synth_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/kume-geo/kume/ingest"
	"github.com/kume-geo/kume/synth"
)

func generate(t *testing.T, cfg synth.Config, format synth.Format) ([]byte, synth.Stats) {
	t.Helper()
	var buf bytes.Buffer
	st, err := synth.Write(&buf, cfg, format)
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes(), st
}

func TestDeterministic(t *testing.T) {
	for _, f := range []synth.Format{synth.CSV, synth.GeoJSON} {
		a, _ := generate(t, synth.Config{Firms: 3000, Seed: 7, Bad: 0.05}, f)
		b, _ := generate(t, synth.Config{Firms: 3000, Seed: 7, Bad: 0.05}, f)
		c, _ := generate(t, synth.Config{Firms: 3000, Seed: 8, Bad: 0.05}, f)
		if !bytes.Equal(a, b) {
			t.Errorf("%s: same seed, different output", f)
		}
		if bytes.Equal(a, c) {
			t.Errorf("%s: different seeds, same output", f)
		}
	}
}

func TestRowsAreLabelledAndSpread(t *testing.T) {
	out, st := generate(t, synth.Config{Firms: 20000, Seed: 1}, synth.CSV)
	if st.Rows != 20000 || st.Valid != 20000 || len(st.Bad) != 0 {
		t.Fatalf("stats = %+v, want 20000 valid rows", st)
	}
	rows, err := csv.NewReader(bytes.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(rows[0], ","); got != strings.Join(synth.Columns(), ",") {
		t.Fatalf("header = %s", got)
	}
	byProvince := map[string]int{}
	divisions := map[string]int{}
	for _, r := range rows[1:] {
		if !strings.HasPrefix(r[0], "synth-") || !strings.HasPrefix(r[1], "Synthetic ") {
			t.Fatalf("row not labelled synthetic: %v", r)
		}
		byProvince[r[8]]++
		divisions[r[2][:2]]++
	}
	// İstanbul is by far the largest province; Bayburt one of the smallest.
	if byProvince["İstanbul"] < 4000 || byProvince["İstanbul"] < 20*byProvince["Bayburt"] {
		t.Errorf("İstanbul %d firms, Bayburt %d: not population-weighted", byProvince["İstanbul"], byProvince["Bayburt"])
	}
	if len(byProvince) < 75 {
		t.Errorf("firms in %d provinces, want nearly all 81", len(byProvince))
	}
	if len(divisions) < 70 {
		t.Errorf("firms in %d NACE divisions, want most of them", len(divisions))
	}
}

func TestSpecialisation(t *testing.T) {
	out, _ := generate(t, synth.Config{Firms: 40000, Seed: 3}, synth.CSV)
	rows, err := csv.NewReader(bytes.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var all, textiles, denizli, denizliTextiles int
	for _, r := range rows[1:] {
		all++
		tex := r[2][:2] == "13"
		if tex {
			textiles++
		}
		if r[8] == "Denizli" {
			denizli++
			if tex {
				denizliTextiles++
			}
		}
	}
	lq := (float64(denizliTextiles) / float64(denizli)) / (float64(textiles) / float64(all))
	if lq < 1.5 {
		t.Errorf("location quotient of textiles in Denizli = %.2f, want a specialisation (> 1.5)", lq)
	}
}

// TestBadRowsAreRejected checks that the importer rejects exactly the rows
// the generator made bad, each for its reason.
func TestBadRowsAreRejected(t *testing.T) {
	for _, f := range []synth.Format{synth.CSV, synth.GeoJSON} {
		t.Run(string(f), func(t *testing.T) {
			out, st := generate(t, synth.Config{Firms: 6000, Seed: 11, Bad: 0.1}, f)
			for _, d := range synth.Defects() {
				if st.Bad[d] == 0 {
					t.Errorf("no row with defect %s", d)
				}
			}
			sum, err := ingest.Run(context.Background(), nil, []ingest.Source{{Name: "synth", Reader: bytes.NewReader(out)}},
				ingest.Options{DryRun: true, OnError: ingest.Skip}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if sum.Read != st.Rows || sum.Rejected != st.Rows-st.Valid {
				t.Errorf("import read %d rejected %d; generator wrote %d rows, %d bad", sum.Read, sum.Rejected, st.Rows, st.Rows-st.Valid)
			}
			if sum.Swapped != st.Bad[synth.DefectSwapped] {
				t.Errorf("import found %d swapped rows, generator wrote %d", sum.Swapped, st.Bad[synth.DefectSwapped])
			}
		})
	}
}

func TestGeoJSONIsValidJSON(t *testing.T) {
	out, st := generate(t, synth.Config{Firms: 500, Seed: 2, Bad: 0}, synth.GeoJSON)
	var fc struct {
		Type      string `json:"type"`
		Synthetic string `json:"synthetic"`
		Features  []struct {
			Geometry struct {
				Coordinates []float64 `json:"coordinates"`
			} `json:"geometry"`
			Properties map[string]any `json:"properties"`
		} `json:"features"`
	}
	if err := json.Unmarshal(out, &fc); err != nil {
		t.Fatal(err)
	}
	if fc.Type != "FeatureCollection" || len(fc.Features) != st.Rows || !strings.Contains(fc.Synthetic, "SYNTHETIC") {
		t.Fatalf("collection %q with %d features (want %d), synthetic %q", fc.Type, len(fc.Features), st.Rows, fc.Synthetic)
	}
	for _, f := range fc.Features {
		c := f.Geometry.Coordinates
		if len(c) != 2 || c[0] < 25 || c[0] > 45 || c[1] < 35 || c[1] > 43 {
			t.Fatalf("feature %v outside Türkiye: %v", f.Properties["id"], c)
		}
	}
}

func TestInvalidConfig(t *testing.T) {
	for _, cfg := range []synth.Config{{Firms: -1}, {Firms: 1, Bad: 0.9}, {Firms: 1, Bad: -0.1}} {
		if _, err := synth.Write(io.Discard, cfg, synth.CSV); err == nil {
			t.Errorf("%+v: no error", cfg)
		}
	}
	if _, err := synth.Write(io.Discard, synth.Config{Firms: 1}, "xml"); err == nil {
		t.Error("unknown format: no error")
	}
}

// TestPlantedPatterns checks the rows of the planted patterns: valid,
// labelled synthetic, their classes used by no other row, near their place
// (or scattered), and dated as their pattern says.
func TestPlantedPatterns(t *testing.T) {
	cfg := synth.Config{Firms: 30000, Seed: 4, Bad: 0.02, Patterns: true}
	out, st := generate(t, cfg, synth.CSV)
	rows, err := csv.NewReader(bytes.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	byClass := map[string]synth.PlantedPattern{}
	for _, p := range synth.PlantedPatterns() {
		byClass[p.NACE] = p
	}
	planted := map[string]int{}
	newBefore := 0
	for _, r := range rows[1:] {
		p, ok := byClass[r[2]]
		if !ok {
			continue
		}
		planted[p.Name]++
		if !strings.HasPrefix(r[0], "synth-") || !strings.HasPrefix(r[1], "Synthetic ") || r[6] == "" {
			t.Fatalf("planted row not labelled or undated: %v", r)
		}
		if !strings.Contains(r[1], "(planted") {
			continue // scattered over the country
		}
		if p.Name == "new" && r[6] < "2024-01-01" {
			newBefore++
		}
		lat, _ := strconv.ParseFloat(r[3], 64)
		lon, _ := strconv.ParseFloat(r[4], 64)
		dy, dx := (lat-p.Lat)*111.32, (lon-p.Lon)*111.32*math.Cos(p.Lat*math.Pi/180)
		if d := math.Hypot(dx, dy); d > math.Max(p.CoreKm, p.OuterKm)+0.05 {
			t.Errorf("%s: row %s %.2f km from its place", p.Name, r[0], d)
		}
	}
	for _, p := range synth.PlantedPatterns() {
		if planted[p.Name] < 100 {
			t.Errorf("%s: %d rows", p.Name, planted[p.Name])
		}
	}
	total := 0
	for _, n := range planted {
		total += n
	}
	if share := float64(total) / float64(st.Valid); share < synth.PlantedShare*0.8 || share > synth.PlantedShare*1.2 {
		t.Errorf("planted share %.3f, want about %v", share, synth.PlantedShare)
	}
	if newBefore != 0 {
		t.Errorf("%d firms of the new hot spot founded before its final year", newBefore)
	}
	// Every row, planted ones included, imports; the bad ones are rejected
	// for their reason.
	sum, err := ingest.Run(context.Background(), nil, []ingest.Source{{Name: "synth", Reader: bytes.NewReader(out)}},
		ingest.Options{DryRun: true, OnError: ingest.Skip}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Rejected != st.Rows-st.Valid || sum.Swapped != st.Bad[synth.DefectSwapped] {
		t.Errorf("import rejected %d (swapped %d); generator wrote %d bad rows (%d swapped)",
			sum.Rejected, sum.Swapped, st.Rows-st.Valid, st.Bad[synth.DefectSwapped])
	}
	// Without Patterns nothing is planted.
	plain, _ := generate(t, synth.Config{Firms: 3000, Seed: 4}, synth.CSV)
	if bytes.Contains(plain, []byte("planted")) {
		t.Error("planted rows without Patterns")
	}
}
