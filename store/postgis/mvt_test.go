package postgis_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/layer"
)

// TestMVT checks the store's ST_AsMVT layers at their edges: a layer without
// features is nothing, a region is one layer named as asked, and unknown
// layers and impossible tiles are refused. The comparison with the tile
// service's encoder is in cmd/kume (TestTileEncodersAgree).
func TestMVT(t *testing.T) {
	s := open(t)
	ctx := context.Background()
	sq := orb.MultiPolygon{{{{29, 41}, {29.1, 41}, {29.1, 41.1}, {29, 41.1}, {29, 41}}}}
	if err := s.PutRegions(ctx, []kume.Region{{Level: "province", Code: "34", Name: "İstanbul", Geometry: sq}}); err != nil {
		t.Fatal(err)
	}
	// the tile z10 holding 29.05, 41.05 and its buffered bound
	q := layer.TileQuery{Layer: layer.Regions, Name: "regions-x", Z: 10, X: 594, Y: 383, Extent: 4096, Buffer: 64,
		Simplify: 1, BBox: orb.Bound{Min: orb.Point{28.8, 40.8}, Max: orb.Point{29.4, 41.3}}, ActiveAt: time.Now()}
	b, err := s.EncodeLayer(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	// A Tile message of one layer (field 3) that holds the name.
	if len(b) < 10 || b[0] != 3<<3|2 || !bytes.Contains(b, []byte("regions-x")) || !bytes.Contains(b, []byte("İstanbul")) {
		t.Errorf("regions layer: % x", b)
	}
	for _, name := range []string{layer.Clusters, layer.Establishments, layer.Institutions} {
		q := q
		q.Layer = name
		if b, err := s.EncodeLayer(ctx, q); err != nil || b != nil {
			t.Errorf("%s of an empty store: %d bytes, %v; want nothing", name, len(b), err)
		}
	}
	far := q
	far.BBox = orb.Bound{Min: orb.Point{-31, 39}, Max: orb.Point{-30, 40}}
	if b, err := s.EncodeLayer(ctx, far); err != nil || b != nil {
		t.Errorf("regions far away: %d bytes, %v; want nothing", len(b), err)
	}
	for _, bad := range []layer.TileQuery{
		{Layer: "hexagons", Name: "h", Z: 1, Extent: 4096},
		{Layer: layer.Regions, Name: "r", Z: 1, X: 2, Extent: 4096},
		{Layer: layer.Regions, Name: "r", Z: 1},
	} {
		if _, err := s.EncodeLayer(ctx, bad); kume.ErrorCode(err) != kume.EINVALID {
			t.Errorf("%+v: %v, want EINVALID", bad, err)
		}
	}
}
