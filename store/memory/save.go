package memory

import (
	"context"

	"github.com/kume-geo/kume"
)

// SaveAnalysis stores a deep copy of r as the current analysis of its scope
// under a new data version, which it
// returns and sets in r.Run.Version: the caller keeps r to do with as it
// likes. The version it replaces stays readable until the next save or a
// restart. An analysis run saves as a stream instead (BeginAnalysis).
func (s *Store) SaveAnalysis(ctx context.Context, r *kume.AnalysisResult) (int64, error) {
	own := &kume.AnalysisResult{Run: r.Run}
	own.Run.Params = cloneRaw(r.Run.Params)
	own.Cells = cloneCells(r.Cells)
	own.Clusters = make([]kume.Cluster, len(r.Clusters))
	for i, c := range r.Clusters {
		own.Clusters[i] = cloneCluster(c)
	}
	own.Regions = make([]kume.RegionStat, len(r.Regions))
	for i, rs := range r.Regions {
		own.Regions[i] = cloneRegionStat(rs)
	}
	v, err := s.saveOwned(ctx, own)
	if err == nil {
		r.Run.Version = v
	}
	return v, err
}

// saveOwned is SaveAnalysis without the copy: the store takes r's
// slices, and everything they point to, over. It may reorder r.Cells,
// r.Clusters and r.Regions, and readers of the saved version share their
// memory, so the caller must neither modify r nor anything it references
// afterwards (reading is fine). It sets r.Run.Version. A result of millions
// of cells is saved without copying them.
func (s *Store) saveOwned(ctx context.Context, r *kume.AnalysisResult) (int64, error) {
	if err := checkCells(r.Cells, 0); err != nil {
		return 0, err
	}
	return s.saveChecked(ctx, r)
}

// saveChecked is saveOwned of cells already checked (checkCells).
func (s *Store) saveChecked(ctx context.Context, r *kume.AnalysisResult) (int64, error) {
	a, err := newAnalysis(r, nil)
	if err != nil {
		return 0, err
	}
	if err := checkRun(&r.Run); err != nil {
		return 0, err
	}
	var version int64
	err = s.write(ctx, func(next *state) (change, error) {
		next.version++
		version = next.version
		a.run.Version = version
		run := r.Run
		run.Version = version
		next.replaceAnalysis(run, a, nil)
		return change{analysis: run.Scope.Norm()}, nil
	})
	if err != nil {
		return 0, err
	}
	r.Run.Version = version
	return version, nil
}

// checkCells returns an EINVALID error for the first of cells (the first
// being cell statistic number offset) that is not a valid H3 cell of its
// resolution: the other store keys cells by their H3 parents, and both take
// the same cells.
func checkCells(cells []kume.CellStat, offset int) error {
	for i := range cells {
		if c := &cells[i]; !kume.IsCellOf(c.Cell, c.Res) {
			return kume.Errorf(kume.EINVALID, "cell statistic %d: cell %x is not a valid H3 cell of resolution %d",
				offset+i, c.Cell, c.Res)
		}
	}
	return nil
}
