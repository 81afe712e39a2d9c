package api

import (
	"math"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"

	"github.com/kume-geo/kume"
)

// maxPlacePoints caps the points of one /places request.
const maxPlacePoints = 100

func (s *Server) mountPlaces(r chi.Router) {
	r.With(s.need(kume.ScopeRead)).Get("/places", s.handlePlaces)
}

// placeJSON names a region that contains a point.
type placeJSON struct {
	Level string `json:"level"`
	Code  string `json:"code"`
	Name  string `json:"name"`
}

// parsePoints reads "lon,lat|lon,lat|…" (WGS84), at most maxPlacePoints.
func parsePoints(s string) ([]orb.Point, error) {
	if s == "" {
		return nil, invalid("at", "give lon,lat pairs separated by |")
	}
	parts := strings.Split(s, "|")
	if len(parts) > maxPlacePoints {
		return nil, invalid("at", "at most %d points", maxPlacePoints)
	}
	out := make([]orb.Point, 0, len(parts))
	for _, part := range parts {
		a, b, ok := strings.Cut(part, ",")
		lon, err1 := strconv.ParseFloat(strings.TrimSpace(a), 64)
		lat, err2 := strconv.ParseFloat(strings.TrimSpace(b), 64)
		if !ok || err1 != nil || err2 != nil || math.IsNaN(lon) || math.IsNaN(lat) ||
			lon < -180 || lon > 180 || lat < -90 || lat > 90 {
			return nil, invalid("at", "%q is not lon,lat in WGS84", safeName(part))
		}
		out = append(out, orb.Point{lon, lat})
	}
	return out, nil
}

// handlePlaces names the regions that contain each point, smallest first, so
// that the web application can say where a cluster lies ("Mitte", "İstanbul").
func (s *Server) handlePlaces(w http.ResponseWriter, r *http.Request) {
	p, err := parseParams(r, "at")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	at, err := p.text("at", maxPlacePoints*48)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	pts, err := parsePoints(at)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var box orb.Bound
	for i, pt := range pts {
		if i == 0 {
			box = pt.Bound()
		} else {
			box = box.Extend(pt)
		}
	}
	ctx, cancel := s.queryContext(r)
	defer cancel()
	regs, err := s.store.Regions(ctx, kume.RegionFilter{BBox: &box})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	areas := make([]float64, len(regs))
	for i := range regs {
		areas[i] = planar.Area(regs[i].Geometry)
	}
	out := make([][]placeJSON, len(pts))
	for i, pt := range pts {
		var hits []int
		for j := range regs {
			if len(regs[j].Geometry) > 0 && regs[j].Geometry.Bound().Contains(pt) && planar.MultiPolygonContains(regs[j].Geometry, pt) {
				hits = append(hits, j)
			}
		}
		sort.SliceStable(hits, func(a, b int) bool { return areas[hits[a]] < areas[hits[b]] })
		out[i] = make([]placeJSON, 0, len(hits))
		for _, j := range hits {
			out[i] = append(out[i], placeJSON{Level: regs[j].Level, Code: regs[j].Code, Name: regs[j].Name})
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"places": out})
}
