package api

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/paulmach/orb"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/cql2"
	"github.com/kume-geo/kume/export"
)

// OGC API – Features Part 3: the filter parameter of the items route.
//
// A filter is parsed and compiled once per request and evaluated in Go on
// each feature as the store streams the layer, after the layer's own
// parameters (bbox, sector, dataset, ...) have narrowed the scan; when the
// filter's S_INTERSECTS literals imply a box, that box narrows the scan of
// the establishment, institution, cluster and region layers too. Pages count
// matching features only, so numberMatched, numberReturned and the next and
// prev links follow the filter. numberMatched costs one more pass over the
// layer on the first page that is not the last; the cursor of the next page
// carries it, so later pages do not repeat the pass.

// ogcItemParams are the parameters of the items route besides the layer's
// filters and paging.
func ogcItemParams() []string { return []string{"f", "filter", "filter-lang", "filter-crs"} }

// maxFilterBytes bounds the length of a filter expression.
const maxFilterBytes = 64 << 10

// ogcFilter parses and compiles the filter of an items request against the
// layer's queryables; nil when the request has none.
func ogcFilter(p params, layer string) (*cql2.Filter, error) {
	if !p.has("filter") {
		for _, name := range []string{"filter-lang", "filter-crs"} {
			if p.has(name) {
				return nil, invalid(name, "given without a filter")
			}
		}
		return nil, nil
	}
	src := p.v.Get("filter")
	switch {
	case src == "":
		return nil, invalid("filter", "empty")
	case len(src) > maxFilterBytes:
		return nil, invalid("filter", "longer than %d bytes", maxFilterBytes)
	}
	if crs := p.v.Get("filter-crs"); p.has("filter-crs") && crs != crs84 {
		return nil, invalid("filter-crs", "only %s is offered", crs84)
	}
	var (
		e   cql2.Expr
		err error
	)
	switch lang := p.v.Get("filter-lang"); lang {
	case "", "cql2-text":
		e, err = cql2.ParseText(src)
	case "cql-text": // the Part 3 drafts' language, which GDAL's OAPIF driver sends
		e, err = cql2.ParseDraftText(src)
	case "cql2-json":
		e, err = cql2.ParseJSON([]byte(src))
	default:
		return nil, invalid("filter-lang", "%s is not offered; use cql2-text or cql2-json", safeName(lang))
	}
	if err != nil {
		return nil, invalid("filter", "%v", err)
	}
	f, err := cql2.Compile(e, ogcQueryables(layer))
	if err != nil {
		return nil, invalid("filter", "%v", err)
	}
	return f, nil
}

// featureView shows an exported feature to a filter.
type featureView struct{ f *export.Feature }

// Property returns the value of the feature's property, nil when absent.
func (v featureView) Property(name string) any {
	for _, p := range v.f.Props {
		if p.Key == name {
			return p.Value
		}
	}
	return nil
}

// Geometry returns the feature's geometry.
func (v featureView) Geometry() orb.Geometry { return v.f.Geometry }

// errPageFull stops a filtered scan once the page and one more match exist.
var errPageFull = errors.New("api: page full")

// filteredPage calls fn for the features of q's page among those matching
// flt: it scans the layer from q's keyset position, skips q.Offset matches
// and returns at most q.Limit.
func filteredPage(ctx context.Context, st kume.Store, q export.Query, flt *cql2.Filter, fn func(*export.Feature) error) (export.Page, error) {
	var pg export.Page
	skip, limit := q.Offset, q.Limit
	q.Offset, q.Limit = 0, 0
	_, err := export.Each(ctx, st, q, func(f *export.Feature) error {
		if !flt.Match(featureView{f}) {
			return nil
		}
		if skip > 0 {
			skip--
			return nil
		}
		if limit > 0 && pg.Returned >= limit {
			pg.More = true
			return errPageFull
		}
		pg.Returned++
		if id, ok := f.ID.(int64); ok {
			pg.LastID = id
		}
		return fn(f)
	})
	if errors.Is(err, errPageFull) {
		err = nil
	}
	return pg, err
}

