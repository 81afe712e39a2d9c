package geo

import (
	"bytes"
	"encoding/json"
	"math"
	"slices"
	"strings"

	"github.com/kume-geo/kume"
)

// Sector levels that Params.GiLevels may name.
const (
	LevelAll      = "all"
	LevelSection  = "section"
	LevelDivision = "division"
	LevelGroup    = "group"
	LevelClass    = "class"
	LevelChain    = "chain"
)

// LQ conventions (Params.LQConvention).
const (
	// ConventionECO divides by all-sector totals (European Cluster Observatory).
	ConventionECO = "eco"
	// ConventionUSCMP divides by traded-sector totals (U.S. Cluster Mapping Project).
	ConventionUSCMP = "uscmp"
)

// LQ measures (Params.LQMeasure).
const (
	MeasureFirms      = "firms"
	MeasureEmployment = "employment"
)

// Limits enforced by Validate.
const (
	MinAnalysisRes = 0
	MaxAnalysisRes = 12
	MaxK           = 10
)

// StarParams holds the European Cluster Observatory star thresholds.
type StarParams struct {
	// SizeTop: a region earns the size star when its employment in the category
	// is in this top share of regions (default 0.10).
	SizeTop float64 `json:"size_top"`
	// SpecLQ: the specialisation star needs an employment LQ at least this (2).
	SpecLQ float64 `json:"spec_lq"`
	// FocusTop: the focus star needs the category's share of the region's
	// employment in this top share of regions (default 0.10).
	FocusTop float64 `json:"focus_top"`
}

// InstitutionCoverKm is how near a footprint the institution register must
// hold an institution of any type for the footprint's institutions to count
// as assessed. Without one, an institution not loaded there is unknown, not
// absent: a register of one country says nothing of a cluster in another.
const InstitutionCoverKm = 50.0

// Params are the method parameters of an analysis. They serialise to JSON and
// are stored with each run so that the numbers can be reproduced.
type Params struct {
	// Resolutions to aggregate at (default 4..9, allowed 0..12).
	Resolutions []int `json:"resolutions"`
	// K is the grid-disk radius of the Gi* neighbourhood and of the study-area
	// buffer (default 1, allowed 1..10).
	K int `json:"k"`
	// FDR turns on the Benjamini–Hochberg correction of the Gi* bins (default true).
	FDR bool `json:"fdr"`
	// GiLevels lists the sector levels that get Gi* hot spots, the
	// concentration view (default all, section, division, chain).
	GiLevels []string `json:"gi_levels"`
	// GiMaxRes is the finest resolution that gets Gi* (default 8); finer
	// resolutions get aggregates and LQ only.
	GiMaxRes int `json:"gi_max_res"`
	// ClusterResolutions are the resolutions at which clusters are
	// delineated; each cluster keeps the one that fits it best (default 5..8,
	// those of Resolutions only).
	ClusterResolutions []int `json:"cluster_resolutions"`
	// ClusterFDR is the false discovery rate of the specialisation test's
	// Benjamini–Hochberg control, per sector key and resolution (default 0.05).
	ClusterFDR float64 `json:"cluster_fdr"`
	// MinFirms is the critical mass of a cluster: firms of the tested
	// activity (a chain's core, or the division) in it (default 20, as
	// Türkiye's Cluster Support Programme asks of the main activity).
	MinFirms int `json:"min_firms"`
	// MinLQ is the smallest location quotient of a cluster's tested activity
	// (default 1.5): in a very large cell a tiny excess is significant but
	// says nothing.
	MinLQ float64 `json:"min_lq"`
	// MinDominance is the smallest share of a cluster's key among the
	// footprint's firms where the place is a site or an agglomeration of its
	// section (default 0.25; see mixedPlace): a mixed industrial zone raises
	// every activity it holds above the all-firm baseline, but no value
	// chain dominates it.
	MinDominance float64 `json:"min_dominance"`
	// MinCells is the smallest footprint in cells (default 1).
	MinCells int `json:"min_cells"`
	// IncludeLocal lists NACE divisions of local activities (retail,
	// restaurants, personal services…, see Input.Traded) that may form
	// clusters all the same; "*" includes every local division.
	IncludeLocal []string `json:"include_local,omitempty"`
	// DisclosureK suppresses aggregates with fewer firms (default 3).
	DisclosureK int `json:"disclosure_k"`
	// DominanceShare suppresses aggregates where one firm holds more than this
	// share of the employment (default 0.85; 1 turns the rule off).
	DominanceShare float64 `json:"dominance_share"`
	// Stars holds the ECO star thresholds.
	Stars StarParams `json:"stars"`
	// InstitutionKm is the reach of "institutions near" a footprint (default 10).
	InstitutionKm float64 `json:"institution_km"`
	// LQMeasure is the measure of CellStat.LQ: "firms" (default) or "employment".
	LQMeasure string `json:"lq_measure"`
	// LQConvention is "eco" (all-sector denominator, default) or "uscmp"
	// (traded-sector denominator; needs Input.Traded).
	LQConvention string `json:"lq_convention"`
	// Benchmark is "" for the whole dataset or "level:code" for one region.
	Benchmark string `json:"benchmark"`
	// RegionAttrs maps a region level to an establishment attribute holding the
	// region code (e.g. "bezirk" → "Bezirk"); other levels are assigned by polygon.
	RegionAttrs map[string]string `json:"region_attrs,omitempty"`
	// MaxResByPrecision is the finest resolution at which a firm of that
	// geocode precision is counted; coarser firms count as imprecise there.
	MaxResByPrecision map[kume.Precision]int `json:"max_res_by_precision"`
	// DynamismYears is the window, ending at the reference date, in which
	// foundations count as entries and closures as exits (default 5).
	DynamismYears int `json:"dynamism_years"`
}

