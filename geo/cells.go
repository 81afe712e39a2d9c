package geo

import (
	"cmp"
	"slices"

	"github.com/kume-geo/kume"
)

// The CellStat rows of one sector key at one resolution are the union, sorted
// by cell, of three sets: the cells of the key's list (cells with firms of the
// key: active, closed or imprecise), its Gi* study area when Gi* is computed,
// and, for the all-sector key, the cells holding institutions. rowCount gives
// the size of that union without building it, so that Analyze allocates the
// result once and cellRows fills it in place.

// instCell is the institutions of one cell at one resolution, by type.
type instCell struct {
	cell   uint64
	counts []int32
}

// institutionCells counts institutions by type per cell at res (those whose
// precision allows the resolution), sorted by cell.
func institutionCells(d *data, res int) []instCell {
	if len(d.insts) == 0 {
		return nil
	}
	m := map[uint64][]int32{}
	for i := range d.insts {
		in := &d.insts[i]
		if in.cell == 0 || int(in.maxRes) < res {
			continue
		}
		c := CellParent(in.cell, res)
		if m[c] == nil {
			m[c] = make([]int32, len(d.instTypes))
		}
		m[c][in.typ]++
	}
	out := make([]instCell, 0, len(m))
	for c, n := range m {
		out = append(out, instCell{c, n})
	}
	slices.SortFunc(out, func(a, b instCell) int { return cmp.Compare(a.cell, b.cell) })
	return out
}

// inList reports whether cell is in the sorted list.
func inList(list []cellAgg, cell uint64) bool {
	_, ok := slices.BinarySearchFunc(list, cell, func(c cellAgg, t uint64) int { return cmp.Compare(c.cell, t) })
	return ok
}

// seek returns the first index ≥ i of the sorted list whose cell is not below
// cell, galloping from i (the all-sector list is walked once per key, and
// most keys are sparse, so the steps are often long).
func seek(l []cellAgg, i int, cell uint64) int {
	if i >= len(l) || l[i].cell >= cell {
		return i
	}
	// l[lo].cell < cell; the answer is in (lo, hi].
	lo, step := i, 1
	hi := lo + step
	for hi < len(l) && l[hi].cell < cell {
		lo = hi
		step *= 2
		hi = lo + step
	}
	hi = min(hi, len(l))
	for lo+1 < hi {
		m := int(uint(lo+hi) >> 1)
		if l[m].cell < cell {
			lo = m
		} else {
			hi = m
		}
	}
	return hi
}

// seekGroup is seek over groups sorted by cell: the first index ≥ i whose
// cell is not below cell. It serves the footprints, a cell at a time, and
// gallops through gallop; seek, in the loop over every row, keeps its own
// copy of the search without a function call per step.
func seekGroup(l []group, i int, cell uint64) int {
	return gallop(i, len(l), func(j int) bool { return l[j].cell < cell })
}

// gallop returns the first j in [i, n) for which below(j) is false, or n,
// where below is true up to some index and false after it: it doubles its
// steps from i, then halves the last one.
func gallop(i, n int, below func(int) bool) int {
	if i >= n || !below(i) {
		return i
	}
	lo, step := i, 1 // below(lo); the answer is in (lo, hi]
	hi := lo + step
	for hi < n && below(hi) {
		lo = hi
		step *= 2
		hi = lo + step
	}
	hi = min(hi, n)
	for lo+1 < hi {
		m := int(uint(lo+hi) >> 1)
		if below(m) {
			lo = m
		} else {
			hi = m
		}
	}
	return hi
}

// rowCount returns the number of rows cellRows gives for sector s (gi: its
// study area is part of the rows) and the size of the study area.
func rowCount(ra *resAgg, s int32, gi bool, ri *ringIndex, sc *scratch, insts []instCell) (rows, study int) {
	list := ra.sectors[s] // built only for Gi* keys and the all-sector key
	rows = ra.n[s]
	var gen int32
	if gi {
		var us []int32
		gen, us, _, _ = ri.scatter(list, sc)
		study = len(us)
		rows += study
		if study > 0 {
			for _, u := range sc.uOf[:len(list)] {
				if u >= 0 && sc.stamp[u] == gen {
					rows-- // in both the list and the study area
				}
			}
		}
	}
	if s != 0 {
		return rows, study
	}
	for _, ic := range insts {
		if inList(list, ic.cell) {
			continue
		}
		if study > 0 {
			if u, ok := ri.idx[ic.cell]; ok && sc.stamp[u] == gen {
				continue
			}
		}
		rows++
	}
	return rows, study
}

