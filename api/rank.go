package api

import (
	"context"
	"net/http"
	"regexp"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/kume-geo/kume"
)

// Rank units.
const (
	UnitRegion  = "region"
	UnitCluster = "cluster"
	UnitCell    = "cell"
)

// RankRequest asks for the best places for a sector.
type RankRequest struct {
	Sector string
	Unit   string // UnitRegion, UnitCluster or UnitCell
	Level  string // region level (UnitRegion) or H3 resolution as text (UnitCell)
	// Weights override the default weight of named criteria.
	Weights map[string]float64
	Limit   int
	// Public leaves out suppressed aggregates (an anonymous caller).
	Public bool
	// Store, when set, is the store as the caller sees it (the analysis it
	// may read); a ranker reads the results from it. ViewKey names what it
	// shows (the caller's datasets and analysis), for answers a ranker keeps.
	Store   kume.Store
	ViewKey string
}

// RankComponent explains one criterion's part in a score.
type RankComponent struct {
	Name         string   `json:"name"`
	Value        *float64 `json:"value"`
	Normalised   float64  `json:"normalised"`
	Weight       float64  `json:"weight"`
	Contribution float64  `json:"contribution"`
}

// RankItem is one ranked place with its explained score.
type RankItem struct {
	Rank       int             `json:"rank"`
	ID         string          `json:"id"`
	Name       string          `json:"name,omitempty"`
	NameTR     string          `json:"name_tr,omitempty"`
	Score      float64         `json:"score"`
	Components []RankComponent `json:"components"`
}

// RankResult is a ranking and the method that produced it.
type RankResult struct {
	Method  string             `json:"method"`
	Weights map[string]float64 `json:"weights"`
	Items   []RankItem         `json:"items"`
}

// Ranker scores regions, clusters or cells for a sector. It returns EINVALID
// for an unknown criterion name.
type Ranker interface {
	Rank(ctx context.Context, req RankRequest) (RankResult, error)
}

var weightNameRE = regexp.MustCompile(`^[a-z][a-z0-9_]{0,39}$`)

// parseWeights parses "name:w,name:w": at most 20 distinct criteria, each
// weight a finite number in 0..1000.
func parseWeights(s string) (map[string]float64, error) {
	if s == "" {
		return nil, nil
	}
	parts := strings.Split(s, ",")
	if len(parts) > 20 {
		return nil, invalid("weights", "at most 20 criteria")
	}
	out := make(map[string]float64, len(parts))
	for _, part := range parts {
		name, w, ok := strings.Cut(part, ":")
		if !ok || !weightNameRE.MatchString(name) {
			return nil, invalid("weights", "use name:weight,name:weight")
		}
		if _, dup := out[name]; dup {
			return nil, invalid("weights", "criterion given twice")
		}
		v, ok := parseFloat(w)
		if !ok || v < 0 || v > 1000 {
			return nil, invalid("weights", "weights must be numbers in 0..1000")
		}
		out[name] = v
	}
	return out, nil
}

func (s *Server) mountRank(r chi.Router) {
	r.With(s.need(kume.ScopeRead)).Get("/rank", s.handleRank)
}

// handleRank ranks places for a sector with explained scores.
func (s *Server) handleRank(w http.ResponseWriter, r *http.Request) {
	p, err := parseParams(r, "sector", "unit", "level", "weights", "limit")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	v := s.view(r)
	req := RankRequest{Public: IsPublic(r), Store: v}
	if req.ViewKey, err = viewKey(r.Context(), v); err != nil {
		s.writeError(w, r, err)
		return
	}
	if req.Sector, err = s.sectorParam(p); err != nil {
		s.writeError(w, r, err)
		return
	}
	switch req.Unit = p.v.Get("unit"); req.Unit {
	case "":
		req.Unit = UnitRegion
	case UnitRegion, UnitCluster, UnitCell:
	default:
		s.writeError(w, r, invalid("unit", "not region, cluster or cell"))
		return
	}
	if req.Level, err = p.match("level", levelRE, "a region level or a resolution"); err != nil {
		s.writeError(w, r, err)
		return
	}
	ws, err := p.text("weights", 1000)
	if err == nil {
		req.Weights, err = parseWeights(ws)
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if req.Limit, err = p.limit(20, min(1000, s.api.cfg.MaxLimit)); err != nil {
		s.writeError(w, r, err)
		return
	}
	if s.api.deps.Ranker == nil {
		s.writeError(w, r, kume.Errorf(kume.ENOTSUPPORTED, "ranking is not configured"))
		return
	}
	ctx, cancel := s.queryContext(r)
	defer cancel()
	res, err := s.api.deps.Ranker.Rank(ctx, req)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if res.Items == nil {
		res.Items = []RankItem{}
	}
	writeJSON(w, http.StatusOK, res)
}
