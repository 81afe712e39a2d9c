package cql2

import (
	"strings"

	"github.com/paulmach/orb"
)

// geometry parses a WKT geometry literal at the current keyword. A Z after
// the keyword is allowed; a third coordinate is read and dropped, whether or
// not a Z announced it.
func (p *textParser) geometry() orb.Geometry {
	p.enter()
	defer p.leave()
	kw := strings.ToUpper(p.tok.text)
	pos := p.tok.pos
	p.advance()
	if p.kw("Z") {
		p.advance()
	}
	if p.kw("EMPTY") {
		p.fail("empty geometries are not supported")
	}
	var g orb.Geometry
	switch kw {
	case "POINT":
		p.expect("(")
		g = p.position()
		p.expect(")")
	case "LINESTRING":
		g = p.line(pos)
	case "POLYGON":
		g = p.polygon(pos)
	case "MULTIPOINT":
		var mp orb.MultiPoint
		p.expect("(")
		for {
			if p.punct("(") { // MULTIPOINT((1 2), (3 4))
				p.advance()
				mp = append(mp, p.position())
				p.expect(")")
			} else { // MULTIPOINT(1 2, 3 4)
				mp = append(mp, p.position())
			}
			if !p.comma() {
				break
			}
		}
		p.expect(")")
		g = mp
	case "MULTILINESTRING":
		var ml orb.MultiLineString
		p.expect("(")
		for {
			ml = append(ml, p.line(pos))
			if !p.comma() {
				break
			}
		}
		p.expect(")")
		g = ml
	case "MULTIPOLYGON":
		var mp orb.MultiPolygon
		p.expect("(")
		for {
			mp = append(mp, p.polygon(pos))
			if !p.comma() {
				break
			}
		}
		p.expect(")")
		g = mp
	case "GEOMETRYCOLLECTION":
		var c orb.Collection
		p.expect("(")
		for {
			if p.tok.kind != tokIdent || !geometryKeyword(strings.ToUpper(p.tok.text)) {
				p.fail("expected a geometry in GEOMETRYCOLLECTION, found %s", p.describe())
			}
			c = append(c, p.geometry())
			if !p.comma() {
				break
			}
		}
		p.expect(")")
		g = c
	}
	return g
}

// geometryKeyword reports whether an upper-case word starts a WKT geometry.
func geometryKeyword(up string) bool {
	switch up {
	case "POINT", "LINESTRING", "POLYGON", "MULTIPOINT", "MULTILINESTRING", "MULTIPOLYGON", "GEOMETRYCOLLECTION":
		return true
	}
	return false
}

// comma consumes a comma and reports whether there was one.
func (p *textParser) comma() bool {
	if p.punct(",") {
		p.advance()
		return true
	}
	return false
}

// position parses "x y" or "x y z" (z dropped).
func (p *textParser) position() orb.Point {
	x := p.signedNumber()
	y := p.signedNumber()
	if p.tok.kind == tokNumber || p.punct("-") || p.punct("+") {
		p.signedNumber()
	}
	return orb.Point{x, y}
}

// positions parses "(x y, x y, ...)".
func (p *textParser) positions() []orb.Point {
	p.expect("(")
	pts := []orb.Point{p.position()}
	for p.comma() {
		pts = append(pts, p.position())
	}
	p.expect(")")
	return pts
}

func (p *textParser) line(pos int) orb.LineString {
	l := orb.LineString(p.positions())
	if err := checkLine(l); err != nil {
		panic(&Error{Pos: pos, Msg: err.Msg})
	}
	return l
}

func (p *textParser) polygon(pos int) orb.Polygon {
	var poly orb.Polygon
	p.expect("(")
	for {
		r := orb.Ring(p.positions())
		if err := checkRing(r); err != nil {
			panic(&Error{Pos: pos, Msg: err.Msg})
		}
		poly = append(poly, r)
		if !p.comma() {
			break
		}
	}
	p.expect(")")
	return poly
}
