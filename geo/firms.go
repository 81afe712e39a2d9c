package geo

import (
	"context"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/kume-geo/kume"
	"github.com/paulmach/orb"
)

// Firm flags.
const (
	fActive    = 1 << iota // active at the reference date
	fClosed                // closed on or before the reference date
	fEstimated             // employment is a band midpoint
	fEntry                 // founded within the dynamism window
	fExit                  // closed within the dynamism window
	fBench                 // inside the benchmark area
	fUndated               // founding date unknown
	fShared                // at a location shared by SharedAddress firms or more
)

// SharedAddress is the number of firms at one exact position from which the
// position counts as a shared address (a business centre, a virtual office,
// a building geocoded as one point): such firms count in every statistic,
// but not towards a cluster's critical mass and specialisation.
const SharedAddress = 10

// firm is the compact form of a firm (24 bytes).
type firm struct {
	cell   uint64 // H3 cell at the base resolution
	emp    float32
	code   int32 // index into data.codes
	maxRes int8
	flags  uint8
	size   uint8 // size class 0..3, 4 unknown
	place  int32 // region of the first attribute level (names clusters), -1 none
}

// inst is a supporting institution.
type inst struct {
	cell   uint64
	pt     orb.Point
	typ    int
	maxRes int8
	region []int32 // region index per level (-1 none)
}

// codeInfo describes one distinct NACE code of the data.
type codeInfo struct {
	code    string
	sectors []int32 // sector ids the code counts in (always includes all)
	chains  []ChainRole
	eco     int8  // index of the firm kind of kume.EcosystemKinds, -1 none
	section int32 // sector id of the code's NACE section, -1 unknown
}

// Hidden sector keys: counted like the others but never written as cells.
// tradedKey totals the traded sectors (the U.S. CMP LQ denominator);
// coreKey(chain) counts a chain's core roles, the activity its
// specialisation test counts.
const (
	hiddenPrefix = "\x00"
	tradedKey    = hiddenPrefix + "traded"
)

func coreKey(chain string) string { return hiddenPrefix + "core:" + chain }

// data is the ingested dataset.
type data struct {
	base      int
	firms     []firm
	insts     []inst
	codes     []codeInfo
	codeIdx   map[string]int32
	keys      []string
	keyLevel  []string
	keyIdx    map[string]int32
	levels    []string  // region levels
	regions   [][]int32 // per level: region index per firm (-1 none)
	skipped   int
	instTypes []kume.InstitutionType
	// focus is, per sector id, the sector id of the activity its
	// specialisation test counts (clusterFocus), -1 for keys that form no
	// clusters.
	focus []int32
	// wantTraded builds the traded totals (for the U.S. CMP convention).
	wantTraded bool
	// places names the regions of firm.place ("" level: none).
	placeLevel int
}

func (d *data) sector(key string) int32 {
	if id, ok := d.keyIdx[key]; ok {
		return id
	}
	id := int32(len(d.keys))
	d.keys = append(d.keys, key)
	lv := SectorLevel(key)
	if strings.HasPrefix(key, hiddenPrefix) {
		lv = "hidden"
	}
	d.keyLevel = append(d.keyLevel, lv)
	d.keyIdx[key] = id
	return id
}

func (d *data) codeOf(nace string, in *Input) int32 {
	if c, ok := d.codeIdx[nace]; ok {
		return c
	}
	ci := codeInfo{code: nace, sectors: []int32{d.sector(kume.SectorAll)}, eco: int8(kume.EcosystemKindOfCode(nace))}
	if nace != "" {
		anc := in.Ancestors
		if anc == nil {
			anc = defaultAncestors
		}
		for _, a := range anc(nace) {
			if a != "" && !slices.Contains(ci.sectors, d.sector(a)) {
				ci.sectors = append(ci.sectors, d.sector(a))
			}
		}
		if in.ChainsOf != nil {
			for _, cr := range in.ChainsOf(nace) {
				if cr.Chain == "" {
					continue
				}
				ci.chains = append(ci.chains, cr)
				if s := d.sector(ChainKey(cr.Chain)); !slices.Contains(ci.sectors, s) {
					ci.sectors = append(ci.sectors, s)
				}
				if cr.Role == kume.RoleCore {
					if s := d.sector(coreKey(cr.Chain)); !slices.Contains(ci.sectors, s) {
						ci.sectors = append(ci.sectors, s)
					}
				}
			}
		}
		if d.wantTraded && in.Traded != nil && in.Traded(nace) {
			ci.sectors = append(ci.sectors, d.sector(tradedKey))
		}
	}
	ci.section = -1
	for _, s := range ci.sectors {
		if d.keyLevel[s] == LevelSection {
			ci.section = s
		}
	}
	c := int32(len(d.codes))
	d.codes = append(d.codes, ci)
	d.codeIdx[nace] = c
	return c
}

