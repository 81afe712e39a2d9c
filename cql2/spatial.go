package cql2

import (
	"github.com/paulmach/orb"
)

// shape is a geometry taken apart into the primitives the intersection test
// works on: points, line strings and polygons, each with its bounding box.
// Bounding boxes are polygons; a box that crosses the antimeridian is two.
type shape struct {
	points []orb.Point
	lines  []orb.LineString
	lineB  []orb.Bound
	polys  []orb.Polygon
	polyB  []orb.Bound
}

// newShape decomposes g; nil when g is nil or empty.
func newShape(g orb.Geometry) *shape {
	s := &shape{}
	s.add(g)
	if len(s.points)+len(s.lines)+len(s.polys) == 0 {
		return nil
	}
	return s
}

func (s *shape) add(g orb.Geometry) {
	switch g := g.(type) {
	case orb.Point:
		s.points = append(s.points, g)
	case orb.MultiPoint:
		s.points = append(s.points, g...)
	case orb.LineString:
		if len(g) > 0 {
			s.lines = append(s.lines, g)
			s.lineB = append(s.lineB, g.Bound())
		}
	case orb.MultiLineString:
		for _, l := range g {
			s.add(l)
		}
	case orb.Ring:
		s.add(orb.Polygon{g})
	case orb.Polygon:
		if len(g) > 0 && len(g[0]) > 0 {
			s.polys = append(s.polys, g)
			s.polyB = append(s.polyB, g.Bound())
		}
	case orb.MultiPolygon:
		for _, p := range g {
			s.add(p)
		}
	case orb.Collection:
		for _, c := range g {
			s.add(c)
		}
	case orb.Bound:
		s.add(g.ToPolygon())
	}
}

// bboxGeometry returns the geometry of a BBOX literal: a box, or two boxes
// when it crosses the antimeridian.
func bboxGeometry(b *BBox) orb.Geometry {
	if b.West <= b.East {
		return orb.Bound{Min: orb.Point{b.West, b.South}, Max: orb.Point{b.East, b.North}}
	}
	return orb.Collection{
		orb.Bound{Min: orb.Point{b.West, b.South}, Max: orb.Point{180, b.North}},
		orb.Bound{Min: orb.Point{-180, b.South}, Max: orb.Point{b.East, b.North}},
	}
}

// intersects reports whether two shapes share at least one point, in the
// plane of longitude and latitude (boundaries included), as the
// Intersects relation of Simple Features defines it.
func intersects(a, b *shape) bool {
	for _, p := range a.points {
		if b.containsPoint(p) {
			return true
		}
	}
	for _, p := range b.points {
		if a.containsPoint(p) {
			return true
		}
	}
	for i, l := range a.lines {
		for j, m := range b.lines {
			if a.lineB[i].Intersects(b.lineB[j]) && linesCross(l, m) {
				return true
			}
		}
		for j, poly := range b.polys {
			if a.lineB[i].Intersects(b.polyB[j]) && lineMeetsPolygon(l, poly) {
				return true
			}
		}
	}
	for j, poly := range a.polys {
		for i, l := range b.lines {
			if b.lineB[i].Intersects(a.polyB[j]) && lineMeetsPolygon(l, poly) {
				return true
			}
		}
		for i, other := range b.polys {
			if a.polyB[j].Intersects(b.polyB[i]) && polygonsMeet(poly, other) {
				return true
			}
		}
	}
	return false
}

// containsPoint reports whether p lies on or in any primitive of s.
func (s *shape) containsPoint(p orb.Point) bool {
	for _, q := range s.points {
		if p == q {
			return true
		}
	}
	for i, l := range s.lines {
		if s.lineB[i].Contains(p) && onLine(p, l) {
			return true
		}
	}
	for i, poly := range s.polys {
		if s.polyB[i].Contains(p) && inPolygon(p, poly) {
			return true
		}
	}
	return false
}

