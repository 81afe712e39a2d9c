package geo

import (
	"cmp"
	"slices"

	"github.com/kume-geo/kume"
)

// Method names the delineation of clusters, as written into every cluster
// and the run's parameters (docs/METHODS.md, "Clusters").
const Method = "specialisation: one-sided binomial test per H3 cell against the benchmark share, " +
	"Benjamini-Hochberg FDR per key and resolution; resolution chosen by Kulldorff's Poisson log-likelihood ratio"

// specCell is one cell of a specialisation test.
type specCell struct {
	cell uint64
	p    float64
}

// specialisedCells tests every cell of resolution ra.res for an excess of
// the focus activity: with p0 the focus's share of the benchmark area's
// firms, a cell holding n firms of which o are of the focus has the
// one-sided p-value P(X ≥ o), X ~ Binomial(n, p0). The m tests are the cells
// holding firms; cells with o ≤ n·p0 are not significant at any level that
// matters (p ≥ ½ near the mean) and their p-values are not computed. It
// returns the cells whose p-value is at or below the Benjamini–Hochberg
// threshold at q over the m tests, sorted by cell, and the threshold.
func specialisedCells(ra *resAgg, focus int32, p0, q float64, m int) ([]specCell, float64) {
	all, fl := ra.sectors[0], ra.sectors[focus]
	var tested []specCell
	j := 0
	for i := range fl {
		o := fl[i].firms
		if o <= 0 {
			continue
		}
		j = seek(all, j, fl[i].cell)
		if j >= len(all) || all[j].cell != fl[i].cell {
			continue // cannot happen: the focus's firms are firms
		}
		n := all[j].firms
		if float64(o) <= float64(n)*p0 {
			continue
		}
		tested = append(tested, specCell{fl[i].cell, BinomialSF(int(o), int(n), p0)})
	}
	if len(tested) == 0 || m <= 0 {
		return nil, 0
	}
	ps := make([]float64, len(tested))
	for i, t := range tested {
		ps[i] = t.p
	}
	slices.Sort(ps)
	thr, ok := 0.0, false
	for k := len(ps); k >= 1; k-- {
		if ps[k-1] <= float64(k)*q/float64(m) {
			thr, ok = ps[k-1], true
			break
		}
	}
	if !ok {
		return nil, 0
	}
	out := tested[:0]
	for _, t := range tested {
		if t.p <= thr {
			out = append(out, t)
		}
	}
	return out, thr
}

// occupiedCells counts the cells of ra holding active firms: the tests of a
// specialisation test at that resolution.
func occupiedCells(ra *resAgg) int {
	n := 0
	for i := range ra.sectors[0] {
		if ra.sectors[0][i].firms > 0 {
			n++
		}
	}
	return n
}

// clusterCandidates returns the candidate clusters of sector key s at the
// resolution of ra: the edge-connected sets of cells where its focus
// activity (d.focus[s]) is significantly over-represented
// (specialisedCells), kept when they hold at least MinFirms firms of the
// focus, MinCells cells and an LQ of the focus of at least MinLQ. Each
// carries its observed and expected focus firms, LQ, Kulldorff's Poisson
// log-likelihood ratio (which chooses among resolutions, selectClusters) and
// the largest p-value of its cells.
func clusterCandidates(d *data, ra *resAgg, s int32, ri *ringIndex, p *Params, occupied int,
	chainRoles map[string][]kume.Role, ec *edgeCache) []footprint {
	focus := d.focus[s]
	bf, ba := ra.bench[focus].firms, ra.bench[0].firms
	if !(bf > 0 && ba > 0 && bf < ba) {
		return nil // no baseline: the focus is absent, or the whole economy
	}
	p0 := bf / ba
	sig, _ := specialisedCells(ra, focus, p0, p.ClusterFDR, occupied)
	if len(sig) == 0 {
		return nil
	}
	cells := make([]uint64, len(sig))
	in := make(map[uint64]int, len(sig))
	pOf := make(map[uint64]float64, len(sig))
	for i, sc := range sig {
		cells[i] = sc.cell
		in[sc.cell] = i
		pOf[sc.cell] = sc.p
	}
	adj := func(c uint64) []uint64 { return gridDisk(c, 1) }
	if ri != nil && ri.k == 1 {
		adj = func(c uint64) []uint64 {
			r := ri.ring(ri.idx[c])
			out := make([]uint64, len(r))
			for i, u := range r {
				out[i] = ri.cells[u]
			}
			return out
		}
	}
	// The Poisson model's expected cases sum to the focus's firms of the
	// whole area: a zone of n firms expects n·N/Nall of them.
	nFocus, nAll := ra.totals[focus].firms, ra.totals[0].firms
	var out []footprint
	var member, inFocus, secs []bool
	for _, comp := range components(cells, adj, in) {
		if len(comp) < p.MinCells {
			continue
		}
		var o, n, pMax float64
		for _, c := range comp {
			if x := find(ra.sectors[focus], c); x != nil {
				o += float64(x.firms)
			}
			if x := find(ra.sectors[0], c); x != nil {
				n += float64(x.firms)
			}
			pMax = max(pMax, pOf[c])
		}
		e := n * p0
		if o < float64(p.MinFirms) || !(e > 0) || o/e < p.MinLQ {
			continue
		}
		if member == nil {
			member, inFocus = members(d, s), members(d, focus)
			secs = focusSections(d, focus)
		}
		// Critical mass and specialisation must hold without the firms at
		// shared addresses: a business centre is not a cluster.
		if own := o - sharedFirms(ra, comp, inFocus); own < float64(p.MinFirms) || own/e < p.MinLQ {
			continue
		}
		fp := describe(d, ra, s, comp, p, chainRoles, ec, member)
		fp.mix = measureMix(d, ra, comp, member, secs) // judged with the other keys' candidates (dropMixed)
		fp.focus = focus
		fp.c.FocusFirms = int(o)
		fp.c.Expected = e
		lq := o / e
		fp.c.LQ = &lq
		fp.eLLR, fp.nFocus = n*nFocus/nAll, nFocus
		fp.c.LLR = PoissonLLR(o, fp.eLLR, nFocus)
		fp.c.PValue = &pMax
		fp.c.Method = Method
		out = append(out, fp)
	}
	slices.SortFunc(out, func(a, b footprint) int { return cmp.Compare(a.c.Cells[0], b.c.Cells[0]) })
	return out
}

// focusSections returns, per sector id, whether it is the NACE section of a
// code of the focus activity.
func focusSections(d *data, focus int32) []bool {
	out := make([]bool, len(d.keys))
	for c := range d.codes {
		if sec := d.codes[c].section; sec >= 0 && slices.Contains(d.codes[c].sectors, focus) {
			out[sec] = true
		}
	}
	return out
}

// sharedFirms counts the active firms of the codes in member that sit at
// shared addresses (SharedAddress) in the cells.
func sharedFirms(ra *resAgg, comp []uint64, member []bool) float64 {
	n := 0.0
	at := 0
	for _, c := range comp {
		at = seekGroup(ra.groups, at, c)
		for i := at; i < len(ra.groups) && ra.groups[i].cell == c; i++ {
			if g := &ra.groups[i]; member[g.code] {
				n += float64(g.shared)
			}
		}
	}
	return n
}