func sizeClass(emp float64, known bool) uint8 {
	switch {
	case !known:
		return 4
	case emp < 10:
		return 0
	case emp < 50:
		return 1
	case emp < 250:
		return 2
	}
	return 3
}

// ingest reads the establishments into compact form, indexes them once at the
// base resolution (reusing Establishment.Cell when it is fine enough) and
// assigns them to regions; indexing runs on all cores while reading goes on.
func ingest(ctx context.Context, in *Input, p *Params, ref time.Time, rg *regionIndex) (*data, error) {
	d := &data{codeIdx: map[string]int32{}, keyIdx: map[string]int32{}, instTypes: kume.InstitutionTypes(),
		wantTraded: p.LQConvention == ConventionUSCMP, placeLevel: -1}
	d.sector(kume.SectorAll)
	for _, r := range p.Resolutions {
		d.base = max(d.base, r)
	}
	typeIdx := map[kume.InstitutionType]int{}
	for i, t := range d.instTypes {
		typeIdx[t] = i
	}
	window := ref.AddDate(-p.DynamismYears, 0, 0)
	// Points are indexed and placed in regions by workers, batch by batch,
	// while the establishments are still being read.
	ix := newIndexer(rg, d.base)
	defer ix.stop()
	nl := len(rg.levels)
	d.levels = rg.levels
	for l := range nl {
		if !rg.polygonal(l) {
			d.placeLevel = l
			break
		}
	}
	d.regions = make([][]int32, nl)
	regOf := func(e *kume.Establishment) []int32 {
		out := make([]int32, nl)
		for l := range out {
			out[l] = rg.byAttr(l, e.Attrs)
		}
		return out
	}
	n := 0
	var at []uint64 // a hash of each firm's exact position
	if in.Establishments != nil {
		for e := range in.Establishments {
			n++
			if n%65536 == 0 && ctx.Err() != nil {
				return nil, ctx.Err()
			}
			if !validLonLat(e.Lon, e.Lat) {
				d.skipped++
				continue
			}
			mr := p.maxRes(e.Precision)
			pt := orb.Point{e.Lon, e.Lat}
			var cell uint64
			if c := e.Cell; c != 0 && c>>59 == 1 && CellResolution(c) >= d.base {
				cell = CellParent(c, d.base)
			}
			if e.Kind == kume.KindInstitution {
				t, ok := typeIdx[e.Type]
				if !ok {
					t = typeIdx[kume.OtherInstitution]
				}
				d.insts = append(d.insts, inst{cell: cell, pt: pt, typ: t, maxRes: int8(mr), region: regOf(e)})
				ix.add(pt, cell, ^int32(len(d.insts)-1))
				continue
			}
			f := firm{cell: cell, maxRes: int8(mr), code: d.codeOf(e.NACE, in), place: -1}
			if d.placeLevel >= 0 {
				f.place = rg.byAttr(d.placeLevel, e.Attrs)
			}
			if e.Founded == nil {
				f.flags |= fUndated
			}
			founded := e.Founded == nil || !e.Founded.After(ref)
			switch {
			case !founded:
				continue
			case e.Closed != nil && !e.Closed.After(ref):
				f.flags |= fClosed
				if e.Closed.After(window) {
					f.flags |= fExit
				}
			default:
				f.flags |= fActive
			}
			if e.Founded != nil && e.Founded.After(window) {
				f.flags |= fEntry
			}
			if v, ok := e.Employees.Estimate(); ok && finite(v) && v >= 0 {
				f.emp = float32(v)
				if !e.Employees.Exact() {
					f.flags |= fEstimated
				}
				f.size = sizeClass(v, true)
			} else {
				f.size = sizeClass(0, false)
			}
			d.firms = append(d.firms, f)
			for l := 0; l < nl; l++ {
				r := f.place
				if l != d.placeLevel {
					r = rg.byAttr(l, e.Attrs)
				}
				d.regions[l] = append(d.regions[l], r)
			}
			ix.add(pt, cell, int32(len(d.firms)-1))
			at = append(at, math.Float64bits(e.Lon)*31+math.Float64bits(e.Lat))
		}
	}
	ix.finish(d)
	markShared(d.firms, at)
	if len(d.firms) > math.MaxInt32-1 {
		return nil, kume.Errorf(kume.ETOOLARGE, "geo: too many establishments")
	}
	return d, nil
}

// markShared flags the firms whose exact position (hash at, parallel to
// firms) holds SharedAddress firms or more.
func markShared(firms []firm, at []uint64) {
	sorted := slices.Clone(at)
	slices.Sort(sorted)
	shared := map[uint64]bool{}
	for i := 0; i < len(sorted); {
		j := i
		for j < len(sorted) && sorted[j] == sorted[i] {
			j++
		}
		if j-i >= SharedAddress {
			shared[sorted[i]] = true
		}
		i = j
	}
	if len(shared) == 0 {
		return
	}
	for i, h := range at {
		if shared[h] {
			firms[i].flags |= fShared
		}
	}
}
