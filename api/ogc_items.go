package api

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/export"
)

// handleOGCItems serves a page of a collection as a GeoJSON FeatureCollection
// with numberMatched, numberReturned and absolute self/next/prev links.
func (s *Server) handleOGCItems(w http.ResponseWriter, r *http.Request) {
	layer, err := ogcLayer(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	ctx, cancel := s.exportContext(r)
	defer cancel()
	fr, err := s.parseFeatureRequest(ctx, r, "ogc/"+layer, layer, ogcItemParams()...)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if !s.negotiate(w, r, fr.p) {
		return
	}
	flt, err := ogcFilter(fr.p, layer)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if flt != nil {
		s.serveFilteredItems(ctx, w, r, fr, flt)
		return
	}
	matched, counted, err := export.Count(ctx, fr.st, fr.q)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	stamp := time.Now().UTC().Format(time.RFC3339)
	s.streamGeoJSON(ctx, w, r, fr, func(pg export.Page) []export.Member {
		links := []Link{{Href: s.pageHref(r, fr.p, fr.p.v.Get("cursor")), Rel: "self", Type: contentGeoJSON, Title: "This page"}}
		if pg.More {
			links = append(links, Link{Href: s.pageHref(r, fr.p, s.nextCursor(fr.route, fr.p, fr.q, pg, fr.offset)), Rel: "next", Type: contentGeoJSON, Title: "Next page"})
		}
		if prev := s.prevCursor(fr.route, fr.p, fr.q.Limit, fr.offset); prev != "" {
			links = append(links, Link{Href: s.pageHref(r, fr.p, prev), Rel: "prev", Type: contentGeoJSON, Title: "Previous page"})
		}
		ms := []export.Member{{Key: "links", Value: links}, {Key: "timeStamp", Value: stamp}, {Key: "numberReturned", Value: pg.Returned}}
		if counted {
			ms = append(ms, export.Member{Key: "numberMatched", Value: matched})
		}
		return ms
	})
}

// handleOGCItem serves one feature of a collection.
func (s *Server) handleOGCItem(w http.ResponseWriter, r *http.Request) {
	layer, err := ogcLayer(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	allowed := []string{"f"}
	if layer == export.LayerHexagons || layer == export.LayerRegions {
		allowed = append(allowed, "sector")
	}
	p, err := parseParams(r, allowed...)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if !s.negotiate(w, r, p) {
		return
	}
	ctx, cancel := s.queryContext(r)
	defer cancel()
	f, err := s.ogcFeature(ctx, r, p, layer, chi.URLParam(r, "featureId"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	base := s.baseURL(r) + "/ogc/collections/" + layer
	b, err := export.MarshalFeature(f, export.Member{Key: "links", Value: []Link{
		{Href: s.baseURL(r) + r.URL.EscapedPath(), Rel: "self", Type: contentGeoJSON},
		{Href: base, Rel: "collection", Type: contentJSON},
	}})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", contentGeoJSON)
	_, _ = w.Write(b)
}

var errNoFeature = kume.Errorf(kume.ENOTFOUND, "no such feature")

// ogcFeature loads one feature by its id, as visible to the caller.
func (s *Server) ogcFeature(ctx context.Context, r *http.Request, p params, layer, id string) (*export.Feature, error) {
	f := &export.Feature{}
	switch layer {
	case export.LayerEstablishments, export.LayerInstitutions:
		n, err := strconv.ParseInt(id, 10, 64)
		if err != nil || n <= 0 || !intRE.MatchString(id) {
			return nil, errNoFeature
		}
		e, err := s.visibleEstablishment(r, n)
		if err != nil {
			return nil, err
		}
		if layer == export.LayerInstitutions && e.Kind != kume.KindInstitution {
			return nil, errNoFeature
		}
		export.EstablishmentFeature(f, e)
		return f, nil
	case export.LayerClusters:
		if !clusterIDRE.MatchString(id) {
			return nil, errNoFeature
		}
		c, err := s.view(r).Cluster(ctx, 0, id)
		if err != nil {
			return nil, err
		}
		export.ClusterFeature(f, c, IsPublic(r))
		return f, nil
	}
	sector, err := s.sectorParam(p)
	if err != nil {
		return nil, err
	}
	q := export.Query{Layer: layer, Sector: sector, Public: IsPublic(r), IncludeEmpty: true}
	switch layer {
	case export.LayerHexagons:
		cell, err := strconv.ParseUint(id, 16, 64)
		if err != nil || len(id) > 16 {
			return nil, errNoFeature
		}
		q.Cells, q.Res = []uint64{cell}, int(cell>>52)&0xF
	case export.LayerRegions:
		level, code, ok := strings.Cut(id, ":")
		if !ok || !regionRE.MatchString(id) {
			return nil, errNoFeature
		}
		q.Level, q.RegionCodes = level, []string{code}
	}
	found := false
	_, err = export.Each(ctx, s.view(r), q, func(g *export.Feature) error {
		if !found && (layer != export.LayerHexagons || g.ID == id) {
			found = true
			f.ID, f.Geometry, f.Props = g.ID, g.Geometry, append([]export.Prop(nil), g.Props...)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, errNoFeature
	}
	return f, nil
}
