package synth_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
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
