package postgis

import (
	"context"
	_ "embed"
	"math"

	"github.com/jackc/pgx/v5"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/layer"
)

// webMercatorWorld is the width of the Web Mercator world in metres.
const webMercatorWorld = 2 * 20037508.342789244

// EncodeLayer encodes one layer of a vector tile with ST_AsMVTGeom and
// ST_AsMVT (tiles.LayerEncoder): a Tile message holding the one layer q.Name,
// or nil when the layer has no feature. Its layers are regions, clusters,
// establishments and institutions (package layer); their properties are those
// of each layer's definition on the tile face. Layers are version 2 with the
// extent asked for; polygons are clipped to the buffered tile, simplified
// (q.Simplify) and snapped to the grid with exterior rings of positive area in
// y-down tile coordinates. Only public datasets' establishments active at
// q.ActiveAt appear, and suppressed aggregates show their identity and
// suppressed only (layer.Withheld). The read runs in one round trip, in a
// read-only transaction with JIT compilation off.
func (s *Store) EncodeLayer(ctx context.Context, q layer.TileQuery) ([]byte, error) {
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

//go:embed queries/mvt_clusters.sql
var mvtClustersSQL string

//go:embed queries/mvt_points.sql
var mvtPointsSQL string

//go:embed queries/mvt_points_end.sql
var mvtPointsEndSQL string

//go:embed queries/mvt_regions.sql
var mvtRegionsSQL string

// mvtStatement returns the statement of q's layer and its arguments.
func (s *Store) mvtStatement(q layer.TileQuery) (string, []any, error) {
	b := q.BBox
	// One tile unit in metres of Web Mercator.
	unit := webMercatorWorld / math.Ldexp(float64(q.Extent), int(q.Z))
	area := []any{q.Name, int32(q.Z), int32(q.X), int32(q.Y), int32(q.Extent), int32(q.Buffer),
		q.Simplify * unit, b.Min[0], b.Min[1], b.Max[0], b.Max[1]}
	switch q.Layer {
	case layer.Regions:
		return mvtRegionsSQL, append(area, q.Level, q.Analysis, q.Sector), nil
	case layer.Clusters:
		return mvtClustersSQL, append(area, q.Analysis, q.ClusterSectors), nil
	case layer.Establishments, layer.Institutions:
		f := kume.EstablishmentFilter{BBox: &b, ActiveAt: &q.ActiveAt, PublicOnly: !q.AllDatasets, Granted: q.Granted,
			NACEPrefixes: q.NACEPrefixes}
		inst := q.Layer == layer.Institutions
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
		return mvtPointsSQL + establishmentWhereSQL + mvtPointsEndSQL, args, nil
	}
	return "", nil, kume.Errorf(kume.EINVALID, "mvt: no layer %q", q.Layer)
}