// DefaultParams returns the documented defaults.
func DefaultParams() Params {
	return Params{
		Resolutions:        []int{4, 5, 6, 7, 8, 9},
		K:                  1,
		FDR:                true,
		GiLevels:           []string{LevelAll, LevelSection, LevelDivision, LevelChain},
		GiMaxRes:           8,
		ClusterResolutions: []int{5, 6, 7, 8},
		ClusterFDR:         0.05,
		MinFirms:           20,
		MinLQ:              1.5,
		MinDominance:       0.25,
		MinCells:           1,
		DisclosureK:        3,
		DominanceShare:     0.85,
		Stars:              StarParams{SizeTop: 0.10, SpecLQ: 2, FocusTop: 0.10},
		InstitutionKm:      10,
		LQMeasure:          MeasureFirms,
		LQConvention:       ConventionECO,
		MaxResByPrecision: map[kume.Precision]int{
			kume.PrecisionAddress:  15,
			kume.PrecisionStreet:   9,
			kume.PrecisionPostcode: 7,
			kume.PrecisionDistrict: 5,
			kume.PrecisionProvince: 3,
			kume.PrecisionCountry:  -1,
		},
		DynamismYears: 5,
	}
}

// ParseParams decodes JSON over the defaults and validates the result.
// Unknown fields are rejected.
func ParseParams(data []byte) (Params, error) {
	p := DefaultParams()
	p.MaxResByPrecision = nil
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return Params{}, kume.Errorf(kume.EINVALID, "geo: params: %v", err)
	}
	if p.MaxResByPrecision == nil {
		p.MaxResByPrecision = DefaultParams().MaxResByPrecision
	}
	if err := p.Validate(); err != nil {
		return Params{}, err
	}
	return p, nil
}

