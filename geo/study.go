package geo

import (
	"math/bits"
	"runtime"
	"slices"
	"sync"
)

// ringIndex is the neighbourhood structure of one resolution: the universe of
// cells (every cell within grid distance k of a cell with an active firm of any
// sector) and, for each, its grid disk of radius k restricted to the universe.
// Every sector's study area is a subset of the universe, so the neighbour lists
// are computed once per resolution and shared by all sector keys.
type ringIndex struct {
	k     int
	cells []uint64 // sorted
	idx   map[uint64]int32
	off   []int32 // neighbours of cell i: nb[off[i]:off[i+1]], self included
	nb    []int32
}

// parallelChunks runs fn over [0,n) split across GOMAXPROCS goroutines.
func parallelChunks(n int, fn func(lo, hi, worker int)) {
	w := max(1, min(runtime.GOMAXPROCS(0), n))
	chunk := (n + w - 1) / w
	var wg sync.WaitGroup
	for i := 0; i < w; i++ {
		lo, hi := i*chunk, min((i+1)*chunk, n)
		if lo >= hi {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			fn(lo, hi, i)
		}()
	}
	wg.Wait()
}

// newRingIndex builds the ring index around the occupied cells (sorted).
func newRingIndex(occupied []uint64, k int) *ringIndex {
	// Pass 1: grid disks of the occupied cells give the universe.
	disks := make([][]uint64, len(occupied))
	parallelChunks(len(occupied), func(lo, hi, _ int) {
		for i := lo; i < hi; i++ {
			disks[i] = gridDisk(occupied[i], k)
		}
	})
	n := 0
	for _, d := range disks {
		n += len(d)
	}
	all := make([]uint64, 0, n)
	for _, d := range disks {
		all = append(all, d...)
	}
	slices.Sort(all)
	all = slices.Compact(all)
	ri := &ringIndex{k: k, cells: all, idx: make(map[uint64]int32, len(all))}
	for i, c := range all {
		ri.idx[c] = int32(i)
	}
	// Pass 2: grid disks of every universe cell, restricted to the universe.
	// Disks of occupied cells are reused.
	lists := make([][]int32, len(all))
	parallelChunks(len(all), func(lo, hi, _ int) {
		for i := lo; i < hi; i++ {
			c := all[i]
			var d []uint64
			if j, ok := slices.BinarySearch(occupied, c); ok {
				d = disks[j]
			} else {
				d = gridDisk(c, k)
			}
			l := make([]int32, 0, len(d))
			for _, x := range d {
				if u, ok := ri.idx[x]; ok {
					l = append(l, u)
				}
			}
			slices.Sort(l)
			lists[i] = l
		}
	})
	ri.off = make([]int32, len(all)+1)
	tot := 0
	for i, l := range lists {
		ri.off[i] = int32(tot)
		tot += len(l)
	}
	ri.off[len(all)] = int32(tot)
	ri.nb = make([]int32, 0, tot)
	for _, l := range lists {
		ri.nb = append(ri.nb, l...)
	}
	return ri
}

// seekCell returns the first index ≥ i of the sorted cells not below cell,
// galloping from i.
func seekCell(cells []uint64, i int, cell uint64) int {
	if i >= len(cells) || cells[i] >= cell {
		return i
	}
	lo, step := i, 1 // cells[lo] < cell; the answer is in (lo, hi]
	hi := lo + step
	for hi < len(cells) && cells[hi] < cell {
		lo = hi
		step *= 2
		hi = lo + step
	}
	hi = min(hi, len(cells))
	for lo+1 < hi {
		m := int(uint(lo+hi) >> 1)
		if cells[m] < cell {
			lo = m
		} else {
			hi = m
		}
	}
	return hi
}

func (ri *ringIndex) ring(u int32) []int32 { return ri.nb[ri.off[u]:ri.off[u+1]] }

// scratch holds per-worker arrays sized to the universe (stamps avoid
// clearing) and buffers reused from one sector key to the next.
type scratch struct {
	gen   int32
	stamp []int32
	wx    []float64
	occ   []int32
	us    []int32     // study cells of the current key (universe indexes)
	uOf   []int32     // per cell of the current key's list: universe index or -1
	study []studyCell // the current key's study area, returned by gi
	ps    []float64   // defined p-values of the current key
}

func (ri *ringIndex) newScratch() *scratch {
	n := len(ri.cells)
	return &scratch{stamp: make([]int32, n), wx: make([]float64, n), occ: make([]int32, n)}
}

