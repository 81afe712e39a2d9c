package geo

import (
	"math/rand/v2"
	"slices"
	"testing"
)

func TestSortStamped(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, c := range []struct{ n, span int }{{0, 10}, {5, 10}, {63, 100}, {64, 64}, {500, 600}, {500, 100000}, {3000, 3000}, {3000, 40000}} {
		stamp := make([]int32, c.span+7)
		const gen = 3
		for i := range stamp {
			stamp[i] = int32(rng.IntN(gen)) // other generations, never gen
		}
		var us []int32
		for _, v := range rng.Perm(c.span)[:c.n] {
			stamp[v+7] = gen
			us = append(us, int32(v+7))
		}
		want := slices.Sorted(slices.Values(us))
		sortStamped(us, stamp, gen)
		if !slices.Equal(us, want) {
			t.Errorf("n %d span %d: got %v, want %v", c.n, c.span, us, want)
		}
	}
}
