package api

import (
	"encoding/json"
	"math"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/uber/h3-go/v4"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/internal/teststores"
)

// lisaFC is a decoded /lisa response.
type lisaFC struct {
	Type     string          `json:"type"`
	CRS      json.RawMessage `json:"crs"`
	Features []struct {
		ID       string `json:"id"`
		Geometry struct {
			Type        string          `json:"type"`
			Coordinates json.RawMessage `json:"coordinates"`
		} `json:"geometry"`
		Properties struct {
			Cell        string   `json:"cell"`
			Res         int      `json:"res"`
			Value       *float64 `json:"value"`
			I           *float64 `json:"lisa_i"`
			Quadrant    *string  `json:"quadrant"`
			Neighbours  int      `json:"neighbours"`
			ZSim        *float64 `json:"z_sim"`
			PSim        *float64 `json:"p_sim"`
			Significant bool     `json:"significant"`
			Suppressed  bool     `json:"suppressed"`
		} `json:"properties"`
	} `json:"features"`
	Kume         struct{ Layer string } `json:"kume"`
	Method       string                 `json:"method"`
	K            int                    `json:"k"`
	Permutations int                    `json:"permutations"`
	Seed         uint64                 `json:"seed"`
	Alpha        float64                `json:"alpha"`
	FDR          bool                   `json:"fdr"`
	PThreshold   *float64               `json:"p_threshold"`
	N            int                    `json:"n"`
	GlobalI      *float64               `json:"global_moran_i"`
	StudyArea    struct {
		Source     string `json:"source"`
		Definition string `json:"definition"`
		K          int    `json:"k"`
	} `json:"study_area"`
}

// getLISA requests target and checks the RFC 7946 basics of the answer.
func getLISA(t *testing.T, h http.Handler, target, key string) lisaFC {
	t.Helper()
	rec := do(t, h, http.MethodGet, target, key, nil)
	if rec.Code != 200 || rec.Header().Get("Content-Type") != contentGeoJSON {
		t.Fatalf("%s: %d %q %.300s", target, rec.Code, rec.Header().Get("Content-Type"), rec.Body.String())
	}
	var fc lisaFC
	if err := json.Unmarshal(rec.Body.Bytes(), &fc); err != nil {
		t.Fatalf("invalid JSON: %v", err)
	}
	if fc.Type != "FeatureCollection" || fc.CRS != nil || len(fc.Features) == 0 || fc.N != len(fc.Features) {
		t.Fatalf("type %q crs %s features %d n %d", fc.Type, fc.CRS, len(fc.Features), fc.N)
	}
	for _, f := range fc.Features {
		var rings [][][2]float64
		if f.Geometry.Type != "Polygon" || longDecimal.Match(f.Geometry.Coordinates) ||
			json.Unmarshal(f.Geometry.Coordinates, &rings) != nil {
			t.Fatalf("geometry %s %s", f.Geometry.Type, f.Geometry.Coordinates)
		}
		if area(rings[0]) <= 0 || rings[0][0] != rings[0][len(rings[0])-1] || f.ID != f.Properties.Cell {
			t.Fatalf("exterior ring not closed and counter-clockwise, or id %q ≠ cell: %v", f.ID, rings[0])
		}
	}
	return fc
}

func TestLISA(t *testing.T) { onStores(t, testLISA) }

