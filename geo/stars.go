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
