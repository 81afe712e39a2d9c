package geo

import (
	"math"
	"slices"
)

// MannKendallResult is the Mann-Kendall trend test of one series
// (Mann 1945; Kendall 1975), as used by ArcGIS's Emerging Hot Spot
// Analysis on each location's Gi* z-scores:
//
//	S      = Σ_{i<j} sgn(x_j − x_i)
//	Var(S) = (n(n−1)(2n+5) − Σ_g t_g(t_g−1)(2t_g+5)) / 18   (t_g: size of tie group g)
//	Z      = (S − sgn(S)) / √Var(S)                         (continuity correction)
//	P      = 2(1 − Φ(|Z|))
//	Tau    = S / √(n0 (n0 − n1)),  n0 = n(n−1)/2, n1 = Σ_g t_g(t_g−1)/2   (Kendall's tau-b)
//
// Z, P and Tau are nil when Var(S) is 0 (fewer than two values, or all
// equal).
type MannKendallResult struct {
	N    int      `json:"n"`
	S    int      `json:"s"`
	VarS float64  `json:"var_s"`
	Z    *float64 `json:"z"`
	P    *float64 `json:"p"`
	Tau  *float64 `json:"tau"`
}

// MannKendall tests the series x (in time order) for a monotonic trend. x
// must not hold NaN or infinite values (EINVALID).
func MannKendall(x []float64) (MannKendallResult, error) {
	for _, v := range x {
		if !finite(v) {
			return MannKendallResult{}, emergingBad("Mann-Kendall: value %v is not finite", v)
		}
	}
	mk := mannKendall(x, make([]float64, len(x)))
	r := MannKendallResult{N: len(x), S: mk.s, VarS: mk.varS}
	if mk.ok {
		r.Z, r.P, r.Tau = ptr(mk.z), ptr(mk.p), ptr(mk.tau)
	}
	return r, nil
}

// mkTest is the Mann-Kendall test of one series; z, p and tau are defined
// when ok.
type mkTest struct {
	s         int
	varS      float64
	z, p, tau float64
	ok        bool
}

// significant reports a defined trend with p ≤ alpha.
func (m mkTest) significant(alpha float64) bool { return m.ok && m.s != 0 && m.p <= alpha }

// mannKendall computes the test of x (finite values) using buf (len(x)) as
// scratch for the tie groups.
func mannKendall(x, buf []float64) mkTest {
	n := len(x)
	var m mkTest
	for i := 0; i < n; i++ {
		xi := x[i]
		for _, xj := range x[i+1:] {
			switch {
			case xj > xi:
				m.s++
			case xj < xi:
				m.s--
			}
		}
	}
	buf = buf[:n]
	copy(buf, x)
	slices.Sort(buf)
	var tieVar, tiePairs float64
	for i := 0; i < n; {
		j := i + 1
		for j < n && buf[j] == buf[i] {
			j++
		}
		if t := float64(j - i); t > 1 {
			tieVar += t * (t - 1) * (2*t + 5)
			tiePairs += t * (t - 1) / 2
		}
		i = j
	}
	nf := float64(n)
	m.varS = (nf*(nf-1)*(2*nf+5) - tieVar) / 18
	if m.varS <= 0 {
		return m
	}
	s := float64(m.s)
	switch {
	case m.s > 0:
		m.z = (s - 1) / math.Sqrt(m.varS)
	case m.s < 0:
		m.z = (s + 1) / math.Sqrt(m.varS)
	}
	m.p = TwoSidedP(m.z)
	n0 := nf * (nf - 1) / 2
	m.tau = s / math.Sqrt(n0*(n0-tiePairs))
	m.ok = true
	return m
}