// filteredCount counts the features of q's layer that match flt.
func filteredCount(ctx context.Context, st kume.Store, q export.Query, flt *cql2.Filter) (int, error) {
	q.Offset, q.Limit, q.After = 0, 0, 0
	n := 0
	_, err := export.Each(ctx, st, q, func(f *export.Feature) error {
		if flt.Match(featureView{f}) {
			n++
		}
		return nil
	})
	return n, err
}

// narrowBox returns the part of box (nil: the world) inside b, clamped to
// longitude and latitude; nil and false when nothing is left.
func narrowBox(box *orb.Bound, b orb.Bound) (*orb.Bound, bool) {
	out := orb.Bound{
		Min: orb.Point{max(b.Min[0], -180), max(b.Min[1], -90)},
		Max: orb.Point{min(b.Max[0], 180), min(b.Max[1], 90)},
	}
	if box != nil {
		out.Min = orb.Point{max(out.Min[0], box.Min[0]), max(out.Min[1], box.Min[1])}
		out.Max = orb.Point{min(out.Max[0], box.Max[0]), min(out.Max[1], box.Max[1])}
	}
	if out.Min[0] > out.Max[0] || out.Min[1] > out.Max[1] {
		return nil, false
	}
	return &out, true
}

// serveFilteredItems streams the page of a filtered items request.
func (s *Server) serveFilteredItems(ctx context.Context, w http.ResponseWriter, r *http.Request, fr *featureRequest, flt *cql2.Filter) {
	if b, ok := flt.Bound(); ok && fr.layer != export.LayerHexagons {
		// hexagons are selected by their centres: a box would miss cells
		// whose outline reaches into it
		if nb, ok := narrowBox(fr.q.BBox, b); ok {
			fr.q.BBox = nb
		}
	}
	c, err := s.cursor(fr.p, fr.route) // parseFeatureRequest checked it
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	stamp := time.Now().UTC().Format(time.RFC3339)
	w.Header().Set("Content-Type", contentGeoJSON)
	w.Header().Set("Content-Disposition", `inline; filename="`+fr.layer+`.geojson"`)
	gw := export.NewGeoJSONWriter(w)
	if err := gw.Begin(); err != nil {
		return
	}
	pg, err := filteredPage(ctx, fr.st, fr.q, flt, gw.Write)
	if err != nil {
		s.abortStream(r, err)
		return
	}
	matched := fr.offset + pg.Returned
	switch {
	case !pg.More:
	case c.Matched > 0:
		matched = c.Matched
	default:
		if matched, err = filteredCount(ctx, fr.st, fr.q, flt); err != nil {
			s.abortStream(r, err)
			return
		}
	}
	fp := fingerprint(fr.route, fr.p.v)
	links := []Link{{Href: s.pageHref(r, fr.p, fr.p.v.Get("cursor")), Rel: "self", Type: contentGeoJSON, Title: "This page"}}
	if pg.More {
		next := cursor{Offset: fr.offset + pg.Returned, Query: fp, Matched: matched}
		if export.PointLayer(fr.layer) {
			next.After = pg.LastID
		}
		links = append(links, Link{Href: s.pageHref(r, fr.p, s.signCursor(next)), Rel: "next", Type: contentGeoJSON, Title: "Next page"})
	}
	if fr.offset > 0 {
		prev := cursor{Offset: max(0, fr.offset-fr.q.Limit), Query: fp, Matched: matched}
		links = append(links, Link{Href: s.pageHref(r, fr.p, s.signCursor(prev)), Rel: "prev", Type: contentGeoJSON, Title: "Previous page"})
	}
	err = gw.End(export.Member{Key: "kume", Value: fr.prov}, export.Member{Key: "links", Value: links},
		export.Member{Key: "timeStamp", Value: stamp}, export.Member{Key: "numberReturned", Value: pg.Returned},
		export.Member{Key: "numberMatched", Value: matched})
	if err != nil {
		s.abortStream(r, err)
	}
}
