package postgis

import (
	"github.com/uber/h3-go/v4"
)

// cellCentre returns the centre (lon, lat) of an H3 cell, or nils when cell is
// not a valid H3 index. Cell statistics store it so tile queries can select
// the cells of a bounding box with a spatial index.
func cellCentre(cell uint64) (lon, lat *float64) {
	c := h3.Cell(int64(cell))
	if !c.IsValid() {
		return nil, nil
	}
	ll := c.LatLng()
	return &ll.Lng, &ll.Lat
}
