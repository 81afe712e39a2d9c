package geo

import (
	"cmp"
	"math/rand/v2"
	"slices"
	"testing"
)

// seek and seekGroup find what a binary search finds, from any start at or
// before the answer.
func TestSeekLikeBinarySearch(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, n := range []int{0, 1, 2, 7, 100, 1000} {
		gs := make([]group, n)
		as := make([]cellAgg, n)
		c := uint64(10)
		for i := range gs {
			c += uint64(rng.IntN(3)) // repeats: several groups per cell
			gs[i].cell = c
			as[i].cell = c + uint64(i) // lists: strictly increasing
		}
		for range 200 {
			target := uint64(rng.IntN(int(c)+int(n)+12)) + 5
			want, _ := slices.BinarySearchFunc(gs, target, func(g group, t uint64) int { return cmp.Compare(g.cell, t) })
			from := rng.IntN(want + 1)
			if got := seekGroup(gs, from, target); got != want {
				t.Fatalf("n %d: seekGroup(from %d, %d) = %d, want %d", n, from, target, got, want)
			}
			want, _ = slices.BinarySearchFunc(as, target, func(a cellAgg, t uint64) int { return cmp.Compare(a.cell, t) })
			from = rng.IntN(want + 1)
			if got := seek(as, from, target); got != want {
				t.Fatalf("n %d: seek(from %d, %d) = %d, want %d", n, from, target, got, want)
			}
		}
	}
}
