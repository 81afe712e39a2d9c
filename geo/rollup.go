package geo

import "sync"

// aggBuf holds the memory of one resolution's aggregates so that the next
// resolution reuses it: the analysis visits every resolution twice (row counts,
// then rows), and reusing the buffers keeps the garbage near zero.
type aggBuf struct {
	groups    []group   // one slot per firm: a part's groups never outnumber its firms
	cells     []cellAgg // backing array of the sector lists built
	parts     []aggPart
	codeBench []total
	codeTotal []total
	ra        resAgg
}

// aggPart is one worker's share of an aggregation: a run of firms whose cells
// at the resolution no other part holds.
type aggPart struct {
	lo, hi   int     // firms, and groups[lo:] while grouping
	glo, ghi int     // groups in resAgg.groups
	slot     []int32 // per code: its group in the current cell, or -1
	touched  []int32
	cnt      []int32  // per sector: list length within the part
	cur      []int32  // per sector: write cursor (-1: list not built)
	last     []uint64 // per sector: last cell counted or written (0: none)
}

// splitFirms cuts the sorted firms into up to w runs at cell boundaries of res.
func splitFirms(fs []firm, res, w int, parts []aggPart) []aggPart {
	parts = parts[:0]
	lo := 0
	for j := 1; j <= w && lo < len(fs); j++ {
		hi := len(fs) * j / w
		if j == w {
			hi = len(fs)
		}
		hi = max(hi, lo)
		for hi > lo && hi < len(fs) && CellParent(fs[hi].cell, res) == CellParent(fs[hi-1].cell, res) {
			hi++
		}
		if hi > lo {
			if len(parts) < cap(parts) {
				parts = parts[:len(parts)+1]
			} else {
				parts = append(parts, aggPart{})
			}
			parts[len(parts)-1].lo, parts[len(parts)-1].hi = lo, hi
		}
		lo = hi
	}
	return parts
}

// runParts calls fn for every part on its own goroutine, and extra alongside.
func runParts(parts []aggPart, fn func(p *aggPart), extra func()) {
	var wg sync.WaitGroup
	for i := range parts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			fn(&parts[i])
		}()
	}
	if extra != nil {
		extra()
	}
	wg.Wait()
}

// groupFirms builds the groups of the part's firms at res into groups[pt.lo:]
// and counts the length of every sector list within the part.
func (pt *aggPart) groupFirms(d *data, res int, groups []group) {
	slot := grow(pt.slot, len(d.codes))
	for i := range slot {
		slot[i] = -1
	}
	pt.slot = slot
	touched := pt.touched[:0]
	n := pt.lo
	var cur uint64
	for i := pt.lo; i < pt.hi; i++ {
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
			g = int32(n)
			groups[n] = group{cell: c, code: f.code}
			n++
			slot[f.code] = g
			touched = append(touched, f.code)
		}
		gr := &groups[g]
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
			if f.flags&fUndated != 0 {
				gr.undated++
			}
			if f.flags&fShared != 0 {
				gr.shared++
			}
		}
	}
	pt.touched = touched
	pt.glo, pt.ghi = pt.lo, n
	// Count the sector lists; cells are never 0, so last[s] == 0 means none.
	ns := len(d.keys)
	cnt := grow(pt.cnt, ns)
	clear(cnt)
	last := grow(pt.last, ns)
	clear(last)
	for gi := pt.glo; gi < pt.ghi; gi++ {
		g := &groups[gi]
		for _, s := range d.codes[g.code].sectors {
			if last[s] != g.cell {
				cnt[s]++
				last[s] = g.cell
			}
		}
	}
	pt.cnt, pt.last = cnt, last
}

// aggregate rolls the sorted firms up to resolution res with CellParent into
// per-code groups sorted by cell, with the totals and the length of every
// sector list (ra.n); buildLists then builds the lists wanted. The result
// lives in buf and is valid until the next call with the same buf. Workers
// take runs of firms with disjoint cells, so every sum is taken in the same
// order as by a single pass over the firms.
func aggregate(d *data, res int, buf *aggBuf) *resAgg {
	ns := len(d.keys)
	nc := len(d.codes)
	ra := &buf.ra
	*ra = resAgg{res: res}
	buf.parts = splitFirms(d.firms, res, parallelism(), buf.parts)
	parts := buf.parts
	codeBench := clearTotals(grow(buf.codeBench, nc))
	codeTotal := clearTotals(grow(buf.codeTotal, nc))
	buf.codeBench, buf.codeTotal = codeBench, codeTotal
	groups := grow(buf.groups, len(d.firms))
	buf.groups = groups
	runParts(parts, func(pt *aggPart) { pt.groupFirms(d, res, groups) }, func() {
		for i := range d.firms {
			f := &d.firms[i]
			if f.cell == 0 || int(f.maxRes) < res || f.flags&fActive == 0 {
				continue
			}
			codeTotal[f.code].firms++
			codeTotal[f.code].emp += float64(f.emp)
			if f.flags&fBench != 0 {
				codeBench[f.code].firms++
				codeBench[f.code].emp += float64(f.emp)
			}
		}
	})
	// Close the gaps between the parts' groups.
	ng := 0
	for i := range parts {
		pt := &parts[i]
		n := copy(groups[ng:], groups[pt.glo:pt.ghi])
		pt.glo, pt.ghi = ng, ng+n
		ng += n
	}
	ra.groups = groups[:ng]
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
	ra.n = make([]int, ns)
	for i := range parts {
		for s, l := range parts[i].cnt {
			ra.n[s] += int(l)
		}
	}
	return ra
}

// buildLists builds the cell lists of the sectors in want (all when nil) and
// drops the others (nil). The lists live in buf until the next call.
func buildLists(d *data, ra *resAgg, buf *aggBuf, want []bool) {
	ns := len(d.keys)
	parts := buf.parts
	n := 0
	for s, l := range ra.n {
		if want == nil || want[s] {
			n += l
		}
	}
	cells := grow(buf.cells, n)
	buf.cells = cells
	ra.sectors = make([][]cellAgg, ns)
	for i := range parts {
		parts[i].cur = grow(parts[i].cur, ns)
	}
	off := int32(0)
	for s := range ns {
		if want != nil && !want[s] {
			for i := range parts {
				parts[i].cur[s] = -1
			}
			continue
		}
		start := off
		for i := range parts {
			parts[i].cur[s] = off
			off += parts[i].cnt[s]
		}
		ra.sectors[s] = cells[start:off:off]
	}
	// The wanted sectors of every code.
	var secs [][]int32
	if want != nil {
		secs = make([][]int32, len(d.codes))
		for c := range d.codes {
			for _, s := range d.codes[c].sectors {
				if want[s] {
					secs[c] = append(secs[c], s)
				}
			}
		}
	}
	runParts(parts, func(pt *aggPart) {
		cur, last := pt.cur, pt.last
		clear(last)
		for gi := pt.glo; gi < pt.ghi; gi++ {
			g := &ra.groups[gi]
			ss := d.codes[g.code].sectors
			if secs != nil {
				ss = secs[g.code]
			}
			for _, s := range ss {
				w := cur[s]
				if last[s] == g.cell {
					cells[w-1].add(&g.agg)
					continue
				}
				cells[w] = cellAgg{cell: g.cell, agg: g.agg}
				cur[s] = w + 1
				last[s] = g.cell
			}
		}
	}, nil)
}
