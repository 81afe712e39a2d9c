package geo

import (
	"cmp"
	"slices"

	"github.com/kume-geo/kume"
)

// cellRows builds the CellStat rows of one sector at one resolution: every
// cell with firms of the sector (active, closed or imprecise) and, when Gi*
// was computed, every other cell of its study area.
func cellRows(d *data, ra *resAgg, s int32, study []studyCell, ri *ringIndex, p *Params, insts map[uint64][]int32) []kume.CellStat {
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
	Ei, E := ra.bench[s].of(p.LQMeasure), denTot.of(p.LQMeasure)
	n := len(list)
	for _, sc := range study {
		if sc.occ < 0 {
			n++ // at most; cells with only closed or imprecise firms overlap
		}
	}
	rows := make([]kume.CellStat, 0, n)
	slab := make([]float64, 3*n)
	di := 0
	lqOf := func(cell uint64, a *agg, slot *float64) *float64 {
		for di < len(den) && den[di].cell < cell {
			di++
		}
		if di >= len(den) || den[di].cell != cell {
			return nil
		}
		var eir, er float64
		if p.LQMeasure == MeasureEmployment {
			eir, er = a.emp, den[di].emp
		} else {
			eir, er = float64(a.firms), float64(den[di].firms)
		}
		return lqInto(slot, eir, er, Ei, E)
	}
	emit := func(cell uint64, a *agg, sc *studyCell) {
		i := len(rows)
		r := kume.CellStat{
			Res: ra.res, Cell: cell, Sector: key,
			Firms: int(a.firms), Closed: int(a.closed), Imprecise: int(a.imprecise),
			Employees: a.emp, EmployeesEstimated: a.empEst,
			Suppressed: Suppressed(int(a.firms), a.emp, float64(a.maxEmp), p.DisclosureK, p.DominanceShare),
		}
		r.LQ = lqOf(cell, a, &slab[3*i])
		if sc != nil && sc.ok {
			slab[3*i+1], slab[3*i+2] = sc.z, sc.p
			r.GiZ, r.GiP, r.GiBin = &slab[3*i+1], &slab[3*i+2], int(sc.bin)
		}
		if s == 0 && insts != nil {
			if c := insts[cell]; c != nil {
				r.Institutions = instMap(d, c)
			}
		}
		rows = append(rows, r)
	}
	var zero agg
	li, si := 0, 0
	const none = ^uint64(0)
	for li < len(list) || si < len(study) {
		lc, sc := none, none
		if li < len(list) {
			lc = list[li].cell
		}
		if si < len(study) {
			sc = ri.cells[study[si].u]
		}
		switch {
		case lc == sc:
			emit(lc, &list[li].agg, &study[si])
			li++
			si++
		case lc < sc:
			emit(lc, &list[li].agg, nil)
			li++
		default:
			emit(sc, &zero, &study[si])
			si++
		}
	}
	if s == 0 {
		rows = addInstitutionCells(d, ra.res, rows, insts)
	}
	return rows
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

// addInstitutionCells adds all-sector rows for cells that hold institutions
// but no firm row, keeping the rows sorted by cell.
func addInstitutionCells(d *data, res int, rows []kume.CellStat, insts map[uint64][]int32) []kume.CellStat {
	if len(insts) == 0 {
		return rows
	}
	have := make(map[uint64]bool, len(rows))
	for _, r := range rows {
		have[r.Cell] = true
	}
	added := false
	for cell, c := range insts {
		if !have[cell] {
			rows = append(rows, kume.CellStat{Res: res, Cell: cell, Sector: kume.SectorAll, Institutions: instMap(d, c)})
			added = true
		}
	}
	if added {
		slices.SortFunc(rows, func(a, b kume.CellStat) int { return cmp.Compare(a.Cell, b.Cell) })
	}
	return rows
}
