package geo

import (
	"context"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/kume-geo/kume"
)

// resPlan is what the counting pass keeps of one resolution for the filling
// pass: the neighbourhood index, the institution cells and the number of rows
// of every sector key (in key order).
type resPlan struct {
	ring  *ringIndex // nil when the resolution gets no Gi*
	insts []instCell
	rows  []int
	total int
	cuts  []int // filling batches: keys order[cuts[b]:cuts[b+1]]
	need  int   // list entries of the largest batch
	most  int   // rows of the largest batch
}

// budget bounds what is built at once while the rows of a resolution are
// written: the keys are filled in batches whose cell lists (40 bytes an entry)
// hold at most lists entries and whose rows (128 bytes each, the batch handed
// to the CellSink) number at most rows. A key larger than either is a batch
// of its own.
type budget struct{ lists, rows int }

// defaultBudget keeps a batch's lists and rows near 40 and 128 MB.
var defaultBudget = budget{lists: 1 << 20, rows: 1 << 20}

// batchKeys cuts the keys (in order) into batches within b, counting besides
// the keys' own lists those of the LQ denominators (all-sector and traded),
// which every batch builds. need is the list entries and most the rows of the
// largest batch.
func batchKeys(d *data, n []int, order []int32, rows []int, b budget) (cuts []int, need, most int) {
	base := n[0]
	if t, ok := d.keyIdx[tradedKey]; ok {
		base += n[t]
	}
	cuts = []int{0}
	for lo := 0; lo < len(order); {
		hi, m, r := lo, 0, 0
		for hi < len(order) && (hi == lo || m+listLen(d, n, order[hi]) <= b.lists && r+rows[hi] <= b.rows) {
			m += listLen(d, n, order[hi])
			r += rows[hi]
			hi++
		}
		need, most = max(need, base+m), max(most, r)
		cuts = append(cuts, hi)
		lo = hi
	}
	return cuts, need, most
}

// listLen is the number of list entries key s needs in a filling batch: its
// own list and, when it is a cluster key with a hidden focus, the focus's.
func listLen(d *data, n []int, s int32) int {
	if f := d.focus[s]; f >= 0 && f != s {
		return n[s] + n[f]
	}
	return n[s]
}

// forEach calls fn(i, worker) for every i in [0,n) on parallelism() workers,
// handing out indexes one at a time (sector keys differ widely in size).
// It stops early when ctx is done.
func forEach(ctx context.Context, n int, fn func(i, worker int)) {
	var next atomic.Int64
	parallelChunks(min(n, parallelism()), func(_, _, w int) {
		for ctx.Err() == nil {
			i := int(next.Add(1) - 1)
			if i >= n {
				return
			}
			fn(i, w)
		}
	})
}

// planRes counts the rows of every sector key at one resolution; giRes tells
// whether the resolution gets Gi* (for the keys with giOf set).
func planRes(d *data, ra *resAgg, order []int32, giOf []bool, giRes bool, k int) resPlan {
	pl := resPlan{insts: institutionCells(d, ra.res), rows: make([]int, len(order))}
	if giRes {
		var occupied []uint64
		for _, c := range ra.sectors[0] {
			if c.firms > 0 {
				occupied = append(occupied, c.cell)
			}
		}
		if len(occupied) > 0 {
			pl.ring = newRingIndex(occupied, k)
		}
	}
	scs := make([]*scratch, parallelism())
	forEach(context.Background(), len(order), func(i, w int) {
		gi := pl.ring != nil && giOf[i]
		if gi && scs[w] == nil {
			scs[w] = pl.ring.newScratch()
		}
		pl.rows[i], _ = rowCount(ra, order[i], gi, pl.ring, scs[w], pl.insts)
	})
	for _, n := range pl.rows {
		pl.total += n
	}
	return pl
}

// fillRes writes the rows of every sector key at one resolution, batch by
// batch (resPlan.cuts), into buffers of out, and returns the candidate
// clusters found, per key (at the resolutions of Params.ClusterResolutions).
func fillRes(ctx context.Context, d *data, ra *resAgg, buf *aggBuf, pl *resPlan, out *pipe, order []int32, giOf []bool,
	p *Params, chainRoles map[string][]kume.Role, progress func(string, int, int)) ([][]footprint, error) {
	offs := make([]int, len(order)+1)
	for i, n := range pl.rows {
		offs[i+1] = offs[i] + n
	}
	found := make([][]footprint, len(order))
	scs := make([]*scratch, parallelism())
	edges := newEdgeCache() // footprint outlines of the resolution
	var mu sync.Mutex
	var done int
	var bad atomic.Bool
	want := make([]bool, len(d.keys))
	clusterRes := slices.Contains(p.ClusterResolutions, ra.res)
	occupied := 0
	for b := 0; b+1 < len(pl.cuts); b++ {
		lo, hi := pl.cuts[b], pl.cuts[b+1]
		// The LQ denominators (all-sector and traded lists) are always built.
		clear(want)
		want[0] = true
		if t, ok := d.keyIdx[tradedKey]; ok {
			want[t] = true
		}
		for _, s := range order[lo:hi] {
			want[s] = true
			if f := d.focus[s]; f >= 0 && clusterRes {
				want[f] = true
			}
		}
		buildLists(d, ra, buf, want)
		if b == 0 && clusterRes {
			occupied = occupiedCells(ra)
		}
		dst, err := out.get(ctx, offs[hi]-offs[lo])
		if err != nil {
			return nil, err
		}
		forEach(ctx, hi-lo, func(j, w int) {
			i := lo + j
			s := order[i]
			var study []studyCell
			if pl.ring != nil && giOf[i] {
				if scs[w] == nil {
					scs[w] = pl.ring.newScratch()
				}
				study = pl.ring.gi(ra.sectors[s], scs[w], p.FDR)
			}
			if clusterRes && d.focus[s] >= 0 {
				found[i] = clusterCandidates(d, ra, s, pl.ring, p, occupied, chainRoles, edges)
			}
			a, b := offs[i]-offs[lo], offs[i+1]-offs[lo]
			if n := cellRows(dst.rows[a:b], dst.floats[3*a:3*b], d, ra, s, study, pl.ring, p, pl.insts); n != pl.rows[i] {
				bad.Store(true)
			}
			mu.Lock()
			done++
			if done%64 == 0 {
				progress("cells", done, len(order))
			}
			mu.Unlock()
		})
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if bad.Load() {
			return nil, kume.Errorf(kume.EINTERNAL, "geo: row count mismatch at resolution %d", ra.res)
		}
		out.put(dst)
	}
	return found, nil
}