func testLISA(t *testing.T, kind teststores.Kind) {
	s, st, keys := newTestServer(t, kind, nil)
	buffer := map[h3.Cell]bool{}
	for _, c := range st.analysis.Cells {
		if c.Firms > 0 {
			for _, d := range h3.GridDisk(h3.Cell(c.Cell), 1) {
				buffer[d] = true
			}
		}
	}
	const target = "/api/v1/lisa?res=7&permutations=999&seed=3&alpha=0.2"
	anon := getLISA(t, s, target, "")
	fc := getLISA(t, s, target, keys[kume.ScopeRead])
	if fc.Kume.Layer != "lisa" || !strings.Contains(fc.Method, "conditional permutation") || fc.K != 1 ||
		fc.Permutations != 999 || fc.Seed != 3 || fc.Alpha != 0.2 {
		t.Errorf("members: %+v", fc)
	}
	// The fixture stores a disk of radius 2 whose occupied rim has no
	// stored buffer: the study area is rebuilt with the request's k.
	if fc.StudyArea.Source != "buffer" || fc.StudyArea.K != 1 || fc.N != len(buffer) {
		t.Errorf("study area %+v with %d cells, want buffer k=1 with %d", fc.StudyArea, fc.N, len(buffer))
	}

	// Recompute I from the returned values with a dense matrix built from
	// h3.GridDistance.
	n := len(fc.Features)
	cells := make([]h3.Cell, n)
	x := make([]float64, n)
	var mean float64
	for i, f := range fc.Features {
		c := h3.Cell(h3.IndexFromString(f.Properties.Cell))
		if !c.IsValid() || f.Properties.Value == nil {
			t.Fatalf("cell %q value %v", f.Properties.Cell, f.Properties.Value)
		}
		cells[i], x[i] = c, *f.Properties.Value
		mean += x[i] / float64(n)
	}
	var m2, sumI float64
	for _, v := range x {
		m2 += (v - mean) * (v - mean) / float64(n)
	}
	sig := 0
	for i, f := range fc.Features {
		var lag, w float64
		for j := range cells {
			if i != j && h3.GridDistance(cells[i], cells[j]) == 1 {
				lag += x[j] - mean
				w++
			}
		}
		want := (x[i] - mean) / m2 * lag / w
		p := f.Properties
		if !buffer[cells[i]] {
			t.Fatalf("cell %s is outside the study area", p.Cell)
		}
		if p.I == nil || math.Abs(*p.I-want) > 1e-9 || p.Neighbours != int(w) || p.Quadrant == nil {
			t.Fatalf("cell %s: I %v, want %v (neighbours %d, want %v)", p.Cell, p.I, want, p.Neighbours, w)
		}
		sumI += *p.I
		if p.PSim == nil || *p.PSim < 1.0/1000 || *p.PSim > 1 || p.Significant != (*p.PSim <= 0.2) {
			t.Fatalf("cell %s: p_sim %v significant %v", p.Cell, p.PSim, p.Significant)
		}
		if p.Significant {
			sig++
		}
		// Anonymous callers get the same statistic of a cell that is not
		// suppressed, and of a suppressed one its identity only
		// (layer.Withheld): the value, I, quadrant, p and the rest are null.
		a := anon.Features[i].Properties
		switch {
		case a.Cell != p.Cell || a.Suppressed != p.Suppressed:
			t.Fatalf("cell %s: anonymous identity %s suppressed %v", p.Cell, a.Cell, a.Suppressed)
		case p.Suppressed && (a.Value != nil || a.I != nil || a.PSim != nil || a.Quadrant != nil || a.Significant):
			t.Fatalf("suppressed cell %s: anonymous value %v I %v p %v quadrant %v significant %v", p.Cell, a.Value, a.I, a.PSim, a.Quadrant, a.Significant)
		case !p.Suppressed && (a.I == nil || *a.I != *p.I || *a.PSim != *p.PSim || a.Value == nil):
			t.Fatalf("cell %s: anonymous I %v p %v value %v", p.Cell, a.I, a.PSim, a.Value)
		}
	}
	if fc.GlobalI == nil || math.Abs(*fc.GlobalI-sumI/float64(n)) > 1e-12 {
		t.Errorf("global I %v, want the mean of the local I %v", fc.GlobalI, sumI/float64(n))
	}
	if sig == 0 {
		t.Error("no significant cell at alpha 0.2")
	}
	masked := 0
	for _, f := range anon.Features {
		if f.Properties.Suppressed && f.Properties.Value == nil {
			masked++
		}
	}
	if masked == 0 {
		t.Error("no suppressed cell masked for the anonymous caller")
	}

	// Reproducible: the same seed gives the same features, another seed
	// other p-values.
	again := getLISA(t, s, target, keys[kume.ScopeRead])
	if !reflect.DeepEqual(again.Features, fc.Features) {
		t.Error("the same request gave other numbers")
	}
	other := getLISA(t, s, strings.Replace(target, "seed=3", "seed=4", 1), keys[kume.ScopeRead])
	if reflect.DeepEqual(other.Features, fc.Features) {
		t.Error("another seed gave the same p-values")
	}
	if fc.FDR || fc.PThreshold == nil || *fc.PThreshold != 0.2 {
		t.Errorf("without FDR: fdr %v, p_threshold %v, want false and the alpha", fc.FDR, fc.PThreshold)
	}

	// With FDR, the significant cells are those at or below the
	// Benjamini–Hochberg threshold of the returned p-values, recomputed here.
	adj := getLISA(t, s, target+"&fdr=true", keys[kume.ScopeRead])
	var ps []float64
	for _, f := range adj.Features {
		ps = append(ps, *f.Properties.PSim)
	}
	slices.Sort(ps)
	want := -1.0
	for i, p := range ps {
		if p <= float64(i+1)*0.2/float64(len(ps)) {
			want = p
		}
	}
	if !adj.FDR || (want < 0) != (adj.PThreshold == nil) || (adj.PThreshold != nil && *adj.PThreshold != want) {
		t.Fatalf("with FDR: fdr %v, p_threshold %v, want %v", adj.FDR, adj.PThreshold, want)
	}
	sigFDR := 0
	for i, f := range adj.Features {
		p := f.Properties
		if p.Significant != (want >= 0 && *p.PSim <= want) || *p.PSim != *fc.Features[i].Properties.PSim {
			t.Fatalf("with FDR, cell %s: p %v significant %v (threshold %v)", p.Cell, *p.PSim, p.Significant, want)
		}
		if p.Significant {
			sigFDR++
		}
	}
	if sigFDR > sig {
		t.Errorf("FDR made %d cells significant, %d without", sigFDR, sig)
	}

	none := getLISA(t, s, "/api/v1/lisa?res=7&permutations=0", keys[kume.ScopeRead])
	for _, f := range none.Features {
		if f.Properties.PSim != nil || f.Properties.Significant || f.Properties.I == nil {
			t.Fatalf("no permutations: %+v", f.Properties)
		}
	}
}

