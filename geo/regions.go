package geo

import (
	"sort"

	"github.com/kume-geo/kume"
	"github.com/paulmach/orb"
)

// regionIndex places points and attribute values in regions, level by level.
type regionIndex struct {
	levels []string
	attr   []string // attribute name of the level, "" for polygon levels
	codes  [][]string
	names  [][]string
	byCode []map[string]int32
	polys  [][]regionPoly
}

type regionPoly struct {
	idx   int32
	bound orb.Bound
	mp    orb.MultiPolygon
}

// newRegionIndex indexes the regions by level. Levels named in
// Params.RegionAttrs are matched by attribute value (code or name); they need
// no geometry and gain a region for every new value seen.
func newRegionIndex(regions []kume.Region, p *Params) *regionIndex {
	ri := &regionIndex{}
	lvIdx := map[string]int{}
	addLevel := func(lv string) int {
		if l, ok := lvIdx[lv]; ok {
			return l
		}
		lvIdx[lv] = len(ri.levels)
		ri.levels = append(ri.levels, lv)
		ri.attr = append(ri.attr, p.RegionAttrs[lv])
		ri.codes = append(ri.codes, nil)
		ri.names = append(ri.names, nil)
		ri.byCode = append(ri.byCode, map[string]int32{})
		ri.polys = append(ri.polys, nil)
		return lvIdx[lv]
	}
	rs := append([]kume.Region(nil), regions...)
	sort.SliceStable(rs, func(i, j int) bool {
		if rs[i].Level != rs[j].Level {
			return rs[i].Level < rs[j].Level
		}
		return rs[i].Code < rs[j].Code
	})
	for _, r := range rs {
		l := addLevel(r.Level)
		if _, dup := ri.byCode[l][r.Code]; dup {
			continue
		}
		id := int32(len(ri.codes[l]))
		ri.codes[l] = append(ri.codes[l], r.Code)
		ri.names[l] = append(ri.names[l], r.Name)
		ri.byCode[l][r.Code] = id
		if r.Name != "" {
			if _, taken := ri.byCode[l]["\x00"+r.Name]; !taken {
				ri.byCode[l]["\x00"+r.Name] = id
			}
		}
		if ri.attr[l] == "" && len(r.Geometry) > 0 {
			ri.polys[l] = append(ri.polys[l], regionPoly{idx: id, bound: r.Geometry.Bound(), mp: r.Geometry})
		}
	}
	lvs := make([]string, 0, len(p.RegionAttrs))
	for lv := range p.RegionAttrs {
		lvs = append(lvs, lv)
	}
	sort.Strings(lvs)
	for _, lv := range lvs {
		addLevel(lv)
	}
	return ri
}

func (ri *regionIndex) polygonal(l int) bool { return ri.attr[l] == "" }

// byAttr returns the region of an attribute level from the attribute value
// (matched against codes, then names; a new value becomes a new region), or
// -1 for polygon levels and missing values.
func (ri *regionIndex) byAttr(l int, attrs map[string]string) int32 {
	if ri.attr[l] == "" {
		return -1
	}
	v, ok := attrs[ri.attr[l]]
	if !ok || v == "" {
		return -1
	}
	if id, ok := ri.byCode[l][v]; ok {
		return id
	}
	if id, ok := ri.byCode[l]["\x00"+v]; ok {
		return id
	}
	id := int32(len(ri.codes[l]))
	ri.codes[l] = append(ri.codes[l], v)
	ri.names[l] = append(ri.names[l], v)
	ri.byCode[l][v] = id
	return id
}

// locate returns the first region of polygon level l containing pt, or -1.
func (ri *regionIndex) locate(l int, pt orb.Point) int32 {
	for i := range ri.polys[l] {
		rp := &ri.polys[l][i]
		if !rp.bound.Contains(pt) {
			continue
		}
		for _, poly := range rp.mp {
			if polygonContains(poly, pt) {
				return rp.idx
			}
		}
	}
	return -1
}
