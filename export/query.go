package export

import (
	"context"

	"github.com/paulmach/orb"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/layer"
)

// Filters select the features of one layer as a caller gives them: the HTTP
// API's parameters or the flags of "kume export", already read but not yet
// interpreted. NewQuery turns them into a Query, the same way for both.
type Filters struct {
	Layer string
	// Public gives an anonymous caller's view: private datasets left out and
	// suppressed aggregates withheld (layer.Withheld).
	Public bool
	// Sector is the sector parameter as given ("" for all firms).
	Sector string
	BBox   *orb.Bound
	// Res is the H3 resolution of the hexagons layer (default
	// layer.DefaultRes) or of the clusters layer (default all); -1 takes the
	// default.
	Res int
	// Level selects the regions of one level ("" for all).
	Level string
	// IncludeEmpty keeps the hexagons of the study area without firms.
	IncludeEmpty bool
	// DatasetIDs, Kind, Type and Region filter the establishments and
	// institutions layers; the caller resolves and checks the dataset.
	DatasetIDs []int64
	Kind       kume.Kind
	Type       kume.InstitutionType
	Region     *kume.Region
}

// NewQuery builds the query of f: it parses the sector with keys (expanding
// it into NACE prefixes for the establishments and institutions layers) and
// applies the layers' defaults. A filter that the layer does not take is
// EINVALID, as is an unknown layer or sector.
func NewQuery(ctx context.Context, keys *layer.Sectors, f Filters) (Query, error) {
	q := Query{Layer: f.Layer, Public: f.Public, BBox: f.BBox, Level: f.Level, IncludeEmpty: f.IncludeEmpty}
	if !ValidLayer(f.Layer) {
		return q, kume.Errorf(kume.EINVALID, "unknown layer; layers are %v", Layers())
	}
	var err error
	if q.Sector, err = keys.Parse(f.Sector); err != nil {
		return q, err
	}
	point := PointLayer(f.Layer)
	switch {
	case f.Res >= 0 && f.Layer != LayerHexagons && f.Layer != LayerClusters:
		return q, kume.Errorf(kume.EINVALID, `parameter "res": applies to the hexagons and clusters layers only`)
	case !point && (len(f.DatasetIDs) > 0 || f.Kind != "" || f.Type != "" || f.Region != nil):
		return q, kume.Errorf(kume.EINVALID, "dataset, kind, type and region apply to the establishments and institutions layers only")
	case f.Level != "" && f.Layer != LayerRegions:
		return q, kume.Errorf(kume.EINVALID, `parameter "level": applies to the regions layer only`)
	case f.IncludeEmpty && f.Layer != LayerHexagons:
		return q, kume.Errorf(kume.EINVALID, `parameter "include_empty": applies to the hexagons layer only`)
	case f.Layer == LayerInstitutions && f.Kind != "" && f.Kind != kume.KindInstitution:
		return q, kume.Errorf(kume.EINVALID, `parameter "kind": the institutions layer holds institutions only`)
	}
	switch f.Layer {
	case LayerHexagons:
		q.Res = layer.DefaultRes
		if f.Res >= 0 {
			q.Res = f.Res
		}
	case LayerClusters:
		q.Res = max(f.Res, 0)
		if q.ClusterSectors, err = keys.ClusterKeys(ctx, q.Sector); err != nil {
			return q, err
		}
	case LayerEstablishments, LayerInstitutions:
		q.Region = f.Region
		q.Establishments = kume.EstablishmentFilter{PublicOnly: f.Public, DatasetIDs: f.DatasetIDs, Kind: f.Kind, Type: f.Type}
		if q.Establishments.NACEPrefixes, err = keys.Prefixes(ctx, q.Sector); err != nil {
			return q, err
		}
	}
	return q, nil
}
