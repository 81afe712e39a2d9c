package tiles

import (
	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/layer"
)

// defs are the layer definitions the tile encoder reads (package layer): the
// properties of each layer's features on the tile face, with the public view
// of suppressed aggregates applied, since tiles are public.
type defs struct {
	hex      *layer.Layer[kume.CellStat]
	cluster  *layer.Layer[kume.Cluster]
	region   *layer.Layer[layer.RegionFeature]
	firm     *layer.Layer[kume.Establishment]
	inst     *layer.Layer[kume.Establishment]
	emerging *layer.Layer[layer.EmergingCell]
}

func newDefs() *defs {
	return &defs{hex: layer.HexagonLayer(), cluster: layer.ClusterLayer(), region: layer.RegionLayer(),
		firm: layer.EstablishmentLayer(), inst: layer.InstitutionLayer(), emerging: layer.EmergingLayer()}
}

// appendProps appends x's tile properties in l to props: every property of
// the tile face with a value, as an anonymous caller sees it.
func appendProps[T any](props []prop, l *layer.Layer[T], x *T) []prop {
	l.Each(layer.Tile, true, x, func(p *layer.Property, v any) {
		if pr, ok := tileProp(p.Name, v); ok {
			props = append(props, pr)
		}
	})
	return props
}

// tileProp returns the tile property of a value of package layer's types;
// false for a missing value (nil or a nil *float64), which leaves the
// property out. The encoder drops non-finite numbers.
func tileProp(name string, v any) (prop, bool) {
	switch x := v.(type) {
	case string:
		return pString(name, x), true
	case layer.Cell:
		return pHex(name, uint64(x)), true
	case bool:
		return pBool(name, x), true
	case int:
		return pInt(name, int64(x)), true
	case int64:
		return pInt(name, x), true
	case float64:
		return pFloat(name, x), true
	case *float64:
		if x != nil {
			return pFloat(name, *x), true
		}
	}
	return prop{}, false
}

// hexProps appends the tile properties of a hexagon to props (the general
// path; setHexTags writes the same tags directly).
func (d *defs) hexProps(props []prop, c *kume.CellStat) []prop {
	return appendProps(props, d.hex, c)
}

// clusterProps returns the tile properties of a cluster footprint.
func (d *defs) clusterProps(c *kume.Cluster) []prop {
	return appendProps(nil, d.cluster, c)
}

// regionProps returns the tile properties of a region and, when st is set,
// of its statistics for the sector.
func (d *defs) regionProps(r *kume.Region, st *kume.RegionStat) []prop {
	return appendProps(nil, d.region, &layer.RegionFeature{Region: r, Stat: st})
}
