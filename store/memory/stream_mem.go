package memory

import (
	"context"

	"github.com/kume-geo/kume"
)

// memStream streams an analysis into a store without a data directory: it
// collects deep copies of the cells and saves them at Commit.
type memStream struct {
	streamState
	cells []kume.CellStat
	fs    floatSlab // LQ and Gi* values of the copied cells
}

func newMemStream(st streamState) *memStream {
	w := &memStream{streamState: st, cells: make([]kume.CellStat, 0, min(st.order.want, 1<<20))}
	w.cleanup = func() { w.cells = nil }
	return w
}

// WriteCells checks the batch and copies it, with the values its rows point
// to: the caller may reuse all of it.
func (w *memStream) WriteCells(ctx context.Context, cells []kume.CellStat) error {
	if err := w.check(ctx); err != nil {
		return err
	}
	if err := w.order.add(cells); err != nil {
		return w.end(err)
	}
	w.cells = appendCellClones(w.cells, cells, &w.fs)
	return nil
}

// Commit saves the collected cells with a copy of r's run, clusters and
// region statistics, as saveOwned does.
func (w *memStream) Commit(ctx context.Context, r *kume.AnalysisResult) (int64, error) {
	if err := w.check(ctx); err != nil {
		return 0, err
	}
	if err := w.order.complete(); err != nil {
		return 0, w.end(err)
	}
	own := &kume.AnalysisResult{Run: r.Run, Cells: w.cells,
		Clusters: make([]kume.Cluster, len(r.Clusters)), Regions: make([]kume.RegionStat, len(r.Regions))}
	own.Run.Params = cloneRaw(r.Run.Params)
	for i, c := range r.Clusters {
		own.Clusters[i] = cloneCluster(c)
	}
	for i, rs := range r.Regions {
		own.Regions[i] = cloneRegionStat(rs)
	}
	w.cells = nil
	v, err := w.s.saveChecked(ctx, own) // WriteCells checked every cell
	if err != nil {
		return 0, w.end(err)
	}
	w.end(errCommitted)
	r.Run.Version = v
	return v, nil
}
