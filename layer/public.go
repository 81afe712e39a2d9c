package layer

// The public view of a suppressed aggregate.
//
// An aggregate — a hexagon's cell statistics, a cluster footprint, a region's
// statistics — is suppressed when it fails disclosure control (too few firms,
// or one firm dominating its employment; see docs/METHODS.md). An anonymous
// caller then sees its identity (the properties marked Identity: cell, res and
// sector; id, names, place, sector, res, cells and method; code, name, level, parent and
// sector; for an emerging cell, its pattern too, a public statistic), its
// geometry and suppressed: true, and nothing else: every count,
// statistic, star, flag, institution count, value-chain figure and profile is
// null in a feature or a JSON object and left out of a tile. One rule, applied
// by Layer.Each (tiles of both encoders, exports, OGC items) and MaskJSON (the
// JSON API's objects); a property added to an aggregate is withheld unless it
// is marked Identity.

// Withheld reports whether a caller is denied property p of an aggregate:
// when the caller is anonymous (public), the aggregate suppressed and p not an
// identity property.
func Withheld(p *Property, public, suppressed bool) bool {
	return public && suppressed && !p.Identity
}

// Identity reports whether name is an identity property of the layer (or
// "geometry", which every caller sees).
func (l *Layer[T]) Identity(name string) bool {
	if name == "geometry" {
		return true
	}
	for i := range l.Fields {
		if l.Fields[i].Name == name {
			return l.Fields[i].Identity
		}
	}
	return false
}

// Shown reports whether a caller sees the member name of an aggregate of the
// layer: Withheld applied to a property known by its name only, such as a
// member of a JSON object. An unknown name is not an identity, so it is
// withheld.
func (l *Layer[T]) Shown(name string, public, suppressed bool) bool {
	p := Property{Name: name, Identity: l.Identity(name)}
	return !Withheld(&p, public, suppressed)
}

// MaskJSON sets to null every member of m, the JSON object of an aggregate of
// the layer, that the caller may not see.
func (l *Layer[T]) MaskJSON(m map[string]any, public, suppressed bool) {
	for k := range m {
		if !l.Shown(k, public, suppressed) {
			m[k] = nil
		}
	}
}
