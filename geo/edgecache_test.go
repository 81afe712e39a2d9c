package geo

import (
	"reflect"
	"testing"

	"github.com/uber/h3-go/v4"
)

// The outlines drawn through a shared edge cache equal those drawn afresh,
// for overlapping cell sets drawn one after the other (the second reuses
// the first's edges), with a pentagon and its neighbours among them.
func TestEdgeCacheSameOutlines(t *testing.T) {
	c, _ := CellOf(28.97, 41.01, 7)
	disk := gridDisk(c, 3)
	pent := h3.Cell(0x8009fffffffffff) // base cell 4, a pentagon
	if !pent.IsPentagon() {
		t.Fatal("not a pentagon")
	}
	p0, p7 := uint64(pent), uint64(pent.CenterChild(7))
	sets := [][]uint64{disk[:20], disk[5:30], disk, disk[10:], gridDisk(p0, 1), gridDisk(p0, 1)[1:], gridDisk(p7, 2), gridDisk(p7, 1)[2:]}
	ec := newEdgeCache()
	for round := range 2 {
		for i, cells := range sets {
			want := CellsPolygon(cells)
			if got := cellsPolygon(cells, ec); !reflect.DeepEqual(got, want) {
				t.Errorf("round %d, set %d: cached outline differs", round, i)
			}
		}
	}
	if len(ec.cells) == 0 || len(ec.bounds) == 0 {
		t.Error("nothing cached")
	}
}
