package tiles

import (
	"math"
	"slices"
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

// smallInts is how many non-negative integer values (counts, bins,
// resolutions) a layer looks up in an array rather than a map.
const smallInts = 256

// layerEncoder writes one MVT layer (version 2). It keeps the keys and values
// tables free of duplicates and feature ids unique: a feature whose id is
// already in the layer is written without an id. A feature's geometry is set
// first (setPolygons, setRing), then its tags (setProps, setHexTags), which may
// add values to the tables, and then addFeature writes it. An encoder is
// reused between tiles (reset), so that its tables and buffers keep their
// capacity.
type layerEncoder struct {
	name     string
	extent   uint32
	keys     []string
	keyIdx   map[string]uint32  // when there are many keys
	hexKey   [numHexKeys]uint32 // key index + 1 of the hexagon keys
	values   []byte             // the Value messages, back to back
	valEnd   []int              // where each Value message of values ends
	strIdx   map[string]uint32
	numIdx   [kindHex + 1]map[uint64]uint32 // by kind: double bits, int, bool, hex
	small    [smallInts]uint32              // value index + 1 of small integers
	bools    [2]uint32                      // value index + 1 of false and true
	ids      map[uint64]struct{}
	features []byte
	count    int
	tags     []uint32
	geom     []uint32
	ring     [][2]int64 // scratch ring of encodePolygons
}

func newLayerEncoder(name string, extent uint32) *layerEncoder {
	l := &layerEncoder{keyIdx: make(map[string]uint32), strIdx: make(map[string]uint32),
		ids: make(map[uint64]struct{}, 256)}
	for k := range l.numIdx {
		l.numIdx[k] = make(map[uint64]uint32)
	}
	l.reset(name, extent)
	return l
}

// reset empties the encoder for a new layer, keeping its capacity.
func (l *layerEncoder) reset(name string, extent uint32) {
	l.name, l.extent = name, extent
	l.keys, l.values, l.valEnd = l.keys[:0], l.values[:0], l.valEnd[:0]
	l.features, l.count = l.features[:0], 0
	clear(l.keyIdx)
	clear(l.strIdx)
	for _, m := range l.numIdx {
		clear(m)
	}
	clear(l.ids)
	l.hexKey, l.small, l.bools = [numHexKeys]uint32{}, [smallInts]uint32{}, [2]uint32{}
}

// addPolygon adds a polygon feature with props whose geometry, in tile
// coordinates, is rounded and oriented as the specification asks. It reports
// whether anything was left to add.
func (l *layerEncoder) addPolygon(id uint64, hasID bool, mp orb.MultiPolygon, props []prop) bool {
	if !l.setPolygons(mp) {
		return false
	}
	l.setProps(props)
	l.addFeature(id, hasID, geomPolygon)
	return true
}

// setPolygons sets the geometry of the next feature to mp, as addPolygon
// writes it, and reports whether anything was left.
func (l *layerEncoder) setPolygons(mp orb.MultiPolygon) bool {
	l.geom, l.ring = encodePolygons(l.geom[:0], l.ring, mp)
	return len(l.geom) > 0
}

// setRing sets the geometry of the next feature to a polygon of one exterior
// ring given without its closing point, in tile coordinates, as setPolygons
// would, and reports whether anything was left.
func (l *layerEncoder) setRing(pts []orb.Point) bool {
	l.ring = roundRing(l.ring[:0], pts)
	return l.setRounded()
}

// setRounded is setRing for the ring already rounded into l.ring, without
// repeated or closing points.
func (l *layerEncoder) setRounded() bool {
	var ok bool
	l.geom, _, _, ok = appendRing(l.geom[:0], l.ring, true, 0, 0)
	return ok
}

// addPoint adds a point feature at tile coordinates p.
func (l *layerEncoder) addPoint(id uint64, hasID bool, p orb.Point, props []prop) {
	l.setProps(props)
	x, y := int64(math.Round(p[0])), int64(math.Round(p[1]))
	l.geom = append(l.geom[:0], command(cmdMoveTo, 1), zigzag(x), zigzag(y))
	l.addFeature(id, hasID, geomPoint)
}

// setProps sets the tags of the next feature from props; values MVT cannot
// carry are left out.
func (l *layerEncoder) setProps(props []prop) {
	l.tags = l.tags[:0]
	for _, p := range props {
		switch p.kind {
		case kindString:
			l.tagString(l.key(p.key), p.s)
		case kindDouble:
			if finite(p.f) {
				l.tagFloat(l.key(p.key), p.f)
			}
		case kindInt:
			l.tagInt(l.key(p.key), p.i)
		case kindBool:
			l.tagBool(l.key(p.key), p.i != 0)
		case kindHex:
			l.tagHex(l.key(p.key), uint64(p.i))
		}
	}
}

// key returns the index of key k, adding it to the keys table when new.
func (l *layerEncoder) key(k string) uint32 {
	if len(l.keys) <= 16 {
		for i, s := range l.keys {
			if s == k {
				return uint32(i)
			}
		}
	} else if i, ok := l.keyIdx[k]; ok {
		return i
	}
	i := uint32(len(l.keys))
	l.keys = append(l.keys, k)
	l.keyIdx[k] = i
	return i
}

// endValue ends the Value message just appended to l.values and returns its
// index.
func (l *layerEncoder) endValue() uint32 {
	l.valEnd = append(l.valEnd, len(l.values))
	return uint32(len(l.valEnd) - 1)
}

// tagNum adds a tag of key index k whose value, of a numeric kind, has bits n;
// appendValue appends its Value message.
func (l *layerEncoder) tagNum(k uint32, kind propKind, n uint64, appendValue func([]byte, uint64) []byte) {
	m := l.numIdx[kind]
	vi, ok := m[n]
	if !ok {
		l.values = appendValue(l.values, n)
		vi = l.endValue()
		m[n] = vi
	}
	l.tags = append(l.tags, k, vi)
}

// finite reports whether f is neither NaN nor ±Inf: MVT cannot carry those.
func finite(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }

// tagFloat adds a number tag of a finite f; -0 is 0.
func (l *layerEncoder) tagFloat(k uint32, f float64) {
	l.tagNum(k, kindDouble, math.Float64bits(f+0), appendDouble)
}

// tagInt adds an integer tag.
func (l *layerEncoder) tagInt(k uint32, i int64) {
	if i >= 0 && i < smallInts {
		if l.small[i] == 0 {
			l.values = appendVarintField(l.values, 5, uint64(i))
			l.small[i] = l.endValue() + 1
		}
		l.tags = append(l.tags, k, l.small[i]-1)
		return
	}
	l.tagNum(k, kindInt, uint64(i), appendInt)
}

// tagBool adds a boolean tag.
func (l *layerEncoder) tagBool(k uint32, v bool) {
	var n uint64
	if v {
		n = 1
	}
	if l.bools[n] == 0 {
		l.values = appendVarintField(l.values, 7, n)
		l.bools[n] = l.endValue() + 1
	}
	l.tags = append(l.tags, k, l.bools[n]-1)
}

// tagHex adds a string tag of v's lowercase hexadecimal digits, formatted only
// when the value is new to the layer. Its values are told apart from those of
// tagString: use it for keys (like a hexagon's cell) whose strings no string
// tag of the layer repeats, or the values table holds both.
func (l *layerEncoder) tagHex(k uint32, v uint64) { l.tagNum(k, kindHex, v, appendHex) }

// tagString adds a string tag.
func (l *layerEncoder) tagString(k uint32, s string) {
	vi, ok := l.strIdx[s]
	if !ok {
		l.values = append(appendVarint(appendKey(l.values, 1, 2), uint64(len(s))), s...)
		vi = l.endValue()
		l.strIdx[s] = vi
	}
	l.tags = append(l.tags, k, vi)
}

// appendDouble appends the Value message of a double (field 3) of bits n.
func appendDouble(b []byte, n uint64) []byte {
	b = appendKey(b, 3, 1)
	return append(b, byte(n), byte(n>>8), byte(n>>16), byte(n>>24), byte(n>>32), byte(n>>40), byte(n>>48), byte(n>>56))
}

// appendInt appends the Value message of the integer n: uint (5) when it is
// not negative, sint (6) otherwise.
func appendInt(b []byte, n uint64) []byte {
	if i := int64(n); i < 0 {
		return appendVarintField(b, 6, uint64(zigzag(i)))
	}
	return appendVarintField(b, 5, n)
}

// appendHex appends the Value message of the string of n's hexadecimal digits.
func appendHex(b []byte, n uint64) []byte {
	var d [16]byte
	digits := strconv.AppendUint(d[:0], n, 16)
	b = appendVarint(appendKey(b, 1, 2), uint64(len(digits)))
	return append(b, digits...)
}

// addFeature writes a feature of the geometry and tags set.
func (l *layerEncoder) addFeature(id uint64, hasID bool, typ uint32) {
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
	n := bytesFieldLen(len(l.name)) + len(l.features)
	for _, k := range l.keys {
		n += bytesFieldLen(len(k))
	}
	start := 0
	for _, end := range l.valEnd {
		n += bytesFieldLen(end - start)
		start = end
	}
	n += 1 + varintLen(uint64(l.extent)) + 2
	b := slices.Grow(tile, 1+varintLen(uint64(n))+n)
	b = appendVarint(appendKey(b, 3, 2), uint64(n))
	b = appendBytesField(b, 1, []byte(l.name))
	b = append(b, l.features...)
	for _, k := range l.keys {
		b = appendBytesField(b, 3, []byte(k))
	}
	start = 0
	for _, end := range l.valEnd {
		b = appendBytesField(b, 4, l.values[start:end])
		start = end
	}
	b = appendVarintField(b, 5, uint64(l.extent))
	return appendVarintField(b, 15, 2)
}

// bytesFieldLen is the encoded length of a bytes field (number below 16) of n
// bytes.
func bytesFieldLen(n int) int { return 1 + varintLen(uint64(n)) + n }

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
