package postgis

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/paulmach/orb"
	"github.com/uber/h3-go/v4"
)

// TestBoxRangesCover: every cell whose centre lies in a box has its index in
// one of the box's ranges, which ascend and do not touch.
func TestBoxRangesCover(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	for range 60 {
		res := 1 + rng.IntN(9)
		size := h3.HexagonEdgeLengthAvgKm(res) / 111 * (1 + rng.Float64()*20)
		lon, lat := rng.Float64()*340-170, rng.Float64()*150-75
		b := orb.Bound{Min: orb.Point{lon, lat}, Max: orb.Point{lon + size, lat + size*0.7}}
		lo, hi, all := boxRanges(b, res)
		if all {
			continue
		}
		for i := range lo {
			if lo[i] > hi[i] || (i > 0 && lo[i] <= hi[i-1]+1) {
				t.Fatalf("res %d: ranges not ascending and apart at %d: %v %v", res, i, lo, hi)
			}
		}
		loop := h3.GeoLoop{{Lat: b.Min[1], Lng: b.Min[0]}, {Lat: b.Min[1], Lng: b.Max[0]},
			{Lat: b.Max[1], Lng: b.Max[0]}, {Lat: b.Max[1], Lng: b.Min[0]}}
		for _, c := range h3.PolygonToCells(h3.GeoPolygon{GeoLoop: loop}, res) {
			x := int64(c)
			i, _ := slices.BinarySearch(hi, x)
			if i == len(hi) || x < lo[i] {
				t.Fatalf("res %d box %v: cell %x in no range", res, b, x)
			}
		}
	}
}

// TestIntersectRanges: the intersection of two lists of ranges.
func TestIntersectRanges(t *testing.T) {
	lo, hi := intersectRanges([]int64{1, 10, 20, 40}, []int64{5, 12, 30, 50}, []int64{4, 11, 26}, []int64{10, 24, 45})
	if !slices.Equal(lo, []int64{4, 10, 11, 20, 26, 40}) || !slices.Equal(hi, []int64{5, 10, 12, 24, 30, 45}) {
		t.Errorf("intersection %v %v", lo, hi)
	}
	if lo, _ := intersectRanges([]int64{1}, []int64{2}, nil, nil); len(lo) != 0 {
		t.Errorf("with nothing: %v", lo)
	}
}
