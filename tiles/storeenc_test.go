package tiles

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/internal/teststores"
	"github.com/kume-geo/kume/layer"
)

// recordingEncoder is a LayerEncoder that records its queries and answers each
// with a layer of one point, or with nothing when empty is set.
type recordingEncoder struct {
	queries []layer.TileQuery
	empty   bool
	err     error
}

func (r *recordingEncoder) EncodeLayer(_ context.Context, q layer.TileQuery) ([]byte, error) {
	r.queries = append(r.queries, q)
	if r.err != nil || r.empty {
		return nil, r.err
	}
	enc := newLayerEncoder(q.Name, q.Extent)
	enc.addPoint(7, true, orb.Point{10, 10}, []prop{pString("from", "encoder")})
	return enc.appendTo(nil), nil
}

// TestLayerEncoder checks that a service with Config.Encoder asks it for every
// layer but hexagons, with the tile's settings and resolved filters, and puts
// its layers into the tile in the usual order.
func TestLayerEncoder(t *testing.T) { onStores(t, testLayerEncoder) }

func testLayerEncoder(t *testing.T, kind teststores.Kind) {
	st := fixture(t, kind, center)
	rec := &recordingEncoder{}
	svc := newService(t, st, Config{Encoder: rec})
	id := tileAt(center[0], center[1], 12)
	p := Params{Sector: "13", At: "2024-03-01", Level: "province", Type: kume.University}
	tile := mustTile(t, svc, "regions,hexagons,clusters,institutions,establishments", id, p)
	ls := decode(t, tile.Data)
	var names []string
	for name, l := range ls {
		names = append(names, name)
		if name != LayerHexagons && (len(l.Features) != 1 || l.Features[0].Props["from"] != "encoder") {
			t.Errorf("layer %s: %v, want the encoder's feature", name, l.Features)
		}
	}
	slices.Sort(names)
	if want := []string{LayerClusters, LayerEstablishments, LayerHexagons, LayerInstitutions, LayerRegions}; !slices.Equal(names, want) {
		t.Errorf("layers %v, want %v", names, want)
	}
	if len(ls[LayerHexagons].Features) == 0 {
		t.Error("no hexagons: the service's own encoder should write them")
	}
	var layers []string
	for _, q := range rec.queries {
		layers = append(layers, q.Layer)
		if q.Name != q.Layer || (TileID{Z: q.Z, X: q.X, Y: q.Y}) != id || q.Extent != 4096 || q.Buffer != 64 || q.Simplify != 1 ||
			q.Sector != "13" || q.Analysis == 0 || q.BBox != bufferedBound(id, 4096, 64) {
			t.Errorf("query %+v", q)
		}
	}
	if want := []string{LayerRegions, LayerClusters, LayerInstitutions, LayerEstablishments}; !slices.Equal(layers, want) {
		t.Errorf("encoder asked for %v, want %v", layers, want)
	}
	at := time.Date(2024, 3, 2, 0, 0, 0, 0, time.UTC).Add(-time.Microsecond)
	for _, q := range rec.queries {
		switch q.Layer {
		case LayerRegions:
			if q.Level != "province" {
				t.Errorf("regions: level %q", q.Level)
			}
		case LayerInstitutions:
			if q.Type != kume.University || !q.ActiveAt.Equal(at) || q.Limit != 10000 || q.NACEPrefixes != nil {
				t.Errorf("institutions: %+v", q)
			}
		case LayerEstablishments:
			if !slices.Equal(q.NACEPrefixes, []string{"13"}) || !q.ActiveAt.Equal(at) || q.Limit != 10000 {
				t.Errorf("establishments: %+v", q)
			}
		}
	}

	// Nothing from the encoder and no hexagons: an empty tile.
	rec.empty = true
	if tile := mustTile(t, svc, "regions,clusters", tileAt(center[0], center[1], 11), p); len(tile.Data) != 0 {
		t.Errorf("empty layers: %d bytes, want an empty tile", len(tile.Data))
	}
	// The encoder's errors and the sector's are the tile's.
	rec.err = errors.New("boom")
	if _, err := svc.Tile(context.Background(), Request{Layers: []string{LayerRegions}, Tile: tileAt(center[0], center[1], 10)}); err == nil {
		t.Error("encoder error: no error")
	}
	rec.err = nil
	_, err := svc.Tile(context.Background(), Request{Layers: []string{LayerEstablishments}, Tile: id, Params: Params{Sector: "vc:nothing"}})
	if kume.ErrorCode(err) != kume.EINVALID {
		t.Errorf("unknown value chain: %v, want EINVALID, as the API answers", err)
	}
}

// TestLayerEncoderWithoutAnalysis checks that the clusters layer is empty
// without asking the encoder when no analysis exists.
func TestLayerEncoderWithoutAnalysis(t *testing.T) { onStores(t, testLayerEncoderWithoutAnalysis) }

func testLayerEncoderWithoutAnalysis(t *testing.T, kind teststores.Kind) {
	rec := &recordingEncoder{}
	svc := newService(t, teststores.Open(t, kind), Config{Encoder: rec})
	if tile := mustTile(t, svc, "clusters", tileAt(center[0], center[1], 9), Params{}); len(tile.Data) != 0 || len(rec.queries) != 0 {
		t.Errorf("clusters without analysis: %d bytes, %d queries", len(tile.Data), len(rec.queries))
	}
}