// scatter stamps the study area of one sector list in sc: for every study
// cell u, sc.stamp[u] == the returned generation, sc.wx[u] = Σ_j w_uj x_j and
// sc.occ[u] its index in list (-1 when empty); sc.uOf maps every list cell to
// the universe. It returns the study cells (unsorted, in sc.us) and Σx, Σx²
// over the occupied ones.
func (ri *ringIndex) scatter(list []cellAgg, sc *scratch) (gen int32, us []int32, sum, sum2 float64) {
	sc.gen++
	if sc.gen == 0 {
		clear(sc.stamp)
		sc.gen = 1
	}
	gen = sc.gen
	us = sc.us[:0]
	// Scatter each occupied cell's value to its ring: Σ_j w_ij x_j for every
	// study cell i (k-rings are symmetric). Both the list and the universe are
	// sorted, so list cells are found by walking the universe.
	uOf := grow(sc.uOf, len(list))
	sc.uOf = uOf
	c := 0
	for li := range list {
		cell := list[li].cell
		c = seekCell(ri.cells, c, cell)
		uOf[li] = -1
		if c < len(ri.cells) && ri.cells[c] == cell {
			uOf[li] = int32(c)
		}
		x := float64(list[li].firms)
		if x <= 0 || uOf[li] < 0 {
			continue
		}
		u := uOf[li]
		sum += x
		sum2 += x * x
		for _, v := range ri.ring(u) {
			if sc.stamp[v] != gen {
				sc.stamp[v] = gen
				sc.wx[v] = 0
				sc.occ[v] = -1
				us = append(us, v)
			}
			sc.wx[v] += x
		}
		sc.occ[u] = int32(li)
	}
	sc.us = us
	return gen, us, sum, sum2
}

// studyCell is one cell of a sector's study area with its Gi*.
type studyCell struct {
	u     int32   // universe index
	occ   int32   // index in the sector's cell list, -1 for an empty cell
	x     float64 // value (active firms)
	z, p  float64
	ok    bool // z and p defined
	bin   int8
	count int32 // Σ w_ij
}

// StudyArea documents the Gi* study area (also written into the run's params).
const StudyArea = "for each sector key and resolution: every cell holding at least one active firm of the key counted at that resolution, plus every cell within grid distance k of such a cell (empty cells included); weights w_ij = 1 when j is in the study area and within grid distance k of i (i itself included), else 0"

// gi computes Gi* of the active firm counts of one sector list over its study
// area. Cells of the list that lie outside the universe (no counted firm) are
// skipped: they have no active firm and no neighbour that has one.
//
// The result lives in sc and is valid until the next use of sc.
func (ri *ringIndex) gi(list []cellAgg, sc *scratch, fdr bool) []studyCell {
	gen, us, sum, sum2 := ri.scatter(list, sc)
	if len(us) == 0 {
		return nil
	}
	sortStamped(us, sc.stamp, gen)
	study := grow(sc.study, len(us))
	sc.study = study
	m := momentsOf(float64(len(study)), sum, sum2)
	ps := sc.ps[:0]
	for i, u := range us {
		s := &study[i]
		*s = studyCell{u: u, occ: sc.occ[u]}
		if s.occ >= 0 {
			s.x = float64(list[s.occ].firms)
		}
		var w int32
		for _, v := range ri.ring(u) {
			if sc.stamp[v] == gen {
				w++
			}
		}
		s.count = w
		if z, ok := m.gi(sc.wx[u], float64(w), float64(w)); ok {
			s.z, s.p, s.ok = z, TwoSidedP(z), true
			ps = append(ps, s.p)
		}
	}
	t := binThresholdsOwned(ps, fdr)
	sc.ps = ps
	for i := range study {
		if study[i].ok {
			study[i].bin = int8(Bin(study[i].z, study[i].p, t))
		}
	}
	return study
}

// sortStamped sorts the study cells us, the universe indexes whose stamp
// is gen, each once. When they are dense in their range, a scan of the
// stamps over the range lists them in order at less cost than a sort.
func sortStamped(us []int32, stamp []int32, gen int32) {
	n := len(us)
	if n < 64 {
		slices.Sort(us)
		return
	}
	lo, hi := us[0], us[0]
	for _, u := range us {
		lo, hi = min(lo, u), max(hi, u)
	}
	if int(hi-lo) > n*bits.Len(uint(n)) {
		slices.Sort(us)
		return
	}
	i := 0
	for v, st := range stamp[lo : hi+1] {
		if st == gen {
			us[i] = lo + int32(v)
			i++
		}
	}
}

func runtimeProcs() int { return runtime.GOMAXPROCS(0) }
