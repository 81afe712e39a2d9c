package api

import (
	"net/http"
	"regexp"

	"github.com/go-chi/chi/v5"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/layer"
)

func (s *Server) mountRegions(r chi.Router) {
	r.With(s.need(kume.ScopeRead)).Get("/regions", s.handleRegions)
	r.With(s.need(kume.ScopeRead)).Get("/regions/{code}/profile", s.handleRegionProfile)
}

var regionCodeRE = regexp.MustCompile(`^[\p{L}\p{N}._-]{1,64}$`)

// regionJSON is a region without its boundary (the regions export and OGC
// collection carry boundaries).
type regionJSON struct {
	kume.Region
	BBox []float64 `json:"bbox,omitempty"`
}

func newRegionJSON(r kume.Region) regionJSON {
	out := regionJSON{Region: r}
	if len(r.Geometry) > 0 {
		b := r.Geometry.Bound()
		out.BBox = []float64{b.Min[0], b.Min[1], b.Max[0], b.Max[1]}
	}
	return out
}

// levelRegions reads the regions of the request's level parameter (every
// level without one), the only parameter it takes; on an error it answers
// and returns false.
func (s *Server) levelRegions(w http.ResponseWriter, r *http.Request) ([]kume.Region, bool) {
	p, err := parseParams(r, "level")
	if err != nil {
		s.writeError(w, r, err)
		return nil, false
	}
	level, err := p.match("level", levelRE, "a region level such as province")
	if err != nil {
		s.writeError(w, r, err)
		return nil, false
	}
	ctx, cancel := s.queryContext(r)
	defer cancel()
	regs, err := s.store.Regions(ctx, kume.RegionFilter{Level: level})
	if err != nil {
		s.writeError(w, r, err)
		return nil, false
	}
	return regs, true
}

// handleRegions lists the regions of a level (all levels without one).
func (s *Server) handleRegions(w http.ResponseWriter, r *http.Request) {
	regs, ok := s.levelRegions(w, r)
	if !ok {
		return
	}
	out := make([]regionJSON, 0, len(regs))
	for _, rg := range regs {
		out = append(out, newRegionJSON(rg))
	}
	writeJSON(w, http.StatusOK, map[string]any{"regions": out})
}

// handleRegionProfile returns a region and its statistics for one sector
// (all firms by default). For anonymous callers suppressed statistics show
// their identity only, every other member null (layer.Withheld).
func (s *Server) handleRegionProfile(w http.ResponseWriter, r *http.Request) {
	p, err := parseParams(r, "level", "sector")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	code := chi.URLParam(r, "code")
	if !regionCodeRE.MatchString(code) {
		s.writeError(w, r, kume.Errorf(kume.EINVALID, "malformed region code"))
		return
	}
	level, err := p.match("level", levelRE, "a region level such as province")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	sector, err := s.sectorParam(p)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	ctx, cancel := s.queryContext(r)
	defer cancel()
	regs, err := s.store.Regions(ctx, kume.RegionFilter{Level: level, Codes: []string{code}})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	switch {
	case len(regs) == 0:
		s.writeError(w, r, kume.Errorf(kume.ENOTFOUND, "no such region"))
		return
	case len(regs) > 1:
		s.writeError(w, r, kume.Errorf(kume.EINVALID, "the code exists at several levels; give level"))
		return
	}
	reg := regs[0]
	stats, err := s.view(r).RegionStats(ctx, kume.RegionStatFilter{Level: reg.Level, Sector: sector, Codes: []string{code}})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var stat any
	if len(stats) > 0 {
		st := stats[0]
		stat = st
		if IsPublic(r) && st.Suppressed {
			m, err := jsonObject(st)
			if err != nil {
				s.writeError(w, r, err)
				return
			}
			layer.RegionLayer().MaskJSON(m, true, true)
			stat = m
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"region": newRegionJSON(reg), "sector": sector, "stats": stat})
}
