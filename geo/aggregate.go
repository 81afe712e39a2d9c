package geo

import (
	"cmp"
	"slices"
	"sync"
)

// agg is the aggregate of one sector key in one cell.
type agg struct {
	firms, closed, imprecise int32
	maxEmp                   float32 // largest exact employment of one active firm
	emp, empEst              float64
}

func (a *agg) add(b *agg) {
	a.firms += b.firms
	a.closed += b.closed
	a.imprecise += b.imprecise
	a.maxEmp = max(a.maxEmp, b.maxEmp)
	a.emp += b.emp
	a.empEst += b.empEst
}

// addFirm counts f in a; counted tells whether the firm's precision allows
// the resolution (otherwise an active firm counts as imprecise).
func (a *agg) addFirm(f *firm, counted bool) {
	switch {
	case !counted:
		if f.flags&fActive != 0 {
			a.imprecise++
		}
	case f.flags&fActive != 0:
		a.firms++
		e := float64(f.emp)
		a.emp += e
		if f.flags&fEstimated != 0 {
			a.empEst += e
		} else {
			a.maxEmp = max(a.maxEmp, f.emp)
		}
	case f.flags&fClosed != 0:
		a.closed++
	}
}

// group is the aggregate of one NACE code in one cell, with the extra detail
// footprints and profiles need.
type group struct {
	cell           uint64
	code           int32
	entries, exits int32
	undated        int32    // active, counted firms of unknown founding date
	shared         int32    // active, counted firms at a shared address
	sizes          [5]int32 // micro, small, medium, large, unknown (active, counted)
	agg
}

type cellAgg struct {
	cell uint64
	agg
}

// total is a sector's measure over an area.
type total struct {
	firms float64
	emp   float64
}

func (t total) of(measure string) float64 {
	if measure == MeasureEmployment {
		return t.emp
	}
	return t.firms
}

// resAgg holds every aggregate at one resolution.
type resAgg struct {
	res     int
	groups  []group     // sorted by cell
	sectors [][]cellAgg // per sector id, sorted by cell; nil when not built (buildLists)
	n       []int       // per sector id: length of its list, built or not
	totals  []total     // per sector: all counted active firms at res
	bench   []total     // per sector: counted active firms in the benchmark area
}

// cmpFirms orders firms by base cell, then by content, so that the order of
// equal cells is deterministic. Firms that compare equal differ at most in a
// size class of zero employment, which no aggregate depends on the order of.
func cmpFirms(a, b firm) int {
	if c := cmp.Compare(a.cell, b.cell); c != 0 {
		return c
	}
	if c := cmp.Compare(a.code, b.code); c != 0 {
		return c
	}
	if c := cmp.Compare(a.emp, b.emp); c != 0 {
		return c
	}
	if c := cmp.Compare(a.flags, b.flags); c != 0 {
		return c
	}
	return cmp.Compare(a.maxRes, b.maxRes)
}

// sortFirms orders firms with cmpFirms: halves sorted in parallel, then
// merged. Parents of sorted cells are sorted too.
func sortFirms(fs []firm) []firm {
	if len(fs) < 1<<14 || parallelism() < 2 {
		slices.SortFunc(fs, cmpFirms)
		return fs
	}
	h := len(fs) / 2
	a, b := fs[:h], fs[h:]
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		slices.SortFunc(a, cmpFirms)
	}()
	slices.SortFunc(b, cmpFirms)
	wg.Wait()
	out := make([]firm, 0, len(fs))
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		if cmpFirms(b[j], a[i]) < 0 {
			out = append(out, b[j])
			j++
		} else {
			out = append(out, a[i])
			i++
		}
	}
	out = append(out, a[i:]...)
	return append(out, b[j:]...)
}

// grow returns s resliced to length n, reallocated when its capacity is short.
// The contents are unspecified.
func grow[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}

func clearTotals(t []total) []total {
	clear(t)
	return t
}

// find returns the aggregate of cell in a sorted list, or nil.
func find(l []cellAgg, cell uint64) *agg {
	i, ok := slices.BinarySearchFunc(l, cell, func(c cellAgg, t uint64) int { return cmp.Compare(c.cell, t) })
	if !ok {
		return nil
	}
	return &l[i].agg
}

// exactEmp is the employment of the firms whose head count is exact, the base
// of the dominance rule: a band's midpoint reveals nothing about one firm.
func (a *agg) exactEmp() float64 { return a.emp - a.empEst }
