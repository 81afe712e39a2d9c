package export

import (
	"context"
	"errors"
	"fmt"
	"math"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
	"github.com/uber/h3-go/v4"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/layer"
)

// Query selects the features of one layer and one page of them.
type Query struct {
	Layer string
	// Establishments filters the establishments and institutions layers
	// (its AfterID and Limit are ignored: use After and Limit).
	Establishments kume.EstablishmentFilter
	// Region, when set, keeps only establishments inside its boundary.
	Region *kume.Region
	// Res and Sector select the statistics of the hexagons, clusters and
	// regions layers; Level selects the regions.
	Res    int
	Sector string
	// ClusterSectors are the keys whose clusters the clusters layer shows
	// for Sector (layer.Sectors.ClusterKeys; nil: every key's).
	ClusterSectors []string
	Level          string
	BBox           *orb.Bound
	// Cells restricts the hexagons layer and RegionCodes the regions layer.
	Cells       []uint64
	RegionCodes []string
	// IncludeEmpty keeps the cells of the study area without firms.
	IncludeEmpty bool
	// Public gives an anonymous caller's view: suppressed aggregates show
	// their identity only (layer.Withheld).
	Public bool
	// After pages establishments by id (only ids greater than After).
	After int64
	// Offset skips that many matching features first.
	Offset int
	// Limit caps the features of the page; 0 means all.
	Limit int
}

// Page reports what one Each call produced.
type Page struct {
	Returned int
	// More is true when features beyond the page exist.
	More bool
	// LastID is the id of the last establishment returned (establishment layers).
	LastID int64
}

// errStop ends a store iteration early.
var errStop = errors.New("export: stop")

// Columns returns the property names of a layer's features, in order: the
// layer's properties on the feature face (package layer).
func Columns(name string) []string {
	var out []string
	for _, p := range layer.Properties(name, layer.Feature) {
		out = append(out, p.Name)
	}
	return out
}

// props sets f's properties to those of x in l on the feature face, as the
// caller sees them (public: an anonymous caller).
func props[T any](f *Feature, l *layer.Layer[T], public bool, x *T) {
	f.Props = f.Props[:0]
	l.Each(layer.Feature, public, x, func(p *layer.Property, v any) {
		f.Props = append(f.Props, Prop{p.Name, v})
	})
}

// PointLayer reports whether a layer's geometries are points.
func PointLayer(layer string) bool {
	return layer == LayerEstablishments || layer == LayerInstitutions
}

// Each calls fn for every feature of q's page, in a stable order.
func Each(ctx context.Context, st kume.Store, q Query, fn func(*Feature) error) (Page, error) {
	switch q.Layer {
	case LayerEstablishments, LayerInstitutions:
		return eachEstablishment(ctx, st, q, fn)
	case LayerHexagons:
		return eachHexagon(ctx, st, q, fn)
	case LayerClusters:
		return eachCluster(ctx, st, q, fn)
	case LayerRegions:
		return eachRegion(ctx, st, q, fn)
	}
	return Page{}, kume.Errorf(kume.EINVALID, "unknown layer %q", q.Layer)
}

// Count returns the number of features q matches ignoring paging, and false
// when it cannot be counted cheaply (a region filter on establishments).
func Count(ctx context.Context, st kume.Store, q Query) (int, bool, error) {
	switch q.Layer {
	case LayerEstablishments, LayerInstitutions:
		if q.Region != nil {
			return 0, false, nil
		}
		n, err := st.CountEstablishments(ctx, establishmentFilter(q))
		if err != nil {
			return 0, false, fmt.Errorf("export: count: %w", err)
		}
		return n, true, nil
	}
	n := 0
	q.Offset, q.Limit = 0, 0
	_, err := Each(ctx, st, q, func(*Feature) error { n++; return nil })
	return n, err == nil, err
}

