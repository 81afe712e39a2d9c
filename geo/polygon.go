package geo

import (
	"math"
	"slices"

	"github.com/paulmach/orb"
)

// CellsPolygon returns the union of a set of cells of one resolution as a
// multipolygon with RFC 7946 winding: exterior rings counter-clockwise, holes
// clockwise, holes kept. Shared edges between cells of the set cancel; the
// remaining directed edges are chained into rings. Cells crossing the
// antimeridian are not cut.
func CellsPolygon(cells []uint64) orb.MultiPolygon { return cellsPolygon(cells, nil) }

// cellsPolygon is CellsPolygon with the edges and boundaries of the cells
// taken from ec (computed afresh when ec is nil).
func cellsPolygon(cells []uint64, ec *edgeCache) orb.MultiPolygon {
	in := make(map[uint64]bool, len(cells))
	for _, c := range cells {
		if ValidCell(c) {
			in[c] = true
		}
	}
	if len(in) == 0 {
		return nil
	}
	type seg struct{ pts []orb.Point }
	var segs []seg
	for c := range in {
		for _, e := range ec.edges(c) {
			if in[e.dest] {
				continue
			}
			segs = append(segs, seg{pts: ec.boundary(e.edge)}) // read only
		}
	}
	// Index segments by their quantised start point; neighbouring cells compute
	// shared vertices separately, so lookups also try adjacent quanta.
	const q = 1e8
	type key [2]int64
	kf := func(p orb.Point) key { return key{int64(math.Round(p[0] * q)), int64(math.Round(p[1] * q))} }
	start := make(map[key][]int, len(segs))
	for i, s := range segs {
		k := kf(s.pts[0])
		start[k] = append(start[k], i)
	}
	used := make([]bool, len(segs))
	take := func(p orb.Point) int {
		k := kf(p)
		for dx := int64(-1); dx <= 1; dx++ {
			for dy := int64(-1); dy <= 1; dy++ {
				for _, i := range start[key{k[0] + dx, k[1] + dy}] {
					if !used[i] {
						used[i] = true
						return i
					}
				}
			}
		}
		return -1
	}
	// Deterministic order: start rings from segments sorted by start point.
	order := make([]int, len(segs))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int {
		pa, pb := segs[a].pts[0], segs[b].pts[0]
		if pa[0] != pb[0] {
			return cmpF(pa[0], pb[0])
		}
		return cmpF(pa[1], pb[1])
	})
	var rings []orb.Ring
	for _, i0 := range order {
		if used[i0] {
			continue
		}
		used[i0] = true
		ring := orb.Ring(slices.Clone(segs[i0].pts))
		first := segs[i0].pts[0]
		for {
			last := ring[len(ring)-1]
			if len(ring) > 2 && near(last, first) {
				ring[len(ring)-1] = first
				break
			}
			j := take(last)
			if j < 0 {
				ring = append(ring, first)
				break
			}
			ring = append(ring, segs[j].pts[1:]...)
		}
		rings = append(rings, ring)
	}
	var mp orb.MultiPolygon
	var holes []orb.Ring
	for _, r := range rings {
		if signedArea(r) > 0 {
			mp = append(mp, orb.Polygon{r})
		} else {
			holes = append(holes, r)
		}
	}
	for _, h := range holes {
		placed := false
		for i := range mp {
			if ringContains(mp[i][0], h[0]) || ringContains(mp[i][0], centroidOf(h)) {
				mp[i] = append(mp[i], h)
				placed = true
				break
			}
		}
		if !placed && len(mp) > 0 {
			mp[0] = append(mp[0], h)
		}
	}
	slices.SortFunc(mp, func(a, b orb.Polygon) int {
		if c := cmpF(a[0][0][0], b[0][0][0]); c != 0 {
			return c
		}
		return cmpF(a[0][0][1], b[0][0][1])
	})
	return mp
}

func cmpF(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func near(a, b orb.Point) bool {
	return math.Abs(a[0]-b[0]) < 1e-7 && math.Abs(a[1]-b[1]) < 1e-7
}

// signedArea is the planar shoelace area of a closed ring in degrees²;
// positive for counter-clockwise rings.
func signedArea(r orb.Ring) float64 {
	var a float64
	for i := 0; i+1 < len(r); i++ {
		a += r[i][0]*r[i+1][1] - r[i+1][0]*r[i][1]
	}
	return a / 2
}

func reverse(r orb.Ring) {
	for i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {
		r[i], r[j] = r[j], r[i]
	}
}

func centroidOf(r orb.Ring) orb.Point {
	var x, y float64
	n := len(r) - 1
	if n <= 0 {
		return r[0]
	}
	for _, p := range r[:n] {
		x += p[0]
		y += p[1]
	}
	return orb.Point{x / float64(n), y / float64(n)}
}

// ringContains is an even-odd point-in-ring test in planar lon/lat.
func ringContains(r orb.Ring, p orb.Point) bool {
	in := false
	for i, j := 0, len(r)-1; i < len(r); j, i = i, i+1 {
		a, b := r[i], r[j]
		if (a[1] > p[1]) != (b[1] > p[1]) && p[0] < (b[0]-a[0])*(p[1]-a[1])/(b[1]-a[1])+a[0] {
			in = !in
		}
	}
	return in
}

// polygonContains reports whether p lies in the polygon (inside the exterior
// ring and outside every hole).
func polygonContains(poly orb.Polygon, p orb.Point) bool {
	if len(poly) == 0 || !ringContains(poly[0], p) {
		return false
	}
	for _, h := range poly[1:] {
		if ringContains(h, p) {
			return false
		}
	}
	return true
}
