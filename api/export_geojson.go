package api

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/export"
)

// contentGeoJSON is the media type of RFC 7946 GeoJSON.
const contentGeoJSON = "application/geo+json"

func (s *Server) mountExports(r chi.Router) {
	r.With(s.need(kume.ScopeRead)).Get("/export/{layer}.geojson", s.handleExportGeoJSON)
	r.With(s.need(kume.ScopeRead)).Get("/export/{layer}.csv", s.handleExportCSV)
}

// exportLayer returns the validated {layer} path parameter.
func exportLayer(r *http.Request) (string, error) {
	layer := chi.URLParam(r, "layer")
	if !export.ValidLayer(layer) {
		return "", kume.Errorf(kume.ENOTFOUND, "no such layer; layers are %s", strings.Join(append(export.Layers(), emergingLayer), ", "))
	}
	return layer, nil
}

// featureRequest is a validated request for one page of a layer.
type featureRequest struct {
	// st is the store as the caller sees it.
	st     *view
	route  string
	layer  string
	p      params
	q      export.Query
	offset int
	prov   *export.Provenance
}

// parseFeatureRequest validates the parameters of a layer request; extra
// names parameters the route accepts besides the layer's filters and paging.
func (s *Server) parseFeatureRequest(ctx context.Context, r *http.Request, route, layer string, extra ...string) (*featureRequest, error) {
	allowed := append(append(layerParams(layer), pagingParams...), extra...)
	p, err := parseParams(r, allowed...)
	if err != nil {
		return nil, err
	}
	v := s.view(r)
	c, err := clusterParam(ctx, v, p)
	if err != nil {
		return nil, err
	}
	q, err := s.layerQuery(ctx, r, p, layer)
	if err != nil {
		return nil, err
	}
	if c != nil {
		if err := applyCluster(p, &q, c); err != nil {
			return nil, err
		}
	}
	offset, err := s.pageQuery(p, route, &q)
	if err != nil {
		return nil, err
	}
	prov, err := export.NewProvenance(ctx, v, layer, q.Public, q.Establishments.DatasetIDs)
	if err != nil {
		return nil, err
	}
	prov.Filters = map[string]string{}
	for k := range p.v {
		if k != "cursor" && k != "f" {
			prov.Filters[k] = p.v.Get(k)
		}
	}
	return &featureRequest{st: v, route: route, layer: layer, p: p, q: q, offset: offset, prov: prov}, nil
}

// exportContext bounds an export by the configured timeout, derived from the
// request context so that a client going away stops the export.
func (s *Server) exportContext(r *http.Request) (context.Context, context.CancelFunc) {
	return context.WithTimeout(r.Context(), s.api.cfg.ExportTimeout)
}

// handleExportGeoJSON streams a layer as an RFC 7946 FeatureCollection with
// a "kume" provenance member and a "next" link when more features exist.
func (s *Server) handleExportGeoJSON(w http.ResponseWriter, r *http.Request) {
	if chi.URLParam(r, "layer") == emergingLayer {
		s.exportEmerging(w, r, "geojson")
		return
	}
	layer, err := exportLayer(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	ctx, cancel := s.exportContext(r)
	defer cancel()
	fr, err := s.parseFeatureRequest(ctx, r, "export/"+layer, layer, exportExtraParams(layer)...)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.streamGeoJSON(ctx, w, r, fr, nil)
}

// streamGeoJSON writes one page of a layer as GeoJSON, feature by feature.
// members adds top-level members computed from the page. An error after the
// response has started aborts the connection so that the client sees a
// truncated body rather than a complete-looking one.
func (s *Server) streamGeoJSON(ctx context.Context, w http.ResponseWriter, r *http.Request, fr *featureRequest, members func(export.Page) []export.Member) {
	w.Header().Set("Content-Type", contentGeoJSON)
	w.Header().Set("Content-Disposition", `inline; filename="`+fr.layer+`.geojson"`)
	gw := export.NewGeoJSONWriter(w)
	if err := gw.Begin(); err != nil {
		return
	}
	pg, err := export.Each(ctx, fr.st, fr.q, gw.Write)
	if err != nil {
		s.abortStream(r, err)
		return
	}
	ms := []export.Member{{Key: "kume", Value: fr.prov}}
	if members != nil {
		ms = append(ms, members(pg)...)
	} else {
		var next any
		if pg.More {
			next = s.pageHref(r, fr.p, s.nextCursor(fr.route, fr.p, fr.q, pg, fr.offset))
		}
		ms = append(ms, export.Member{Key: "next", Value: next})
	}
	if err := gw.End(ms...); err != nil {
		s.abortStream(r, err)
	}
}

// abortStream logs why a streamed response stopped and aborts it.
func (s *Server) abortStream(r *http.Request, err error) {
	if errors.Is(err, context.Canceled) || r.Context().Err() != nil {
		s.log.InfoContext(r.Context(), "export stopped: client gone")
	} else {
		s.log.ErrorContext(r.Context(), "export failed", slog.Any("err", err))
	}
	panic(http.ErrAbortHandler)
}

// studyArea describes the study area of the hexagon statistics from the
// analysis parameters.
func studyArea(params json.RawMessage) map[string]any {
	var p struct {
		StudyArea string `json:"study_area"`
	}
	_ = json.Unmarshal(params, &p) // absent or foreign parameters leave the zero values
	def := p.StudyArea
	if def == "" {
		def = "the occupied cells and every cell within k grid steps of them (H3 grid disk of radius k) at each resolution; cells without firms count as zeros in the Gi* statistics"
	}
	out := map[string]any{"definition": def, "k": nil}
	if k := readAnalysisParams(params).K; k != nil {
		out["k"] = *k
	}
	return out
}
