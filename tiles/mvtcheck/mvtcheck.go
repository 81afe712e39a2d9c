// Package mvtcheck is a strict checker of Mapbox Vector Tiles (specification
// 2.1). It reads the protobuf bytes itself, because the usual decoders accept
// reversed winding, duplicate ids, duplicate layers and bad tag indexes without
// a word. It checks: not gzip-compressed bytes, layer version 2, unique layer
// names, a positive extent, no duplicate entries in the keys and values tables,
// tag pairs in range with no repeated key, unique feature ids, known geometry
// types, one geometry per feature, a valid command stream (MoveTo, LineTo and
// ClosePath counts, no zero-length segment, no repeated closing point) and
// polygon rings that are closed, have at least three points and a non-zero
// area, with a first (exterior) ring of positive area in y-down tile
// coordinates.
package mvtcheck

import (
	"errors"
	"fmt"
	"math"
)

// Geometry types of the specification.
const (
	typePoint      = 1
	typeLineString = 2
	typePolygon    = 3
)

// Check returns every problem it finds in the tile; nil means the tile is valid.
func Check(tile []byte) []error {
	if len(tile) >= 2 && tile[0] == 0x1f && tile[1] == 0x8b {
		return []error{errors.New("mvtcheck: gzip magic bytes: the tile is gzip-compressed")}
	}
	c := &checker{}
	names := map[string]bool{}
	err := fields(tile, func(num int, wire int, v uint64, b []byte) error {
		if num != 3 {
			return nil
		}
		if wire != 2 {
			return fmt.Errorf("layers field has wire type %d", wire)
		}
		c.layer(b, names)
		return nil
	})
	if err != nil {
		c.add("tile: protobuf parse error: %v", err)
	}
	return c.errs
}

type checker struct{ errs []error }

func (c *checker) add(format string, args ...any) {
	c.errs = append(c.errs, fmt.Errorf("mvtcheck: "+format, args...))
}

type feature struct {
	id    *uint64
	tags  []uint64
	typ   uint64
	geom  []uint64
	ngeom int
}

type layer struct {
	version  uint64
	name     string
	hasName  bool
	extent   uint64
	keys     []string
	values   []string
	features []feature
}

func (c *checker) layer(raw []byte, names map[string]bool) {
	L := layer{version: 1, extent: 4096}
	err := fields(raw, func(num, wire int, v uint64, b []byte) error {
		switch num {
		case 15:
			L.version = v
		case 1:
			L.name, L.hasName = string(b), true
		case 5:
			L.extent = v
		case 3:
			L.keys = append(L.keys, string(b))
		case 4:
			s, err := value(b)
			if err != nil {
				return err
			}
			L.values = append(L.values, s)
		case 2:
			f, err := parseFeature(b)
			if err != nil {
				return err
			}
			L.features = append(L.features, f)
		}
		return nil
	})
	if err != nil {
		c.add("layer %q: parse error: %v", L.name, err)
		return
	}
	ln := L.name
	if !L.hasName || ln == "" {
		c.add("layer without name")
	}
	if names[ln] {
		c.add("duplicate layer name %q", ln)
	}
	names[ln] = true
	if L.version != 2 {
		c.add("%s: version %d (want 2)", ln, L.version)
	}
	if L.extent == 0 || L.extent > math.MaxInt32 {
		c.add("%s: bad extent %d", ln, L.extent)
	}
	if dup(L.keys) {
		c.add("%s: duplicate entries in keys table", ln)
	}
	if dup(L.values) {
		c.add("%s: duplicate entries in values table", ln)
	}
	if len(L.features) == 0 {
		c.add("%s: empty layer", ln)
	}
	ids := map[uint64]bool{}
	for i, f := range L.features {
		tag := fmt.Sprintf("%s#%d", ln, i)
		if f.id != nil {
			if ids[*f.id] {
				c.add("%s: duplicate id %d", tag, *f.id)
			}
			ids[*f.id] = true
		}
		c.tags(tag, f.tags, len(L.keys), len(L.values))
		if f.typ < typePoint || f.typ > typePolygon {
			c.add("%s: geometry type %d (UNKNOWN or invalid)", tag, f.typ)
		}
		if f.ngeom != 1 {
			c.add("%s: %d geometry fields", tag, f.ngeom)
		}
		if f.geom != nil {
			c.geometry(tag, f.typ, f.geom)
		}
	}
}

func (c *checker) tags(tag string, tags []uint64, nkeys, nvalues int) {
	if len(tags)%2 != 0 {
		c.add("%s: odd tags length", tag)
	}
	seen := map[uint64]bool{}
	for k := 0; k+1 < len(tags); k += 2 {
		if seen[tags[k]] {
			c.add("%s: repeated key index in tags", tag)
		}
		seen[tags[k]] = true
		if tags[k] >= uint64(nkeys) {
			c.add("%s: key index %d out of range", tag, tags[k])
		}
		if tags[k+1] >= uint64(nvalues) {
			c.add("%s: value index %d out of range", tag, tags[k+1])
		}
	}
}

func dup(s []string) bool {
	seen := make(map[string]bool, len(s))
	for _, v := range s {
		if seen[v] {
			return true
		}
		seen[v] = true
	}
	return false
}

func parseFeature(b []byte) (feature, error) {
	var f feature
	err := fields(b, func(num, wire int, v uint64, p []byte) error {
		switch num {
		case 1:
			id := v
			f.id = &id
		case 2:
			t, err := packed(wire, v, p)
			if err != nil {
				return err
			}
			f.tags = append(f.tags, t...)
		case 3:
			f.typ = v
		case 4:
			g, err := packed(wire, v, p)
			if err != nil {
				return err
			}
			f.ngeom++
			f.geom = g
			if f.geom == nil {
				f.geom = []uint64{}
			}
		}
		return nil
	})
	return f, err
}

// value renders a Value message as a typed string so equal values compare equal.
func value(b []byte) (string, error) {
	var s string
	err := fields(b, func(num, wire int, v uint64, p []byte) error {
		switch num {
		case 1:
			s = "s:" + string(p)
		case 2:
			s = fmt.Sprintf("f:%v", math.Float32frombits(uint32(v)))
		case 3:
			s = fmt.Sprintf("d:%v", math.Float64frombits(v))
		case 4:
			s = fmt.Sprintf("i:%d", int64(v))
		case 5:
			s = fmt.Sprintf("u:%d", v)
		case 6:
			s = fmt.Sprintf("z:%d", unzigzag(v))
		case 7:
			s = fmt.Sprintf("b:%v", v != 0)
		default:
			return fmt.Errorf("value has unknown field %d", num)
		}
		return nil
	})
	return s, err
}

func unzigzag(v uint64) int64 { return int64(v>>1) ^ -int64(v&1) }
