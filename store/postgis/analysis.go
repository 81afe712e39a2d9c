package postgis

import (
	"context"
	"slices"

	"github.com/kume-geo/kume"
)

// SaveAnalysis stores r under a new data version: it streams r's cell
// statistics through BeginAnalysis (in stream order, sorting a copy of their
// positions when they are not) and commits the rest with them. Readers see
// the previous version until the commit; afterwards versions beyond the
// newest kept ones are pruned (their partitions dropped).
//
// The data version stays locked while the results are written, so an import
// that commits meanwhile waits for it.
func (s *Store) SaveAnalysis(ctx context.Context, r *kume.AnalysisResult) (int64, error) {
	w, err := s.BeginAnalysis(ctx, len(r.Cells))
	if err != nil {
		return 0, err
	}
	defer w.Abort()
	order := streamWalk(r.Cells)
	if order == nil {
		err = w.WriteCells(ctx, r.Cells)
	}
	batch := make([]kume.CellStat, 0, min(len(order), saveBatch))
	for len(order) > 0 && err == nil {
		k := min(len(order), saveBatch)
		batch = batch[:0]
		for _, i := range order[:k] {
			batch = append(batch, r.Cells[i])
		}
		err = w.WriteCells(ctx, batch)
		order = order[k:]
	}
	if err != nil {
		return 0, err
	}
	cells := r.Cells
	r.Cells = nil // Commit ignores them; the caller gets them back
	v, err := w.Commit(ctx, r)
	r.Cells = cells
	return v, err
}

// saveBatch is how many cells SaveAnalysis copies at a time when it writes
// them in another order than they come in.
const saveBatch = 1 << 16

// streamWalk returns nil when cells are in stream order (see streamOrder),
// and otherwise the positions of cells in that order.
func streamWalk(cells []kume.CellStat) []int32 {
	sorted := true
	for i := 1; i < len(cells) && sorted; i++ {
		sorted = streamOrder(&cells[i-1], &cells[i]) < 0
	}
	if sorted {
		return nil
	}
	order := make([]int32, len(cells))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortStableFunc(order, func(a, b int32) int { return streamOrder(&cells[a], &cells[b]) })
	return order
}

// rawJSON returns b for a json column, or nil (NULL) when empty.
func rawJSON(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	return b
}

func rolesToStrings(roles []kume.Role) []string {
	if roles == nil {
		return nil
	}
	out := make([]string, len(roles))
	for i, r := range roles {
		out[i] = string(r)
	}
	return out
}

func regionStatColumns() []string {
	return []string{"version", "level", "code", "sector", "firms", "employees", "lq", "lq_employed",
		"stars", "strong", "suppressed", "entries", "exits", "undated"}
}

// regionStatSource feeds region statistics to COPY.
type regionStatSource struct {
	stats   []kume.RegionStat
	version int64
	i       int
}

func (c *regionStatSource) Next() bool { c.i++; return c.i < len(c.stats) }
func (c *regionStatSource) Err() error { return nil }
func (c *regionStatSource) Values() ([]any, error) {
	x := &c.stats[c.i]
	return []any{c.version, x.Level, x.Code, x.Sector, int32(x.Firms), x.Employees, x.LQ, x.LQEmployed,
		int16(x.Stars), x.Strong, x.Suppressed, int32(x.Entries), int32(x.Exits), int32(x.Undated)}, nil
}