// TestLISAGiStudyArea: when the analysis stored the Gi* study area of the
// key (occupied cells and their k-ring, k from the run's parameters), /lisa
// uses exactly those cells, leaving out stored rows beyond the buffer.
func TestLISAGiStudyArea(t *testing.T) { onStores(t, testLISAGiStudyArea) }

func testLISAGiStudyArea(t *testing.T, kind teststores.Kind) {
	s, st, _ := newTestServer(t, kind, nil)
	origin := h3.LatLngToCell(h3.NewLatLng(41.05, 28.98), 7)
	far := h3.LatLngToCell(h3.NewLatLng(41.6, 29.6), 7)
	occupied := map[h3.Cell]int{origin: 9}
	for i, c := range h3.GridDiskDistances(origin, 2)[2] {
		occupied[c] = 1 + i%3
	}
	area := map[h3.Cell]bool{}
	for c := range occupied {
		for _, d := range h3.GridDisk(c, 1) {
			area[d] = true
		}
	}
	st.saveAnalysis(t, func(r *kume.AnalysisResult) {
		r.Cells = r.Cells[:0]
		for c := range area {
			r.Cells = append(r.Cells, kume.CellStat{Res: 7, Cell: uint64(c), Firms: occupied[c]})
		}
		// A row outside the study area (closed firms only).
		r.Cells = append(r.Cells, kume.CellStat{Res: 7, Cell: uint64(far), Closed: 2})
		// The run's parameters as the analysis writes them (geo.RunInfo).
		r.Run.Params = json.RawMessage(`{"params":{"k":1,"resolutions":[6,7]},"study_area":"…"}`)
	})
	fc := getLISA(t, s, "/api/v1/lisa?res=7&k=2", "")
	if fc.StudyArea.Source != "gi" || fc.StudyArea.K != 1 || fc.K != 2 || fc.N != len(area) {
		t.Errorf("study area %+v, k %d, n %d; want gi k=1, k 2, n %d", fc.StudyArea, fc.K, fc.N, len(area))
	}
	for _, f := range fc.Features {
		c := h3.Cell(h3.IndexFromString(f.Properties.Cell))
		if !area[c] || *f.Properties.Value != float64(occupied[c]) {
			t.Fatalf("cell %s (value %v) is not in the study area", f.Properties.Cell, f.Properties.Value)
		}
	}
}

func TestLISABadParameters(t *testing.T) { onStores(t, testLISABadParameters) }

