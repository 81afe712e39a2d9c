package geo

import (
	"cmp"
	"slices"
)

// agg is the aggregate of one sector key in one cell.
type agg struct {
	firms, closed, imprecise int32
	maxEmp                   float32 // largest employment of one active firm
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
		}
		a.maxEmp = max(a.maxEmp, f.emp)
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
	sectors [][]cellAgg // per sector id, sorted by cell
	totals  []total     // per sector: all counted active firms at res
	bench   []total     // per sector: counted active firms in the benchmark area
}

// sortFirms orders firms by base cell (then by content, so that the order of
// equal cells is deterministic). Parents of sorted cells are sorted too.
func sortFirms(fs []firm) {
	slices.SortFunc(fs, func(a, b firm) int {
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
	})
}

// aggregate rolls the sorted firms up to resolution res with CellParent and
// builds per-code groups and per-sector cell lists, both sorted by cell.
func aggregate(d *data, res int) *resAgg {
	ra := &resAgg{res: res}
	slot := make([]int32, len(d.codes))
	for i := range slot {
		slot[i] = -1
	}
	var touched []int32
	var cur uint64
	codeBench := make([]total, len(d.codes))
	codeTotal := make([]total, len(d.codes))
	for i := range d.firms {
		f := &d.firms[i]
		if f.cell == 0 {
			continue
		}
		c := CellParent(f.cell, res)
		if c != cur {
			for _, k := range touched {
				slot[k] = -1
			}
			touched = touched[:0]
			cur = c
		}
		g := slot[f.code]
		if g < 0 {
			g = int32(len(ra.groups))
			ra.groups = append(ra.groups, group{cell: c, code: f.code})
			slot[f.code] = g
			touched = append(touched, f.code)
		}
		gr := &ra.groups[g]
		counted := int(f.maxRes) >= res
		gr.addFirm(f, counted)
		if f.flags&fEntry != 0 {
			gr.entries++
		}
		if f.flags&fExit != 0 {
			gr.exits++
		}
		if counted && f.flags&fActive != 0 {
			gr.sizes[f.size]++
			codeTotal[f.code].firms++
			codeTotal[f.code].emp += float64(f.emp)
			if f.flags&fBench != 0 {
				codeBench[f.code].firms++
				codeBench[f.code].emp += float64(f.emp)
			}
		}
	}
	ns := len(d.keys)
	ra.sectors = make([][]cellAgg, ns)
	ra.totals = make([]total, ns)
	ra.bench = make([]total, ns)
	for code, ci := range d.codes {
		for _, s := range ci.sectors {
			ra.totals[s].firms += codeTotal[code].firms
			ra.totals[s].emp += codeTotal[code].emp
			ra.bench[s].firms += codeBench[code].firms
			ra.bench[s].emp += codeBench[code].emp
		}
	}
	for gi := range ra.groups {
		g := &ra.groups[gi]
		for _, s := range d.codes[g.code].sectors {
			l := ra.sectors[s]
			if n := len(l); n > 0 && l[n-1].cell == g.cell {
				l[n-1].add(&g.agg)
				continue
			}
			ra.sectors[s] = append(l, cellAgg{cell: g.cell, agg: g.agg})
		}
	}
	return ra
}

// find returns the aggregate of cell in a sorted list, or nil.
func find(l []cellAgg, cell uint64) *agg {
	i, ok := slices.BinarySearchFunc(l, cell, func(c cellAgg, t uint64) int { return cmp.Compare(c.cell, t) })
	if !ok {
		return nil
	}
	return &l[i].agg
}
