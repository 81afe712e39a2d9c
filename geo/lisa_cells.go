package geo

import (
	"context"
	"slices"
)

// diskSize is the number of cells of a hexagonal grid disk of radius k.
func diskSize(k int) int64 { return 3*int64(k)*int64(k+1) + 1 }

// CheckMoranCells is LocalMoranCells's check of its size before any work: n
// cells with grid disks of k allow up to n × (disks' cells − 1) neighbour
// pairs, which must stay within MaxMoranPairs and, times the permutations,
// within the work bound of p; otherwise an EINVALID error. Since a study
// area holds at least its occupied cells, a caller can check those before
// building the area.
func CheckMoranCells(n, k int, p MoranParams) error {
	if err := checkMoranParams(p); err != nil {
		return err
	}
	pairs := int64(n) * (diskSize(k) - 1)
	if pairs > MaxMoranPairs {
		return moranBad("%d cells with k = %d allow up to %d neighbour pairs, more than %d; lower k or the resolution",
			n, k, pairs, MaxMoranPairs)
	}
	return checkMoranWork(pairs, p)
}

// LocalMoranCells computes local Moran's I (see LocalMoran) of the values x
// on H3 cells of one resolution. The neighbours of a cell are the other
// given cells within grid distance k (its grid disk of radius k, 1..MaxK),
// row-standardised. The result is in input order, but the numbers do not
// depend on it: the cells are ranked by index and unit i of the seed is the
// cell's rank. Invalid, repeated or mixed-resolution cells are an EINVALID
// error, and so is a study area whose grid disks could exceed MaxMoranPairs
// pairs or MaxMoranWork draws.
func LocalMoranCells(ctx context.Context, cells []uint64, x []float64, k int, p MoranParams) (*MoranResult, error) {
	if len(cells) != len(x) {
		return nil, moranBad("%d cells but %d values", len(cells), len(x))
	}
	if k < 1 || k > MaxK {
		return nil, moranBad("k %d outside 1..%d", k, MaxK)
	}
	if err := CheckMoranCells(len(cells), k, p); err != nil {
		return nil, err
	}
	order := make([]int, len(cells))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int {
		switch {
		case cells[a] < cells[b]:
			return -1
		case cells[a] > cells[b]:
			return 1
		}
		return 0
	})
	sorted := make([]uint64, len(cells))
	xs := make([]float64, len(cells))
	for r, i := range order {
		sorted[r], xs[r] = cells[i], x[i]
	}
	if err := checkCells(sorted); err != nil {
		return nil, err
	}
	g := cellGraph(sorted, k)
	res, err := localMoran(ctx, xs, g, p)
	if err != nil {
		return nil, err
	}
	local := make([]LocalMoranI, len(cells))
	for r, i := range order {
		local[i] = res.Local[r]
	}
	res.Local = local
	return res, nil
}

// checkCells validates sorted cells: valid H3 cells of one resolution,
// none repeated.
func checkCells(sorted []uint64) error {
	for i, c := range sorted {
		if !ValidCell(c) {
			return moranBad("%x is not a valid H3 cell", c)
		}
		if i > 0 && sorted[i-1] == c {
			return moranBad("cell %x given twice", c)
		}
		if CellResolution(c) != CellResolution(sorted[0]) {
			return moranBad("cells of resolutions %d and %d mixed", CellResolution(sorted[0]), CellResolution(c))
		}
	}
	return nil
}

// cellGraph builds the neighbour lists of sorted cells: the other cells
// within grid distance k.
func cellGraph(sorted []uint64, k int) *graph {
	lists := make([][]int32, len(sorted))
	parallelChunks(len(sorted), func(lo, hi, _ int) {
		for i := lo; i < hi; i++ {
			var l []int32
			for _, c := range gridDisk(sorted[i], k) {
				if j, ok := slices.BinarySearch(sorted, c); ok && j != i {
					l = append(l, int32(j))
				}
			}
			slices.Sort(l)
			lists[i] = l
		}
	})
	g := &graph{off: make([]int32, len(sorted)+1)}
	tot := 0
	for i, l := range lists {
		tot += len(l)
		g.off[i+1] = int32(tot)
	}
	g.nb = make([]int32, 0, tot)
	for _, l := range lists {
		g.nb = append(g.nb, l...)
	}
	return g
}

// BufferedCells returns the sorted cells of the study area around occupied
// H3 cells of one resolution: every cell within grid distance k (0..MaxK)
// of an occupied cell, the occupied cells included. Invalid or
// mixed-resolution cells, or more than MaxMoranPairs disk cells, are an
// EINVALID error.
func BufferedCells(occupied []uint64, k int) ([]uint64, error) {
	if k < 0 || k > MaxK {
		return nil, moranBad("k %d outside 0..%d", k, MaxK)
	}
	if n := int64(len(occupied)) * diskSize(k); n > MaxMoranPairs {
		return nil, moranBad("%d cells with k = %d: up to %d disk cells, more than %d; lower k or the resolution",
			len(occupied), k, n, MaxMoranPairs)
	}
	occ := slices.Clone(occupied)
	slices.Sort(occ)
	occ = slices.Compact(occ)
	if err := checkCells(occ); err != nil {
		return nil, err
	}
	all := make([]uint64, 0, int64(len(occ))*diskSize(k))
	for _, c := range occ {
		all = append(all, gridDisk(c, k)...)
	}
	slices.Sort(all)
	return slices.Compact(all), nil
}
