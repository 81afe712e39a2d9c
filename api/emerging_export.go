package api

import (
	"fmt"
	"net/http"

	"github.com/kume-geo/kume/emerging"
	"github.com/kume-geo/kume/export"
	"github.com/kume-geo/kume/layer"
)

// emergingLayer is the name of the emerging layer among the exports.
const emergingLayer = layer.Emerging

// exportEmerging streams the emerging layer as GeoJSON or CSV: the features
// of the emerging hot spot analysis the parameters ask for (package
// emerging, the answer GET /emerging and the tiles read), with the layer's
// feature properties, the provenance and the method's members, paged like
// the other exports.
func (s *Server) exportEmerging(w http.ResponseWriter, r *http.Request, format string) {
	route := "export/" + layer.Emerging + "." + format
	p, err := parseParams(r, append(append([]string{"sector", "dataset", "bbox"}, emerging.ParamNames()...), pagingParams...)...)
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
	limit, err := p.limit(s.api.cfg.DefaultLimit, s.api.cfg.MaxLimit)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	c, err := s.cursor(p, route)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	ans, _, err := eng.Run(ctx, req)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var next string
	if c.Offset+limit < len(ans.Cells) {
		next = s.pageHref(r, p, s.signCursor(cursor{Offset: c.Offset + limit, Query: fingerprint(route, p.v)}))
	}
	h := w.Header()
	if format == "csv" {
		prov, err := asciiJSON(ans.Provenance)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		h.Set("Content-Type", "text/csv; charset=utf-8")
		h.Set("Content-Disposition", `attachment; filename="emerging.csv"`)
		h.Set("Kume-Provenance", prov)
		h.Set("Kume-Number-Matched", fmt.Sprint(len(ans.Cells)))
		if next != "" {
			h.Set("Link", `<`+next+`>; rel="next"`)
		}
		cw := export.NewCSVWriter(w, export.Columns(layer.Emerging), false)
		if err := cw.Header(); err != nil {
			return
		}
		if _, err := ans.Export(req.Public, c.Offset, limit, cw.Write); err != nil {
			s.abortStream(r, err)
			return
		}
		if err := cw.Flush(); err != nil {
			s.abortStream(r, err)
		}
		return
	}
	h.Set("Content-Type", contentGeoJSON)
	h.Set("Content-Disposition", `inline; filename="emerging.geojson"`)
	gw := export.NewGeoJSONWriter(w)
	if err := gw.Begin(); err != nil {
		return
	}
	if _, err := ans.Export(req.Public, c.Offset, limit, gw.Write); err != nil {
		s.abortStream(r, err)
		return
	}
	ms := append([]export.Member{{Key: "kume", Value: ans.Provenance}}, ans.Members()...)
	var nextV any
	if next != "" {
		nextV = next
	}
	if err := gw.End(append(ms, export.Member{Key: "next", Value: nextV})...); err != nil {
		s.abortStream(r, err)
	}
}
