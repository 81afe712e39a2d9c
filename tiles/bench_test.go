package tiles

import (
	"context"
	"testing"

	"github.com/paulmach/orb"

	"github.com/kume-geo/kume"
)

// benchStore holds about 2,000 res-7 cells around one point.
func benchStore() *fakeStore {
	st := newFakeStore()
	st.save(kume.AnalysisResult{
		Run:   kume.AnalysisRun{Params: []byte(`{"resolutions":[7]}`)},
		Cells: genCells(orb.Point{29.3, 40.8}, 7, 26, ""),
	})
	return st
}

// BenchmarkHexagonTile encodes a z8 tile of about 2,000 H3 cells without the
// tile cache (the outline cache is warm after the first iteration).
func BenchmarkHexagonTile(b *testing.B) {
	svc := newService(b, benchStore(), Config{CacheBytes: -1, ResByZoom: []int{7}})
	req := Request{Layers: []string{LayerHexagons}, Tile: tileAt(29.3, 40.8, 8)}
	t, err := svc.Tile(context.Background(), req)
	if err != nil || len(t.Data) == 0 {
		b.Fatal(err)
	}
	b.ReportMetric(float64(len(t.Data)), "bytes/tile")
	b.ResetTimer()
	for b.Loop() {
		if _, err := svc.Tile(context.Background(), req); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCachedTile serves the same tile from the warm cache.
func BenchmarkCachedTileService(b *testing.B) {
	svc := newService(b, benchStore(), Config{ResByZoom: []int{7}})
	req := Request{Layers: []string{LayerHexagons}, Tile: tileAt(29.3, 40.8, 8)}
	if _, err := svc.Tile(context.Background(), req); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := svc.Tile(context.Background(), req); err != nil {
			b.Fatal(err)
		}
	}
}
