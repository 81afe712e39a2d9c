package geo

import (
	"cmp"
	"slices"
)

// A mixed concentration is a place where a key's excess says nothing of a
// value chain: the source definition says that firms of mixed sectors inside
// a zone (an organised industrial zone, technology park, incubator, free
// zone) are not a cluster, though a cluster may contain such a site. A zone
// raises every activity it holds above the all-firm baseline; what tells a
// value chain's cluster from it is that the chain dominates its place. kume
// asks for that dominance in two places, and nowhere else (one specialised
// activity among a normal mix, with or without a site, needs none):
//
//  1. where the NACE sections of the tested activity are an agglomeration
//     in the footprint (LQ ≥ sectionAgglomerationLQ: an industrial district,
//     say), the key must hold at least MinDominance of the footprint's firms
//     of those sections;
//  2. where the footprint holds or touches a site (hasSite) and another,
//     unrelated key is specialised there too (a candidate of any resolution
//     that overlaps it), the key must hold more than half of all the
//     footprint's firms (crowdShare): several activities at once on one site
//     are its mix, not clusters, unless one of them is most of the site.

// sectionAgglomerationLQ is the location quotient above which the
// footprint's firms of the focus's sections count as an agglomeration of
// those sections (an industrial zone of manufacturing, say), as the
// European Cluster Observatory's specialisation star reads an LQ of 2.
const sectionAgglomerationLQ = 2

// crowdKeys is how many other unrelated keys specialised on the same site
// make it a mixed site (rule 2): one.
const crowdKeys = 1

// crowdShare is the share of all the footprint's firms a key must exceed on a
// crowded site (rule 2).
const crowdShare = 0.5

// siteReachKm is how far beyond a footprint's cells a site counts as the
// footprint's: a zone's firms spill over the edges of the cells around it.
const siteReachKm = 2

// placeMix is what the rules read of a footprint.
type placeMix struct {
	site     bool    // holds or touches a site
	agglo    bool    // the focus's sections are an agglomeration there
	secShare float64 // the key's share of the footprint's firms in those sections (1 without)
	allShare float64 // the key's share of all the footprint's firms
}

// measureMix measures a footprint's mix: member marks the codes of its key,
// secs the sections of its tested activity.
func measureMix(d *data, ra *resAgg, comp []uint64, member, secs []bool) placeMix {
	var secNum, secDen, num, den float64
	at := 0
	for _, c := range comp {
		at = seekGroup(ra.groups, at, c)
		for i := at; i < len(ra.groups) && ra.groups[i].cell == c; i++ {
			g := &ra.groups[i]
			f := float64(g.firms)
			den += f
			if member[g.code] {
				num += f
			}
			if sec := d.codes[g.code].section; sec >= 0 && secs[sec] {
				secDen += f
				if member[g.code] {
					secNum += f
				}
			}
		}
	}
	m := placeMix{site: hasSite(d, comp), secShare: 1, allShare: 1}
	if secDen > 0 {
		m.secShare = secNum / secDen
	}
	if den > 0 {
		m.allShare = num / den
	}
	var benchSec float64
	for s, in := range secs {
		if in {
			benchSec += ra.bench[s].firms
		}
	}
	lq, ok := lqValue(secDen, den, benchSec, ra.bench[0].firms)
	m.agglo = ok && lq >= sectionAgglomerationLQ
	return m
}

// hasSite reports whether a site institution (an organised industrial zone,
// technology park, incubator or free zone) placed precisely enough for the
// resolution lies in the footprint's cells or within siteReachKm of them
// (of a cell's centre plus its edge length).
func hasSite(d *data, comp []uint64) bool {
	if len(comp) == 0 {
		return false
	}
	res := CellResolution(comp[0])
	reach := edgeKm(res) + siteReachKm
	for i := range d.insts {
		in := &d.insts[i]
		if in.cell == 0 || int(in.maxRes) < res || !d.instTypes[in.typ].IsSite() {
			continue
		}
		if _, ok := slices.BinarySearch(comp, CellParent(in.cell, res)); ok {
			return true
		}
		for _, c := range comp {
			if haversineKm(in.pt, CellCenter(c)) <= reach {
				return true
			}
		}
	}
	return false
}

// dropMixed applies both rules to the candidates of every key and
// resolution and returns those that stay. The crowd of rule 2 counts every
// candidate, of any resolution, also those rule 1 drops.
func dropMixed(d *data, fps []footprint, share float64) []footprint {
	all := make([]*footprint, len(fps))
	for i := range fps {
		all[i] = &fps[i]
	}
	var out []footprint
	for i := range fps {
		x := &fps[i]
		m := x.mix
		if m.agglo && m.secShare < share {
			continue
		}
		if m.site && m.allShare <= crowdShare && len(crowd(d, x, all)) >= crowdKeys {
			continue
		}
		out = append(out, *x)
	}
	return out
}

// crowd returns the other keys with a candidate overlapping x that is not
// related to it.
func crowd(d *data, x *footprint, all []*footprint) []int32 {
	var keys []int32
	for _, y := range all {
		if y.key == x.key || slices.Contains(keys, y.key) || !overlap(x.c.Cells, y.c.Cells) ||
			related(d, x, y) || related(d, y, x) {
			continue
		}
		keys = append(keys, y.key)
	}
	slices.SortFunc(keys, func(a, b int32) int { return cmp.Compare(a, b) })
	return keys
}
