package cql2

import (
	"github.com/paulmach/orb"
)

// geomOperand compiles an operand of a spatial function: a geometry
// queryable, a geometry literal or a bounding box.
func (c compiler) geomOperand(fn string, e Expr) (func(Feature) *shape, error) {
	switch e := e.(type) {
	case *Property:
		t, err := c.property(e.Name)
		if err != nil {
			return nil, err
		}
		if t != TypeGeometry {
			return nil, errorf("%s needs geometries; property %s is a %s", fn, e.Name, t)
		}
		return func(f Feature) *shape { return newShape(f.Geometry()) }, nil
	case *Geometry:
		s := newShape(e.Geom)
		return func(Feature) *shape { return s }, nil
	case *BBox:
		s := newShape(bboxGeometry(e))
		return func(Feature) *shape { return s }, nil
	case *Call:
		return nil, c.function(e)
	}
	return nil, errorf("%s cannot take %s", fn, describe(e))
}

// spatial compiles S_INTERSECTS; the other spatial functions are not offered.
func (c compiler) spatial(e *Call) (pred, error) {
	if e.Op != "s_intersects" {
		return nil, unsupported(displayName(e.Op))
	}
	a, err := c.geomOperand("S_INTERSECTS", e.Args[0])
	if err != nil {
		return nil, err
	}
	b, err := c.geomOperand("S_INTERSECTS", e.Args[1])
	if err != nil {
		return nil, err
	}
	return func(f Feature) tri {
		sa, sb := a(f), b(f)
		if sa == nil || sb == nil {
			return triNull
		}
		return truth(intersects(sa, sb))
	}, nil
}

// literalBound returns the box of a geometry or bounding box literal (false
// for a box across the antimeridian, which no single box holds).
func literalBound(e Expr) (orb.Bound, bool) {
	switch e := e.(type) {
	case *Geometry:
		return e.Geom.Bound(), true
	case *BBox:
		if e.West <= e.East {
			return bboxGeometry(e).Bound(), true
		}
	}
	return orb.Bound{}, false
}

// impliedBound returns a box that the geometry of every feature matching e
// intersects: that of a literal S_INTERSECTS tests the geometry against, the
// intersection of such boxes under AND, their union under OR.
func impliedBound(e Expr, q Queryables) (orb.Bound, bool) {
	switch e := e.(type) {
	case *Call:
		if e.Op != "s_intersects" || len(e.Args) != 2 {
			return orb.Bound{}, false
		}
		for i, a := range e.Args {
			if p, ok := a.(*Property); ok && q[p.Name] == TypeGeometry {
				return literalBound(e.Args[1-i])
			}
		}
	case *Logical:
		var out orb.Bound
		found := false
		for _, a := range e.Args {
			b, ok := impliedBound(a, q)
			switch {
			case !ok && e.Op == "or":
				return orb.Bound{}, false
			case !ok:
				continue
			case !found:
				out, found = b, true
			case e.Op == "or":
				out = out.Union(b)
			default:
				out = orb.Bound{
					Min: orb.Point{max(out.Min[0], b.Min[0]), max(out.Min[1], b.Min[1])},
					Max: orb.Point{min(out.Max[0], b.Max[0]), min(out.Max[1], b.Max[1])},
				}
			}
		}
		return out, found
	}
	return orb.Bound{}, false
}
