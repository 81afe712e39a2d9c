package geo

import (
	"cmp"
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"slices"
	"strings"

	"github.com/kume-geo/kume"
)

// footprint is a cluster footprint with the detail that profiles need.
type footprint struct {
	c              kume.Cluster
	allFirms       float64 // all-sector firms in the cells
	allEmp         float64
	maxEmp         float64
	sizes          [5]int
	entries, exits int
	closed         int
	empEst         float64
	lqEmp          *float64 // employment LQ, for stars
}

// ClusterID returns the stable id of a footprint: a hash of the sector key,
// the resolution and the sorted cell set.
func ClusterID(sector string, res int, cells []uint64) string {
	cs := slices.Clone(cells)
	slices.Sort(cs)
	h := fnv.New64a()
	h.Write([]byte(sector))
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], uint64(res))
	h.Write(b[:])
	for _, c := range cs {
		binary.LittleEndian.PutUint64(b[:], c)
		h.Write(b[:])
	}
	return fmt.Sprintf("fp-%016x", h.Sum64())
}

// Components returns the connected components of cells (one resolution)
// under edge adjacency, each sorted, ordered by their lowest cell.
func Components(cells []uint64) [][]uint64 {
	in := make(map[uint64]int, len(cells))
	for i, c := range cells {
		in[c] = i
	}
	return components(cells, func(c uint64) []uint64 { return gridDisk(c, 1) }, in)
}

func components(cells []uint64, adj func(uint64) []uint64, in map[uint64]int) [][]uint64 {
	seen := make(map[uint64]bool, len(cells))
	var out [][]uint64
	for _, c0 := range cells {
		if seen[c0] {
			continue
		}
		seen[c0] = true
		comp := []uint64{c0}
		for q := 0; q < len(comp); q++ {
			for _, nb := range adj(comp[q]) {
				if _, ok := in[nb]; ok && !seen[nb] {
					seen[nb] = true
					comp = append(comp, nb)
				}
			}
		}
		slices.Sort(comp)
		out = append(out, comp)
	}
	slices.SortFunc(out, func(a, b []uint64) int { return cmp.Compare(a[0], b[0]) })
	return out
}

// footprints delineates the footprints of sector s at one resolution from its
// study cells: edge-connected sets of cells with bin ≥ MinBin, kept when they
// reach MinFirms and MinCells. Their outlines are drawn through ec, which
// the keys of the resolution share.
func footprints(d *data, ra *resAgg, s int32, study []studyCell, ri *ringIndex, p *Params, chainRoles map[string][]kume.Role, ec *edgeCache) []footprint {
	var hot []uint64
	in := map[uint64]int{}
	for _, sc := range study {
		if sc.ok && int(sc.bin) >= p.MinBin {
			c := ri.cells[sc.u]
			in[c] = len(hot)
			hot = append(hot, c)
		}
	}
	if len(hot) == 0 {
		return nil
	}
	adj := func(c uint64) []uint64 { return gridDisk(c, 1) }
	if ri.k == 1 {
		adj = func(c uint64) []uint64 {
			r := ri.ring(ri.idx[c])
			out := make([]uint64, len(r))
			for i, u := range r {
				out[i] = ri.cells[u]
			}
			return out
		}
	}
	key := d.keys[s]
	list := ra.sectors[s]
	var out []footprint
	var member []bool // per code: whether it counts in s
	for _, comp := range components(hot, adj, in) {
		if len(comp) < p.MinCells {
			continue
		}
		var a, all agg
		for _, c := range comp {
			if x := find(list, c); x != nil {
				a.add(x)
			}
			if x := find(ra.sectors[0], c); x != nil {
				all.add(x)
			}
		}
		if int(a.firms) < p.MinFirms {
			continue
		}
		if member == nil {
			member = make([]bool, len(d.codes))
			for c := range d.codes {
				member[c] = slices.Contains(d.codes[c].sectors, s)
			}
		}
		fp := footprint{allFirms: float64(all.firms), allEmp: all.emp, maxEmp: float64(a.maxEmp), closed: int(a.closed), empEst: a.empEst}
		cl := kume.Cluster{
			ID: ClusterID(key, ra.res, comp), Sector: key, Res: ra.res, Cells: comp,
			Firms: int(a.firms), Employees: a.emp,
			Suppressed:         Suppressed(int(a.firms), a.exactEmp(), float64(a.maxEmp), p.DisclosureK, p.DominanceShare),
			InstitutionsInside: map[kume.InstitutionType]int{},
			InstitutionsNear:   map[kume.InstitutionType]int{},
		}
		if t := ra.totals[s].firms; t > 0 {
			cl.Share = float64(a.firms) / t
		}
		eir, er := float64(a.firms), float64(all.firms)
		if p.LQMeasure == MeasureEmployment {
			eir, er = a.emp, all.emp
		}
		cl.LQ = LQ(eir, er, ra.bench[s].of(p.LQMeasure), ra.bench[0].of(p.LQMeasure))
		fp.lqEmp = LQ(a.emp, all.emp, ra.bench[s].emp, ra.bench[0].emp)
		present := map[kume.Role]bool{}
		chain, isChain := strings.CutPrefix(key, "vc:")
		at := 0 // comp is sorted: its cells' groups come in order
		for _, c := range comp {
			at = seekGroup(ra.groups, at, c)
			for i := at; i < len(ra.groups) && ra.groups[i].cell == c; i++ {
				g := &ra.groups[i]
				if !member[g.code] {
					continue
				}
				ci := &d.codes[g.code]
				for k, v := range g.sizes {
					fp.sizes[k] += int(v)
				}
				fp.entries += int(g.entries)
				fp.exits += int(g.exits)
				if isChain && g.firms > 0 {
					for _, cr := range ci.chains {
						if cr.Chain == chain {
							present[cr.Role] = true
						}
					}
				}
			}
		}
		if isChain {
			roles := chainRoles[chain]
			for _, r := range roles {
				if present[r] {
					cl.RolesPresent = append(cl.RolesPresent, r)
				} else {
					cl.RolesMissing = append(cl.RolesMissing, r)
				}
			}
			if len(roles) > 0 {
				v := float64(len(cl.RolesPresent)) / float64(len(roles))
				cl.Completeness = &v
			}
		}
		cl.Geometry = cellsPolygon(comp, ec)
		fp.c = cl
		out = append(out, fp)
	}
	return out
}

