package geo

import (
	"math"
	"slices"
)

// StarInput is one region's numbers for one category.
type StarInput struct {
	Employment float64  // the category's employment in the region
	LQ         *float64 // employment LQ
	Focus      float64  // the category's share of the region's employment
}

// Stars returns the European Cluster Observatory stars (0–3) of every region
// for one category: a size star when the region's employment is in the top
// SizeTop share of the regions, a specialisation star when LQ ≥ SpecLQ, a focus
// star when the category's share of the region's employment is in the top
// FocusTop share. "Top q share" means a positive value whose rank (1 = largest,
// ties share the best rank) is at most ⌈q·N⌉ over all N regions given.
func Stars(units []StarInput, sp StarParams) []int {
	emp := make([]float64, len(units))
	foc := make([]float64, len(units))
	for i, u := range units {
		emp[i], foc[i] = u.Employment, u.Focus
	}
	size := topShare(emp, sp.SizeTop)
	focus := topShare(foc, sp.FocusTop)
	out := make([]int, len(units))
	for i, u := range units {
		if size[i] {
			out[i]++
		}
		if u.LQ != nil && *u.LQ >= sp.SpecLQ {
			out[i]++
		}
		if focus[i] {
			out[i]++
		}
	}
	return out
}

// topShare marks the positive values ranked within the top q share.
func topShare(v []float64, q float64) []bool {
	out := make([]bool, len(v))
	if len(v) == 0 {
		return out
	}
	limit := int(math.Ceil(q*float64(len(v)) - 1e-9))
	s := slices.Clone(v)
	slices.Sort(s)
	for i, x := range v {
		if !(x > 0) || !finite(x) {
			continue
		}
		// rank = 1 + number of values strictly greater than x
		j, _ := slices.BinarySearch(s, math.Nextafter(x, math.Inf(1)))
		rank := 1 + len(s) - j
		out[i] = rank <= limit
	}
	return out
}

// StrongInput is one region's numbers for one cluster category.
type StrongInput struct {
	Employment     float64
	Establishments float64
	LQ             *float64 // employment LQ
}

// Strong applies the U.S. Cluster Mapping Project strong-cluster rule: among
// the regions with employment > 0, a region is strong when its LQ is at least
// the 75th percentile of their LQs, its employment and its establishments are
// above the 25th percentiles, and its LQ is at least 1. Percentiles interpolate
// linearly between order statistics (type 7, as numpy's default).
func Strong(units []StrongInput) []bool {
	var lqs, emps, ests []float64
	for _, u := range units {
		if u.Employment > 0 && finite(u.Employment) {
			emps = append(emps, u.Employment)
			ests = append(ests, u.Establishments)
			if u.LQ != nil {
				lqs = append(lqs, *u.LQ)
			}
		}
	}
	out := make([]bool, len(units))
	if len(emps) == 0 || len(lqs) == 0 {
		return out
	}
	p75 := Percentile(lqs, 75)
	e25 := Percentile(emps, 25)
	s25 := Percentile(ests, 25)
	for i, u := range units {
		out[i] = u.Employment > 0 && u.LQ != nil && *u.LQ >= p75 && *u.LQ >= 1 &&
			u.Employment > e25 && u.Establishments > s25
	}
	return out
}

// Percentile returns the q-th percentile (0..100) of v by linear
// interpolation between order statistics; NaN for an empty slice.
func Percentile(v []float64, q float64) float64 {
	if len(v) == 0 {
		return math.NaN()
	}
	s := slices.Clone(v)
	slices.Sort(s)
	h := (float64(len(s)) - 1) * q / 100
	lo := int(math.Floor(h))
	if lo >= len(s)-1 {
		return s[len(s)-1]
	}
	return s[lo] + (h-float64(lo))*(s[lo+1]-s[lo])
}

// unitRef holds what the star and strong-cluster rules of one category
// compare a unit with: the regions of one level. A unit that is not one of
// those regions (a cluster's footprint) is judged as if it were one more.
type unitRef struct {
	sizeThr, focusThr  float64 // star at or above these (and above 0)
	lq75, emp25, est25 float64
	strong             bool // the strong rule has regions to compare with
}

// newUnitRef returns the thresholds of Stars and Strong over the regions.
func newUnitRef(si []StarInput, st []StrongInput, sp StarParams) unitRef {
	emp := make([]float64, len(si))
	foc := make([]float64, len(si))
	for i, u := range si {
		emp[i], foc[i] = u.Employment, u.Focus
	}
	u := unitRef{sizeThr: topThreshold(emp, sp.SizeTop), focusThr: topThreshold(foc, sp.FocusTop)}
	var lqs, emps, ests []float64
	for _, x := range st {
		if x.Employment > 0 && finite(x.Employment) {
			emps = append(emps, x.Employment)
			ests = append(ests, x.Establishments)
			if x.LQ != nil {
				lqs = append(lqs, *x.LQ)
			}
		}
	}
	if len(emps) > 0 && len(lqs) > 0 {
		u.lq75, u.emp25, u.est25, u.strong = Percentile(lqs, 75), Percentile(emps, 25), Percentile(ests, 25), true
	}
	return u
}

// topThreshold returns the smallest value that ranks within the top q share
// of v (rank as in Stars: 1 + the number of larger values, at most ⌈q·N⌉):
// the ⌈q·N⌉-th largest value, +Inf when that share holds no value.
func topThreshold(v []float64, q float64) float64 {
	limit := int(math.Ceil(q*float64(len(v)) - 1e-9))
	if limit < 1 || len(v) == 0 {
		return math.Inf(1)
	}
	s := slices.Clone(v)
	slices.Sort(s)
	if limit > len(s) {
		return 0
	}
	return s[len(s)-limit]
}

// stars returns the stars of a unit judged against the regions.
func (u unitRef) stars(in StarInput, sp StarParams) int {
	n := 0
	if in.Employment > 0 && finite(in.Employment) && in.Employment >= u.sizeThr {
		n++
	}
	if in.LQ != nil && *in.LQ >= sp.SpecLQ {
		n++
	}
	if in.Focus > 0 && finite(in.Focus) && in.Focus >= u.focusThr {
		n++
	}
	return n
}

// isStrong applies the strong-cluster rule to a unit against the regions.
func (u unitRef) isStrong(in StrongInput) bool {
	return u.strong && in.Employment > 0 && in.LQ != nil && *in.LQ >= u.lq75 && *in.LQ >= 1 &&
		in.Employment > u.emp25 && in.Establishments > u.est25
}
