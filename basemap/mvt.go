package basemap

import (
	"encoding/binary"
	"math"
	"sort"

	"github.com/paulmach/orb"
)

// extent is the tile's coordinate range (MVT 2.1 default).
const extent = 4096

// Geometry types and commands of the MVT 2.1 specification.
const (
	geomPoint   = 1
	geomLine    = 2
	geomPolygon = 3
	cmdMoveTo   = 1
	cmdLineTo   = 2
	cmdClose    = 7
)

// pb appends protocol buffer fields.
type pb []byte

func (b pb) key(field, wire int) pb { return binary.AppendUvarint(b, uint64(field<<3|wire)) }
func (b pb) uvarint(field int, v uint64) pb {
	return binary.AppendUvarint(b.key(field, 0), v)
}
func (b pb) bytes(field int, v []byte) pb {
	b = binary.AppendUvarint(b.key(field, 2), uint64(len(v)))
	return append(b, v...)
}
func (b pb) double(field int, v float64) pb {
	return binary.LittleEndian.AppendUint64(b.key(field, 1), math.Float64bits(v))
}
func (b pb) packed(field int, vs []uint32) pb {
	var inner []byte
	for _, v := range vs {
		inner = binary.AppendUvarint(inner, uint64(v))
	}
	return b.bytes(field, inner)
}

// tileFeature is a feature in tile coordinates (0..extent, y down).
type tileFeature struct {
	kind  int
	geom  []uint32
	props map[string]any
}

// layer encodes one MVT layer.
func encodeLayer(name string, fs []tileFeature) []byte {
	keys := map[string]uint32{}
	var keyList []string
	values := map[any]uint32{}
	var valueList []any
	var feats pb
	for _, f := range fs {
		var tags []uint32
		names := make([]string, 0, len(f.props))
		for k := range f.props {
			names = append(names, k)
		}
		sort.Strings(names)
		for _, k := range names {
			v := f.props[k]
			ki, ok := keys[k]
			if !ok {
				ki = uint32(len(keyList))
				keys[k] = ki
				keyList = append(keyList, k)
			}
			vi, ok := values[v]
			if !ok {
				vi = uint32(len(valueList))
				values[v] = vi
				valueList = append(valueList, v)
			}
			tags = append(tags, ki, vi)
		}
		var fb pb
		if len(tags) > 0 {
			fb = fb.packed(2, tags)
		}
		fb = fb.uvarint(3, uint64(f.kind))
		fb = fb.packed(4, f.geom)
		feats = feats.bytes(2, fb)
	}
	var l pb
	l = l.uvarint(15, 2)
	l = l.bytes(1, []byte(name))
	l = append(l, feats...)
	for _, k := range keyList {
		l = l.bytes(3, []byte(k))
	}
	for _, v := range valueList {
		var vb pb
		switch x := v.(type) {
		case string:
			vb = vb.bytes(1, []byte(x))
		case float64:
			vb = vb.double(3, x)
		}
		l = l.bytes(4, vb)
	}
	l = l.uvarint(5, extent)
	return pb(nil).bytes(3, l)
}

func command(id, count int) uint32 { return uint32(id&7 | count<<3) }
func zigzag(v int64) uint32        { return uint32((v << 1) ^ (v >> 63)) }

// cursor writes geometry commands with coordinates relative to the last point.
type cursor struct {
	g    []uint32
	x, y int64
}

func (c *cursor) to(p [2]int64) {
	c.g = append(c.g, zigzag(p[0]-c.x), zigzag(p[1]-c.y))
	c.x, c.y = p[0], p[1]
}

// round snaps tile coordinates to integers, dropping repeated points.
func round(ps []orb.Point) [][2]int64 {
	out := make([][2]int64, 0, len(ps))
	for _, p := range ps {
		q := [2]int64{int64(math.Round(p[0])), int64(math.Round(p[1]))}
		if n := len(out); n > 0 && out[n-1] == q {
			continue
		}
		out = append(out, q)
	}
	return out
}

func encodePoint(p orb.Point) []uint32 {
	c := cursor{g: []uint32{command(cmdMoveTo, 1)}}
	q := round([]orb.Point{p})[0]
	c.to(q)
	return c.g
}

func encodeLines(ml orb.MultiLineString) []uint32 {
	var c cursor
	for _, ls := range ml {
		q := round(ls)
		if len(q) < 2 {
			continue
		}
		c.g = append(c.g, command(cmdMoveTo, 1))
		c.to(q[0])
		c.g = append(c.g, command(cmdLineTo, len(q)-1))
		for _, p := range q[1:] {
			c.to(p)
		}
	}
	return c.g
}

// encodePolygons writes rings with the exterior clockwise on screen (positive
// area with y down) and holes the other way, as MVT 2.1 asks; rings that
// round to nothing are left out, and so are the holes of a dropped exterior.
func encodePolygons(mp orb.MultiPolygon) []uint32 {
	var c cursor
	for _, pg := range mp {
		for i, r := range pg {
			q := round(r)
			if len(q) > 1 && q[0] == q[len(q)-1] {
				q = q[:len(q)-1]
			}
			a := area(q)
			if len(q) < 3 || a == 0 {
				if i == 0 {
					break
				}
				continue
			}
			if (i == 0) != (a > 0) {
				for l, h := 0, len(q)-1; l < h; l, h = l+1, h-1 {
					q[l], q[h] = q[h], q[l]
				}
			}
			c.g = append(c.g, command(cmdMoveTo, 1))
			c.to(q[0])
			c.g = append(c.g, command(cmdLineTo, len(q)-1))
			for _, p := range q[1:] {
				c.to(p)
			}
			c.g = append(c.g, command(cmdClose, 1))
		}
	}
	return c.g
}

// area is twice the signed area of a ring (shoelace), positive when the ring
// runs clockwise with y pointing down.
func area(q [][2]int64) int64 {
	var s int64
	for i := range q {
		j := (i + 1) % len(q)
		s += q[i][0]*q[j][1] - q[j][0]*q[i][1]
	}
	return s
}
