package api

import (
	"context"
	"net/http"
	"strconv"

	"github.com/go-chi/chi/v5"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/emerging"
	"github.com/kume-geo/kume/export"
)

func (s *Server) mountEmerging(r chi.Router) {
	r.With(s.need(kume.ScopeRead)).Get("/emerging", s.handleEmerging)
}

// emergingParamNames are the parameters GET /emerging accepts: the sector,
// the firms (dataset, bbox), the method's options and features.
var emergingParamNames = append([]string{"sector", "dataset", "bbox", "features"}, emerging.ParamNames()...)

// emergingEngine returns the engine of the emerging hot spot analysis, or
// ENOTSUPPORTED when the server has none (no store).
func (s *Server) emergingEngine() (*emerging.Engine, error) {
	if s.api.emerging == nil {
		return nil, kume.Errorf(kume.ENOTSUPPORTED, "emerging hot spot analysis is not configured")
	}
	return s.api.emerging, nil
}

// parseEmerging validates the parameters of an emerging hot spot request: the
// sector key, the dataset (one the caller may see) and box, and the method's
// options (emerging.ParseOptions).
func (s *Server) parseEmerging(ctx context.Context, r *http.Request, p params) (emerging.Request, error) {
	v := s.view(r)
	req, err := emergingCaller(ctx, r, v)
	if err != nil {
		return req, err
	}
	if req.Sector, err = s.sectorParam(p); err != nil {
		return req, err
	}
	if req.BBox, err = p.bbox("bbox"); err != nil {
		return req, err
	}
	if p.has("dataset") {
		d, err := datasetParam(ctx, v, p)
		if err != nil {
			return req, err
		}
		req.Datasets = []int64{d.ID}
	}
	req.Options, err = emerging.ParseOptions(func(name string) (string, bool) { return p.v.Get(name), p.has(name) })
	return req, err
}

// viewKey names what a caller's view shows, for the emerging engine's kept
// answers: the datasets it may read and the analysis it reads.
func viewKey(ctx context.Context, v *view) (string, error) {
	run, err := v.Analysis(ctx)
	if err != nil {
		return "", err
	}
	var version int64
	if run != nil {
		version = run.Version
	}
	return v.access.Key() + "/" + strconv.FormatInt(version, 10), nil
}

// emergingCaller returns an emerging request as r's caller may make it: who
// it is, its view of the store (v) and what that view shows.
func emergingCaller(ctx context.Context, r *http.Request, v *view) (emerging.Request, error) {
	key, err := viewKey(ctx, v)
	return emerging.Request{Public: IsPublic(r), View: v, ViewKey: key}, err
}

// handleEmerging runs the emerging hot spot analysis of one sector key at
// one resolution over the stored firms, on demand (package emerging, whose
// answers are kept until the data version changes), and answers GeoJSON: one
// feature per cell with a firm at some step or with a pattern, carrying its
// category, trend and per-step series, and top-level members stating the
// method, its parameters, the span and what the firms' dates cover. With
// features=false the answer has the members only (the web map's legend).
func (s *Server) handleEmerging(w http.ResponseWriter, r *http.Request) {
	p, err := parseParams(r, emergingParamNames...)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	ctx, cancel := s.exportContext(r)
	defer cancel()
	eng, err := s.emergingEngine()
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	req, err := s.parseEmerging(ctx, r, p)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	features := true
	if p.has("features") {
		if features, err = p.bool("features"); err != nil {
			s.writeError(w, r, err)
			return
		}
	}
	ans, cached, err := eng.Run(ctx, req)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", contentGeoJSON)
	w.Header().Set("Content-Disposition", `inline; filename="emerging.geojson"`)
	w.Header().Set("Kume-Cache", map[bool]string{true: "hit", false: "miss"}[cached])
	gw := export.NewGeoJSONWriter(w)
	if err := gw.Begin(); err != nil {
		return
	}
	if features {
		var f export.Feature
		for i := range ans.Cells {
			ans.Series(&f, i, req.Public)
			if err := gw.Write(&f); err != nil {
				s.abortStream(r, err)
				return
			}
		}
	}
	if err := gw.End(append([]export.Member{{Key: "kume", Value: ans.Provenance}}, ans.Members()...)...); err != nil {
		s.abortStream(r, err)
	}
}
