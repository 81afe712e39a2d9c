package cql2

import (
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/paulmach/orb"
)

// TestIntersects checks the intersection test on planted cases: touching
// and crossing boundaries, containment, holes, the antimeridian.
func TestIntersects(t *testing.T) {
	square := orb.Polygon{{{0, 0}, {10, 0}, {10, 10}, {0, 10}, {0, 0}}}
	withHole := orb.Polygon{square[0], {{2, 2}, {8, 2}, {8, 8}, {2, 8}, {2, 2}}}
	for _, tc := range []struct {
		name string
		a, b orb.Geometry
		want bool
	}{
		{"point inside", orb.Point{5, 5}, square, true},
		{"point on edge", orb.Point{10, 5}, square, true},
		{"point on vertex", orb.Point{0, 0}, square, true},
		{"point outside", orb.Point{10.0001, 5}, square, false},
		{"point in hole", orb.Point{5, 5}, withHole, false},
		{"point on hole edge", orb.Point{2, 5}, withHole, true},
		{"polygon in hole", orb.Polygon{{{3, 3}, {4, 3}, {4, 4}, {3, 3}}}, withHole, false},
		{"polygon inside", orb.Polygon{{{3, 3}, {4, 3}, {4, 4}, {3, 3}}}, square, true},
		{"polygon around", square, orb.Polygon{{{-1, -1}, {11, -1}, {11, 11}, {-1, 11}, {-1, -1}}}, true},
		{"polygons touching at a corner", square, orb.Polygon{{{10, 10}, {12, 10}, {12, 12}, {10, 10}}}, true},
		{"polygons apart", square, orb.Polygon{{{11, 11}, {12, 11}, {12, 12}, {11, 11}}}, false},
		{"line crossing", orb.LineString{{-5, 5}, {15, 5}}, square, true},
		{"line inside", orb.LineString{{1, 1}, {2, 1}}, square, true},
		{"line in hole", orb.LineString{{3, 3}, {4, 4}}, withHole, false},
		{"line touching", orb.LineString{{10, 10}, {12, 12}}, square, true},
		{"line outside", orb.LineString{{11, 0}, {11, 10}}, square, false},
		{"lines crossing", orb.LineString{{0, 0}, {2, 2}}, orb.LineString{{0, 2}, {2, 0}}, true},
		{"lines collinear overlapping", orb.LineString{{0, 0}, {2, 0}}, orb.LineString{{1, 0}, {3, 0}}, true},
		{"lines collinear apart", orb.LineString{{0, 0}, {1, 0}}, orb.LineString{{2, 0}, {3, 0}}, false},
		{"lines parallel", orb.LineString{{0, 0}, {2, 0}}, orb.LineString{{0, 1}, {2, 1}}, false},
		{"point on line", orb.Point{1, 1}, orb.LineString{{0, 0}, {2, 2}}, true},
		{"multipoint one in", orb.MultiPoint{{20, 20}, {5, 5}}, square, true},
		{"collection", orb.Collection{orb.Point{20, 20}, orb.LineString{{9, 9}, {20, 9}}}, square, true},
		{"box", orb.Bound{Min: orb.Point{9, 9}, Max: orb.Point{20, 20}}, square, true},
		{"antimeridian box, east part", bboxGeometry(&BBox{West: 170, South: -10, East: -170, North: 10}), orb.Point{-175, 0}, true},
		{"antimeridian box, west part", bboxGeometry(&BBox{West: 170, South: -10, East: -170, North: 10}), orb.Point{175, 0}, true},
		{"antimeridian box, outside", bboxGeometry(&BBox{West: 170, South: -10, East: -170, North: 10}), orb.Point{0, 0}, false},
	} {
		a, b := newShape(tc.a), newShape(tc.b)
		if got := intersects(a, b); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
		if got := intersects(b, a); got != tc.want {
			t.Errorf("%s (swapped): %v, want %v", tc.name, got, tc.want)
		}
	}
}

// exactMeet decides with rational arithmetic whether two segments with
// integer ends share a point: an independent check of segmentsMeet.
func exactMeet(a, b, c, d orb.Point) bool {
	r := func(f float64) *big.Rat { return new(big.Rat).SetFloat64(f) }
	sub := func(x, y *big.Rat) *big.Rat { return new(big.Rat).Sub(x, y) }
	mul := func(x, y *big.Rat) *big.Rat { return new(big.Rat).Mul(x, y) }
	// a + s(b-a) = c + u(d-c), 0 <= s,u <= 1
	rx, ry := sub(r(b[0]), r(a[0])), sub(r(b[1]), r(a[1]))
	sx, sy := sub(r(d[0]), r(c[0])), sub(r(d[1]), r(c[1]))
	qx, qy := sub(r(c[0]), r(a[0])), sub(r(c[1]), r(a[1]))
	den := sub(mul(rx, sy), mul(ry, sx))
	in01 := func(v *big.Rat) bool { return v.Sign() >= 0 && v.Cmp(big.NewRat(1, 1)) <= 0 }
	if den.Sign() != 0 {
		s := new(big.Rat).Quo(sub(mul(qx, sy), mul(qy, sx)), den)
		u := new(big.Rat).Quo(sub(mul(qx, ry), mul(qy, rx)), den)
		return in01(s) && in01(u)
	}
	// parallel or degenerate: a shared point is an end of one segment lying
	// on the other
	on := func(p, x, y orb.Point) bool {
		cross := sub(mul(sub(r(y[0]), r(x[0])), sub(r(p[1]), r(x[1]))), mul(sub(r(y[1]), r(x[1])), sub(r(p[0]), r(x[0]))))
		return cross.Sign() == 0 && onSegment(p, x, y)
	}
	return on(c, a, b) || on(d, a, b) || on(a, c, d) || on(b, c, d)
}

// TestSegmentsMeetExact compares segmentsMeet with exact arithmetic on
// random segments of a small integer grid, where touching, collinear and
// degenerate cases are frequent (seeded: the same cases every run).
func TestSegmentsMeetExact(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	pt := func() orb.Point { return orb.Point{float64(rng.IntN(7)), float64(rng.IntN(7))} }
	meet := 0
	for range 20000 {
		a, b, c, d := pt(), pt(), pt(), pt()
		want := exactMeet(a, b, c, d)
		if got := segmentsMeet(a, b, c, d); got != want {
			t.Fatalf("segments %v-%v and %v-%v: %v, exact %v", a, b, c, d, got, want)
		}
		if want {
			meet++
		}
	}
	if meet < 2000 || meet > 18000 {
		t.Errorf("%d of 20000 pairs meet: the test does not exercise both outcomes", meet)
	}
}
