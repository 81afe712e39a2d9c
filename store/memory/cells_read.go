package memory

import (
	"cmp"
	"context"
	"slices"

	"github.com/kume-geo/kume"
)

// CellStats returns the cell statistics matching f ordered by cell.
func (s *Store) CellStats(ctx context.Context, f kume.CellFilter) ([]kume.CellStat, error) {
	var out []kume.CellStat
	err := s.EachCellStat(ctx, f, func(c *kume.CellStat) error {
		out = append(out, cloneCell(*c))
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// EachCellStat calls fn with each cell statistic CellStats would return, in
// the same order, without copying them, and stops at fn's first error. fn
// must neither keep nor modify the statistic or what it points to.
func (s *Store) EachCellStat(ctx context.Context, f kume.CellFilter, fn func(*kume.CellStat) error) error {
	a, err := s.snapshot().current(f.Version)
	if a == nil {
		return err
	}
	set, err := a.cellSet(cellGroup{f.Res, f.Sector})
	if set == nil {
		return err
	}
	keep := func(i int) bool {
		return f.BBox == nil || f.BBox.Contains(set.centres[i])
	}
	if f.Cells != nil {
		want := slices.Clone(f.Cells)
		slices.Sort(want)
		want = slices.Compact(want)
		for _, c := range want {
			i, ok := slices.BinarySearchFunc(set.stats, c, func(cs kume.CellStat, c uint64) int { return cmp.Compare(cs.Cell, c) })
			if ok && keep(i) {
				if err := fn(&set.stats[i]); err != nil {
					return err
				}
			}
		}
		return nil
	}
	for i := range set.stats {
		if keep(i) {
			if err := fn(&set.stats[i]); err != nil {
				return err
			}
		}
	}
	return nil
}
