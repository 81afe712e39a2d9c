package tiles

import (
	"context"
	"time"

	"github.com/paulmach/orb"

	"github.com/kume-geo/kume"
)

// LayerQuery asks a LayerEncoder for one layer of one tile. It carries
// everything the service's own encoder reads for that layer, already resolved:
// the tile, the encoding settings, the filters and the versions.
type LayerQuery struct {
	// Layer is LayerRegions, LayerClusters, LayerEstablishments or
	// LayerInstitutions.
	Layer string
	// Name is the layer's name in the tile.
	Name string
	// Tile is the tile's address.
	Tile TileID
	// Extent and Buffer are Config.Extent and Config.Buffer.
	Extent, Buffer uint32
	// Simplify is the Douglas–Peucker tolerance of polygons in tile units
	// (Config.Simplify).
	Simplify float64
	// BBox is the buffered tile in WGS84 degrees, clamped to the Web Mercator
	// world: the features read are those whose bounding box meets it.
	BBox orb.Bound
	// Analysis is the analysis version of the clusters and of the regions'
	// statistics; 0 when there is none (no clusters, regions without
	// statistics).
	Analysis int64
	// Sector is the sector key of the clusters and the regions' statistics.
	Sector string
	// Level restricts the regions to one level ("" = all).
	Level string
	// Type restricts the institutions to one type ("" = all).
	Type kume.InstitutionType
	// ActiveAt is the time at which the point layers' establishments must be
	// active.
	ActiveAt time.Time
	// NACEPrefixes restricts the establishments layer to NACE codes with one of
	// these prefixes (none = all).
	NACEPrefixes []string
	// Limit caps the point layers' features: the lowest establishment ids
	// among those the filters keep, before the tile's edge is applied.
	Limit int
}

// LayerEncoder is an encoder of the regions, clusters, establishments and
// institutions layers outside the service, such as the PostGIS store's
// ST_AsMVT. Config.Encoder selects it; the hexagons layer is always encoded by
// the service. EncodeLayer returns a Tile message holding the one layer
// q.Name, or nothing when the layer has no feature.
//
// Its features, properties and filters must be those of the service's own
// encoder: the same property names and value types (strings, doubles, integers
// as uint or sint, booleans), suppressed statistics left out, establishments of
// private datasets never shown, point features with the establishment id as
// feature id and region and cluster features with the id FeatureID("region",
// level, code) and FeatureID("cluster", id). Geometry is clipped to the
// buffered tile and simplified with q.Simplify; it may differ from the
// service's by the rounding and simplification of a tile unit or two.
type LayerEncoder interface {
	EncodeLayer(ctx context.Context, q LayerQuery) ([]byte, error)
}

// encodeOutside encodes layer name of the tile with Config.Encoder and appends
// the result to out.
func (s *Service) encodeOutside(ctx context.Context, tc *tileCtx, name, layerName string, out []byte) ([]byte, error) {
	q := LayerQuery{
		Layer: name, Name: layerName, Tile: tc.id,
		Extent: s.cfg.Extent, Buffer: s.cfg.Buffer, Simplify: s.cfg.Simplify,
		BBox: tc.bbox, Analysis: tc.v.analysis, Sector: tc.params.Sector,
	}
	switch name {
	case LayerClusters:
		if tc.v.analysis == 0 {
			return out, nil
		}
	case LayerRegions:
		q.Level = tc.params.Level
	case LayerEstablishments, LayerInstitutions:
		q.ActiveAt, q.Limit = tc.params.activeAt(s.cfg.Now), s.cfg.MaxPoints
		if name == LayerInstitutions {
			q.Type = tc.params.Type
		} else {
			prefixes, err := s.cfg.Sectors.Prefixes(ctx, tc.params.Sector)
			if err != nil {
				return nil, err
			}
			q.NACEPrefixes = prefixes
		}
	}
	b, err := s.cfg.Encoder.EncodeLayer(ctx, q)
	if err != nil {
		return nil, err
	}
	return append(out, b...), nil
}
