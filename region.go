package kume

import "github.com/paulmach/orb"

// Region is an administrative or statistical area (a province, a district, a
// NUTS region, a Berlin Bezirk) with its boundary.
type Region struct {
	Code   string `json:"code"`             // unique within its level
	Name   string `json:"name"`             // display name
	Level  string `json:"level"`            // e.g. "province", "district", "nuts2"
	Parent string `json:"parent,omitempty"` // code of the enclosing region, if any
	// Geometry is the boundary in WGS84 lon/lat.
	Geometry orb.MultiPolygon  `json:"-"`
	Attrs    map[string]string `json:"attrs,omitempty"`
}

// RegionFilter selects regions.
type RegionFilter struct {
	Level string     // "" for every level
	Codes []string   // empty for every code
	BBox  *orb.Bound // regions whose boundary box intersects this box
}
