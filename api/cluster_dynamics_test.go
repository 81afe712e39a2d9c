package api

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/uber/h3-go/v4"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/emerging"
	"github.com/kume-geo/kume/geo"
	"github.com/kume-geo/kume/store/memory"
	"github.com/kume-geo/kume/synth"
)

// TestClusterDynamics asks a cluster footprint laid over the planted
// intensifying hot spot of generated firms (seeded, made up) whether its
// cells are emerging: its centre is, the counts add up, the summary says so
// in both languages, and the answer is the one /emerging gives.
func TestClusterDynamics(t *testing.T) {
	ctx := context.Background()
	st := memory.New()
	defer st.Close()
	loadEmergingData(t, st)
	pat := synth.PlantedPatterns()[1] // intensifying, NACE 26.12
	centre, err := geo.CellOf(pat.Lon, pat.Lat, 7)
	if err != nil {
		t.Fatal(err)
	}
	disk := h3.GridDisk(h3.Cell(centre), 1)
	var cells []uint64
	for _, c := range disk {
		cells = append(cells, uint64(c))
	}
	if _, err := st.SaveAnalysis(ctx, &kume.AnalysisResult{Clusters: []kume.Cluster{{ID: "planted-26.12", Sector: "26.12", Res: 7,
		Name: "Kırşehir – 26.12 (synthetic)", Cells: cells, Firms: 100}}}); err != nil {
		t.Fatal(err)
	}
	s, _ := storeServer(t, st)
	rec := do(t, s, http.MethodGet, "/api/v1/clusters/planted-26.12/dynamics?from=2015&to=2024", "", nil)
	var d struct {
		Cluster        string         `json:"cluster"`
		Res            int            `json:"res"`
		Cells          int            `json:"cells"`
		Categories     map[string]int `json:"categories"`
		Groups         map[string]int `json:"groups"`
		Dominant       string         `json:"dominant"`
		Summary        emerging.Text  `json:"summary"`
		Lacks          []emerging.Text
		CellCategories []struct {
			Cell     string `json:"cell"`
			Category string `json:"category"`
		} `json:"cell_categories"`
		From, To string
		Emerging string `json:"emerging"`
	}
	if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &d) != nil {
		t.Fatalf("%d %.400s", rec.Code, rec.Body.String())
	}
	sum := 0
	for _, n := range d.Groups {
		sum += n
	}
	if d.Cluster != "planted-26.12" || d.Res != 7 || d.Cells != 7 || sum != 7 || len(d.CellCategories) != 7 || d.From != "2015" || d.To != "2024" {
		t.Errorf("dynamics %+v", d)
	}
	if d.CellCategories[0].Cell != geoCellID(centre) || d.CellCategories[0].Category != string(geo.IntensifyingHotSpot) ||
		d.Groups["emerging"] == 0 || d.Dominant == "none" || len(d.Lacks) != 0 {
		t.Errorf("the planted centre: %+v, groups %v, dominant %s, lacks %v", d.CellCategories[0], d.Groups, d.Dominant, d.Lacks)
	}
	if !strings.HasPrefix(d.Summary.EN, "7 cells (H3 resolution 7): ") || !strings.Contains(d.Summary.EN, "emerging hot spot") ||
		!strings.Contains(d.Summary.EN, "2015–2024, yearly steps.") || !strings.HasPrefix(d.Summary.TR, "7 hücre (H3 çözünürlüğü 7): ") ||
		!strings.Contains(d.Summary.TR, "yükselen sıcak nokta") || !strings.Contains(d.Summary.TR, "yıllık adımlar") {
		t.Errorf("summary %+v", d.Summary)
	}
	// The same answer as the map's view of the sector at the cluster's
	// resolution.
	var fc emergingFC
	view := do(t, s, http.MethodGet, d.Emerging, "", nil)
	if err := json.Unmarshal(view.Body.Bytes(), &fc); err != nil || view.Header().Get("Kume-Cache") != "hit" {
		t.Fatalf("%s: %d %s (cache %s)", d.Emerging, view.Code, err, view.Header().Get("Kume-Cache"))
	}
	for _, f := range fc.Features {
		for _, c := range d.CellCategories {
			if c.Cell == f.Properties.Cell && c.Category != f.Properties.Category {
				t.Errorf("cell %s: %s in the dynamics, %s in /emerging", c.Cell, c.Category, f.Properties.Category)
			}
		}
	}

	for _, c := range []struct{ target, want string }{
		{"/api/v1/clusters/nope/dynamics", "not_found"},
		{"/api/v1/clusters/planted-26.12/dynamics?res=6", "unknown"},
		{"/api/v1/clusters/planted-26.12/dynamics?step=week", "step"},
		{"/api/v1/clusters/bad%20id/dynamics", "malformed"},
	} {
		rec := do(t, s, http.MethodGet, c.target, "", nil)
		if rec.Code < 400 || !strings.Contains(rec.Body.String(), c.want) {
			t.Errorf("%s: %d %s", c.target, rec.Code, rec.Body.String())
		}
	}
}

func geoCellID(c uint64) string { return strings.ToLower(h3.Cell(c).String()) }
