package api

import (
	"math"
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/export"
	"github.com/kume-geo/kume/geo"
	"github.com/kume-geo/kume/layer"
)

// Defaults of GET /lisa.
const (
	defaultLISAPermutations = 999
	defaultLISASeed         = 1
	defaultLISAAlpha        = 0.05
)

func (s *Server) mountLISA(r chi.Router) {
	r.With(s.need(kume.ScopeRead)).Get("/lisa", s.handleLISA)
}

// lisaRequest holds the validated parameters of GET /lisa.
type lisaRequest struct {
	sector   string
	res, k   int
	perms    int
	seed     uint64
	alpha    float64
	fdr      bool
	analysis analysisParams
}

// parseLISA validates the parameters of GET /lisa.
func (s *Server) parseLISA(r *http.Request, v *view, p params) (*lisaRequest, error) {
	ctx := r.Context()
	q := &lisaRequest{}
	var err error
	if q.sector, err = s.sectorParam(p); err != nil {
		return nil, err
	}
	if layer.IsChain(q.sector) {
		if _, err := s.sectorPrefixes(ctx, q.sector); err != nil {
			return nil, err
		}
	}
	if q.res, err = p.int("res", layer.DefaultRes, 0, geo.MaxResolution); err != nil {
		return nil, err
	}
	run, err := v.LatestAnalysis(ctx)
	switch {
	case err == nil:
		q.analysis = readAnalysisParams(run.Params)
	case kume.ErrorCode(err) != kume.ENOTFOUND:
		return nil, err
	}
	defK := 1
	if q.analysis.K != nil && *q.analysis.K >= 1 && *q.analysis.K <= geo.MaxK {
		defK = *q.analysis.K
	}
	if q.k, err = p.int("k", defK, 1, geo.MaxK); err != nil {
		return nil, err
	}
	if q.perms, err = p.int("permutations", defaultLISAPermutations, 0, geo.MaxPermutations); err != nil {
		return nil, err
	}
	seed, err := p.int("seed", defaultLISASeed, 0, math.MaxInt64)
	if err != nil {
		return nil, err
	}
	q.seed = uint64(seed)
	q.alpha = defaultLISAAlpha
	if p.has("alpha") {
		a, ok := parseFloat(p.v.Get("alpha"))
		if !ok || a <= 0 || a > 1 {
			return nil, invalid("alpha", "not a number in (0, 1]")
		}
		q.alpha = a
	}
	if q.fdr, err = p.bool("fdr"); err != nil {
		return nil, err
	}
	return q, nil
}

// lisaThreshold returns the largest pseudo p-value that is significant: alpha
// itself, or with FDR the Benjamini–Hochberg threshold at alpha over the
// defined p-values of the study area (nil when no cell passes it).
func lisaThreshold(m *geo.MoranResult, alpha float64, fdr bool) *float64 {
	if !fdr {
		return &alpha
	}
	ps := make([]float64, 0, len(m.Local))
	for i := range m.Local {
		if p := m.Local[i].PSim; p != nil {
			ps = append(ps, *p)
		}
	}
	t, ok := geo.BHThreshold(ps, alpha)
	if !ok {
		return nil
	}
	return &t
}

// anonymousMoranWork bounds the permutation draws of one anonymous /lisa
// request (about 3 s of CPU); callers with a key get geo.MaxMoranWork.
const anonymousMoranWork = 200_000_000

