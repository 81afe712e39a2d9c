package api

import (
	"net/http"
	"regexp"

	"github.com/go-chi/chi/v5"

	"github.com/kume-geo/kume"
)

// Sector is one entry of the NACE Rev.2 taxonomy.
type Sector struct {
	Code   string `json:"code"`
	Level  string `json:"level"` // section, division, group or class
	Parent string `json:"parent,omitempty"`
	NameEN string `json:"name_en"`
	NameTR string `json:"name_tr"`
}

// SectorIndex searches the NACE taxonomy by code or by name in Turkish or
// English. level ("" for any) restricts the result to one level.
type SectorIndex interface {
	Search(q, level string, limit int) []Sector
}

// SectorSearchFunc adapts a function to SectorIndex.
type SectorSearchFunc func(q, level string, limit int) []Sector

// Search implements SectorIndex.
func (f SectorSearchFunc) Search(q, level string, limit int) []Sector { return f(q, level, limit) }

var sectorLevelRE = regexp.MustCompile(`^(section|division|group|class)$`)

// handleSectors searches the NACE taxonomy: GET /sectors?q=&level=&limit=.
func (s *Server) handleSectors(w http.ResponseWriter, r *http.Request) {
	p, err := parseParams(r, "q", "level", "limit")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	q, err := p.text("q", maxText)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	level, err := p.match("level", sectorLevelRE, "section, division, group or class")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	limit, err := p.limit(50, min(1000, s.api.cfg.MaxLimit))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	idx := s.api.deps.Sectors
	if idx == nil {
		s.writeError(w, r, kume.Errorf(kume.ENOTSUPPORTED, "the sector index is not configured"))
		return
	}
	res := idx.Search(q, level, limit)
	if res == nil {
		res = []Sector{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"sectors": res})
}

func (s *Server) mountSectors(r chi.Router) {
	r.With(s.need(kume.ScopeRead)).Get("/sectors", s.handleSectors)
}
