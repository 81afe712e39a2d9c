package api

import (
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/export"
)

func (s *Server) mountEstablishments(r chi.Router) {
	r.With(s.need(kume.ScopeRead)).Get("/establishments", s.handleEstablishments)
	r.With(s.need(kume.ScopeRead)).Get("/establishments/{id}", s.handleEstablishment)
}

// handleEstablishments lists establishments by dataset, sector, kind,
// institution type, bbox and region, a page at a time.
func (s *Server) handleEstablishments(w http.ResponseWriter, r *http.Request) {
	const route = "establishments"
	layer := export.LayerEstablishments
	p, err := parseParams(r, append(layerParams(layer), pagingParams...)...)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	ctx, cancel := s.queryContext(r)
	defer cancel()
	q, err := s.layerQuery(ctx, r, p, layer)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	offset, err := s.pageQuery(p, route, &q)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	list := make([]kume.Establishment, 0, min(q.Limit, 1000))
	pg, err := export.Establishments(ctx, s.view(r), q, func(e *kume.Establishment) error {
		list = append(list, *e)
		return nil
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	body := map[string]any{"establishments": list, "next": nil}
	if pg.More {
		body["next"] = s.pageHref(r, p, s.nextCursor(route, p, q, pg, offset))
	}
	writeJSON(w, http.StatusOK, body)
}

// handleEstablishment returns one establishment; one of a dataset the
// caller may not read is not found.
func (s *Server) handleEstablishment(w http.ResponseWriter, r *http.Request) {
	if _, err := parseParams(r); err != nil {
		s.writeError(w, r, err)
		return
	}
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	e, err := s.visibleEstablishment(r, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, e)
}

// visibleEstablishment loads an establishment the caller may see.
func (s *Server) visibleEstablishment(r *http.Request, id int64) (*kume.Establishment, error) {
	ctx, cancel := s.queryContext(r)
	defer cancel()
	return s.view(r).Establishment(ctx, id)
}
