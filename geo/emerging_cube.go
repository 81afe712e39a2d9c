package geo

import (
	"slices"
)

// occupiedCube holds the occupied cells of one cube (sorted) and, per cell
// and step (row-major), the active firms, their employment, and whether the
// bin is to be withheld from public output (nil without disclosure control).
type occupiedCube struct {
	cells []uint64
	firms []int32
	emp   []float64
	supp  []bool
}

// aggregateCube rolls the firms up to resolution res and counts, per cell
// and time step, the firms active at the end of the step and their
// employment. Firms whose precision does not reach res, or that are active
// at no step of the span, are left out. A cell that is not a valid H3 cell
// at least as fine as res is an EINVALID error.
func aggregateCube(firms []DatedFirm, res int, p EmergingParams) (*occupiedCube, error) {
	T := p.Steps.N
	type counted struct {
		cell        uint64
		first, last int16
		firm        int32
	}
	kept := make([]counted, 0, len(firms)/2)
	for i := range firms {
		f := &firms[i]
		if int(f.MaxRes) < res {
			continue
		}
		if !ValidCell(f.Cell) || CellResolution(f.Cell) < res {
			return nil, emergingBad("firm %d: %x is not a valid H3 cell of resolution %d or finer", i, f.Cell, res)
		}
		first, last, ok := p.Steps.Active(f.Founded, f.Closed, p.Undated)
		if !ok {
			continue
		}
		kept = append(kept, counted{cell: CellParent(f.Cell, res), first: int16(first), last: int16(last), firm: int32(i)})
	}
	slices.SortFunc(kept, func(a, b counted) int {
		switch {
		case a.cell < b.cell:
			return -1
		case a.cell > b.cell:
			return 1
		}
		return int(a.firm - b.firm)
	})
	cube := &occupiedCube{}
	for i := range kept {
		if i == 0 || kept[i].cell != kept[i-1].cell {
			cube.cells = append(cube.cells, kept[i].cell)
		}
	}
	n := len(cube.cells)
	// Difference arrays of stride T+1: +1 at a firm's first step, −1 after
	// its last; a running sum gives the active count. Employment adds up the
	// same way, exactly (integers and half-integers).
	dFirms := make([]int32, n*(T+1))
	dEmp := make([]float64, n*(T+1))
	row := -1
	for i := range kept {
		k := &kept[i]
		if i == 0 || k.cell != kept[i-1].cell {
			row++
		}
		base := row * (T + 1)
		dFirms[base+int(k.first)]++
		dFirms[base+int(k.last)+1]--
		if e := firms[k.firm].Employees; e > 0 {
			dEmp[base+int(k.first)] += e
			dEmp[base+int(k.last)+1] -= e
		}
	}
	cube.firms = make([]int32, n*T)
	cube.emp = make([]float64, n*T)
	for r := 0; r < n; r++ {
		var f int32
		var e float64
		for t := 0; t < T; t++ {
			f += dFirms[r*(T+1)+t]
			e += dEmp[r*(T+1)+t]
			cube.firms[r*T+t], cube.emp[r*T+t] = f, e
		}
	}
	if p.DisclosureK > 0 {
		cube.supp = disclosure(cube, firms, func(yield func(row int, firm int32, first, last int) bool) {
			r := -1
			for i := range kept {
				k := &kept[i]
				if i == 0 || k.cell != kept[i-1].cell {
					r++
				}
				if !yield(r, k.firm, int(k.first), int(k.last)) {
					return
				}
			}
		}, p)
	}
	return cube, nil
}

// disclosure marks the bins that Suppressed withholds: fewer than
// p.DisclosureK firms, or one firm with an exact head count holding more
// than p.DominanceShare of the exactly counted employment. each yields the
// counted firms grouped by row (cell), with their first and last step.
func disclosure(cube *occupiedCube, firms []DatedFirm, each func(func(row int, firm int32, first, last int) bool), p EmergingParams) []bool {
	T := p.Steps.N
	exact := make([]float64, len(cube.firms))
	largest := make([]float64, len(cube.firms))
	// Per cell, the firms with an exact head count, largest first, fill the
	// steps of their span not yet taken by a larger firm (next[t] skips the
	// taken steps), so each step gets its largest firm without a pass over
	// every firm's span for every step.
	next := make([]int, T+1)
	find := func(t int) int {
		for next[t] != t {
			next[t] = next[next[t]]
			t = next[t]
		}
		return t
	}
	type span struct {
		emp         float64
		first, last int
	}
	var group []span
	flush := func(row int) {
		if row < 0 {
			return
		}
		slices.SortFunc(group, func(a, b span) int {
			switch {
			case a.emp > b.emp:
				return -1
			case a.emp < b.emp:
				return 1
			}
			return 0
		})
		for t := range next {
			next[t] = t
		}
		for _, s := range group {
			for t := find(s.first); t <= s.last; t = find(t + 1) {
				largest[row*T+t] = s.emp
				next[t] = t + 1
			}
		}
		group = group[:0]
	}
	// Exact employment per bin by difference arrays, as in aggregateCube.
	d := make([]float64, T+1)
	cur := -1
	closeRow := func() {
		if cur < 0 {
			return
		}
		var e float64
		for t := 0; t < T; t++ {
			e += d[t]
			exact[cur*T+t] = e
		}
		clear(d)
		flush(cur)
	}
	each(func(row int, firm int32, first, last int) bool {
		if row != cur {
			closeRow()
			cur = row
		}
		if f := &firms[firm]; f.ExactEmployees && f.Employees > 0 {
			d[first] += f.Employees
			d[last+1] -= f.Employees
			group = append(group, span{emp: f.Employees, first: first, last: last})
		}
		return true
	})
	closeRow()
	supp := make([]bool, len(cube.firms))
	for i, n := range cube.firms {
		supp[i] = Suppressed(int(n), exact[i], largest[i], p.DisclosureK, p.DominanceShare)
	}
	return supp
}
