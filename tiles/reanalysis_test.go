package tiles_test

import (
	"context"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/geo"
	"github.com/kume-geo/kume/internal/teststores"
	"github.com/kume-geo/kume/tiles"
)

// TestReanalysisKeepsUnchangedTiles runs the tile cache on each store: a new
// analysis that changes the cells of one city evicts that city's tile and
// keeps the other's, with the same ETag.
func TestReanalysisKeepsUnchangedTiles(t *testing.T) {
	teststores.Run(t, testReanalysisKeepsUnchangedTiles)
}

func testReanalysisKeepsUnchangedTiles(t *testing.T, kind teststores.Kind) {
	ctx := context.Background()
	st := teststores.Open(t, kind)
	const res, zoom = 7, 8
	istanbul, ankara := orb.Point{28.97, 41.01}, orb.Point{32.85, 39.93}
	cellAt := func(p orb.Point) uint64 {
		c, err := geo.CellOf(p[0], p[1], res)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	result := func(istanbulFirms int) *kume.AnalysisResult {
		return &kume.AnalysisResult{
			Run: kume.AnalysisRun{Params: []byte(`{"params":{"resolutions":[7]}}`)},
			Cells: []kume.CellStat{
				{Res: res, Cell: cellAt(istanbul), Firms: istanbulFirms},
				{Res: res, Cell: cellAt(ankara), Firms: 40},
			},
		}
	}
	if _, err := st.SaveAnalysis(ctx, result(50)); err != nil {
		t.Fatal(err)
	}
	ts, err := tiles.New(st, tiles.Config{Resolutions: []int{res}, ResByZoom: []int{res}})
	if err != nil {
		t.Fatal(err)
	}
	tileOf := func(p orb.Point) tiles.Request {
		mt := maptile.At(p, zoom)
		return tiles.Request{Layers: []string{"hexagons"}, Tile: tiles.TileID{Z: zoom, X: mt.X, Y: mt.Y}}
	}
	get := func(p orb.Point) tiles.Tile {
		tl, err := ts.Tile(ctx, tileOf(p))
		if err != nil {
			t.Fatal(err)
		}
		if len(tl.Data) == 0 {
			t.Fatalf("empty tile at %v", p)
		}
		return tl
	}
	i1, a1 := get(istanbul), get(ankara)

	old, err := st.LatestAnalysis(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.SaveAnalysis(ctx, result(60)); err != nil {
		t.Fatal(err)
	}
	cur, err := st.LatestAnalysis(ctx)
	if err != nil {
		t.Fatal(err)
	}
	inv, err := ts.Invalidate(ctx, old.Version, cur.Version)
	if err != nil {
		t.Fatal(err)
	}
	if inv.Evicted != 1 || inv.Kept != 1 {
		t.Errorf("invalidation %+v, want 1 evicted (Istanbul) and 1 kept (Ankara)", inv)
	}
	i2, a2 := get(istanbul), get(ankara)
	if i2.ETag == i1.ETag {
		t.Error("Istanbul's tile kept its ETag although its cell changed")
	}
	if a2.ETag != a1.ETag {
		t.Error("Ankara's tile changed its ETag although its cells did not change")
	}
}
