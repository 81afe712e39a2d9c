package ingest

import (
	"context"
	"fmt"
	"math"

	"github.com/kume-geo/kume"
)

// Areas is, coarsely, the land the stored regions cover: the 1° × 1° cells
// that their bounding boxes touch. It is the reference that tells a file
// whose latitude and longitude columns are swapped as a whole: swapped point
// by point, such a file still looks consistent with itself, but its points lie
// outside every loaded region and inside them once swapped.
type Areas struct {
	cells map[degreeCell]struct{}
}

// maxAreaBox is the largest region box, in degrees of latitude or longitude,
// that Areas marks: a larger region (a continent, a box crossing the
// antimeridian) would say nothing of where the data may lie.
const maxAreaBox = 30

// NewAreas marks the cells of the regions' boxes. It returns nil when no
// region is usable.
func NewAreas(regions []kume.Region) *Areas {
	a := &Areas{cells: map[degreeCell]struct{}{}}
	for i := range regions {
		if len(regions[i].Geometry) == 0 {
			continue
		}
		b := regions[i].Geometry.Bound()
		if b.Max[0]-b.Min[0] > maxAreaBox || b.Max[1]-b.Min[1] > maxAreaBox || !validLonLat(b.Min[0], b.Min[1]) || !validLonLat(b.Max[0], b.Max[1]) {
			continue
		}
		for x := math.Floor(b.Min[0]); x <= b.Max[0]; x++ {
			for y := math.Floor(b.Min[1]); y <= b.Max[1]; y++ {
				a.cells[cellOfDegrees(x, y)] = struct{}{}
			}
		}
	}
	if len(a.cells) == 0 {
		return nil
	}
	return a
}

// Contains reports whether lon/lat lies in a cell of the areas.
func (a *Areas) Contains(lon, lat float64) bool {
	if a == nil || !validLonLat(lon, lat) {
		return false
	}
	_, ok := a.cells[cellOfDegrees(lon, lat)]
	return ok
}

// LoadAreas builds Areas from every stored region; nil when there are none.
func LoadAreas(ctx context.Context, st kume.RegionStore) (*Areas, error) {
	rs, err := st.Regions(ctx, kume.RegionFilter{})
	if err != nil {
		return nil, fmt.Errorf("ingest: loading regions: %w", err)
	}
	return NewAreas(rs), nil
}

// fileCheck counts, for one source, where its accepted geographic points lie
// as given and as swapped relative to the stored regions.
type fileCheck struct {
	name           string
	points         int
	given, swapped int
	latCol, lonCol string
}

// swappedFileShare is the share of a file's points that must lie outside the
// regions as given and inside them swapped (and the reverse share at most)
// for the whole file to count as swapped.
const swappedFileShare = 0.8

// count adds one accepted point.
func (f *fileCheck) count(a *Areas, lon, lat float64) {
	f.points++
	if a.Contains(lon, lat) {
		f.given++
	}
	if a.Contains(lat, lon) {
		f.swapped++
	}
}

// verdict returns why the file's columns look swapped, or "" when they do
// not.
func (f *fileCheck) verdict() string {
	if f.points < minExtentPoints || float64(f.swapped) < swappedFileShare*float64(f.points) ||
		float64(f.given) > (1-swappedFileShare)*float64(f.points) {
		return ""
	}
	fix := ""
	if f.latCol != "" && f.lonCol != "" {
		fix = fmt.Sprintf("; if so, map them the other way: --map lat=%s --map lon=%s", f.lonCol, f.latCol)
	}
	return fmt.Sprintf("%s: latitude and longitude appear swapped in the whole file: of its %d accepted points %d lie within the loaded regions as given and %d once swapped%s",
		f.name, f.points, f.given, f.swapped, fix)
}
