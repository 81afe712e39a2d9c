package api

import (
	"context"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/export"
	"github.com/kume-geo/kume/layer"
)

// Parameters shared by the routes that page through a layer.
var pagingParams = []string{"limit", "cursor"}

// layerParams lists the filter parameters each layer accepts (paging aside).
func layerParams(name string) []string {
	switch name {
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
	nameRE   = regexp.MustCompile(`^[\p{L}\p{N} ._-]{1,100}$`)
	levelRE  = regexp.MustCompile(`^[a-z0-9_]{1,32}$`)
	regionRE = regexp.MustCompile(`^[a-z0-9_]{1,32}:[\p{L}\p{N}._-]{1,64}$`)
)

// sectorParam returns the sector key of the "sector" parameter, parsed by
// Deps.SectorKeys (layer.Sectors): "" when it is not given.
func (s *Server) sectorParam(p params) (string, error) {
	v, err := p.text("sector", maxText)
	if err != nil {
		return "", err
	}
	keys, err := s.sectorKeys()
	if err != nil {
		return "", err
	}
	return keys.Parse(v)
}

// sectorKeys returns Deps.SectorKeys, or ENOTSUPPORTED when it is not wired.
func (s *Server) sectorKeys() (*layer.Sectors, error) {
	if s.api.deps.SectorKeys == nil {
		return nil, kume.Errorf(kume.ENOTSUPPORTED, "sector keys are not configured")
	}
	return s.api.deps.SectorKeys, nil
}

// sectorPrefixes expands a parsed sector key into the NACE prefixes of the
// establishments it covers (layer.Sectors.Prefixes).
func (s *Server) sectorPrefixes(ctx context.Context, sector string) ([]string, error) {
	keys, err := s.sectorKeys()
	if err != nil {
		return nil, err
	}
	return keys.Prefixes(ctx, sector)
}

// layerQuery builds the query of a layer from its parameters with
// export.NewQuery, as "kume export" does. It resolves datasets and regions in
// the store, hiding the datasets the caller may not read.
func (s *Server) layerQuery(ctx context.Context, r *http.Request, p params, name string) (export.Query, error) {
	f := export.Filters{Layer: name, Public: IsPublic(r), Res: -1}
	var err error
	if f.BBox, err = p.bbox("bbox"); err != nil {
		return export.Query{}, err
	}
	if f.Sector, err = p.text("sector", maxText); err != nil {
		return export.Query{}, err
	}
	if f.Res, err = p.int("res", -1, 0, 15); err != nil {
		return export.Query{}, err
	}
	if f.IncludeEmpty, err = p.bool("include_empty"); err != nil {
		return export.Query{}, err
	}
	if f.Level, err = p.match("level", levelRE, "a region level such as province"); err != nil {
		return export.Query{}, err
	}
	if export.PointLayer(name) {
		if err := s.establishmentFilters(ctx, s.view(r), p, &f); err != nil {
			return export.Query{}, err
		}
	}
	keys, err := s.sectorKeys()
	if err != nil {
		return export.Query{}, err
	}
	return export.NewQuery(ctx, keys, f)
}

// establishmentFilters reads the dataset, kind, type and region parameters of
// the establishments and institutions layers.
func (s *Server) establishmentFilters(ctx context.Context, v *view, p params, f *export.Filters) error {
	if p.has("dataset") {
		d, err := datasetParam(ctx, v, p)
		if err != nil {
			return err
		}
		f.DatasetIDs = []int64{d.ID}
	}
	kind, err := p.text("kind", maxText)
	if err != nil {
		return err
	}
	if kind != "" && !kume.Kind(kind).Valid() {
		return invalid("kind", "not firm or institution")
	}
	f.Kind = kume.Kind(kind)
	typ, err := p.text("type", maxText)
	if err != nil {
		return err
	}
	if typ != "" && !kume.InstitutionType(typ).Valid() {
		return invalid("type", "not a known institution type")
	}
	f.Type = kume.InstitutionType(typ)
	reg, err := p.match("region", regionRE, "level:code")
	if err != nil || reg == "" {
		return err
	}
	level, code, _ := strings.Cut(reg, ":")
	f.Region, err = s.store.Region(ctx, level, code)
	if kume.ErrorCode(err) == kume.ENOTFOUND {
		return invalid("region", "no such region")
	}
	return err
}

// datasetParam resolves the "dataset" parameter (an id or a name) among the
// datasets the caller may read (v): any other is no such dataset.
func datasetParam(ctx context.Context, v *view, p params) (*kume.Dataset, error) {
	val, err := p.text("dataset", maxText)
	if err != nil {
		return nil, err
	}
	var d *kume.Dataset
	if id, perr := strconv.ParseInt(val, 10, 64); perr == nil && id > 0 {
		d, err = v.Dataset(ctx, id)
	} else if nameRE.MatchString(val) {
		d, err = v.DatasetByName(ctx, val)
	} else {
		return nil, invalid("dataset", "not a dataset id or name")
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