func establishmentFilter(q Query) kume.EstablishmentFilter {
	f := q.Establishments
	if q.Layer == LayerInstitutions {
		f.Kind = kume.KindInstitution
	}
	if q.BBox != nil {
		f.BBox = q.BBox
	}
	if q.Region != nil {
		b := q.Region.Geometry.Bound()
		if f.BBox != nil {
			b = orb.Bound{
				Min: orb.Point{max(b.Min[0], f.BBox.Min[0]), max(b.Min[1], f.BBox.Min[1])},
				Max: orb.Point{min(b.Max[0], f.BBox.Max[0]), min(b.Max[1], f.BBox.Max[1])},
			}
		}
		f.BBox = &b
	}
	if q.Public {
		f.PublicOnly = true
	}
	f.AfterID, f.Limit = q.After, 0
	return f
}

// pager counts skipped and returned features and stops at the limit.
type pager struct {
	q    Query
	page Page
	seen int
}

// take reports whether the next matching feature is to be returned, or
// errStop when the page is full (and one more feature exists).
func (p *pager) take() (bool, error) {
	p.seen++
	if p.seen <= p.q.Offset {
		return false, nil
	}
	if p.q.Limit > 0 && p.page.Returned >= p.q.Limit {
		p.page.More = true
		return false, errStop
	}
	p.page.Returned++
	return true, nil
}

