package geo

import (
	"context"
	"testing"

	"github.com/uber/h3-go/v4"
)

// BenchmarkLocalMoranCells: a grid disk of radius 129 at res 8 (50,311
// cells) with a hot spot, k = 1, 999 permutations (about 3·10⁸ draws).
func BenchmarkLocalMoranCells(b *testing.B) {
	origin := h3.LatLngToCell(h3.NewLatLng(41.0, 29.0), 8)
	disk := h3.GridDisk(origin, 129)
	cells := make([]uint64, len(disk))
	x := make([]float64, len(disk))
	for i, c := range disk {
		cells[i] = uint64(c)
		x[i] = float64(max(0, 30-h3.GridDistance(c, origin)) + i%4)
	}
	b.ResetTimer()
	for range b.N {
		if _, err := LocalMoranCells(context.Background(), cells, x, 1, MoranParams{Permutations: 999, Seed: 1}); err != nil {
			b.Fatal(err)
		}
	}
}
