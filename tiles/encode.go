package tiles

import (
	"math"
	"strconv"

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
	kindHex // a string: the hexadecimal digits of i, as a uint64
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

// pHex is the string property of v's lowercase hexadecimal digits, formatted
// only when the value is new to the layer. Its values are told apart from
// those of pString: use it for keys (like a hexagon's cell) whose strings no
// pString property of the layer repeats, or the values table holds both.
func pHex(k string, v uint64) prop { return prop{key: k, kind: kindHex, i: int64(v)} }

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
	values   []byte // the Value messages, back to back
	valEnd   []int  // where each Value message of values ends
	valIdx   map[valueKey]uint32
	ids      map[uint64]struct{}
	features []byte
	count    int
	tags     []uint32
	geom     []uint32
	ring     [][2]int64 // scratch ring of encodePolygons
}

func newLayerEncoder(name string, extent uint32) *layerEncoder {
	return &layerEncoder{name: name, extent: extent, keyIdx: make(map[string]uint32, 16),
		valIdx: make(map[valueKey]uint32, 256), ids: make(map[uint64]struct{}, 256)}
}

// addPolygon adds a polygon feature whose geometry, in tile coordinates, is
// rounded and oriented as the specification asks. It reports whether anything
// was left to add.
func (l *layerEncoder) addPolygon(id uint64, hasID bool, mp orb.MultiPolygon, props []prop) bool {
	l.geom, l.ring = encodePolygons(l.geom[:0], l.ring, mp)
	if len(l.geom) == 0 {
		return false
	}
	l.addFeature(id, hasID, geomPolygon, props)
	return true
}

// addRing adds a polygon feature of one exterior ring given without its
// closing point, in tile coordinates, as addPolygon would.
func (l *layerEncoder) addRing(id uint64, pts []orb.Point, props []prop) bool {
	l.ring = roundRing(l.ring[:0], pts)
	var ok bool
	l.geom, _, _, ok = appendRing(l.geom[:0], l.ring, true, 0, 0)
	if !ok {
		return false
	}
	l.addFeature(id, true, geomPolygon, props)
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
			vi = uint32(len(l.valEnd))
			l.values = p.appendValue(l.values)
			l.valEnd = append(l.valEnd, len(l.values))
			l.valIdx[vk] = vi
		}
		l.tags = append(l.tags, ki, vi)
	}
	writeID := false
	if hasID {
		if _, dup := l.ids[id]; !dup {
			l.ids[id] = struct{}{}
			writeID = true
		}
	}
	// The Feature message is written in place: its length first.
	tagsLen, geomLen := packedLen(l.tags), packedLen(l.geom)
	n := 1 + varintLen(uint64(tagsLen)) + tagsLen + 2 + 1 + varintLen(uint64(geomLen)) + geomLen
	if writeID {
		n += 1 + varintLen(id)
	}
	f := appendVarint(appendKey(l.features, 2, 2), uint64(n))
	if writeID {
		f = appendVarintField(f, 1, id)
	}
	f = appendPackedLen(f, 2, l.tags, tagsLen)
	f = appendVarintField(f, 3, uint64(typ))
	l.features = appendPackedLen(f, 4, l.geom, geomLen)
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
	start := 0
	for _, end := range l.valEnd {
		b = appendBytesField(b, 4, l.values[start:end])
		start = end
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
	case kindInt, kindBool, kindHex:
		return valueKey{kind: p.kind, n: uint64(p.i)}, true
	}
	return valueKey{}, false
}

// appendValue appends the Value message: string (1), double (3), uint (5) for
// non-negative integers, sint (6) for negative ones, bool (7).
func (p prop) appendValue(b []byte) []byte {
	switch p.kind {
	case kindString:
		b = appendVarint(appendKey(b, 1, 2), uint64(len(p.s)))
		return append(b, p.s...)
	case kindHex:
		var d [16]byte
		digits := strconv.AppendUint(d[:0], uint64(p.i), 16)
		b = appendVarint(appendKey(b, 1, 2), uint64(len(digits)))
		return append(b, digits...)
	case kindDouble:
		b = appendKey(b, 3, 1)
		bits := math.Float64bits(p.f + 0)
		for k := 0; k < 8; k++ {
			b = append(b, byte(bits>>(8*k)))
		}
		return b
	case kindInt:
		if p.i >= 0 {
			return appendVarintField(b, 5, uint64(p.i))
		}
		return appendVarintField(b, 6, uint64(zigzag(p.i)))
	default:
		return appendVarintField(b, 7, uint64(p.i))
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

// packedLen returns the byte length of vs as packed varints.
func packedLen(vs []uint32) int {
	n := 0
	for _, v := range vs {
		n += varintLen(uint64(v))
	}
	return n
}

// appendPackedLen appends vs as a packed field whose payload is n bytes long
// (packedLen(vs)).
func appendPackedLen(b []byte, num int, vs []uint32, n int) []byte {
	b = appendVarint(appendKey(b, num, 2), uint64(n))
	for _, v := range vs {
		if v < 0x80 {
			b = append(b, byte(v))
			continue
		}
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
