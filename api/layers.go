package api

import (
	"context"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/export"
)

// Parameters shared by the routes that page through a layer.
var pagingParams = []string{"limit", "cursor"}

// layerParams lists the filter parameters each layer accepts (paging aside).
func layerParams(layer string) []string {
	switch layer {
	case export.LayerEstablishments:
		return []string{"dataset", "sector", "kind", "type", "bbox", "region"}
	case export.LayerInstitutions:
		return []string{"dataset", "sector", "type", "bbox", "region"}
	case export.LayerHexagons:
		return []string{"res", "sector", "bbox", "include_empty"}
	case export.LayerClusters:
		return []string{"sector", "res", "bbox"}
	case export.LayerRegions:
		return []string{"level", "sector", "bbox"}
	}
	return nil
}

var (
	sectorRE = regexp.MustCompile(`^(vc:[a-z0-9_-]{1,64}|[A-U]|[0-9]{2}(\.[0-9]{1,2})?)$`)
	nameRE   = regexp.MustCompile(`^[\p{L}\p{N} ._-]{1,100}$`)
	levelRE  = regexp.MustCompile(`^[a-z0-9_]{1,32}$`)
	regionRE = regexp.MustCompile(`^[a-z0-9_]{1,32}:[\p{L}\p{N}._-]{1,64}$`)
)

// DefaultHexRes is the H3 resolution of the hexagon layer when none is asked for.
const DefaultHexRes = 7

// sectorParam returns a validated sector key: "" (all), a NACE code at any
// level or "vc:<chain id>".
func sectorParam(p params) (string, error) {
	return p.match("sector", sectorRE, "a NACE code (\"C\", \"13\", \"13.2\", \"13.20\") or vc:<chain>")
}

// layerQuery builds the query of a layer from validated parameters. It
// resolves datasets, regions and sectors in the store, hiding private
// datasets from anonymous callers.
func (s *Server) layerQuery(ctx context.Context, r *http.Request, p params, layer string) (export.Query, error) {
	q := export.Query{Layer: layer, Public: IsPublic(r)}
	var err error
	if q.BBox, err = p.bbox("bbox"); err != nil {
		return q, err
	}
	if q.Sector, err = sectorParam(p); err != nil {
		return q, err
	}
	switch layer {
	case export.LayerEstablishments, export.LayerInstitutions:
		return q, s.establishmentQuery(ctx, p, &q)
	case export.LayerHexagons:
		if q.Res, err = p.int("res", DefaultHexRes, 0, 15); err != nil {
			return q, err
		}
		q.IncludeEmpty, err = p.bool("include_empty")
	case export.LayerClusters:
		q.Res, err = p.int("res", 0, 0, 15)
	case export.LayerRegions:
		q.Level, err = p.match("level", levelRE, "a region level such as province")
	}
	return q, err
}

func (s *Server) establishmentQuery(ctx context.Context, p params, q *export.Query) error {
	f := &q.Establishments
	f.PublicOnly = q.Public
	if p.has("dataset") {
		d, err := s.datasetParam(ctx, p, q.Public)
		if err != nil {
			return err
		}
		f.DatasetIDs = []int64{d.ID}
	}
	if q.Sector != "" {
		prefixes, err := s.sectorPrefixes(ctx, q.Sector)
		if err != nil {
			return err
		}
		f.NACEPrefixes = prefixes
	}
	kind, err := p.text("kind", maxText)
	if err != nil {
		return err
	}
	if kind != "" {
		if !kume.Kind(kind).Valid() {
			return invalid("kind", "not firm or institution")
		}
		if q.Layer == export.LayerInstitutions && kume.Kind(kind) != kume.KindInstitution {
			return invalid("kind", "the institutions layer holds institutions only")
		}
		f.Kind = kume.Kind(kind)
	}
	typ, err := p.text("type", maxText)
	if err != nil {
		return err
	}
	if typ != "" {
		if !kume.InstitutionType(typ).Valid() {
			return invalid("type", "not a known institution type")
		}
		f.Type = kume.InstitutionType(typ)
	}
	reg, err := p.match("region", regionRE, "level:code")
	if err != nil || reg == "" {
		return err
	}
	level, code, _ := strings.Cut(reg, ":")
	q.Region, err = s.store.Region(ctx, level, code)
	if kume.ErrorCode(err) == kume.ENOTFOUND {
		return invalid("region", "no such region")
	}
	return err
}

// datasetParam resolves the "dataset" parameter (an id or a name). A private
// dataset is invisible to anonymous callers.
func (s *Server) datasetParam(ctx context.Context, p params, public bool) (*kume.Dataset, error) {
	v, err := p.text("dataset", maxText)
	if err != nil {
		return nil, err
	}
	var d *kume.Dataset
	if id, perr := strconv.ParseInt(v, 10, 64); perr == nil && id > 0 {
		d, err = s.store.Dataset(ctx, id)
	} else if nameRE.MatchString(v) {
		d, err = s.store.DatasetByName(ctx, v)
	} else {
		return nil, invalid("dataset", "not a dataset id or name")
	}
	if err == nil && public && d.Visibility != kume.Public {
		err = kume.Errorf(kume.ENOTFOUND, "no such dataset")
	}
	if kume.ErrorCode(err) == kume.ENOTFOUND {
		return nil, invalid("dataset", "no such dataset")
	}
	return d, err
}

// pageQuery applies the limit and cursor parameters to q and returns the
// absolute position of the page's first feature.
func (s *Server) pageQuery(p params, route string, q *export.Query) (int, error) {
	limit, err := p.limit(s.api.cfg.DefaultLimit, s.api.cfg.MaxLimit)
	if err != nil {
		return 0, err
	}
	c, err := s.cursor(p, route)
	if err != nil {
		return 0, err
	}
	q.Limit, q.Offset, q.After = limit, c.Offset, c.After
	if q.After > 0 {
		q.Offset = 0 // keyset paging already skips what came before
	}
	return c.Offset, nil
}

// nextCursor returns the cursor of the page after the one q produced.
func (s *Server) nextCursor(route string, p params, q export.Query, pg export.Page, offset int) string {
	c := cursor{Offset: offset + pg.Returned, Query: fingerprint(route, p.v)}
	if export.PointLayer(q.Layer) {
		c.After = pg.LastID
	}
	return s.signCursor(c)
}

// prevCursor returns the cursor of the page before, or "" on the first page.
func (s *Server) prevCursor(route string, p params, limit, offset int) string {
	if offset <= 0 {
		return ""
	}
	return s.signCursor(cursor{Offset: max(0, offset-limit), Query: fingerprint(route, p.v)})
}
