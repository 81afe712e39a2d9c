package postgis

import (
	"context"
	"math"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"

	"github.com/kume-geo/kume"
)

// MVT layers the store encodes with ST_AsMVT.
const (
	MVTRegions        = "regions"
	MVTClusters       = "clusters"
	MVTEstablishments = "establishments"
	MVTInstitutions   = "institutions"
)

// MVTQuery asks for one layer of one vector tile.
type MVTQuery struct {
	// Layer is MVTRegions, MVTClusters, MVTEstablishments or MVTInstitutions.
	Layer string
	// Name is the layer's name in the tile.
	Name string
	// Z, X and Y address the tile (XYZ scheme, row 0 at the north).
	Z, X, Y uint32
	// Extent is the tile's coordinate range; Buffer how far, in tile units,
	// geometry reaches beyond its edge.
	Extent, Buffer uint32
	// Simplify is the Douglas–Peucker tolerance of polygons in tile units.
	Simplify float64
	// BBox is the buffered tile in WGS84: the features read are those whose
	// bounding box meets it, and polygons are clipped to it.
	BBox orb.Bound
	// Version is the analysis version of the clusters and of the regions'
	// statistics (0 = none: no clusters, regions without statistics).
	Version int64
	// Sector is the sector key of the clusters and the regions' statistics.
	Sector string
	// Level restricts the regions to one level ("" = all).
	Level string
	// Type restricts the institutions to one type ("" = all).
	Type kume.InstitutionType
	// ActiveAt is when the establishments shown must be active.
	ActiveAt time.Time
	// NACEPrefixes restricts the establishments to these NACE prefixes.
	NACEPrefixes []string
	// Limit caps the establishments read, lowest ids first (0 = no cap).
	Limit int
}

// webMercatorWorld is the width of the Web Mercator world in metres.
const webMercatorWorld = 2 * 20037508.342789244

// MVT encodes one layer of a vector tile with ST_AsMVTGeom and ST_AsMVT: a
// Tile message holding the one layer q.Name, or nil when the layer has no
// feature. Layers are version 2 with the extent asked for; polygons are clipped
// to the buffered tile, simplified (q.Simplify) and snapped to the grid with
// exterior rings of positive area in y-down tile coordinates. Only public
// datasets' establishments active at q.ActiveAt appear, and suppressed
// statistics show no counts or LQ. The read runs in one round trip, in a
// read-only transaction with JIT compilation off.
func (s *Store) MVT(ctx context.Context, q MVTQuery) ([]byte, error) {
	if q.Extent == 0 || q.Z > 30 || q.X>>q.Z != 0 || q.Y>>q.Z != 0 {
		return nil, kume.Errorf(kume.EINVALID, "mvt: tile %d/%d/%d with extent %d out of range", q.Z, q.X, q.Y, q.Extent)
	}
	sql, args, err := s.mvtStatement(q)
	if err != nil {
		return nil, err
	}
	batch := &pgx.Batch{}
	batch.Queue("BEGIN READ ONLY")
	batch.Queue("SET LOCAL jit = off")
	batch.Queue(sql, args...)
	batch.Queue("COMMIT")
	br := s.pool.SendBatch(ctx, batch)
	defer br.Close()
	for range 2 {
		if _, err := br.Exec(); err != nil {
			return nil, wrap(ctx, err, "mvt "+q.Layer)
		}
	}
	var tile []byte
	if err := br.QueryRow().Scan(&tile); err != nil {
		return nil, wrap(ctx, err, "mvt "+q.Layer)
	}
	if _, err := br.Exec(); err != nil {
		return nil, wrap(ctx, err, "mvt "+q.Layer)
	}
	if len(tile) == 0 {
		return nil, nil
	}
	return tile, nil
}

// mvtStatement returns the statement of q's layer and its arguments.
func (s *Store) mvtStatement(q MVTQuery) (string, []any, error) {
	b := q.BBox
	// One tile unit in metres of Web Mercator.
	unit := webMercatorWorld / math.Ldexp(float64(q.Extent), int(q.Z))
	area := []any{q.Name, int32(q.Z), int32(q.X), int32(q.Y), int32(q.Extent), int32(q.Buffer),
		q.Simplify * unit, b.Min[0], b.Min[1], b.Max[0], b.Max[1]}
	switch q.Layer {
	case MVTRegions:
		return s.q("mvt_regions"), append(area, q.Level, q.Version, q.Sector), nil
	case MVTClusters:
		return s.q("mvt_clusters"), append(area, q.Version, q.Sector), nil
	case MVTEstablishments, MVTInstitutions:
		f := kume.EstablishmentFilter{BBox: &b, ActiveAt: &q.ActiveAt, PublicOnly: true, NACEPrefixes: q.NACEPrefixes}
		inst := q.Layer == MVTInstitutions
		if inst {
			f.Kind, f.Type = kume.KindInstitution, q.Type
		} else {
			f.Kind = kume.KindFirm
		}
		var limit *int64
		if q.Limit > 0 {
			l := int64(q.Limit)
			limit = &l
		}
		args := append(filterArgs(f), limit, q.Name, int32(q.Z), int32(q.X), int32(q.Y),
			int32(q.Extent), int32(q.Buffer), inst)
		return s.q("mvt_points") + s.q("establishment_where") + s.q("mvt_points_end"), args, nil
	}
	return "", nil, kume.Errorf(kume.EINVALID, "mvt: no layer %q", q.Layer)
}
