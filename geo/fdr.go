package geo

import (
	"math"
	"slices"
)

// Confidence levels of the ArcGIS bins: ±1 at 90%, ±2 at 95%, ±3 at 99%.
var binAlphas = [3]float64{0.10, 0.05, 0.01}

// BHThreshold returns the Benjamini–Hochberg critical p-value for the given
// p-values at false discovery rate q: the largest p(i) with p(i) ≤ i·q/m (p
// sorted ascending, m = len(p)). Every p ≤ the threshold is significant. ok is
// false when nothing is significant. NaN p-values are ignored.
func BHThreshold(p []float64, q float64) (threshold float64, ok bool) {
	s := make([]float64, 0, len(p))
	for _, v := range p {
		if !math.IsNaN(v) {
			s = append(s, v)
		}
	}
	slices.Sort(s)
	return bhSorted(s, q)
}

// BinThresholds returns the p-value cut-offs of bins 1, 2 and 3 (90, 95 and
// 99% confidence). Without FDR they are 0.10, 0.05 and 0.01; with FDR each is
// the Benjamini–Hochberg threshold of p at that level (−1 when nothing passes).
func BinThresholds(p []float64, fdr bool) [3]float64 {
	if !fdr {
		return binAlphas
	}
	return binThresholdsOwned(slices.Clone(p), true)
}

// binThresholdsOwned is BinThresholds for a slice the caller gives away: it
// is sorted in place and sorted only once for the three levels.
func binThresholdsOwned(p []float64, fdr bool) [3]float64 {
	if !fdr {
		return binAlphas
	}
	s := p[:0]
	for _, v := range p {
		if !math.IsNaN(v) {
			s = append(s, v)
		}
	}
	slices.Sort(s)
	var t [3]float64
	for i, a := range binAlphas {
		if v, ok := bhSorted(s, a); ok {
			t[i] = v
		} else {
			t[i] = -1
		}
	}
	return t
}

// bhSorted is BHThreshold over sorted p-values without NaN.
func bhSorted(s []float64, q float64) (float64, bool) {
	m := float64(len(s))
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] <= float64(i+1)*q/m {
			return s[i], true
		}
	}
	return 0, false
}

// Bin returns the ArcGIS hot-spot bin of a z-score and its p-value given the
// thresholds from BinThresholds: +3/−3 at 99%, ±2 at 95%, ±1 at 90%, 0 when
// not significant.
func Bin(z, p float64, t [3]float64) int {
	if math.IsNaN(z) || math.IsNaN(p) || z == 0 {
		return 0
	}
	level := 0
	for i := range t {
		if p <= t[i] {
			level = i + 1
		}
	}
	if z < 0 {
		return -level
	}
	return level
}

// TwoSidedP returns the two-sided standard normal p-value of z.
func TwoSidedP(z float64) float64 { return math.Erfc(math.Abs(z) / math.Sqrt2) }
