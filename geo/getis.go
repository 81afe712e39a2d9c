package geo

import (
	"fmt"
	"math"
)

// GiResult is the Getis-Ord Gi* of one unit. Z and P are nil when the
// statistic is undefined (fewer than two units, zero variance, or a unit whose
// neighbourhood covers the whole study area).
type GiResult struct {
	Z *float64 `json:"z"`
	P *float64 `json:"p"`
}

// GiStar computes Getis-Ord Gi* (ArcGIS convention) for values x with binary
// weights given as neighbour lists: neighbors[i] lists the units j with
// w_ij = 1. The caller includes i itself in neighbors[i] ("star").
//
//	Gi* = (Σ_j w_ij x_j − X̄ Σ_j w_ij) / (S √((n Σ_j w_ij² − (Σ_j w_ij)²)/(n−1)))
//
// with X̄ the mean and S the population standard deviation of x over all n
// units. P is the two-sided normal p-value of Z.
func GiStar(x []float64, neighbors [][]int) ([]GiResult, error) {
	if len(neighbors) != len(x) {
		return nil, fmt.Errorf("geo: GiStar: %d values but %d neighbour lists", len(x), len(neighbors))
	}
	for _, v := range x {
		if !finite(v) {
			return nil, fmt.Errorf("geo: GiStar: value %v is not finite", v)
		}
	}
	m := newMoments(x)
	out := make([]GiResult, len(x))
	for i, nb := range neighbors {
		var wx float64
		for _, j := range nb {
			if j < 0 || j >= len(x) {
				return nil, fmt.Errorf("geo: GiStar: neighbour %d of unit %d out of range", j, i)
			}
			wx += x[j]
		}
		w := float64(len(nb))
		if z, ok := m.gi(wx, w, w); ok {
			out[i] = GiResult{Z: ptr(z), P: ptr(TwoSidedP(z))}
		}
	}
	return out, nil
}

// moments holds n, the mean and the population SD of the study area.
type moments struct {
	n, mean, sd float64
}

func newMoments(x []float64) moments {
	var s, s2 float64
	for _, v := range x {
		s += v
		s2 += v * v
	}
	return momentsOf(float64(len(x)), s, s2)
}

func momentsOf(n, sum, sum2 float64) moments {
	if n == 0 {
		return moments{}
	}
	mean := sum / n
	v := sum2/n - mean*mean
	if v < 0 {
		v = 0
	}
	return moments{n: n, mean: mean, sd: math.Sqrt(v)}
}

// gi returns Gi* of one unit from Σ w x, Σ w and Σ w²; ok false when undefined.
func (m moments) gi(wx, w, w2 float64) (float64, bool) {
	if m.n < 2 || m.sd <= 1e-12*math.Max(1, math.Abs(m.mean)) {
		return 0, false
	}
	d := (m.n*w2 - w*w) / (m.n - 1)
	if d <= 1e-12 {
		return 0, false
	}
	z := (wx - m.mean*w) / (m.sd * math.Sqrt(d))
	if !finite(z) {
		return 0, false
	}
	return z, true
}

func ptr(v float64) *float64 { return &v }
