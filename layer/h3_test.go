package layer_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/paulmach/orb"
	"github.com/uber/h3-go/v4"

	"github.com/kume-geo/kume/layer"
)

// TestGrowBoxClosedForm: two edges of resolution 7 (1.22 km) at the equator
// are 2·1.22/111 degrees of latitude, and of longitude divided by the cosine
// of the grown box's highest latitude.
func TestGrowBoxClosedForm(t *testing.T) {
	d := 2 * 1.22 / 111
	g := layer.GrowBox(orb.Bound{Min: orb.Point{10, -0.5}, Max: orb.Point{11, 0.5}}, 7, 90)
	dLon := d / math.Cos((0.5+d)*math.Pi/180)
	want := orb.Bound{Min: orb.Point{10 - dLon, -0.5 - d}, Max: orb.Point{11 + dLon, 0.5 + d}}
	for i, v := range [4]float64{g.Min[0], g.Min[1], g.Max[0], g.Max[1]} {
		w := [4]float64{want.Min[0], want.Min[1], want.Max[0], want.Max[1]}[i]
		if math.Abs(v-w) > 1e-12 {
			t.Fatalf("GrowBox = %v, want %v", g, want)
		}
	}
	if g := layer.GrowBox(orb.Bound{Min: orb.Point{179.9, 89.99}, Max: orb.Point{180, 90}}, 3, 89.9); g.Max[1] != 89.9 || g.Max[0] <= 180 {
		t.Errorf("near the pole and the antimeridian: %v; want latitude clamped, longitude not", g)
	}
	if layer.EdgeKm(-1) != layer.EdgeKm(0) || layer.EdgeKm(99) != layer.EdgeKm(15) {
		t.Error("EdgeKm does not clamp the resolution")
	}
}

// TestGrowBoxHoldsCells: for random boxes, every cell of the resolution whose
// outline reaches into the box has its centre in the grown box (checked with
// h3 on the cells around the box's corners and centre).
func TestGrowBoxHoldsCells(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for range 300 {
		res := 2 + rng.IntN(9)
		lat, lon := rng.Float64()*150-75, rng.Float64()*340-170
		size := layer.EdgeKm(res) / 111 * (0.5 + 4*rng.Float64())
		b := orb.Bound{Min: orb.Point{lon, lat}, Max: orb.Point{lon + size, lat + size}}
		g := layer.GrowBox(b, res, 90)
		for _, p := range []orb.Point{b.Min, b.Max, {b.Min[0], b.Max[1]}, {b.Max[0], b.Min[1]}, b.Center()} {
			c := h3.LatLngToCell(h3.LatLng{Lat: p[1], Lng: p[0]}, res)
			for _, n := range c.GridDisk(1) {
				if !reaches(n, b) {
					continue
				}
				ll := n.LatLng()
				if !g.Contains(orb.Point{ll.Lng, ll.Lat}) {
					t.Fatalf("res %d box %v: cell %s reaches into it with its centre %v outside %v", res, b, n, ll, g)
				}
			}
		}
	}
}

// reaches reports whether a vertex of cell c lies in b.
func reaches(c h3.Cell, b orb.Bound) bool {
	for _, v := range c.Boundary() {
		if b.Contains(orb.Point{v.Lng, v.Lat}) {
			return true
		}
	}
	return false
}