// orient returns the sign of the cross product (b-a)×(c-a).
func orient(a, b, c orb.Point) int {
	v := (b[0]-a[0])*(c[1]-a[1]) - (b[1]-a[1])*(c[0]-a[0])
	switch {
	case v > 0:
		return 1
	case v < 0:
		return -1
	}
	return 0
}

// onSegment reports whether p, collinear with a and b, lies between them.
func onSegment(p, a, b orb.Point) bool {
	return min(a[0], b[0]) <= p[0] && p[0] <= max(a[0], b[0]) &&
		min(a[1], b[1]) <= p[1] && p[1] <= max(a[1], b[1])
}

// segmentsMeet reports whether segments ab and cd share a point.
func segmentsMeet(a, b, c, d orb.Point) bool {
	o1, o2, o3, o4 := orient(a, b, c), orient(a, b, d), orient(c, d, a), orient(c, d, b)
	if o1 != o2 && o3 != o4 {
		return true
	}
	return o1 == 0 && onSegment(c, a, b) || o2 == 0 && onSegment(d, a, b) ||
		o3 == 0 && onSegment(a, c, d) || o4 == 0 && onSegment(b, c, d)
}

// onLine reports whether p lies on the line string l.
func onLine(p orb.Point, l orb.LineString) bool {
	if len(l) == 1 {
		return p == l[0]
	}
	for i := 1; i < len(l); i++ {
		if orient(l[i-1], l[i], p) == 0 && onSegment(p, l[i-1], l[i]) {
			return true
		}
	}
	return false
}

// linesCross reports whether two line strings share a point.
func linesCross(l, m orb.LineString) bool {
	if len(l) == 1 {
		return onLine(l[0], m)
	}
	if len(m) == 1 {
		return onLine(m[0], l)
	}
	for i := 1; i < len(l); i++ {
		sb := orb.Bound{Min: l[i-1], Max: l[i-1]}.Extend(l[i])
		for j := 1; j < len(m); j++ {
			if !sb.Intersects(orb.Bound{Min: m[j-1], Max: m[j-1]}.Extend(m[j])) {
				continue
			}
			if segmentsMeet(l[i-1], l[i], m[j-1], m[j]) {
				return true
			}
		}
	}
	return false
}

// inRing reports whether p is inside ring r (even-odd rule) or on it.
func inRing(p orb.Point, r orb.Ring) (inside, boundary bool) {
	n := len(r)
	for i, j := 0, n-1; i < n; j, i = i, i+1 {
		a, b := r[j], r[i]
		if orient(a, b, p) == 0 && onSegment(p, a, b) {
			return true, true
		}
		if (a[1] > p[1]) != (b[1] > p[1]) && p[0] < (b[0]-a[0])*(p[1]-a[1])/(b[1]-a[1])+a[0] {
			inside = !inside
		}
	}
	return inside, false
}

// inPolygon reports whether p lies in polygon poly or on its boundary.
func inPolygon(p orb.Point, poly orb.Polygon) bool {
	in, edge := inRing(p, poly[0])
	if !in || edge {
		return in
	}
	for _, hole := range poly[1:] {
		if in, edge := inRing(p, hole); in && !edge {
			return false
		}
	}
	return true
}

// lineMeetsPolygon reports whether line string l touches or enters poly.
func lineMeetsPolygon(l orb.LineString, poly orb.Polygon) bool {
	if inPolygon(l[0], poly) {
		return true
	}
	for _, r := range poly {
		if linesCross(l, orb.LineString(r)) {
			return true
		}
	}
	return false
}

// polygonsMeet reports whether two polygons share a point: their boundaries
// cross, or one lies inside the other.
func polygonsMeet(a, b orb.Polygon) bool {
	for _, ra := range a {
		for _, rb := range b {
			if linesCross(orb.LineString(ra), orb.LineString(rb)) {
				return true
			}
		}
	}
	return inPolygon(a[0][0], b) || inPolygon(b[0][0], a)
}
