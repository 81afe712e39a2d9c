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
	r.With(s.need(kume.ScopeRead)).Get("/region-labels", s.handleRegionLabels)
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

// nearKm is how far a populated place may lie from a point to name it.
const nearKm = 60

// nearJSON is the populated place of the basemap nearest to a point.
type nearJSON struct {
	Name   string  `json:"name"`
	NameEN string  `json:"name_en,omitempty"`
	NameTR string  `json:"name_tr,omitempty"`
	Km     float64 `json:"km"`
}

// handlePlaces names the regions that contain each point, smallest first, and
// the populated place nearest to it (from the offline basemap, within nearKm),
// so that the web application can say where a cluster lies ("Mitte", "near
// İstanbul").
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
	near := make([]*nearJSON, len(pts))
	for i, pt := range pts {
		if bm := s.api.deps.Basemap; bm != nil {
			if p, ok := bm.NearestPlace(pt[0], pt[1], nearKm); ok {
				near[i] = &nearJSON{Name: p.Name, NameEN: p.NameEN, NameTR: p.NameTR, Km: math.Round(p.Km*10) / 10}
			}
		}
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
	writeJSON(w, http.StatusOK, map[string]any{"places": out, "near": near})
}

// handleRegionLabels gives one label point per region, inside its largest
// polygon, as GeoJSON points with level, code and name, so that a map names
// each region once (labels placed per tile repeat along tile edges).
func (s *Server) handleRegionLabels(w http.ResponseWriter, r *http.Request) {
	regs, ok := s.levelRegions(w, r)
	if !ok {
		return
	}
	type feature struct {
		Type       string         `json:"type"`
		Geometry   map[string]any `json:"geometry"`
		Properties map[string]any `json:"properties"`
	}
	fs := make([]feature, 0, len(regs))
	for _, rg := range regs {
		pt, ok := labelPoint(rg.Geometry)
		if !ok {
			continue
		}
		fs = append(fs, feature{Type: "Feature",
			Geometry:   map[string]any{"type": "Point", "coordinates": []float64{round7(pt[0]), round7(pt[1])}},
			Properties: map[string]any{"level": rg.Level, "code": rg.Code, "name": rg.Name}})
	}
	w.Header().Set("Content-Type", "application/geo+json")
	writeJSON(w, http.StatusOK, map[string]any{"type": "FeatureCollection", "features": fs})
}

func round7(v float64) float64 { return math.Round(v*1e7) / 1e7 }

// labelPoint returns a point inside the largest polygon of mp: its centroid
// when that lies inside, else the middle of the widest stretch inside the
// polygon along the centroid's latitude.
func labelPoint(mp orb.MultiPolygon) (orb.Point, bool) {
	best, bestArea := -1, 0.0
	for i, pg := range mp {
		if a := planar.Area(pg); a > bestArea {
			best, bestArea = i, a
		}
	}
	if best < 0 {
		return orb.Point{}, false
	}
	pg := mp[best]
	c, _ := planar.CentroidArea(pg)
	if planar.PolygonContains(pg, c) {
		return c, true
	}
	var xs []float64
	for _, ring := range pg {
		for i := 0; i+1 < len(ring); i++ {
			a, b := ring[i], ring[i+1]
			if (a[1] <= c[1]) != (b[1] <= c[1]) {
				xs = append(xs, a[0]+(c[1]-a[1])/(b[1]-a[1])*(b[0]-a[0]))
			}
		}
	}
	sort.Float64s(xs)
	found := false
	var pt orb.Point
	widest := 0.0
	for i := 0; i+1 < len(xs); i += 2 {
		if w := xs[i+1] - xs[i]; w > widest {
			widest, pt, found = w, orb.Point{(xs[i] + xs[i+1]) / 2, c[1]}, true
		}
	}
	return pt, found
}
