package api

import (
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/export"
)

func (s *Server) mountHexagons(r chi.Router) {
	r.With(s.need(kume.ScopeRead)).Get("/hexagons", s.handleHexagons)
}

// handleHexagons returns the cell statistics of one resolution and sector as
// GeoJSON. With include_empty=true every cell of the study area is returned,
// zeros included; the study area's definition and k come in "study_area".
// Suppressed aggregates are masked for anonymous callers.
func (s *Server) handleHexagons(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := s.exportContext(r)
	defer cancel()
	fr, err := s.parseFeatureRequest(ctx, r, "hexagons", export.LayerHexagons)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.streamGeoJSON(ctx, w, r, fr, func(pg export.Page) []export.Member {
		var next any
		if pg.More {
			next = s.pageHref(r, fr.p, s.nextCursor(fr.route, fr.p, fr.q, pg, fr.offset))
		}
		return []export.Member{
			{Key: "study_area", Value: studyArea(fr.prov.Params)},
			{Key: "next", Value: next},
		}
	})
}