// chainRoleSets returns the role set of every chain: from Input.Chains when
// given, otherwise the roles its codes play anywhere in the data.
func chainRoleSets(d *data, in *Input) map[string][]kume.Role {
	sets := map[string]map[kume.Role]bool{}
	add := func(ch string, r kume.Role) {
		if sets[ch] == nil {
			sets[ch] = map[kume.Role]bool{}
		}
		sets[ch][r] = true
	}
	defined := map[string]bool{}
	for _, vc := range in.Chains {
		defined[vc.ID] = true
		for r, codes := range vc.Roles {
			if len(codes) > 0 {
				add(vc.ID, r)
			}
		}
	}
	for _, ci := range d.codes {
		for _, cr := range ci.chains {
			if !defined[cr.Chain] {
				add(cr.Chain, cr.Role)
			}
		}
	}
	out := map[string][]kume.Role{}
	for ch, set := range sets {
		for _, r := range kume.Roles() {
			if set[r] {
				out[ch] = append(out[ch], r)
			}
		}
		for r := range set {
			if !slices.Contains(kume.Roles(), r) {
				out[ch] = append(out[ch], r)
			}
		}
	}
	return out
}

// institutionsAround counts institutions inside a footprint (their cell at the
// footprint's resolution is one of its cells) and near it (within km of the
// centre of one of its cells plus the cell's edge length), by type.
func institutionsAround(d *data, fp *footprint, km float64) {
	if len(d.insts) == 0 {
		return // no cell centres needed
	}
	cells := fp.c.Cells
	res := fp.c.Res
	reach := km + edgeKm(res)
	set := make(map[uint64]bool, len(cells))
	var minLon, minLat, maxLon, maxLat = 180.0, 90.0, -180.0, -90.0
	centres := make([][2]float64, len(cells))
	for i, c := range cells {
		set[c] = true
		pt := CellCenter(c)
		centres[i] = [2]float64{pt[0], pt[1]}
		minLon, maxLon = min(minLon, pt[0]), max(maxLon, pt[0])
		minLat, maxLat = min(minLat, pt[1]), max(maxLat, pt[1])
	}
	dLat := reach / 111.0
	for i := range d.insts {
		in := &d.insts[i]
		if in.cell == 0 {
			continue
		}
		t := d.instTypes[in.typ]
		if int(in.maxRes) >= res && set[CellParent(in.cell, res)] {
			fp.c.InstitutionsInside[t]++
			continue
		}
		if km == 0 && reach == 0 {
			continue
		}
		if in.pt[1] < minLat-dLat || in.pt[1] > maxLat+dLat {
			continue
		}
		dLon := dLat / max(0.05, cosDeg(in.pt[1]))
		if in.pt[0] < minLon-dLon || in.pt[0] > maxLon+dLon {
			continue
		}
		for _, c := range centres {
			if haversineKm(in.pt, [2]float64(c)) <= reach {
				fp.c.InstitutionsNear[t]++
				break
			}
		}
	}
}