// Establishments calls fn for every establishment of q's page (the
// establishments or institutions layer), ordered by id.
func Establishments(ctx context.Context, st kume.Store, q Query, fn func(*kume.Establishment) error) (Page, error) {
	f := establishmentFilter(q)
	if q.Limit > 0 && q.Region == nil {
		f.Limit = q.Offset + q.Limit + 1
	}
	p := &pager{q: q}
	err := st.EachEstablishment(ctx, f, func(e *kume.Establishment) error {
		if q.Region != nil && !planar.MultiPolygonContains(q.Region.Geometry, orb.Point{e.Lon, e.Lat}) {
			return nil
		}
		ok, err := p.take()
		if !ok {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		p.page.LastID = e.ID
		return fn(e)
	})
	if err != nil && !errors.Is(err, errStop) {
		return p.page, err
	}
	return p.page, nil
}

func eachEstablishment(ctx context.Context, st kume.Store, q Query, fn func(*Feature) error) (Page, error) {
	var feat Feature
	l := layer.EstablishmentLayer()
	return Establishments(ctx, st, q, func(e *kume.Establishment) error {
		establishmentFeature(&feat, l, e)
		return fn(&feat)
	})
}

// EstablishmentFeature fills f with an establishment as a point feature.
func EstablishmentFeature(f *Feature, e *kume.Establishment) {
	establishmentFeature(f, layer.EstablishmentLayer(), e)
}

func establishmentFeature(f *Feature, l *layer.Layer[kume.Establishment], e *kume.Establishment) {
	f.ID = e.ID
	f.Geometry = orb.Point{e.Lon, e.Lat}
	props(f, l, false, e)
}

// CellID formats an H3 cell as the usual 15-digit hexadecimal string.
func CellID(cell uint64) string { return layer.CellID(cell) }

func eachHexagon(ctx context.Context, st kume.Store, q Query, fn func(*Feature) error) (Page, error) {
	p := &pager{q: q}
	var f Feature
	l := layer.HexagonLayer()
	n := 0
	err := kume.EachCellStat(ctx, st, kume.CellFilter{Res: q.Res, Sector: q.Sector, BBox: q.BBox, Cells: q.Cells}, func(c *kume.CellStat) error {
		if !q.IncludeEmpty && c.Firms == 0 {
			return nil
		}
		ok, err := p.take()
		if err != nil || !ok {
			return err
		}
		if n++; n%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		f.ID = CellID(c.Cell)
		f.Geometry = CellPolygon(c.Cell)
		props(&f, l, q.Public, c)
		return fn(&f)
	})
	if err != nil && !errors.Is(err, errStop) {
		return p.page, fmt.Errorf("export: hexagons: %w", err)
	}
	return p.page, nil
}

func eachCluster(ctx context.Context, st kume.Store, q Query, fn func(*Feature) error) (Page, error) {
	cf := kume.ClusterFilter{Res: q.Res, BBox: q.BBox, Sectors: q.ClusterSectors}
	cls, err := st.Clusters(ctx, cf)
	if err != nil {
		return Page{}, fmt.Errorf("export: clusters: %w", err)
	}
	p := &pager{q: q}
	var f Feature
	l := layer.ClusterLayer()
	for i := range cls {
		c := &cls[i]
		ok, err := p.take()
		if errors.Is(err, errStop) {
			break
		}
		if !ok {
			continue
		}
		if err := ctx.Err(); err != nil {
			return p.page, err
		}
		clusterFeature(&f, l, c, q.Public)
		if err := fn(&f); err != nil {
			return p.page, err
		}
	}
	return p.page, nil
}

// ClusterFeature fills f with a cluster footprint; public gives an anonymous
// caller's view of a suppressed cluster (layer.Withheld).
func ClusterFeature(f *Feature, c *kume.Cluster, public bool) {
	clusterFeature(f, layer.ClusterLayer(), c, public)
}

func clusterFeature(f *Feature, l *layer.Layer[kume.Cluster], c *kume.Cluster, public bool) {
	geom := c.Geometry
	if len(geom) == 0 {
		for _, cell := range c.Cells {
			if p := CellPolygon(cell); p != nil {
				geom = append(geom, p)
			}
		}
	}
	f.ID = c.ID
	f.Geometry = geom
	props(f, l, public, c)
}

// RegionID is the feature id of a region: "level:code".
func RegionID(r *kume.Region) string { return r.Level + ":" + r.Code }

func eachRegion(ctx context.Context, st kume.Store, q Query, fn func(*Feature) error) (Page, error) {
	regs, err := st.Regions(ctx, kume.RegionFilter{Level: q.Level, BBox: q.BBox, Codes: q.RegionCodes})
	if err != nil {
		return Page{}, fmt.Errorf("export: regions: %w", err)
	}
	stats, err := st.RegionStats(ctx, kume.RegionStatFilter{Level: q.Level, Sector: q.Sector, Codes: q.RegionCodes})
	if err != nil {
		return Page{}, fmt.Errorf("export: region stats: %w", err)
	}
	byKey := make(map[string]*kume.RegionStat, len(stats))
	for i := range stats {
		byKey[stats[i].Level+":"+stats[i].Code] = &stats[i]
	}
	p := &pager{q: q}
	var f Feature
	l := layer.RegionLayer()
	for i := range regs {
		r := &regs[i]
		ok, err := p.take()
		if errors.Is(err, errStop) {
			break
		}
		if !ok {
			continue
		}
		if err := ctx.Err(); err != nil {
			return p.page, err
		}
		f.ID = RegionID(r)
		f.Geometry = r.Geometry
		props(&f, l, q.Public, &layer.RegionFeature{Region: r, Stat: byKey[RegionID(r)], Sector: q.Sector})
		if err := fn(&f); err != nil {
			return p.page, err
		}
	}
	return p.page, nil
}

// CellPolygon returns the boundary of an H3 cell as a closed polygon (nil for
// an invalid cell). The writers orient its ring.
func CellPolygon(cell uint64) orb.Polygon {
	c := h3.Cell(int64(cell))
	if cell == 0 || cell > math.MaxInt64 || !c.IsValid() {
		return nil
	}
	b := h3.CellToBoundary(c)
	ring := make(orb.Ring, 0, len(b)+1)
	for _, v := range b {
		ring = append(ring, orb.Point{v.Lng, v.Lat})
	}
	return orb.Polygon{append(ring, ring[0])}
}