// handleLISA computes local Moran's I of the active firm counts of one
// sector key at one resolution over its study area, on demand, and answers
// GeoJSON: one feature per study-area cell with its value, I, quadrant and
// pseudo p-value (for anonymous callers, a suppressed cell shows its identity
// only: layer.Withheld), and
// top-level members stating the method and its parameters.
func (s *Server) handleLISA(w http.ResponseWriter, r *http.Request) {
	p, err := parseParams(r, "sector", "res", "k", "permutations", "seed", "alpha", "fdr")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	v := s.view(r)
	q, err := s.parseLISA(r, v, p)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	ctx, cancel := s.exportContext(r)
	defer cancel()
	mp := geo.MoranParams{Permutations: q.perms, Seed: q.seed}
	if IsPublic(r) {
		mp.MaxWork = anonymousMoranWork
	}
	st, err := loadLISAStudy(ctx, v, q.sector, q.res, q.k, q.analysis, mp)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	m, err := geo.LocalMoranCells(ctx, st.cells, st.values, q.k, mp)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	public := IsPublic(r)
	prov, err := export.NewProvenance(ctx, v, "lisa", public, nil)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	prov.Filters = map[string]string{}
	for k := range p.v {
		prov.Filters[k] = p.v.Get(k)
	}
	w.Header().Set("Content-Type", contentGeoJSON)
	w.Header().Set("Content-Disposition", `inline; filename="lisa.geojson"`)
	gw := export.NewGeoJSONWriter(w)
	if err := gw.Begin(); err != nil {
		return
	}
	threshold := lisaThreshold(m, q.alpha, q.fdr)
	var f export.Feature
	hex := layer.HexagonLayer()
	for i, cell := range st.cells {
		suppressed := st.stats[cell].suppressed
		lisaFeature(&f, cell, q, threshold, st.values[i], suppressed, &m.Local[i])
		for j := range f.Props {
			if !hex.Shown(f.Props[j].Key, public, suppressed) {
				f.Props[j].Value = nil
			}
		}
		if err := gw.Write(&f); err != nil {
			s.abortStream(r, err)
			return
		}
	}
	err = gw.End(
		export.Member{Key: "kume", Value: prov},
		export.Member{Key: "method", Value: geo.MoranMethod},
		export.Member{Key: "sector", Value: q.sector},
		export.Member{Key: "res", Value: q.res},
		export.Member{Key: "k", Value: q.k},
		export.Member{Key: "permutations", Value: q.perms},
		export.Member{Key: "seed", Value: q.seed},
		export.Member{Key: "alpha", Value: q.alpha},
		export.Member{Key: "fdr", Value: q.fdr},
		export.Member{Key: "p_threshold", Value: threshold},
		export.Member{Key: "n", Value: m.N},
		export.Member{Key: "global_moran_i", Value: m.GlobalI},
		export.Member{Key: "study_area", Value: st.definition()},
	)
	if err != nil {
		s.abortStream(r, err)
	}
}

// lisaFeature fills f with one study-area cell, significant when its pseudo
// p-value is at most threshold (none is when threshold is nil).
func lisaFeature(f *export.Feature, cell uint64, q *lisaRequest, threshold *float64, value float64, suppressed bool, l *geo.LocalMoranI) {
	var quadrant any
	if l.Quadrant != "" {
		quadrant = string(l.Quadrant)
	}
	f.ID = export.CellID(cell)
	f.Geometry = export.CellPolygon(cell)
	f.Props = append(f.Props[:0],
		export.Prop{Key: "cell", Value: export.CellID(cell)}, export.Prop{Key: "res", Value: q.res},
		export.Prop{Key: "sector", Value: q.sector}, export.Prop{Key: "value", Value: value},
		export.Prop{Key: "lisa_i", Value: l.I}, export.Prop{Key: "quadrant", Value: quadrant}, export.Prop{Key: "neighbours", Value: l.Neighbors},
		export.Prop{Key: "ei_sim", Value: l.EISim}, export.Prop{Key: "vi_sim", Value: l.VISim},
		export.Prop{Key: "z_sim", Value: l.ZSim}, export.Prop{Key: "p_sim", Value: l.PSim},
		export.Prop{Key: "significant", Value: l.PSim != nil && threshold != nil && *l.PSim <= *threshold},
		export.Prop{Key: "suppressed", Value: suppressed})
}
