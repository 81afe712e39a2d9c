package tiles

import (
	"math"

	"github.com/paulmach/orb"
)

// Geometry types and commands of the MVT 2.1 specification.
const (
	geomPoint   = 1
	geomPolygon = 3

	cmdMoveTo    = 1
	cmdLineTo    = 2
	cmdClosePath = 7
)

// propKind tells which Value field a property uses.
type propKind uint8

const (
	kindString propKind = iota + 1
	kindDouble
	kindInt
	kindBool
)

// prop is one feature property. Values that MVT cannot carry (NaN, ±Inf) are
// dropped by the encoder; a missing value (JSON null) is an absent property.
type prop struct {
	key  string
	kind propKind
	s    string
	f    float64
	i    int64
}

func pString(k, v string) prop        { return prop{key: k, kind: kindString, s: v} }
func pFloat(k string, v float64) prop { return prop{key: k, kind: kindDouble, f: v} }
func pInt(k string, v int64) prop     { return prop{key: k, kind: kindInt, i: v} }
func pBool(k string, v bool) prop {
	p := prop{key: k, kind: kindBool}
	if v {
		p.i = 1
	}
	return p
}

// valueKey identifies a value in a layer's values table.
type valueKey struct {
	kind propKind
	s    string
	n    uint64
}

// layerEncoder writes one MVT layer (version 2). It keeps the keys and values
// tables free of duplicates and feature ids unique: a feature whose id is
// already in the layer is written without an id.
type layerEncoder struct {
	name     string
	extent   uint32
	keys     []string
	keyIdx   map[string]uint32
	values   [][]byte
	valIdx   map[valueKey]uint32
	ids      map[uint64]struct{}
	features []byte
	count    int
	tags     []uint32
	geom     []uint32
}

func newLayerEncoder(name string, extent uint32) *layerEncoder {
	return &layerEncoder{name: name, extent: extent, keyIdx: map[string]uint32{},
		valIdx: map[valueKey]uint32{}, ids: map[uint64]struct{}{}}
}

// addPolygon adds a polygon feature whose geometry, in tile coordinates, is
// rounded and oriented as the specification asks. It reports whether anything
// was left to add.
func (l *layerEncoder) addPolygon(id uint64, hasID bool, mp orb.MultiPolygon, props []prop) bool {
	l.geom = encodePolygons(l.geom[:0], mp)
	if len(l.geom) == 0 {
		return false
	}
	l.addFeature(id, hasID, geomPolygon, props)
	return true
}

// addPoint adds a point feature at tile coordinates p.
func (l *layerEncoder) addPoint(id uint64, hasID bool, p orb.Point, props []prop) {
	x, y := int64(math.Round(p[0])), int64(math.Round(p[1]))
	l.geom = append(l.geom[:0], command(cmdMoveTo, 1), zigzag(x), zigzag(y))
	l.addFeature(id, hasID, geomPoint, props)
}

func (l *layerEncoder) addFeature(id uint64, hasID bool, typ uint32, props []prop) {
	l.tags = l.tags[:0]
	for _, p := range props {
		vk, ok := p.valueKey()
		if !ok {
			continue
		}
		ki, ok := l.keyIdx[p.key]
		if !ok {
			ki = uint32(len(l.keys))
			l.keys = append(l.keys, p.key)
			l.keyIdx[p.key] = ki
		}
		vi, ok := l.valIdx[vk]
		if !ok {
			vi = uint32(len(l.values))
			l.values = append(l.values, p.encodeValue())
			l.valIdx[vk] = vi
		}
		l.tags = append(l.tags, ki, vi)
	}
	var f []byte
	if hasID {
		if _, dup := l.ids[id]; !dup {
			l.ids[id] = struct{}{}
			f = appendVarintField(f, 1, id)
		}
	}
	f = appendPacked(f, 2, l.tags)
	f = appendVarintField(f, 3, uint64(typ))
	f = appendPacked(f, 4, l.geom)
	l.features = appendBytesField(l.features, 2, f)
	l.count++
}

// appendTo appends the layer as field 3 of a Tile message; an empty layer is
// left out.
func (l *layerEncoder) appendTo(tile []byte) []byte {
	if l.count == 0 {
		return tile
	}
	var b []byte
	b = appendBytesField(b, 1, []byte(l.name))
	b = append(b, l.features...)
	for _, k := range l.keys {
		b = appendBytesField(b, 3, []byte(k))
	}
	for _, v := range l.values {
		b = appendBytesField(b, 4, v)
	}
	b = appendVarintField(b, 5, uint64(l.extent))
	b = appendVarintField(b, 15, 2)
	return appendBytesField(tile, 3, b)
}

func (p prop) valueKey() (valueKey, bool) {
	switch p.kind {
	case kindString:
		return valueKey{kind: kindString, s: p.s}, true
	case kindDouble:
		if math.IsNaN(p.f) || math.IsInf(p.f, 0) {
			return valueKey{}, false
		}
		if p.f == 0 {
			p.f = 0 // one zero, not two
		}
		return valueKey{kind: kindDouble, n: math.Float64bits(p.f)}, true
	case kindInt, kindBool:
		return valueKey{kind: p.kind, n: uint64(p.i)}, true
	}
	return valueKey{}, false
}

// encodeValue returns the Value message: string (1), double (3), uint (5) for
// non-negative integers, sint (6) for negative ones, bool (7).
func (p prop) encodeValue() []byte {
	switch p.kind {
	case kindString:
		return appendBytesField(nil, 1, []byte(p.s))
	case kindDouble:
		b := appendKey(nil, 3, 1)
		bits := math.Float64bits(p.f + 0)
		for k := 0; k < 8; k++ {
			b = append(b, byte(bits>>(8*k)))
		}
		return b
	case kindInt:
		if p.i >= 0 {
			return appendVarintField(nil, 5, uint64(p.i))
		}
		return appendVarintField(nil, 6, uint64(zigzag(p.i)))
	default:
		return appendVarintField(nil, 7, uint64(p.i))
	}
}

func command(id, count uint32) uint32 { return id&7 | count<<3 }

func zigzag(v int64) uint32 { return uint32((v << 1) ^ (v >> 63)) }

func appendKey(b []byte, num, wire int) []byte { return appendVarint(b, uint64(num<<3|wire)) }

func appendVarint(b []byte, v uint64) []byte {
	for v >= 0x80 {
		b = append(b, byte(v)|0x80)
		v >>= 7
	}
	return append(b, byte(v))
}

func appendVarintField(b []byte, num int, v uint64) []byte {
	return appendVarint(appendKey(b, num, 0), v)
}

func appendBytesField(b []byte, num int, p []byte) []byte {
	b = appendVarint(appendKey(b, num, 2), uint64(len(p)))
	return append(b, p...)
}

func appendPacked(b []byte, num int, vs []uint32) []byte {
	n := 0
	for _, v := range vs {
		n += varintLen(uint64(v))
	}
	b = appendVarint(appendKey(b, num, 2), uint64(n))
	for _, v := range vs {
		b = appendVarint(b, uint64(v))
	}
	return b
}

func varintLen(v uint64) int {
	n := 1
	for v >= 0x80 {
		v >>= 7
		n++
	}
	return n
}
