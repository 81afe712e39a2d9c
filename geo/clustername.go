package geo

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
)

// placeOf finds the place a cluster lies in and stores its name in
// fp.c.Place: the region of the coarsest level (fewest regions) that holds
// at least half of the cluster's firms and, of them, at least two thirds in
// one region. Polygon levels place each cell's firms by the cell's centre;
// the first attribute level (e.g. Berlin's Bezirk) places each firm by its
// attribute. When no level qualifies, the two regions holding most firms at
// the best-covered level name it ("A / B"); with no region at all, the
// nearest town does (near, Input.NearestPlace: the town itself within
// townKm, "near" it up to nearKm), and failing that the coordinates; both
// are taken at the centre of the cell holding most of its firms. The top region at the finest level that differs
// tells namesakes apart (fp.finer).
func placeOf(d *data, fp *footprint, rg *regionIndex, near func(lon, lat float64) (string, string, float64, bool)) {
	type tally struct {
		l       int
		byReg   map[int32]int
		covered int
	}
	var ts []tally
	for l := range rg.levels {
		t := tally{l: l, byReg: map[int32]int{}}
		switch {
		case rg.polygonal(l):
			if len(rg.polys[l]) == 0 {
				continue
			}
			for i, c := range fp.c.Cells {
				if fp.cellFirms[i] == 0 {
					continue
				}
				if r := rg.locate(l, CellCenter(c)); r >= 0 {
					t.byReg[r] += int(fp.cellFirms[i])
					t.covered += int(fp.cellFirms[i])
				}
			}
		case l == d.placeLevel:
			member := members(d, fp.key)
			for _, c := range fp.c.Cells {
				lo, hi := descendantRange(c, d.base)
				i, _ := slices.BinarySearchFunc(d.firms, lo, func(f firm, t uint64) int { return cmp.Compare(f.cell, t) })
				for ; i < len(d.firms) && d.firms[i].cell <= hi; i++ {
					f := &d.firms[i]
					if f.place >= 0 && f.flags&fActive != 0 && int(f.maxRes) >= fp.c.Res && member[f.code] {
						t.byReg[f.place]++
						t.covered++
					}
				}
			}
		}
		if t.covered > 0 {
			ts = append(ts, t)
		}
	}
	slices.SortStableFunc(ts, func(a, b tally) int { return cmp.Compare(len(rg.codes[a.l]), len(rg.codes[b.l])) })
	top := func(t tally) []int32 {
		rs := make([]int32, 0, len(t.byReg))
		for r := range t.byReg {
			rs = append(rs, r)
		}
		slices.SortFunc(rs, func(a, b int32) int {
			if c := cmp.Compare(t.byReg[b], t.byReg[a]); c != 0 {
				return c
			}
			return cmp.Compare(rg.names[t.l][a], rg.names[t.l][b])
		})
		return rs
	}
	for _, t := range ts {
		rs := top(t)
		if 2*t.covered >= fp.c.Firms && 3*t.byReg[rs[0]] >= 2*t.covered {
			fp.level = t.l
			fp.c.Place = rg.names[t.l][rs[0]]
			break
		}
	}
	if fp.level < 0 && len(ts) > 0 {
		best := slices.MaxFunc(ts, func(a, b tally) int { return cmp.Compare(a.covered, b.covered) })
		rs := top(best)
		fp.level = best.l
		fp.c.Place = rg.names[best.l][rs[0]]
		if len(rs) > 1 {
			fp.c.Place += " / " + rg.names[best.l][rs[1]]
		}
	}
	for i := len(ts) - 1; i >= 0; i-- {
		if n := rg.names[ts[i].l][top(ts[i])[0]]; n != fp.c.Place {
			fp.finer = n
			break
		}
	}
	if fp.c.Place == "" && len(fp.c.Cells) > 0 && near != nil {
		pt := CellCenter(fp.c.Cells[busiest(fp.cellFirms)])
		if en, tr, km, ok := near(pt[0], pt[1]); ok && km <= nearKm {
			fp.c.Place, fp.placeTR = en, tr
			if km > townKm {
				fp.c.Place, fp.placeTR = "near "+en, tr+" yakını"
			}
		}
	}
	if fp.c.Place == "" && len(fp.c.Cells) > 0 {
		pt := CellCenter(fp.c.Cells[busiest(fp.cellFirms)])
		fp.c.Place = fmt.Sprintf("%.2f° %s %.2f° %s", math.Abs(pt[1]), hemi(pt[1], "N", "S"), math.Abs(pt[0]), hemi(pt[0], "E", "W"))
	}
}

// A cluster no region holds is named after the nearest town: the town
// itself within townKm of its first cell's centre, "near" it within nearKm.
const (
	townKm = 15
	nearKm = 50
)

func hemi(v float64, pos, neg string) string {
	if v < 0 {
		return neg
	}
	return pos
}

// nameClusters writes every cluster's names, "<place> – <sector>" in
// English and Turkish (the sector's names from names, else its key).
// Clusters of one key that share a place name add their finer place in
// parentheses, then a number when that is not enough.
func nameClusters(fps []footprint, names func(key string) (en, tr string)) {
	place := make([]string, len(fps))
	count := map[string]int{}
	for i := range fps {
		place[i] = fps[i].c.Place
		count[fps[i].c.Sector+"\x00"+place[i]]++
	}
	for i := range fps {
		if count[fps[i].c.Sector+"\x00"+place[i]] > 1 && fps[i].finer != "" {
			place[i] += " (" + fps[i].finer + ")"
		}
	}
	seen := map[string]int{}
	count = map[string]int{}
	for i := range fps {
		count[fps[i].c.Sector+"\x00"+place[i]]++
	}
	for i := range fps {
		k := fps[i].c.Sector + "\x00" + place[i]
		if count[k] > 1 {
			seen[k]++
			place[i] += fmt.Sprintf(" %d", seen[k])
		}
		en, tr := sectorNames(fps[i].c.Sector, names)
		placeTR := place[i]
		if fps[i].placeTR != "" {
			placeTR = fps[i].placeTR + strings.TrimPrefix(place[i], fps[i].c.Place)
		}
		fps[i].c.Name = strings.TrimSpace(place[i] + " – " + en)
		fps[i].c.NameTR = strings.TrimSpace(placeTR + " – " + tr)
	}
}

// sectorNames returns the English and Turkish names of a sector key.
func sectorNames(key string, names func(string) (string, string)) (en, tr string) {
	if names != nil {
		en, tr = names(key)
	}
	if en == "" {
		en = key
	}
	if tr == "" {
		tr = en
	}
	return en, tr
}

// busiest returns the index of the largest count (the first of ties).
func busiest(n []int32) int {
	best := 0
	for i, v := range n {
		if v > n[best] {
			best = i
		}
	}
	return best
}
