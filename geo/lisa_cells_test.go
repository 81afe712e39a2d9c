package geo

import (
	"testing"

	"github.com/kume-geo/kume"
)

// TestCheckMoranCells: n cells with grid disks of k allow n × 3k(k+1)
// neighbour pairs (10 cells, k = 1: 60 pairs; 99 permutations: 5,940
// draws), refused above the work bound and above MaxMoranPairs.
func TestCheckMoranCells(t *testing.T) {
	p := MoranParams{Permutations: 99, MaxWork: 5940}
	if err := CheckMoranCells(10, 1, p); err != nil {
		t.Errorf("5,940 draws within a bound of 5,940: %v", err)
	}
	p.MaxWork = 5939
	if err := CheckMoranCells(10, 1, p); kume.ErrorCode(err) != kume.EINVALID {
		t.Errorf("5,940 draws above a bound of 5,939: %v, want invalid", err)
	}
	if err := CheckMoranCells(int(MaxMoranPairs/6)+1, 1, MoranParams{}); kume.ErrorCode(err) != kume.EINVALID {
		t.Errorf("more than MaxMoranPairs pairs: %v, want invalid", err)
	}
}
