package geo

import (
	"cmp"
	"slices"

	"github.com/kume-geo/kume"
)

// regAgg is the aggregate of one sector in one region (all active firms,
// whatever their geocode precision).
type regAgg struct {
	firms, closed, entries, exits int
	undated                       int // active firms of unknown founding date
	emp, maxEmp                   float64
	empExact                      float64 // employment of firms with an exact head count
}

func (a *regAgg) add(b *regAgg) {
	a.firms += b.firms
	a.closed += b.closed
	a.entries += b.entries
	a.exits += b.exits
	a.undated += b.undated
	a.emp += b.emp
	a.empExact += b.empExact
	a.maxEmp = max(a.maxEmp, b.maxEmp)
}

// refKey names the regions of one level for one sector key.
type refKey struct {
	level int
	s     int32
}

// regionStats computes the region statistics of every level, and the
// thresholds of stars and strong clusters per level and key, against which
// clusters are judged. It must run before the firms are re-ordered
// (d.regions is parallel to d.firms).
func regionStats(d *data, rg *regionIndex, p *Params) ([]kume.RegionStat, map[refKey]unitRef) {
	var out []kume.RegionStat
	refs := map[refKey]unitRef{}
	ns := len(d.keys)
	traded, hasTraded := d.keyIdx[tradedKey]
	for l, lv := range d.levels {
		nr := len(rg.codes[l])
		if nr == 0 {
			continue
		}
		type rc struct{ r, c int32 }
		byCode := map[rc]*regAgg{}
		var benchCode = make([]regAgg, len(d.codes))
		for i := range d.firms {
			f := &d.firms[i]
			if f.flags&fBench != 0 && f.flags&fActive != 0 {
				benchCode[f.code].firms++
				benchCode[f.code].emp += float64(f.emp)
			}
			r := d.regions[l][i]
			if r < 0 {
				continue
			}
			a := byCode[rc{r, f.code}]
			if a == nil {
				a = &regAgg{}
				byCode[rc{r, f.code}] = a
			}
			switch {
			case f.flags&fActive != 0:
				a.firms++
				if f.flags&fUndated != 0 {
					a.undated++
				}
				a.emp += float64(f.emp)
				if f.flags&fEstimated == 0 {
					a.empExact += float64(f.emp)
					a.maxEmp = max(a.maxEmp, float64(f.emp))
				}
			case f.flags&fClosed != 0:
				a.closed++
			}
			if f.flags&fEntry != 0 {
				a.entries++
			}
			if f.flags&fExit != 0 {
				a.exits++
			}
		}
		// Expand codes to sectors: table[sector][region].
		table := make([][]regAgg, ns)
		bench := make([]regAgg, ns)
		for k, a := range byCode {
			for _, s := range d.codes[k.c].sectors {
				if table[s] == nil {
					table[s] = make([]regAgg, nr)
				}
				table[s][k.r].add(a)
			}
		}
		for c := range benchCode {
			for _, s := range d.codes[c].sectors {
				bench[s].add(&benchCode[c])
			}
		}
		den, denB := table[0], bench[0]
		if p.LQConvention == ConventionUSCMP {
			den, denB = nil, regAgg{}
			if hasTraded {
				den, denB = table[traded], bench[traded]
			}
		}
		for s := 0; s < ns; s++ {
			if table[s] == nil || d.keyLevel[s] == "hidden" {
				continue
			}
			rows := make([]kume.RegionStat, 0, nr)
			var si []StarInput
			var st []StrongInput
			for r := 0; r < nr; r++ {
				a := &table[s][r]
				var er, erEmp, all float64
				if den != nil {
					er, erEmp = float64(den[r].firms), den[r].emp
				}
				if table[0] != nil {
					all = table[0][r].emp
				}
				lqE := LQ(a.emp, erEmp, bench[s].emp, denB.emp)
				focus := 0.0
				if all > 0 {
					focus = a.emp / all
				}
				si = append(si, StarInput{Employment: a.emp, LQ: lqE, Focus: focus})
				st = append(st, StrongInput{Employment: a.emp, Establishments: float64(a.firms), LQ: lqE})
				rows = append(rows, kume.RegionStat{
					Level: lv, Code: rg.codes[l][r], Sector: d.keys[s],
					Firms: a.firms, Employees: a.emp,
					LQ:         LQ(float64(a.firms), er, float64(bench[s].firms), float64(denB.firms)),
					LQEmployed: lqE,
					Suppressed: Suppressed(a.firms, a.empExact, a.maxEmp, p.DisclosureK, p.DominanceShare),
					Entries:    a.entries, Exits: a.exits, Undated: a.undated,
				})
			}
			stars := Stars(si, p.Stars)
			strong := Strong(st)
			refs[refKey{l, int32(s)}] = newUnitRef(si, st, p.Stars)
			for r := range rows {
				a := &table[s][r]
				if a.firms == 0 && a.closed == 0 && a.entries == 0 && a.exits == 0 {
					continue
				}
				rows[r].Stars, rows[r].Strong = stars[r], strong[r]
				out = append(out, rows[r])
			}
		}
	}
	slices.SortStableFunc(out, func(a, b kume.RegionStat) int {
		if c := cmp.Compare(a.Level, b.Level); c != 0 {
			return c
		}
		if c := cmp.Compare(a.Sector, b.Sector); c != 0 {
			return c
		}
		return cmp.Compare(a.Code, b.Code)
	})
	return out, refs
}
