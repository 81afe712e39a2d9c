package mvtcheck

// Geometry commands of the specification (section 4.3).
const (
	cmdMoveTo    = 1
	cmdLineTo    = 2
	cmdClosePath = 7
)

type ring struct {
	pts    [][2]int64
	closed bool
}

// geometry checks one feature's command stream and, for polygons, its rings.
func (c *checker) geometry(tag string, typ uint64, g []uint64) {
	var x, y int64
	var cur ring
	var rings []ring
	first := true
	for i := 0; i < len(g); {
		cmd, cnt := g[i]&7, g[i]>>3
		i++
		switch cmd {
		case cmdMoveTo:
			if typ != typePoint && cnt != 1 {
				c.add("%s: MoveTo count %d in non-point", tag, cnt)
			}
			if typ == typePoint && !first {
				c.add("%s: point has more than one MoveTo", tag)
			}
			if cnt == 0 {
				c.add("%s: MoveTo count 0", tag)
			}
			if uint64(len(g)-i) < 2*cnt {
				c.add("%s: MoveTo count %d exceeds data", tag, cnt)
				return
			}
			if len(cur.pts) > 0 {
				rings = append(rings, cur)
			}
			cur = ring{}
			for k := uint64(0); k < cnt; k++ {
				x += unzigzag(g[i])
				y += unzigzag(g[i+1])
				i += 2
				cur.pts = append(cur.pts, [2]int64{x, y})
			}
		case cmdLineTo:
			if first {
				c.add("%s: LineTo before MoveTo", tag)
			}
			if typ == typePoint {
				c.add("%s: LineTo in point", tag)
			}
			if cnt == 0 {
				c.add("%s: LineTo count 0", tag)
			}
			if uint64(len(g)-i) < 2*cnt {
				c.add("%s: LineTo count %d exceeds data", tag, cnt)
				return
			}
			for k := uint64(0); k < cnt; k++ {
				dx, dy := unzigzag(g[i]), unzigzag(g[i+1])
				i += 2
				if dx == 0 && dy == 0 {
					c.add("%s: zero-length LineTo segment", tag)
				}
				x += dx
				y += dy
				cur.pts = append(cur.pts, [2]int64{x, y})
			}
		case cmdClosePath:
			if typ != typePolygon {
				c.add("%s: ClosePath in non-polygon", tag)
			}
			if cnt != 1 {
				c.add("%s: ClosePath count %d (must be 1)", tag, cnt)
			}
			if first {
				c.add("%s: ClosePath before MoveTo", tag)
			}
			if n := len(cur.pts); n > 0 {
				if n > 1 && cur.pts[0] == cur.pts[n-1] {
					c.add("%s: last point repeats first before ClosePath", tag)
				}
				cur.closed = true
				rings = append(rings, cur)
				cur = ring{}
			}
		default:
			c.add("%s: unknown command %d", tag, cmd)
			return
		}
		first = false
	}
	if len(cur.pts) > 0 {
		rings = append(rings, cur)
	}
	switch typ {
	case typeLineString:
		for _, r := range rings {
			if len(r.pts) < 2 {
				c.add("%s: linestring with < 2 points", tag)
			}
		}
	case typePolygon:
		for ri, r := range rings {
			if !r.closed {
				c.add("%s: ring %d not closed by ClosePath", tag, ri)
			}
			if len(r.pts) < 3 {
				c.add("%s: ring %d has < 3 points", tag, ri)
			}
			a := Area(r.pts)
			if a == 0 {
				c.add("%s: ring %d has zero area", tag, ri)
			}
			if ri == 0 && a < 0 {
				c.add("%s: first ring has negative area (an exterior ring must be clockwise in y-down tile coordinates)", tag)
			}
		}
	}
}

// Area returns twice the signed area of a ring given without its closing point,
// positive for an exterior ring in y-down tile coordinates.
func Area(pts [][2]int64) int64 {
	var a int64
	for j := range pts {
		p, q := pts[j], pts[(j+1)%len(pts)]
		a += p[0]*q[1] - q[0]*p[1]
	}
	return a
}
