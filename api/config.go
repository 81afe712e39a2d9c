package api

import (
	"context"
	"net/http"
	"sort"

	"github.com/go-chi/chi/v5"
	"github.com/paulmach/orb"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/export"
)

// clientConfig is what the web application needs to start: the basemap, the
// languages it offers, the credits of the datasets the caller may read and
// the extent of the firms of the analysis it reads, so that the first view
// shows data.
type clientConfig struct {
	// StyleURL is the external style document, when the basemap is one.
	StyleURL string `json:"style_url"`
	// Basemap is the basemap the map draws (basemap.go).
	Basemap     basemapClient `json:"basemap"`
	Languages   []string      `json:"languages"`
	Attribution []string      `json:"attribution"`
	// Bounds is [west, south, east, north] of the cells holding firms at the
	// coarsest analysed resolution, or null before the first analysis.
	Bounds []float64 `json:"bounds"`
}

func (s *Server) mountConfig(r chi.Router) {
	r.With(s.need(kume.ScopeRead)).Get("/config", s.handleConfig)
}

// handleConfig describes the deployment to the web application.
func (s *Server) handleConfig(w http.ResponseWriter, r *http.Request) {
	if _, err := parseParams(r); err != nil {
		s.writeError(w, r, err)
		return
	}
	ctx, cancel := s.queryContext(r)
	defer cancel()
	v := s.view(r)
	ds, err := v.Datasets(ctx)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	cfg := clientConfig{Languages: []string{"tr", "en"}, Attribution: []string{}, Basemap: s.basemapForClient()}
	if cfg.Basemap.Kind == BasemapStyle {
		cfg.StyleURL = cfg.Basemap.URL
	}
	seen := map[string]bool{}
	sort.Slice(ds, func(i, j int) bool { return ds[i].ID < ds[j].ID })
	for _, d := range ds {
		if d.Attribution != "" && !seen[d.Attribution] {
			seen[d.Attribution] = true
			cfg.Attribution = append(cfg.Attribution, d.Attribution)
		}
	}
	if cfg.Bounds, err = dataBounds(ctx, v); err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, cfg)
}

// dataBounds returns [west, south, east, north] of the analysed cells that
// hold firms, active or closed, in the analysis the caller reads (st is the
// store as it sees it), or nil before the first analysis.
func dataBounds(ctx context.Context, st kume.Store) ([]float64, error) {
	return coarsestCellBounds(ctx, st, func(c *kume.CellStat) bool { return c.Firms > 0 || c.Closed > 0 })
}

// cellBounds returns [west, south, east, north] of the cells for which keep
// holds, or nil when there are none.
func cellBounds(cells []kume.CellStat, keep func(*kume.CellStat) bool) []float64 {
	var b orb.Bound
	found := false
	for i := range cells {
		c := &cells[i]
		if !keep(c) {
			continue
		}
		p := export.CellPolygon(c.Cell)
		if p == nil {
			continue
		}
		if !found {
			b, found = p.Bound(), true
		} else {
			b = b.Union(p.Bound())
		}
	}
	if !found {
		return nil
	}
	return []float64{b.Min[0], b.Min[1], b.Max[0], b.Max[1]}
}