func bad(format string, args ...any) error {
	return kume.Errorf(kume.EINVALID, "geo: params: "+format, args...)
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// Validate checks every parameter and returns an EINVALID error naming the
// first one that is wrong.
func (p *Params) Validate() error {
	if len(p.Resolutions) == 0 {
		return bad("resolutions: at least one is needed")
	}
	if len(p.Resolutions) > MaxAnalysisRes-MinAnalysisRes+1 {
		return bad("resolutions: too many (%d)", len(p.Resolutions))
	}
	seen := map[int]bool{}
	for _, r := range p.Resolutions {
		if r < MinAnalysisRes || r > MaxAnalysisRes {
			return bad("resolutions: %d outside %d..%d", r, MinAnalysisRes, MaxAnalysisRes)
		}
		if seen[r] {
			return bad("resolutions: %d given twice", r)
		}
		seen[r] = true
	}
	if p.K < 1 || p.K > MaxK {
		return bad("k: %d outside 1..%d", p.K, MaxK)
	}
	for _, l := range p.GiLevels {
		switch l {
		case LevelAll, LevelSection, LevelDivision, LevelGroup, LevelClass, LevelChain:
		default:
			return bad("gi_levels: unknown level %q", l)
		}
	}
	if p.GiMaxRes < MinAnalysisRes || p.GiMaxRes > MaxAnalysisRes {
		return bad("gi_max_res: %d outside %d..%d", p.GiMaxRes, MinAnalysisRes, MaxAnalysisRes)
	}
	for _, r := range p.ClusterResolutions {
		if r < MinAnalysisRes || r > MaxAnalysisRes {
			return bad("cluster_resolutions: %d outside %d..%d", r, MinAnalysisRes, MaxAnalysisRes)
		}
	}
	if !finite(p.ClusterFDR) || p.ClusterFDR <= 0 || p.ClusterFDR >= 1 {
		return bad("cluster_fdr: %v outside (0, 1)", p.ClusterFDR)
	}
	if !finite(p.MinLQ) || p.MinLQ < 1 || p.MinLQ > 1e6 {
		return bad("min_lq: %v must be at least 1", p.MinLQ)
	}
	if !finite(p.MinDominance) || p.MinDominance < 0 || p.MinDominance > 1 {
		return bad("min_dominance: %v outside 0..1", p.MinDominance)
	}
	for _, c := range p.IncludeLocal {
		if c != "*" && SectorLevel(c) != LevelDivision {
			return bad("include_local: %q is not a NACE division (two digits) or \"*\"", c)
		}
	}
	if p.MinFirms < 1 || p.MinFirms > 1e9 {
		return bad("min_firms: %d must be at least 1", p.MinFirms)
	}
	if p.MinCells < 1 || p.MinCells > 1e9 {
		return bad("min_cells: %d must be at least 1", p.MinCells)
	}
	if p.DisclosureK < 1 || p.DisclosureK > 1e6 {
		return bad("disclosure_k: %d outside 1..1000000", p.DisclosureK)
	}
	if !finite(p.DominanceShare) || p.DominanceShare <= 0 || p.DominanceShare > 1 {
		return bad("dominance_share: %v outside (0, 1]", p.DominanceShare)
	}
	s := p.Stars
	if !finite(s.SizeTop) || s.SizeTop <= 0 || s.SizeTop > 1 {
		return bad("stars.size_top: %v outside (0, 1]", s.SizeTop)
	}
	if !finite(s.FocusTop) || s.FocusTop <= 0 || s.FocusTop > 1 {
		return bad("stars.focus_top: %v outside (0, 1]", s.FocusTop)
	}
	if !finite(s.SpecLQ) || s.SpecLQ <= 0 || s.SpecLQ > 1e6 {
		return bad("stars.spec_lq: %v must be positive", s.SpecLQ)
	}
	if !finite(p.InstitutionKm) || p.InstitutionKm < 0 || p.InstitutionKm > 1000 {
		return bad("institution_km: %v outside 0..1000", p.InstitutionKm)
	}
	if p.LQMeasure != MeasureFirms && p.LQMeasure != MeasureEmployment {
		return bad("lq_measure: %q is not %q or %q", p.LQMeasure, MeasureFirms, MeasureEmployment)
	}
	if p.LQConvention != ConventionECO && p.LQConvention != ConventionUSCMP {
		return bad("lq_convention: %q is not %q or %q", p.LQConvention, ConventionECO, ConventionUSCMP)
	}
	if p.Benchmark != "" {
		lv, code, ok := strings.Cut(p.Benchmark, ":")
		if !ok || lv == "" || code == "" {
			return bad("benchmark: %q is not \"level:code\"", p.Benchmark)
		}
	}
	for lv, attr := range p.RegionAttrs {
		if lv == "" || attr == "" {
			return bad("region_attrs: empty level or attribute")
		}
	}
	for pr, r := range p.MaxResByPrecision {
		if !pr.Valid() {
			return bad("max_res_by_precision: unknown precision %q", pr)
		}
		if r < -1 || r > MaxResolution {
			return bad("max_res_by_precision: %s: %d outside -1..15", pr, r)
		}
	}
	if p.DynamismYears < 0 || p.DynamismYears > 100 {
		return bad("dynamism_years: %d outside 0..100", p.DynamismYears)
	}
	return nil
}

// giLevel reports whether level l gets Gi* and footprints.
func (p *Params) giLevel(l string) bool { return slices.Contains(p.GiLevels, l) }

// maxRes returns the finest resolution at which a firm of precision pr counts.
// An empty precision is treated as an address.
func (p *Params) maxRes(pr kume.Precision) int {
	if pr == "" {
		pr = kume.PrecisionAddress
	}
	if r, ok := p.MaxResByPrecision[pr]; ok {
		return r
	}
	return MaxResolution
}
