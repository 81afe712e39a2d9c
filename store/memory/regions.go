package memory

import (
	"cmp"
	"context"
	"slices"

	"github.com/kume-geo/kume"
	"github.com/paulmach/orb"
)

// regionSet holds the regions ordered by level and code, with their bounds.
type regionSet struct {
	list   []kume.Region
	bounds []orb.Bound
}

func compareRegion(a, b *kume.Region) int {
	return cmp.Or(cmp.Compare(a.Level, b.Level), cmp.Compare(a.Code, b.Code))
}

func newRegionSet(list []kume.Region) *regionSet {
	slices.SortFunc(list, func(a, b kume.Region) int { return compareRegion(&a, &b) })
	rs := &regionSet{list: list, bounds: make([]orb.Bound, len(list))}
	for i := range list {
		rs.bounds[i] = list[i].Geometry.Bound()
	}
	return rs
}

// PutRegions inserts or replaces regions (by level and code) atomically.
func (s *Store) PutRegions(ctx context.Context, regions []kume.Region) error {
	byKey := make(map[[2]string]kume.Region, len(regions))
	for _, r := range regions {
		if r.Level == "" || r.Code == "" {
			return kume.Errorf(kume.EINVALID, "a region needs a level and a code")
		}
		byKey[[2]string{r.Level, r.Code}] = cloneRegion(r)
	}
	if len(byKey) == 0 {
		return nil
	}
	return s.write(ctx, func(next *state) (change, error) {
		list := make([]kume.Region, 0, len(next.regions.list)+len(byKey))
		for _, r := range next.regions.list {
			if _, replaced := byKey[[2]string{r.Level, r.Code}]; !replaced {
				list = append(list, r)
			}
		}
		for _, r := range byKey {
			list = append(list, r)
		}
		next.regions = newRegionSet(list)
		return change{regions: true}, nil
	})
}

// Regions returns the regions matching f ordered by level and code.
func (s *Store) Regions(ctx context.Context, f kume.RegionFilter) ([]kume.Region, error) {
	rs := s.snapshot().regions
	var out []kume.Region
	for i, r := range rs.list {
		if f.Level != "" && r.Level != f.Level {
			continue
		}
		if len(f.Codes) > 0 && !slices.Contains(f.Codes, r.Code) {
			continue
		}
		if f.BBox != nil && !f.BBox.Intersects(rs.bounds[i]) {
			continue
		}
		out = append(out, cloneRegion(r))
	}
	return out, nil
}

// Region returns one region (ENOTFOUND if none).
func (s *Store) Region(ctx context.Context, level, code string) (*kume.Region, error) {
	rs := s.snapshot().regions
	key := kume.Region{Level: level, Code: code}
	i, ok := slices.BinarySearchFunc(rs.list, &key, func(r kume.Region, k *kume.Region) int { return compareRegion(&r, k) })
	if !ok {
		return nil, kume.Errorf(kume.ENOTFOUND, "region %s %s not found", level, code)
	}
	r := cloneRegion(rs.list[i])
	return &r, nil
}
