package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"

	"github.com/go-chi/chi/v5"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/export"
	"github.com/kume-geo/kume/layer"
)

// jsonObject returns v's JSON encoding as an object to edit; UseNumber keeps
// large integers exact.
func jsonObject(v any) (map[string]any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(&m); err != nil {
		return nil, err
	}
	return m, nil
}

func (s *Server) mountClusters(r chi.Router) {
	r.With(s.need(kume.ScopeRead)).Get("/clusters", s.handleClusters)
	r.With(s.need(kume.ScopeRead)).Get("/clusters/{id}", s.handleCluster)
	r.With(s.need(kume.ScopeRead)).Get("/clusters/{id}/dynamics", s.handleClusterDynamics)
}

var clusterIDRE = regexp.MustCompile(`^[A-Za-z0-9:._-]{1,128}$`)

// clusterJSON renders a cluster as a JSON object; for anonymous callers a
// suppressed cluster shows its identity only, every other member null
// (layer.Withheld).
func clusterJSON(c *kume.Cluster, public, withGeometry bool) (map[string]any, error) {
	m, err := jsonObject(c)
	if err != nil {
		return nil, fmt.Errorf("cluster %s: %w", c.ID, err)
	}
	// Cells are written as H3's usual hexadecimal strings, as in the hexagons
	// layer, since JSON numbers above 2^53 lose digits in most clients.
	cells := make([]string, len(c.Cells))
	for i, cell := range c.Cells {
		cells[i] = export.CellID(cell)
	}
	m["cells"] = cells
	// No institution of a type is an empty count, whether the store keeps
	// it as an empty map or none: null means withheld.
	for _, k := range []string{"institutions_inside", "institutions_near"} {
		if m[k] == nil {
			m[k] = map[string]int{}
		}
	}
	layer.ClusterLayer().MaskJSON(m, public, c.Suppressed)
	if withGeometry {
		var f export.Feature
		export.ClusterFeature(&f, c, public)
		g, err := export.AppendGeometry(nil, f.Geometry)
		if err != nil {
			return nil, fmt.Errorf("cluster %s: %w", c.ID, err)
		}
		m["geometry"] = json.RawMessage(g)
	}
	return m, nil
}

// handleClusters lists the cluster footprints of the current analysis.
func (s *Server) handleClusters(w http.ResponseWriter, r *http.Request) {
	p, err := parseParams(r, "sector", "res")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	sector, err := s.sectorParam(p)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	res, err := p.int("res", 0, 0, 15)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	keys, err := s.sectorKeys()
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	f := kume.ClusterFilter{Res: res}
	if f.Sectors, err = keys.ClusterKeys(r.Context(), sector); err != nil {
		s.writeError(w, r, err)
		return
	}
	ctx, cancel := s.queryContext(r)
	defer cancel()
	cls, err := s.view(r).Clusters(ctx, f)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := make([]map[string]any, 0, len(cls))
	for i := range cls {
		m, err := clusterJSON(&cls[i], IsPublic(r), false)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		out = append(out, m)
	}
	writeJSON(w, http.StatusOK, map[string]any{"clusters": out})
}

// handleCluster returns one footprint with its geometry, statistics,
// institutions, value-chain roles and competitiveness profile.
func (s *Server) handleCluster(w http.ResponseWriter, r *http.Request) {
	if _, err := parseParams(r); err != nil {
		s.writeError(w, r, err)
		return
	}
	id := chi.URLParam(r, "id")
	if !clusterIDRE.MatchString(id) {
		s.writeError(w, r, kume.Errorf(kume.EINVALID, "malformed cluster id"))
		return
	}
	ctx, cancel := s.queryContext(r)
	defer cancel()
	c, err := s.view(r).Cluster(ctx, 0, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	m, err := clusterJSON(c, IsPublic(r), true)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, m)
}
