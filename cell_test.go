package kume_test

import (
	"math/rand/v2"
	"testing"

	"github.com/uber/h3-go/v4"

	"github.com/kume-geo/kume"
)

// TestIsCellOf: the check agrees with H3's own isValidCell (and the index's
// resolution) on real cells of every resolution, pentagons and their
// children among them, and on those cells with random bits changed.
func TestIsCellOf(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var cells []uint64
	for res := range 16 {
		for range 300 {
			ll := h3.LatLng{Lat: rng.Float64()*180 - 90, Lng: rng.Float64()*360 - 180}
			cells = append(cells, uint64(h3.LatLngToCell(ll, res)))
		}
		for _, p := range h3.Pentagons(res) {
			cells = append(cells, uint64(p))
		}
	}
	for _, p := range h3.Pentagons(2) {
		for _, c := range p.Children(4) {
			cells = append(cells, uint64(c))
		}
	}
	check := func(c uint64) {
		want := h3.Cell(int64(c)).IsValid()
		for res := -1; res <= 16; res++ {
			w := want && res == int(c>>52&0xf)
			if got := kume.IsCellOf(c, res); got != w {
				t.Fatalf("IsCellOf(%x, %d) = %v, H3 says %v", c, res, got, w)
			}
		}
	}
	valid := 0
	for _, c := range cells {
		check(c)
		for range 20 {
			x := c ^ 1<<rng.IntN(64)
			if rng.IntN(3) == 0 {
				x ^= 1 << rng.IntN(64)
			}
			check(x)
			if h3.Cell(int64(x)).IsValid() {
				valid++
			}
		}
	}
	// Pentagon children with digit 1 where a K-axis child would be.
	for _, p := range h3.Pentagons(3) {
		check(uint64(p)&^(7<<(3*(15-4)))&^(0xf<<52) | 4<<52 | 1<<(3*(15-4)))
	}
	if valid < 1000 {
		t.Fatalf("only %d changed indexes were valid cells: the test tests little", valid)
	}
	for _, c := range []uint64{0, 1 << 63, ^uint64(0)} {
		check(c)
	}
}
