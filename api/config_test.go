package api

import (
	"net/http"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/export"
	"github.com/kume-geo/kume/internal/teststores"
)

func TestConfigGivesLanguagesCreditsAndDataExtent(t *testing.T) {
	onStores(t, testConfigGivesLanguagesCreditsAndDataExtent)
}

func testConfigGivesLanguagesCreditsAndDataExtent(t *testing.T, kind teststores.Kind) {
	s, _, _ := newTestServer(t, kind, nil)
	rec := do(t, s, http.MethodGet, "/api/v1/config", "", nil)
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d: %s", rec.Code, rec.Body.String())
	}
	m := decode(t, rec)
	if got := m["languages"].([]any); len(got) != 2 || got[0] != "tr" || got[1] != "en" {
		t.Errorf("languages = %v", got)
	}
	att := m["attribution"].([]any)
	if len(att) != 1 || att[0] != "Demo register" {
		t.Errorf("attribution = %v, want only the public dataset's credit", att)
	}
	b, ok := m["bounds"].([]any)
	if !ok || len(b) != 4 {
		t.Fatalf("bounds = %v", m["bounds"])
	}
	// The fixture's cells lie around 41.05 N, 28.98 E.
	w, so, e, n := b[0].(float64), b[1].(float64), b[2].(float64), b[3].(float64)
	if !(w < 28.98 && 28.98 < e && so < 41.05 && 41.05 < n) || e-w > 1 || n-so > 1 {
		t.Errorf("bounds %v do not frame the fixture's cells", b)
	}
	if rec := do(t, s, http.MethodGet, "/api/v1/config?x=1", "", nil); rec.Code != http.StatusBadRequest {
		t.Errorf("unknown parameter: status %d, want 400", rec.Code)
	}
}

func TestConfigWithoutCellsHasNullBounds(t *testing.T) {
	onStores(t, testConfigWithoutCellsHasNullBounds)
}

func testConfigWithoutCellsHasNullBounds(t *testing.T, kind teststores.Kind) {
	s, st, _ := newTestServer(t, kind, nil)
	st.saveAnalysis(t, func(r *kume.AnalysisResult) { r.Cells = nil })
	m := decode(t, do(t, s, http.MethodGet, "/api/v1/config", "", nil))
	if v, ok := m["bounds"]; !ok || v != nil {
		t.Errorf("bounds = %v, want null", v)
	}
}

func TestClusterCellsAreExactHexStrings(t *testing.T) {
	onStores(t, testClusterCellsAreExactHexStrings)
}

func testClusterCellsAreExactHexStrings(t *testing.T, kind teststores.Kind) {
	s, st, _ := newTestServer(t, kind, nil)
	want := st.analysis.Clusters[0].Cells
	for _, path := range []string{"/api/v1/clusters/c-13-7-1", "/api/v1/clusters"} {
		m := decode(t, do(t, s, http.MethodGet, path, "", nil))
		if list, ok := m["clusters"].([]any); ok {
			m = list[0].(map[string]any)
		}
		cells := m["cells"].([]any)
		if len(cells) != len(want) {
			t.Fatalf("%s: %d cells, want %d", path, len(cells), len(want))
		}
		for i, c := range cells {
			if c != export.CellID(want[i]) {
				t.Errorf("%s: cell %d = %v, want %s", path, i, c, export.CellID(want[i]))
			}
		}
	}
}

func TestExportOfOneCluster(t *testing.T) { onStores(t, testExportOfOneCluster) }

func testExportOfOneCluster(t *testing.T, kind teststores.Kind) {
	s, st, _ := newTestServer(t, kind, nil)
	c := st.analysis.Clusters[0]
	st.saveAnalysis(t, func(r *kume.AnalysisResult) {
		for _, cell := range c.Cells {
			r.Cells = append(r.Cells, kume.CellStat{Res: 7, Cell: cell, Sector: "13", Firms: 5})
		}
		r.Cells = append(r.Cells, kume.CellStat{Res: 7, Cell: r.Cells[5].Cell, Sector: "13", Firms: 9})
	})

	fc := decode(t, do(t, s, http.MethodGet, "/api/v1/export/hexagons.geojson?cluster=c-13-7-1", "", nil))
	feats := fc["features"].([]any)
	if len(feats) != len(c.Cells) {
		t.Errorf("hexagons of the cluster: %d features, want %d", len(feats), len(c.Cells))
	}

	var geom orb.MultiPolygon
	for _, cell := range c.Cells {
		geom = append(geom, export.CellPolygon(cell))
	}
	fc = decode(t, do(t, s, http.MethodGet, "/api/v1/export/establishments.geojson?cluster=c-13-7-1&kind=firm&limit=1000", "", nil))
	feats = fc["features"].([]any)
	if len(feats) == 0 || len(feats) >= 200 {
		t.Fatalf("firms of the cluster: %d, want some but not all 200", len(feats))
	}
	for _, f := range feats {
		co := f.(map[string]any)["geometry"].(map[string]any)["coordinates"].([]any)
		if !planar.MultiPolygonContains(geom, orb.Point{co[0].(float64), co[1].(float64)}) {
			t.Errorf("firm at %v lies outside the footprint", co)
		}
	}
	rec := do(t, s, http.MethodGet, "/api/v1/export/establishments.csv?cluster=c-13-7-1&kind=firm", "", nil)
	if rec.Code != http.StatusOK || strings.Count(rec.Body.String(), "\n") < 2 {
		t.Errorf("CSV of the cluster's firms: status %d, %.200s", rec.Code, rec.Body.String())
	}

	for target, want := range map[string]int{
		"/api/v1/export/hexagons.geojson?cluster=nope":                       http.StatusBadRequest,
		"/api/v1/export/hexagons.geojson?cluster=c-13-7-1&res=8":             http.StatusBadRequest,
		"/api/v1/export/establishments.geojson?cluster=c-13-7-1&region=p:34": http.StatusBadRequest,
		"/api/v1/export/clusters.geojson?cluster=c-13-7-1":                   http.StatusBadRequest,
		"/api/v1/establishments?cluster=c-13-7-1":                            http.StatusBadRequest,
	} {
		if rec := do(t, s, http.MethodGet, target, "", nil); rec.Code != want {
			t.Errorf("%s: status %d, want %d: %.200s", target, rec.Code, want, rec.Body.String())
		}
	}
}
