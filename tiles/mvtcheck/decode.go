package mvtcheck

import (
	"fmt"
	"math"
)

// Layer is a decoded layer, for tests that look at a tile's content.
type Layer struct {
	Name     string
	Version  uint64
	Extent   uint64
	Features []Feature
}

// Feature is a decoded feature. Props map keys to string, float64, int64,
// uint64 or bool values. Points holds a point feature's points; Rings holds
// the rings (or lines) of other geometries, without closing points.
type Feature struct {
	ID     *uint64
	Type   uint64
	Props  map[string]any
	Points [][2]int64
	Rings  [][][2]int64
}

// Decode decodes a tile without checking it (see Check).
func Decode(tile []byte) ([]Layer, error) {
	var out []Layer
	err := fields(tile, func(num, wire int, v uint64, b []byte) error {
		if num != 3 {
			return nil
		}
		L := Layer{Version: 1, Extent: 4096}
		var keys []string
		var values []any
		var raw []feature
		err := fields(b, func(num, wire int, v uint64, p []byte) error {
			switch num {
			case 15:
				L.Version = v
			case 1:
				L.Name = string(p)
			case 5:
				L.Extent = v
			case 3:
				keys = append(keys, string(p))
			case 4:
				x, err := typedValue(p)
				values = append(values, x)
				return err
			case 2:
				f, err := parseFeature(p)
				raw = append(raw, f)
				return err
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, f := range raw {
			F := Feature{ID: f.id, Type: f.typ, Props: map[string]any{}}
			for k := 0; k+1 < len(f.tags); k += 2 {
				if f.tags[k] >= uint64(len(keys)) || f.tags[k+1] >= uint64(len(values)) {
					return fmt.Errorf("tag index out of range")
				}
				F.Props[keys[f.tags[k]]] = values[f.tags[k+1]]
			}
			F.Points, F.Rings = decodeGeometry(f.geom, f.typ)
			L.Features = append(L.Features, F)
		}
		out = append(out, L)
		return nil
	})
	return out, err
}

func typedValue(b []byte) (any, error) {
	var x any
	err := fields(b, func(num, wire int, v uint64, p []byte) error {
		switch num {
		case 1:
			x = string(p)
		case 2:
			x = float64(math.Float32frombits(uint32(v)))
		case 3:
			x = math.Float64frombits(v)
		case 4:
			x = int64(v)
		case 5:
			x = v
		case 6:
			x = unzigzag(v)
		case 7:
			x = v != 0
		}
		return nil
	})
	return x, err
}

// decodeGeometry decodes a command stream leniently.
func decodeGeometry(g []uint64, typ uint64) ([][2]int64, [][][2]int64) {
	var x, y int64
	var pts [][2]int64
	var rings [][][2]int64
	var cur [][2]int64
	for i := 0; i < len(g); {
		cmd, cnt := g[i]&7, int(g[i]>>3)
		i++
		switch cmd {
		case cmdMoveTo, cmdLineTo:
			if cmd == cmdMoveTo && len(cur) > 0 {
				rings = append(rings, cur)
				cur = nil
			}
			for k := 0; k < cnt && i+1 < len(g); k++ {
				x += unzigzag(g[i])
				y += unzigzag(g[i+1])
				i += 2
				if typ == typePoint {
					pts = append(pts, [2]int64{x, y})
				} else {
					cur = append(cur, [2]int64{x, y})
				}
			}
		case cmdClosePath:
			rings = append(rings, cur)
			cur = nil
		default:
			return pts, rings
		}
	}
	if len(cur) > 0 {
		rings = append(rings, cur)
	}
	return pts, rings
}
