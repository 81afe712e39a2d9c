package postgis

import (
	"context"
	_ "embed"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"

	"github.com/kume-geo/kume"
)

//go:embed queries/region_put.sql
var regionPutSQL string

// PutRegions inserts or replaces regions by (level, code) in one transaction.
func (s *Store) PutRegions(ctx context.Context, regions []kume.Region) error {
	for _, r := range regions {
		if r.Level == "" || r.Code == "" {
			return invalid("region without level or code")
		}
	}
	return s.tx(ctx, "put regions", func(tx pgx.Tx) error {
		var b pgx.Batch
		for _, r := range regions {
			g, err := wkb.Marshal(r.Geometry)
			if err != nil {
				return fmt.Errorf("region %s/%s geometry: %w", r.Level, r.Code, err)
			}
			var attrs map[string]string
			if len(r.Attrs) > 0 {
				attrs = r.Attrs
			}
			b.Queue(regionPutSQL, r.Level, r.Code, r.Name, r.Parent, g, attrs)
		}
		return tx.SendBatch(ctx, &b).Close()
	})
}

//go:embed queries/region_list.sql
var regionListSQL string

// Regions returns the regions matching f ordered by level and code.
func (s *Store) Regions(ctx context.Context, f kume.RegionFilter) ([]kume.Region, error) {
	var codes []string
	if len(f.Codes) > 0 {
		codes = f.Codes
	}
	minX, minY, maxX, maxY := bboxArgs(f.BBox)
	rows, _ := s.pool.Query(ctx, regionListSQL, f.Level, codes, minX, minY, maxX, maxY)
	rs, err := pgx.CollectRows(rows, scanRegion)
	if err != nil {
		return nil, wrap(ctx, err, "regions")
	}
	return rs, nil
}

//go:embed queries/region_get.sql
var regionGetSQL string

// Region returns one region (ENOTFOUND if none).
func (s *Store) Region(ctx context.Context, level, code string) (*kume.Region, error) {
	rows, _ := s.pool.Query(ctx, regionGetSQL, level, code)
	r, err := pgx.CollectExactlyOneRow(rows, scanRegion)
	if err != nil {
		return nil, wrap(ctx, err, "region")
	}
	return &r, nil
}

func scanRegion(row pgx.CollectableRow) (kume.Region, error) {
	var r kume.Region
	var g []byte
	if err := row.Scan(&r.Level, &r.Code, &r.Name, &r.Parent, &g, &r.Attrs); err != nil {
		return r, err
	}
	mp, err := multiPolygon(g)
	r.Geometry = mp
	return r, err
}

// multiPolygon decodes WKB holding a MultiPolygon or a Polygon.
func multiPolygon(b []byte) (orb.MultiPolygon, error) {
	g, err := wkb.Unmarshal(b)
	if err != nil {
		return nil, fmt.Errorf("decode geometry: %w", err)
	}
	switch g := g.(type) {
	case orb.MultiPolygon:
		return g, nil
	case orb.Polygon:
		return orb.MultiPolygon{g}, nil
	}
	return nil, fmt.Errorf("decode geometry: %s is not a multipolygon", g.GeoJSONType())
}

// bboxArgs returns the corners of b as parameters (all nil when b is nil).
func bboxArgs(b *orb.Bound) (minX, minY, maxX, maxY *float64) {
	if b == nil {
		return nil, nil, nil, nil
	}
	return &b.Min[0], &b.Min[1], &b.Max[0], &b.Max[1]
}
