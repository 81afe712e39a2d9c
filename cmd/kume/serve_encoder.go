package main

import (
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
	switch pg := st.(type) {
	case *postgis.Store:
		return pg, nil
	case *postgis.Replicated:
		return pg, nil
	}
	return nil, kume.Errorf(kume.EINVALID, "--tile-encoder postgis needs a PostGIS store: give --db (or KUME_DB)")
}