func testLISABadParameters(t *testing.T, kind teststores.Kind) {
	s, st, _ := newTestServer(t, kind, nil)
	for target, name := range map[string]string{
		"/api/v1/lisa?res=16":                       `parameter "res"`,
		"/api/v1/lisa?res=x":                        `parameter "res"`,
		"/api/v1/lisa?res=8":                        "at resolution 8", // no cell statistics
		"/api/v1/lisa?k=0":                          `parameter "k"`,
		"/api/v1/lisa?k=11":                         `parameter "k"`,
		"/api/v1/lisa?permutations=-1":              `parameter "permutations"`,
		"/api/v1/lisa?permutations=10000":           `parameter "permutations"`,
		"/api/v1/lisa?seed=-1":                      `parameter "seed"`,
		"/api/v1/lisa?seed=1e3":                     `parameter "seed"`,
		"/api/v1/lisa?alpha=0":                      `parameter "alpha"`,
		"/api/v1/lisa?alpha=1.5":                    `parameter "alpha"`,
		"/api/v1/lisa?alpha=NaN":                    `parameter "alpha"`,
		"/api/v1/lisa?fdr=yes":                      `parameter "fdr"`,
		"/api/v1/lisa?sector=ZZ":                    `parameter "sector"`,
		"/api/v1/lisa?sector=vc:nope":               `parameter "sector"`,
		"/api/v1/lisa?sector=13":                    `parameter "sector"`, // no cell of the key
		"/api/v1/lisa?limit=5":                      `unknown query parameter(s): "limit"`,
		"/api/v1/lisa?permutations=9&seed=1&seed=2": "more than once: seed",
	} {
		rec := do(t, s, http.MethodGet, target, "", nil)
		m := decode(t, rec)
		if rec.Code != 400 || m["code"] != string(kume.EINVALID) || !strings.Contains(m["message"].(string), name) {
			t.Errorf("%s: %d %v, want 400 naming %q", target, rec.Code, m, name)
		}
	}
	st.saveAnalysis(t, func(r *kume.AnalysisResult) { r.Run.Params = json.RawMessage(`{"k":1,"resolutions":[7]}`) })
	s.AnalysisSaved() // the analysis changed behind the server's back
	rec := do(t, s, http.MethodGet, "/api/v1/lisa?res=8", "", nil)
	if m := decode(t, rec); rec.Code != 400 || !strings.Contains(m["message"].(string), "not analysed") {
		t.Errorf("unanalysed resolution: %d %v", rec.Code, m)
	}

	// 17,101 occupied cells × 18 neighbours (k = 2) × 9,999 permutations
	// is far beyond the work limit.
	st.saveAnalysis(t, func(r *kume.AnalysisResult) {
		r.Cells = r.Cells[:0]
		for _, c := range h3.GridDisk(h3.LatLngToCell(h3.NewLatLng(41.05, 28.98), 7), 75) {
			r.Cells = append(r.Cells, kume.CellStat{Res: 7, Cell: uint64(c), Firms: 1 + int(c)%3})
		}
	})
	s.AnalysisSaved()
	rec = do(t, s, http.MethodGet, "/api/v1/lisa?k=2&permutations=9999", "", nil)
	if m := decode(t, rec); rec.Code != 400 || !strings.Contains(m["message"].(string), "lower permutations") {
		t.Errorf("too much work: %d %v", rec.Code, m)
	}
}

// TestLISAAnonymousWork checks the lower work bound of anonymous requests:
// 3,781 cells × 6 neighbours × 9,999 permutations ≈ 2.3e8 draws, within the
// bound for key holders, beyond it for anonymous callers.
func TestLISAAnonymousWork(t *testing.T) { onStores(t, testLISAAnonymousWork) }

func testLISAAnonymousWork(t *testing.T, kind teststores.Kind) {
	s, st, _ := newTestServer(t, kind, nil)
	st.saveAnalysis(t, func(r *kume.AnalysisResult) {
		r.Run.Params = json.RawMessage(`{"k":1,"resolutions":[7]}`)
		r.Cells = r.Cells[:0]
		for _, c := range h3.GridDisk(h3.LatLngToCell(h3.NewLatLng(41.05, 28.98), 7), 35) {
			r.Cells = append(r.Cells, kume.CellStat{Res: 7, Cell: uint64(c), Firms: 1 + int(c)%3})
		}
	})
	s.AnalysisSaved()
	rec := do(t, s, http.MethodGet, "/api/v1/lisa?res=7&permutations=9999", "", nil)
	if m := decode(t, rec); rec.Code != 400 || !strings.Contains(m["message"].(string), "more than 200000000") {
		t.Errorf("anonymous request of 2.3e8 draws: %d %v", rec.Code, m)
	}
}

func TestLISAClosedReads(t *testing.T) { onStores(t, testLISAClosedReads) }

func testLISAClosedReads(t *testing.T, kind teststores.Kind) {
	closed, _, keys := newTestServer(t, kind, func(c *Config, _ *Deps) { c.API.PublicReads = false })
	if rec := do(t, closed, http.MethodGet, "/api/v1/lisa?res=7", "", nil); rec.Code != 401 {
		t.Errorf("closed reads without key: %d", rec.Code)
	}
	getLISA(t, closed, "/api/v1/lisa?res=7", keys[kume.ScopeRead])
}
