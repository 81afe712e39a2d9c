package tiles

import (
	"context"
	"testing"

	"github.com/paulmach/orb"
	"github.com/uber/h3-go/v4"

	"github.com/kume-geo/kume"
)

// benchStore is an embedded store holding about 2,000 res-7 cells around
// one point.
func benchStore(b *testing.B) kume.Store {
	st := emptyStore(b)
	if _, err := st.SaveAnalysis(context.Background(), &kume.AnalysisResult{
		Run:   kume.AnalysisRun{Params: []byte(`{"resolutions":[7]}`)},
		Cells: genCells(orb.Point{29.3, 40.8}, 7, 26, ""),
	}); err != nil {
		b.Fatal(err)
	}
	return st
}

// BenchmarkHexagonTile encodes a z8 tile of about 2,000 H3 cells without the
// tile cache (the outline cache is warm after the first iteration).
func BenchmarkHexagonTile(b *testing.B) {
	svc := newService(b, benchStore(b), Config{CacheBytes: -1, ResByZoom: []int{7}})
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
	svc := newService(b, benchStore(b), Config{ResByZoom: []int{7}})
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

// streamStore is a benchStore that streams a tile's cells like the PostGIS
// store's TileCells, without copying them, so that the benchmark measures the
// tile's encoding rather than the store's CellStats.
type streamStore struct {
	kume.Store
	cells   []kume.CellStat
	centres []orb.Point
}

// TileCells calls fn with the cells of f's resolution whose centre lies in
// f.BBox.
func (s *streamStore) TileCells(_ context.Context, f kume.CellFilter, fn func(c *kume.CellStat) error) error {
	for i := range s.cells {
		if s.cells[i].Res != f.Res || !f.BBox.Contains(s.centres[i]) {
			continue
		}
		if err := fn(&s.cells[i]); err != nil {
			return err
		}
	}
	return nil
}

// BenchmarkHexagonTileStream is BenchmarkHexagonTile through TileCells.
func BenchmarkHexagonTileStream(b *testing.B) {
	st := &streamStore{Store: benchStore(b), cells: genCells(orb.Point{29.3, 40.8}, 7, 26, "")}
	for _, c := range st.cells {
		ll := h3.Cell(int64(c.Cell)).LatLng()
		st.centres = append(st.centres, orb.Point{ll.Lng, ll.Lat})
	}
	svc := newService(b, st, Config{CacheBytes: -1, ResByZoom: []int{7}})
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
