package geo

import (
	"cmp"
	"maps"
	"slices"
)

// selectClusters keeps one cluster per value chain and place from the
// candidates of every key and resolution:
//
//  1. Scale. The candidates of one key that overlap across resolutions
//     describe one place. Of each such group, the resolution whose
//     candidates, taken as one zone, have the highest Poisson
//     log-likelihood ratio is kept — the criterion by which Kulldorff's
//     spatial scan statistic chooses among its windows — and the other
//     resolutions' candidates are dropped.
//  2. Value chain. A division's cluster that overlaps a chain's cluster
//     is absorbed into it (it shows in the chain's composition) when the
//     two test a common NACE code or when most of the division's firms
//     are members of the chain; of two chains testing a common code, the
//     one with the higher log-likelihood ratio stays.
//
// The result is ordered by sector key, then lowest cell.
func selectClusters(d *data, fps []footprint) []footprint {
	byKey := map[int32][]int{}
	for i := range fps {
		byKey[fps[i].key] = append(byKey[fps[i].key], i)
	}
	var kept []int
	for _, idx := range byKey {
		kept = append(kept, chooseScale(fps, idx)...)
	}
	// Chains before divisions, stronger before weaker.
	slices.SortFunc(kept, func(a, b int) int {
		ca, cb := d.keyLevel[fps[a].key] == LevelChain, d.keyLevel[fps[b].key] == LevelChain
		if ca != cb {
			if ca {
				return -1
			}
			return 1
		}
		if c := cmp.Compare(fps[b].c.LLR, fps[a].c.LLR); c != 0 {
			return c
		}
		return cmp.Compare(fps[a].c.ID, fps[b].c.ID)
	})
	var out []footprint
	for _, i := range kept {
		x := &fps[i]
		absorbed := false
		for j := range out {
			k := &out[j]
			if k.key != x.key && overlap(k.c.Cells, x.c.Cells) && related(d, k, x) {
				absorbed = true
				break
			}
		}
		if !absorbed {
			out = append(out, *x)
		}
	}
	slices.SortFunc(out, func(a, b footprint) int {
		if c := cmp.Compare(a.c.Sector, b.c.Sector); c != 0 {
			return c
		}
		return cmp.Compare(a.c.Cells[0], b.c.Cells[0])
	})
	return out
}

// chooseScale returns the candidates (indexes into fps, all of one key) kept
// by the choice of resolution: per group of candidates linked by overlap,
// those of the resolution with the highest log-likelihood ratio (the
// coarser one on a tie).
func chooseScale(fps []footprint, idx []int) []int {
	parent := make([]int, len(idx))
	for i := range parent {
		parent[i] = i
	}
	root := func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	for a := range idx {
		for b := a + 1; b < len(idx); b++ {
			fa, fb := &fps[idx[a]], &fps[idx[b]]
			if fa.c.Res != fb.c.Res && overlap(fa.c.Cells, fb.c.Cells) {
				parent[root(a)] = root(b)
			}
		}
	}
	type zone struct{ o, e, n float64 }
	groups := map[int]map[int]*zone{} // root → resolution → zone
	for a, i := range idx {
		r := root(a)
		if groups[r] == nil {
			groups[r] = map[int]*zone{}
		}
		f := &fps[i]
		z := groups[r][f.c.Res]
		if z == nil {
			z = &zone{n: f.nFocus}
			groups[r][f.c.Res] = z
		}
		z.o += float64(f.c.FocusFirms)
		z.e += f.eLLR
	}
	best := map[int]int{} // root → resolution
	for r, byRes := range groups {
		bestRes, bestLLR := -1, -1.0
		for _, res := range slices.Sorted(maps.Keys(byRes)) {
			z := byRes[res]
			if l := PoissonLLR(z.o, z.e, z.n); l > bestLLR {
				bestRes, bestLLR = res, l
			}
		}
		best[r] = bestRes
	}
	var out []int
	for a, i := range idx {
		if fps[i].c.Res == best[root(a)] {
			out = append(out, i)
		}
	}
	return out
}

// overlap reports whether two cell sets (each sorted, each of one
// resolution) share ground: a cell of the finer set lies in a cell of the
// coarser one.
func overlap(a, b []uint64) bool {
	if len(a) == 0 || len(b) == 0 {
		return false
	}
	ra, rb := CellResolution(a[0]), CellResolution(b[0])
	if ra > rb {
		a, b, ra, rb = b, a, rb, ra
	}
	for _, c := range b {
		if _, ok := slices.BinarySearch(a, CellParent(c, ra)); ok {
			return true
		}
	}
	return false
}

// related reports whether cluster x belongs to the kept cluster k of
// another key at the same place: they test a common NACE code, or x is a
// division's cluster most of whose firms are members of k's key.
func related(d *data, k, x *footprint) bool {
	for c := range d.codes {
		ss := d.codes[c].sectors
		if slices.Contains(ss, k.focus) && slices.Contains(ss, x.focus) {
			return true
		}
	}
	if d.keyLevel[x.key] != LevelDivision || x.c.Firms == 0 {
		return false
	}
	in := 0
	for _, it := range x.c.Composition {
		if c, ok := d.codeIdx[it.Code]; ok && slices.Contains(d.codes[c].sectors, k.key) {
			in += it.Firms
		}
	}
	return 2*in > x.c.Firms
}
