package geo

import (
	"encoding/json"
	"math"
	"slices"
	"sort"

	"github.com/kume-geo/kume"
)

// Ranking components.
const (
	CompSpecialisation = "specialisation"           // LQ
	CompFirms          = "critical_mass_firms"      // active firms
	CompEmployment     = "critical_mass_employment" // employment
	CompHotSpot        = "hotspot"                  // Gi* z (mean over a footprint's cells)
	CompInstitutions   = "institutions"             // supporting institutions within reach
	CompCompleteness   = "value_chain"              // value-chain completeness
	CompDynamism       = "dynamism"                 // entries minus exits
	CompEmerging       = "emerging"                 // share of the unit's cells that are emerging hot spots
)

// RankComponents lists the ranking components in a stable order.
func RankComponents() []string {
	return []string{CompSpecialisation, CompFirms, CompEmployment, CompHotSpot, CompInstitutions, CompCompleteness, CompDynamism, CompEmerging}
}

// Weights maps a component to its weight; weights are normalised to sum 1.
type Weights map[string]float64

// DefaultWeights returns the documented default weights: specialisation 0.25,
// firms 0.15, employment 0.15, hot spot 0.15, institutions 0.10, value chain
// 0.10, dynamism 0.10, emerging 0 (it needs an emerging hot spot analysis
// per sector key and resolution, computed only when a caller weighs it).
func DefaultWeights() Weights {
	return Weights{CompSpecialisation: 0.25, CompFirms: 0.15, CompEmployment: 0.15, CompHotSpot: 0.15,
		CompInstitutions: 0.10, CompCompleteness: 0.10, CompDynamism: 0.10, CompEmerging: 0}
}

// EmergingShare returns the emerging component of a unit from the
// categories of its cells: the share that are emerging hot spots (new,
// consecutive or intensifying; Category.Emerging) — 0 or 1 for a cell, a
// fraction for a footprint. It is nil (unknown) for no cells.
func EmergingShare(cats []Category) *float64 {
	if len(cats) == 0 {
		return nil
	}
	n := 0
	for _, c := range cats {
		if c.Emerging() {
			n++
		}
	}
	return fp(float64(n) / float64(len(cats)))
}

// RankUnit is a unit to rank (a region, a footprint or a cell) with its
// component values; a nil or absent value is unknown.
type RankUnit struct {
	ID     string              `json:"id"`
	Name   string              `json:"name,omitempty"`
	NameTR string              `json:"name_tr,omitempty"`
	Values map[string]*float64 `json:"values"`
}

// ComponentScore explains one component of a unit's score.
type ComponentScore struct {
	Component    string   `json:"component"`
	Value        *float64 `json:"value"`
	Percentile   float64  `json:"percentile"` // 0..100 among the ranked units
	Weight       float64  `json:"weight"`     // normalised
	Contribution float64  `json:"contribution"`
}

// Ranked is one unit's place in a ranking.
type Ranked struct {
	Rank       int              `json:"rank"`
	ID         string           `json:"id"`
	Name       string           `json:"name,omitempty"`
	NameTR     string           `json:"name_tr,omitempty"`
	Score      float64          `json:"score"` // 0..100
	Components []ComponentScore `json:"components"`
}

// Rank scores units by the weighted sum of their components' percentile ranks.
// The percentile of a value is 100 × (units below + ½ × other units equal) /
// (N − 1) (100 for a single unit); a unit with an unknown value gets 0 for
// that component. Components no unit has are dropped and the remaining weights
// renormalised. Weights must be finite and non-negative, name known
// components, and not all be zero. Ties in score keep ID order. Rank is
// RankTop over the units' rows, every unit kept.
func Rank(units []RankUnit, w Weights) ([]Ranked, error) {
	order := make([]int, len(units))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return units[order[a]].ID < units[order[b]].ID })
	rows := make([]RankRow, len(units))
	for key, i := range order {
		rows[key].Key = uint64(key)
		for c, name := range RankComponents() {
			rows[key].Values[c] = math.NaN()
			if v := units[i].Values[name]; v != nil {
				rows[key].Values[c] = *v
			}
		}
	}
	top, err := RankTop(rows, w, 0)
	if err != nil {
		return nil, err
	}
	out := make([]Ranked, len(top))
	for i, r := range top {
		u := units[order[r.Key]]
		out[i] = r.Ranked
		out[i].ID, out[i].Name, out[i].NameTR = u.ID, u.Name, u.NameTR
	}
	return out, nil
}

func percentileRank(sorted []float64, v float64, n int) float64 {
	if n <= 1 {
		return 100
	}
	lo, _ := slices.BinarySearch(sorted, v)
	hi := lo
	for hi < len(sorted) && sorted[hi] == v {
		hi++
	}
	return 100 * (float64(lo) + 0.5*float64(hi-lo-1)) / float64(n-1)
}

