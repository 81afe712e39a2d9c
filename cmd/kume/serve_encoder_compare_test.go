package main

import (
	"fmt"
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/kume-geo/kume/tiles/mvtcheck"
)

// Tolerances of the comparison of polygon geometry, in tile units (extent
// 4096). Both encoders clip to the same buffered tile and simplify with the
// same Douglas–Peucker tolerance (1 unit), but not in the same order or
// arithmetic: the Go encoder clips, simplifies and rounds; ST_AsMVTGeom
// simplifies once more at half a unit, snaps to the grid and rebuilds the
// polygons (wagyu) into valid ones. A vertex one encoder keeps lies within
// about the tolerance of the original outline, and so of the other encoder's
// outline give or take rounding (measured: at most 1.6 units from zoom 5 on),
// and the areas differ by far less than a unit along the outline's length.
// At zooms up to lowZoom, where a province is a few dozen units wide, the Go
// encoder's simplification leaves zero-width spikes and overlapping parts that
// ST_AsMVTGeom removes or unites, and outlines differ by up to
// lowZoomDistance (measured: 5.4 units at zoom 3).
const (
	// maxVertexDistance bounds the distance from any vertex of one encoder's
	// polygon to the other's outline.
	maxVertexDistance = 2.0
	// lowZoom and lowZoomDistance: the bound at zooms up to lowZoom.
	lowZoom, lowZoomDistance = 4, 6.0
	// areaPerLength bounds the difference of the polygons' areas, in square
	// units per unit of outline length.
	areaPerLength = 1.0
	// sliverArea is the largest area of a polygon only one encoder writes: a
	// sliver at the buffer's edge, which the other encoder's rounding closes.
	sliverArea = 4.0
	// smallRing is the largest area of a ring (an island or a hole) that one
	// encoder may drop, or merge with a neighbour, where the other keeps it:
	// after snapping to the grid ST_AsMVTGeom unites touching parts and drops
	// collapsed ones, the Go encoder keeps every ring with an area.
	smallRing = 16.0
)

// encoderStats summarises the differences found.
type encoderStats struct {
	tiles, empty, features, polygons, points, slivers int
	maxDist, maxLowDist, maxAreaRatio                 float64
	// seen counts the features compared by their name (or code, for regions).
	seen map[string]int
}

// compareTiles checks both tiles and compares their content.
func compareTiles(t *testing.T, name string, a, b []byte, tol float64, st *encoderStats) {
	t.Helper()
	st.tiles++
	for i, tile := range [][]byte{a, b} {
		for _, err := range mvtcheck.Check(tile) {
			t.Errorf("%s: %s encoder: %v", name, []string{"go", "postgis"}[i], err)
		}
	}
	la, err := mvtcheck.Decode(a)
	if err != nil {
		t.Fatalf("%s: go encoder: %v", name, err)
	}
	lb, err := mvtcheck.Decode(b)
	if err != nil {
		t.Fatalf("%s: postgis encoder: %v", name, err)
	}
	if len(la) == 0 && len(lb) == 0 {
		st.empty++
	}
	byName := map[string][2]*mvtcheck.Layer{}
	for i, ls := range [][]mvtcheck.Layer{la, lb} {
		for j := range ls {
			l := &ls[j]
			if l.Version != 2 || l.Extent != 4096 {
				t.Errorf("%s: layer %s: version %d, extent %d", name, l.Name, l.Version, l.Extent)
			}
			e := byName[l.Name]
			e[i] = l
			byName[l.Name] = e
		}
	}
	for lname, ls := range byName {
		compareLayer(t, name+" "+lname, ls[0], ls[1], tol, st)
	}
}

// compareLayer compares the features of a layer (nil when an encoder left it
// out) by id.
func compareLayer(t *testing.T, name string, a, b *mvtcheck.Layer, tol float64, st *encoderStats) {
	t.Helper()
	fa, fb := featuresByID(t, name+" go", a), featuresByID(t, name+" postgis", b)
	ids := map[uint64]bool{}
	for id := range fa {
		ids[id] = true
	}
	for id := range fb {
		ids[id] = true
	}
	for id := range ids {
		x, y := fa[id], fb[id]
		if x == nil || y == nil {
			only, enc := x, "go"
			if x == nil {
				only, enc = y, "postgis"
			}
			if only.Type != 3 || polygonArea(only) > sliverArea {
				t.Errorf("%s: feature %d (%v) only in the %s encoder's tile (area %.1f)", name, id, only.Props, enc, polygonArea(only))
			}
			st.slivers++
			continue
		}
		st.features++
		if s, ok := x.Props["code"].(string); ok {
			st.seen[s]++
		} else if s, ok := x.Props["name"].(string); ok {
			st.seen[s]++
		}
		if !reflect.DeepEqual(x.Props, y.Props) {
			t.Errorf("%s: feature %d properties differ:\n  go      %s\n  postgis %s", name, id, describeProps(x.Props), describeProps(y.Props))
		}
		if x.Type != y.Type {
			t.Errorf("%s: feature %d geometry type %d (go) and %d (postgis)", name, id, x.Type, y.Type)
			continue
		}
		switch x.Type {
		case 1:
			st.points++
			if !reflect.DeepEqual(x.Points, y.Points) {
				t.Errorf("%s: feature %d at %v (go) and %v (postgis)", name, id, x.Points, y.Points)
			}
		case 3:
			st.polygons++
			comparePolygons(t, fmt.Sprintf("%s: feature %d", name, id), x, y, tol, st)
		}
	}
}

