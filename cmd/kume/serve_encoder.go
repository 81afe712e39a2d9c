package main

import (
	"context"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/store/postgis"
	"github.com/kume-geo/kume/tiles"
)

// Tile encoders of --tile-encoder.
const (
	tileEncoderGo      = "go"
	tileEncoderPostGIS = "postgis"
)

// checkTileEncoder checks --tile-encoder before anything is opened: a known
// encoder ("" is go), and "postgis" only with a PostGIS store.
func checkTileEncoder(name string, st storeConfig) error {
	switch name {
	case "", tileEncoderGo:
		return nil
	case tileEncoderPostGIS:
		if st.DB == "" {
			return kume.Errorf(kume.EINVALID, "--tile-encoder postgis needs a PostGIS store: give --db (or KUME_DB)")
		}
		return nil
	}
	return kume.Errorf(kume.EINVALID, "--tile-encoder must be %s or %s", tileEncoderGo, tileEncoderPostGIS)
}

// tileEncoder returns the tiles.LayerEncoder that --tile-encoder names for
// store st: nil for "go" (the tile service's own encoder), the PostGIS store's
// ST_AsMVT for "postgis", which needs a PostGIS store.
func tileEncoder(name string, st kume.Store) (tiles.LayerEncoder, error) {
	if name != tileEncoderPostGIS {
		return nil, checkTileEncoder(name, storeConfig{})
	}
	pg, ok := st.(*postgis.Store)
	if !ok {
		return nil, kume.Errorf(kume.EINVALID, "--tile-encoder postgis needs a PostGIS store: give --db (or KUME_DB)")
	}
	return postgisEncoder{pg}, nil
}

// postgisEncoder serves tiles.LayerEncoder from the PostGIS store's ST_AsMVT.
type postgisEncoder struct{ st *postgis.Store }

// EncodeLayer encodes one layer of a tile in the database.
func (e postgisEncoder) EncodeLayer(ctx context.Context, q tiles.LayerQuery) ([]byte, error) {
	layer, ok := map[string]string{
		tiles.LayerRegions: postgis.MVTRegions, tiles.LayerClusters: postgis.MVTClusters,
		tiles.LayerEstablishments: postgis.MVTEstablishments, tiles.LayerInstitutions: postgis.MVTInstitutions,
	}[q.Layer]
	if !ok {
		return nil, kume.Errorf(kume.EINTERNAL, "no PostGIS encoder of layer %s", q.Layer)
	}
	return e.st.MVT(ctx, postgis.MVTQuery{
		Layer: layer, Name: q.Name,
		Z: q.Tile.Z, X: q.Tile.X, Y: q.Tile.Y,
		Extent: q.Extent, Buffer: q.Buffer, Simplify: q.Simplify,
		BBox: q.BBox, Version: q.Analysis, Sector: q.Sector, Level: q.Level, Type: q.Type,
		ActiveAt: q.ActiveAt, NACEPrefixes: q.NACEPrefixes, Limit: q.Limit,
	})
}