func fp(v float64) *float64 { return &v }

// dynamism is entries minus exits, unknown (nil) when the founding dates of
// more than MaxUndatedShare of the firms are unknown: entries would miss
// them and the difference would count exits only.
func dynamism(entries, exits, undated, firms int) *float64 {
	if firms > 0 && float64(undated) > MaxUndatedShare*float64(firms) {
		return nil
	}
	return fp(float64(entries - exits))
}

// RegionUnits returns the units of a region ranking for one sector key at one
// level (suppressed regions left out): LQ (employment LQ when defined), firms,
// employment and entries minus exits (unknown where founding dates are, see
// dynamism).
func RegionUnits(r *kume.AnalysisResult, level, sector string) []RankUnit {
	var out []RankUnit
	for _, s := range r.Regions {
		if s.Level != level || s.Sector != sector || s.Suppressed {
			continue
		}
		lq := s.LQEmployed
		if lq == nil {
			lq = s.LQ
		}
		out = append(out, RankUnit{ID: s.Level + ":" + s.Code, Values: map[string]*float64{
			CompSpecialisation: lq, CompFirms: fp(float64(s.Firms)), CompEmployment: fp(s.Employees),
			CompDynamism: dynamism(s.Entries, s.Exits, s.Undated, s.Firms),
		}})
	}
	return out
}

// ClusterUnits returns the clusters of r as ranking units (suppressed ones
// left out): LQ, firms, employment, mean Gi* z of their cells (the cell
// statistics of r at each cluster's resolution and key), institutions inside
// and near, completeness and, from the profile, entries minus exits.
// Clusters of one key may lie at different resolutions: each place keeps the
// resolution that fits it.
func ClusterUnits(r *kume.AnalysisResult) []RankUnit {
	type at struct {
		res    int
		sector string
		cell   uint64
	}
	z := map[at]float64{}
	for _, c := range r.Cells {
		if c.GiZ != nil {
			z[at{c.Res, c.Sector, c.Cell}] = *c.GiZ
		}
	}
	var out []RankUnit
	for _, c := range r.Clusters {
		if c.Suppressed {
			continue
		}
		var zs float64
		for _, cell := range c.Cells {
			zs += z[at{c.Res, c.Sector, cell}]
		}
		inst := 0
		for _, n := range c.InstitutionsInside {
			inst += n
		}
		for _, n := range c.InstitutionsNear {
			inst += n
		}
		u := RankUnit{ID: c.ID, Name: c.Name, NameTR: c.NameTR, Values: map[string]*float64{
			CompSpecialisation: c.LQ, CompFirms: fp(float64(c.Firms)), CompEmployment: fp(c.Employees),
			CompInstitutions: fp(float64(inst)), CompCompleteness: c.Completeness,
		}}
		if c.Ecosystem != nil && len(c.Ecosystem.Unassessed) > 0 {
			u.Values[CompInstitutions] = nil // none loaded near: unknown, not none
		}
		if len(c.Cells) > 0 {
			u.Values[CompHotSpot] = fp(zs / float64(len(c.Cells)))
		}
		var pr Profile
		if json.Unmarshal(c.Profile, &pr) == nil && c.Profile != nil {
			u.Values[CompDynamism] = dynamism(pr.Entries, pr.Exits, pr.Undated, pr.Firms)
		}
		out = append(out, u)
	}
	return out
}

// CellRankRow returns the row of one cell statistic in a cell ranking
// (RankTop; the row's key is the cell, so ties keep the order of the cells'
// ids) and whether the cell is ranked at all: a cell of the ranked sector
// key with active firms that is not suppressed. Its components are LQ,
// firms, employment, Gi* z and institutions, the number of institutions in
// the cell (from the all-firms statistic of the cell).
func CellRankRow(c *kume.CellStat, institutions int) (RankRow, bool) {
	if c.Firms == 0 || c.Suppressed {
		return RankRow{}, false
	}
	row := RankRow{Key: c.Cell}
	for i := range row.Values {
		row.Values[i] = math.NaN()
	}
	set := func(comp string, v *float64) {
		if v != nil {
			row.Values[componentIndex(comp)] = *v
		}
	}
	set(CompSpecialisation, c.LQ)
	set(CompFirms, fp(float64(c.Firms)))
	set(CompEmployment, fp(c.Employees))
	set(CompHotSpot, c.GiZ)
	set(CompInstitutions, fp(float64(institutions)))
	return row, true
}

// CellID is the id of a cell in rankings and GeoJSON: its H3 index in
// lower-case hexadecimal. The ids of one resolution all have the same
// length, so they sort as the indexes do.
func CellID(c uint64) string { return kumeCellID(c) }

func kumeCellID(c uint64) string { return fmtHex(c) }
