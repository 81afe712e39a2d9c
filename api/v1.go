package api

import (
	"github.com/go-chi/chi/v5"
)

// mountAPI registers the JSON API under /api/v1 and its description under /api.
func (s *Server) mountAPI(r chi.Router) {
	r.Route("/api", func(r chi.Router) {
		s.mountOpenAPI(r)
		r.Route("/v1", func(r chi.Router) {
			s.mountConfig(r)
			s.mountSectors(r)
			s.mountValueChains(r)
			s.mountDatasets(r)
			s.mountEstablishments(r)
			s.mountHexagons(r)
			s.mountLISA(r)
			s.mountEmerging(r)
			s.mountClusters(r)
			s.mountExports(r)
			s.mountImports(r)
			s.mountRegions(r)
			s.mountRank(r)
			s.mountAnalysis(r)
			s.mountTimeline(r)
			s.mountPlaces(r)
			s.mountTrends(r)
			s.mountKeys(r)
		})
	})
}
