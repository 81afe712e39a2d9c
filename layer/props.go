package layer

import "math"

// Type is the value type of a property.
type Type string

// Property value types. A Value function returns a string for String, an int
// or int64 for Integer, a float64 or *float64 for Number and a bool for
// Boolean; nil (or a nil *float64) is null in a feature and leaves the
// property out of a tile.
const (
	String  Type = "string"
	Integer Type = "integer"
	Number  Type = "number"
	Boolean Type = "boolean"
)

// Face is a set of the places where a property appears.
type Face uint8

// Faces of a property.
const (
	// Tile is the vector tiles of either encoder and their TileJSON.
	Tile Face = 1 << iota
	// Feature is the GeoJSON and CSV exports (HTTP and "kume export"), OGC
	// API items and the JSON API's feature collections.
	Feature
	// Both is Tile and Feature.
	Both = Tile | Feature
)

// Property describes one property of a layer's features.
type Property struct {
	Name  string
	Type  Type
	Faces Face
	// Identity marks a property that names an aggregate or describes its
	// geometry: the only properties a suppressed aggregate shows an
	// anonymous caller, with suppressed itself (see Withheld).
	Identity bool
	// Description says what the property holds.
	Description string
}

// Cell is the value of a property that holds an H3 cell index; it is written
// as the index's hexadecimal digits.
type Cell uint64

// Field is a property with the function that reads its value from a feature's
// source, a T.
type Field[T any] struct {
	Property
	// Value returns the property's value (see Type).
	Value func(*T) any
	// Tile, when set, gives the property's value in a tile instead of Value
	// (a rounded number, a Cell, nil for an empty string).
	Tile func(*T) any
}

// Layer defines one layer: its name, a description, its fields in order and
// which of its features are suppressed aggregates. Adding a property to a
// layer is adding one Field: every face reads the list.
type Layer[T any] struct {
	Name        string
	Description string
	Fields      []Field[T]
	// Suppressed reports whether a feature is a suppressed aggregate; nil for
	// the layers of establishments, which are not aggregates.
	Suppressed func(*T) bool
}

// Each calls fn, in order, with every property of x that appears on face and
// the value a caller sees: for an anonymous (public) caller, every property of
// a suppressed aggregate that Withheld names is nil.
func (l *Layer[T]) Each(face Face, public bool, x *T, fn func(p *Property, v any)) {
	suppressed := l.Suppressed != nil && l.Suppressed(x)
	for i := range l.Fields {
		f := &l.Fields[i]
		if f.Faces&face == 0 {
			continue
		}
		var v any
		switch {
		case Withheld(&f.Property, public, suppressed):
		case face == Tile && f.Tile != nil:
			v = f.Tile(x)
		default:
			v = f.Value(x)
		}
		fn(&f.Property, v)
	}
}

// Properties returns the properties of the layer that appear on face, in order.
func (l *Layer[T]) Properties(face Face) []Property {
	var out []Property
	for _, f := range l.Fields {
		if f.Faces&face != 0 {
			out = append(out, f.Property)
		}
	}
	return out
}

// Names returns the names of the layer's properties on face, in order: the
// columns of a CSV export.
func (l *Layer[T]) Names(face Face) []string {
	var out []string
	for _, f := range l.Fields {
		if f.Faces&face != 0 {
			out = append(out, f.Name)
		}
	}
	return out
}

// Properties returns the properties of the named layer on face, in order; nil
// for an unknown layer.
func Properties(name string, face Face) []Property {
	switch name {
	case Hexagons:
		return HexagonLayer().Properties(face)
	case Clusters:
		return ClusterLayer().Properties(face)
	case Regions:
		return RegionLayer().Properties(face)
	case Establishments:
		return EstablishmentLayer().Properties(face)
	case Institutions:
		return InstitutionLayer().Properties(face)
	case Emerging:
		return EmergingLayer().Properties(face)
	}
	return nil
}

// Describe returns the description of the named layer ("" for an unknown one).
func Describe(name string) string {
	switch name {
	case Hexagons:
		return HexagonLayer().Description
	case Clusters:
		return ClusterLayer().Description
	case Regions:
		return RegionLayer().Description
	case Establishments:
		return EstablishmentLayer().Description
	case Institutions:
		return InstitutionLayer().Description
	case Emerging:
		return EmergingLayer().Description
	}
	return ""
}

// Names lists every stored layer in a stable order: the collections of the
// OGC API and the layers of export.Each. Emerging, computed on demand, is not
// among them.
func Names() []string {
	return []string{Establishments, Institutions, Hexagons, Clusters, Regions}
}

// Valid reports whether name is a layer.
func Valid(name string) bool {
	switch name {
	case Establishments, Institutions, Hexagons, Clusters, Regions:
		return true
	}
	return false
}

// tenth rounds v to 0.1, halves away from zero: employee totals in tiles.
func tenth(v float64) float64 { return math.Round(v*10) / 10 }
