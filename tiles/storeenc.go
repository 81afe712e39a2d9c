package tiles

import (
	"context"

	"github.com/kume-geo/kume"

	"github.com/kume-geo/kume/layer"
)

// LayerEncoder is an encoder of the regions, clusters, establishments and
// institutions layers outside the service, such as the PostGIS store's
// ST_AsMVT. Config.Encoder selects it; the hexagons layer is always encoded by
// the service. EncodeLayer returns a Tile message holding the one layer
// q.Name, or nothing when the layer has no feature.
//
// Its features, properties and filters must be those of the service's own
// encoder: the properties of the layer's definition on the tile face (package
// layer) with their value types (strings, doubles, integers as uint or sint,
// booleans), the public view of suppressed aggregates, establishments of
// private datasets never shown, point features with the establishment id as
// feature id and region and cluster features with the id FeatureID("region",
// level, code) and FeatureID("cluster", id). Geometry is clipped to the
// buffered tile and simplified with q.Simplify; it may differ from the
// service's by the rounding and simplification of a tile unit or two.
type LayerEncoder interface {
	EncodeLayer(ctx context.Context, q layer.TileQuery) ([]byte, error)
}

// encodeOutside encodes layer name of the tile with Config.Encoder and appends
// the result to out.
func (s *Service) encodeOutside(ctx context.Context, tc *tileCtx, name, layerName string, out []byte) ([]byte, error) {
	q := layer.TileQuery{
		Layer: name, Name: layerName, Z: tc.id.Z, X: tc.id.X, Y: tc.id.Y,
		Extent: s.cfg.Extent, Buffer: s.cfg.Buffer, Simplify: s.cfg.Simplify,
		BBox: tc.bbox, Analysis: tc.v.analysis, Sector: tc.params.Sector,
	}
	switch name {
	case LayerClusters:
		if tc.v.analysis == 0 {
			return out, nil
		}
		var err error
		if q.ClusterSectors, err = s.cfg.Sectors.ClusterKeys(ctx, tc.params.Sector); err != nil {
			return nil, err
		}
	case LayerRegions:
		q.Level = tc.params.Level
	case LayerEstablishments, LayerInstitutions:
		q.ActiveAt, q.Limit = tc.params.activeAt(s.cfg.Now), s.cfg.MaxPoints
		var f kume.EstablishmentFilter
		tc.access.Restrict(&f)
		q.AllDatasets, q.Granted = !f.PublicOnly, f.Granted
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