// cellRows writes the CellStat rows of one sector at one resolution into dst,
// whose length rowCount gave, and returns the number of rows (more than
// len(dst) when they do not fit): every cell with
// firms of the sector (active, closed or imprecise), every other cell of its
// study area when Gi* was computed and, for the all-sector key, every other
// cell holding institutions. LQ, GiZ and GiP of row n point into
// fl[3n:3n+3], which holds three values per row of dst.
func cellRows(dst []kume.CellStat, fl []float64, d *data, ra *resAgg, s int32, study []studyCell, ri *ringIndex, p *Params, insts []instCell) int {
	list := ra.sectors[s]
	key := d.keys[s]
	den := ra.sectors[0]
	var denTot total
	if p.LQConvention == ConventionUSCMP {
		if t, ok := d.keyIdx[tradedKey]; ok {
			den = ra.sectors[t]
			denTot = ra.bench[t]
		} else {
			den = nil
		}
	} else {
		denTot = ra.bench[0]
	}
	if s != 0 {
		insts = nil
	}
	Ei, E := ra.bench[s].of(p.LQMeasure), denTot.of(p.LQMeasure)
	emp := p.LQMeasure == MeasureEmployment
	di := 0
	n := 0
	var zero agg
	li, si, ii := 0, 0, 0
	const none = ^uint64(0)
	for {
		lc, sc, ic := none, none, none
		if li < len(list) {
			lc = list[li].cell
		}
		if si < len(study) {
			sc = ri.cells[study[si].u]
		}
		if ii < len(insts) {
			ic = insts[ii].cell
		}
		cell := min(lc, sc, ic)
		if cell == none {
			return n
		}
		if n == len(dst) {
			return n + 1 // more rows than counted
		}
		r := &dst[n]
		var inst []int32
		if ic == cell {
			inst = insts[ii].counts
			ii++
		}
		if lc != cell && sc != cell {
			// A cell with institutions only.
			*r = kume.CellStat{Res: ra.res, Cell: cell, Sector: kume.SectorAll, Institutions: instMap(d, inst)}
			n++
			continue
		}
		a := &zero
		if lc == cell {
			a = &list[li].agg
			li++
		}
		*r = kume.CellStat{
			Res: ra.res, Cell: cell, Sector: key,
			Firms: int(a.firms), Closed: int(a.closed), Imprecise: int(a.imprecise),
			Employees: a.emp, EmployeesEstimated: a.empEst,
			Suppressed: Suppressed(int(a.firms), a.exactEmp(), float64(a.maxEmp), p.DisclosureK, p.DominanceShare),
		}
		// LQ: the denominator is the cell's all-sector (or traded) aggregate.
		di = seek(den, di, cell)
		if di < len(den) && den[di].cell == cell {
			eir, er := float64(a.firms), float64(den[di].firms)
			if emp {
				eir, er = a.emp, den[di].emp
			}
			if v, ok := lqValue(eir, er, Ei, E); ok {
				fl[3*n] = v
				r.LQ = &fl[3*n]
			}
		}
		if sc == cell {
			if st := &study[si]; st.ok {
				g := fl[3*n+1 : 3*n+3 : 3*n+3]
				g[0], g[1] = st.z, st.p
				r.GiZ, r.GiP, r.GiBin = &g[0], &g[1], int(st.bin)
			}
			si++
		}
		if inst != nil {
			r.Institutions = instMap(d, inst)
		}
		n++
	}
}

func instMap(d *data, counts []int32) map[kume.InstitutionType]int {
	m := map[kume.InstitutionType]int{}
	for t, c := range counts {
		if c > 0 {
			m[d.instTypes[t]] = int(c)
		}
	}
	return m
}
