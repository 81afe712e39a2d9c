package api

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strings"

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

// sectionDivisions gives the first and last NACE division of each section.
func sectionDivisions(section string) (first, last int, ok bool) {
	switch section {
	case "A":
		return 1, 3, true
	case "B":
		return 5, 9, true
	case "C":
		return 10, 33, true
	case "D":
		return 35, 35, true
	case "E":
		return 36, 39, true
	case "F":
		return 41, 43, true
	case "G":
		return 45, 47, true
	case "H":
		return 49, 53, true
	case "I":
		return 55, 56, true
	case "J":
		return 58, 63, true
	case "K":
		return 64, 66, true
	case "L":
		return 68, 68, true
	case "M":
		return 69, 75, true
	case "N":
		return 77, 82, true
	case "O":
		return 84, 84, true
	case "P":
		return 85, 85, true
	case "Q":
		return 86, 88, true
	case "R":
		return 90, 93, true
	case "S":
		return 94, 96, true
	case "T":
		return 97, 98, true
	case "U":
		return 99, 99, true
	}
	return 0, 0, false
}

// sectorPrefixes expands a validated sector key into the NACE code prefixes
// of the establishments it covers: a section into its divisions, a value
// chain into the codes of all its roles.
func (s *Server) sectorPrefixes(ctx context.Context, sector string) ([]string, error) {
	if id, ok := strings.CutPrefix(sector, "vc:"); ok {
		chains, err := s.valueChains(ctx)
		if err != nil {
			return nil, err
		}
		for _, vc := range chains {
			if vc.ID != id {
				continue
			}
			var out []string
			for _, role := range kume.Roles() {
				out = append(out, vc.Roles[role]...)
			}
			return out, nil
		}
		return nil, invalid("sector", "no such value chain")
	}
	if first, last, ok := sectionDivisions(sector); ok {
		out := make([]string, 0, last-first+1)
		for d := first; d <= last; d++ {
			out = append(out, fmt.Sprintf("%02d", d))
		}
		return out, nil
	}
	return []string{sector}, nil
}

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