// featuresByID indexes a layer's features by id; each must have one.
func featuresByID(t *testing.T, name string, l *mvtcheck.Layer) map[uint64]*mvtcheck.Feature {
	t.Helper()
	out := map[uint64]*mvtcheck.Feature{}
	if l == nil {
		return out
	}
	for i := range l.Features {
		f := &l.Features[i]
		if f.ID == nil {
			t.Errorf("%s: feature %v without id", name, f.Props)
			continue
		}
		out[*f.ID] = f
	}
	return out
}

// describeProps lists properties with their Go types, sorted by key.
func describeProps(p map[string]any) string {
	var parts []string
	for k, v := range p {
		parts = append(parts, fmt.Sprintf("%s=%T(%v)", k, v, v))
	}
	slices.Sort(parts)
	return strings.Join(parts, " ")
}

// comparePolygons checks that two encodings of a polygon agree within the
// tolerances: every vertex of each lies near the other's outline, and their
// areas differ by little for the outline's length.
func comparePolygons(t *testing.T, name string, a, b *mvtcheck.Feature, tol float64, st *encoderStats) {
	t.Helper()
	d := math.Max(vertexDistance(a.Rings, b.Rings), vertexDistance(b.Rings, a.Rings))
	if tol == maxVertexDistance {
		st.maxDist = math.Max(st.maxDist, d)
	} else {
		st.maxLowDist = math.Max(st.maxLowDist, d)
	}
	if d > tol {
		t.Errorf("%s: a vertex lies %.2f units from the other encoder's outline", name, d)
	}
	length := math.Max(outlineLength(a.Rings), 1)
	ratio := math.Abs(polygonArea(a)-polygonArea(b)) / length
	st.maxAreaRatio = math.Max(st.maxAreaRatio, ratio)
	if ratio > areaPerLength {
		t.Errorf("%s: areas %.1f (go) and %.1f (postgis) differ by %.3f units² per unit of outline (%.0f)",
			name, polygonArea(a), polygonArea(b), ratio, length)
	}
}

// polygonArea returns a polygon feature's area: its exterior rings' less its
// holes'.
func polygonArea(f *mvtcheck.Feature) float64 {
	var a int64
	for _, r := range f.Rings {
		a += mvtcheck.Area(r)
	}
	return float64(a) / 2
}

// outlineLength returns the total length of the rings.
func outlineLength(rings [][][2]int64) float64 {
	var l float64
	for _, r := range rings {
		for i := range r {
			p, q := r[i], r[(i+1)%len(r)]
			l += math.Hypot(float64(q[0]-p[0]), float64(q[1]-p[1]))
		}
	}
	return l
}

// vertexDistance returns the largest distance from a vertex of a to the
// nearest edge of b's rings. Left out are the vertices of rings of smallRing
// or less (such islands and holes may be dropped, or merged with a neighbour,
// by the other encoder; their areas still count), vertices that lie in
// another part of the same feature (see insideOther), and vertices on the
// edge of the buffered tile: there the encoders' clipping differs in form but
// not in area (the Go encoder may keep zero-width spikes along the edge and
// holes that touch the exterior there; ST_AsMVTGeom writes the equivalent
// valid polygons).
func vertexDistance(a, b [][][2]int64) float64 {
	const lo, hi = -64, 4096 + 64
	var worst float64
	for i, r := range a {
		if math.Abs(float64(mvtcheck.Area(r)))/2 <= smallRing {
			continue
		}
		for _, p := range r {
			if p[0] == lo || p[0] == hi || p[1] == lo || p[1] == hi || insideOther(p, a, i) {
				continue
			}
			best := math.Inf(1)
			for _, s := range b {
				for i := range s {
					best = math.Min(best, segmentDistance(p, s[i], s[(i+1)%len(s)]))
				}
			}
			worst = math.Max(worst, best)
		}
	}
	return worst
}

// insideOther reports whether p lies inside, or within a unit of, an exterior
// ring of rs other than rs[skip]: where simplification made a feature's parts
// overlap, such a vertex is not on the outline the feature draws, and
// ST_AsMVTGeom, which unites the parts, does not keep it.
func insideOther(p [2]int64, rs [][][2]int64, skip int) bool {
	for i, r := range rs {
		if i == skip || mvtcheck.Area(r) <= 0 {
			continue
		}
		in := false
		for j := range r {
			q, s := r[j], r[(j+1)%len(r)]
			if segmentDistance(p, q, s) <= 1 {
				return true
			}
			if (q[1] > p[1]) != (s[1] > p[1]) &&
				float64(p[0]) < float64(q[0])+float64(p[1]-q[1])*float64(s[0]-q[0])/float64(s[1]-q[1]) {
				in = !in
			}
		}
		if in {
			return true
		}
	}
	return false
}

// segmentDistance returns the distance from p to the segment q–r.
func segmentDistance(p, q, r [2]int64) float64 {
	px, py := float64(p[0]), float64(p[1])
	qx, qy := float64(q[0]), float64(q[1])
	dx, dy := float64(r[0])-qx, float64(r[1])-qy
	u := 0.0
	if l := dx*dx + dy*dy; l > 0 {
		u = math.Max(0, math.Min(1, ((px-qx)*dx+(py-qy)*dy)/l))
	}
	return math.Hypot(px-qx-u*dx, py-qy-u*dy)
}
