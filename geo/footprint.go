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

// footprint is a cluster with the detail that choosing among the
// candidates and writing profiles need.
type footprint struct {
	c              kume.Cluster
	key, focus     int32   // sector ids of the cluster's key and of its tested activity
	eLLR, nFocus   float64 // expected focus firms of the Poisson model, and its total
	level          int     // region level that names the cluster, -1 none
	finer          string  // the place at a finer level, to tell namesakes apart
	placeTR        string  // the place's Turkish name, when it has its own
	cellFirms      []int32 // active firms of the key per cell of c.Cells
	mix            placeMix
	allFirms       float64 // all-sector firms in the cells
	allEmp         float64
	maxEmp         float64
	sizes          [5]int
	entries, exits int
	undated        int // active firms of the key whose founding date is unknown
	closed         int
	empEst         float64
	lqEmp          *float64 // employment LQ, for stars
	ecoFirms       []int    // firms that are supporting actors, by kind of kume.EcosystemKinds
	// instKnown: the institution register holds an institution within
	// InstitutionCoverKm of the footprint, so an institution it lacks
	// there is absent, not merely unloaded.
	instKnown bool
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

// describe fills the detail of a footprint of key s (cells sorted, at the
// resolution of ra): the key's firms, employment, share and LQ, the firm
// sizes, entries and exits, the value-chain roles present and missing, the
// composition by NACE code, the firms that are supporting actors (packaging
// producers, banks) and the outline, drawn through ec.
func describe(d *data, ra *resAgg, s int32, comp []uint64, p *Params, chainRoles map[string][]kume.Role, ec *edgeCache, member []bool) footprint {
	key := d.keys[s]
	list := ra.sectors[s]
	var a, all agg
	cellFirms := make([]int32, len(comp))
	for i, c := range comp {
		if x := find(list, c); x != nil {
			a.add(x)
			cellFirms[i] = x.firms
		}
		if x := find(ra.sectors[0], c); x != nil {
			all.add(x)
		}
	}
	fp := footprint{key: s, allFirms: float64(all.firms), allEmp: all.emp, maxEmp: float64(a.maxEmp), closed: int(a.closed), empEst: a.empEst,
		ecoFirms: make([]int, len(kume.EcosystemKinds())), cellFirms: cellFirms, level: -1}
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
	fp.lqEmp = LQ(a.emp, all.emp, ra.bench[s].emp, ra.bench[0].emp)
	present := map[kume.Role]bool{}
	chain, isChain := strings.CutPrefix(key, "vc:")
	byCode := map[int32]*kume.CompositionItem{}
	at := 0 // comp is sorted: its cells' groups come in order
	for _, c := range comp {
		at = seekGroup(ra.groups, at, c)
		for i := at; i < len(ra.groups) && ra.groups[i].cell == c; i++ {
			g := &ra.groups[i]
			ci := &d.codes[g.code]
			if ci.eco >= 0 {
				fp.ecoFirms[ci.eco] += int(g.firms)
			}
			if !member[g.code] {
				continue
			}
			for k, v := range g.sizes {
				fp.sizes[k] += int(v)
			}
			fp.entries += int(g.entries)
			fp.exits += int(g.exits)
			fp.undated += int(g.undated)
			if g.firms == 0 {
				continue
			}
			it := byCode[g.code]
			if it == nil {
				it = &kume.CompositionItem{Code: ci.code}
				byCode[g.code] = it
			}
			it.Firms += int(g.firms)
			it.Employees += g.emp
			if isChain {
				for _, cr := range ci.chains {
					if cr.Chain == chain {
						present[cr.Role] = true
						it.Role = cr.Role
					}
				}
			}
		}
	}
	for _, it := range byCode {
		cl.Composition = append(cl.Composition, *it)
	}
	slices.SortFunc(cl.Composition, func(x, y kume.CompositionItem) int {
		if c := cmp.Compare(y.Firms, x.Firms); c != 0 {
			return c
		}
		return cmp.Compare(x.Code, y.Code)
	})
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
	return fp
}

// members returns, per NACE code of the data, whether it counts in sector s.
func members(d *data, s int32) []bool {
	m := make([]bool, len(d.codes))
	for c := range d.codes {
		m[c] = slices.Contains(d.codes[c].sectors, s)
	}
	return m
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
// centre of one of its cells plus the cell's edge length), by type, and tells
// whether the register covers the footprint (instKnown: one institution of
// any type inside or within InstitutionCoverKm).
func institutionsAround(d *data, fp *footprint, km float64) {
	if len(d.insts) == 0 {
		return // no cell centres needed
	}
	cells := fp.c.Cells
	res := fp.c.Res
	reach := km + edgeKm(res)
	cover := max(reach, InstitutionCoverKm)
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
	for i := range d.insts {
		in := &d.insts[i]
		if in.cell == 0 {
			continue
		}
		t := d.instTypes[in.typ]
		if int(in.maxRes) >= res && set[CellParent(in.cell, res)] {
			fp.c.InstitutionsInside[t]++
			fp.instKnown = true
			continue
		}
		// Once the register is known to cover the footprint, only the reach
		// is searched.
		lim := reach
		if !fp.instKnown {
			lim = cover
		}
		dLat := lim / 111.0
		if in.pt[1] < minLat-dLat || in.pt[1] > maxLat+dLat {
			continue
		}
		dLon := dLat / max(0.05, cosDeg(in.pt[1]))
		if in.pt[0] < minLon-dLon || in.pt[0] > maxLon+dLon {
			continue
		}
		for _, c := range centres {
			dist := haversineKm(in.pt, [2]float64(c))
			if dist <= cover {
				fp.instKnown = true
			}
			if dist <= reach && (km != 0 || reach != 0) {
				fp.c.InstitutionsNear[t]++
				break
			}
		}
	}
}

// ecosystem returns which kinds of supporting actor (kume.EcosystemKinds)
// are inside or near the cluster: institutions of the kind's types, or, for
// packaging producers and banks, firms of the kind's NACE codes in it.
func (f *footprint) ecosystem() *kume.Ecosystem {
	kinds := kume.EcosystemKinds()
	counts := make([]int, len(kinds))
	for i, k := range kinds {
		counts[i] = f.ecoFirms[i]
		for _, t := range k.Types {
			counts[i] += f.c.InstitutionsInside[t] + f.c.InstitutionsNear[t]
		}
	}
	return kume.NewEcosystem(counts, f.instKnown)
}
