package geo

import (
	"math"
	"math/big"
	"testing"
)

// exactTails returns P(X ≥ k) for k = 0..n+1, X ~ Binomial(n, num/den),
// summed in exact rational arithmetic from the top down.
func exactTails(n int, num, den int64) []float64 {
	p := big.NewRat(num, den)
	q := new(big.Rat).Sub(big.NewRat(1, 1), p)
	pow := func(r *big.Rat, e int) *big.Rat {
		return new(big.Rat).SetFrac(new(big.Int).Exp(r.Num(), big.NewInt(int64(e)), nil), new(big.Int).Exp(r.Denom(), big.NewInt(int64(e)), nil))
	}
	out := make([]float64, n+2)
	sum := new(big.Rat)
	for k := n; k >= 0; k-- {
		t := new(big.Rat).SetInt(new(big.Int).Binomial(int64(n), int64(k)))
		t.Mul(t, pow(p, k))
		t.Mul(t, pow(q, n-k))
		sum.Add(sum, t)
		out[k], _ = sum.Float64()
	}
	return out
}

func TestBinomialSFExact(t *testing.T) {
	for _, c := range []struct {
		n        int
		num, den int64
	}{{1, 1, 2}, {7, 1, 3}, {20, 1, 20}, {60, 3, 100}, {150, 1, 7}, {400, 1, 50}, {300, 9, 10}} {
		p := float64(c.num) / float64(c.den)
		tails := exactTails(c.n, c.num, c.den)
		for k := 0; k <= c.n+1; k++ {
			want := tails[k]
			got := BinomialSF(k, c.n, p)
			if want == 0 {
				if got > 1e-300 {
					t.Errorf("SF(%d; %d, %v) = %g, want 0", k, c.n, p, got)
				}
				continue
			}
			if rel := math.Abs(got-want) / want; rel > 1e-11 && want > 1e-290 {
				t.Errorf("SF(%d; %d, %v) = %.15g, exact %.15g (rel %g)", k, c.n, p, got, want, rel)
			}
		}
	}
}

func TestBinomialSFClosedForms(t *testing.T) {
	for _, n := range []int{1, 2, 10, 100, 10000} {
		for _, p := range []float64{1e-6, 0.01, 0.3, 0.5, 0.97} {
			if got, want := BinomialSF(n, n, p), math.Pow(p, float64(n)); math.Abs(got-want) > 1e-9*want+1e-300 {
				t.Errorf("P(X≥n) n=%d p=%v: %g, want p^n = %g", n, p, got, want)
			}
			if got, want := BinomialSF(1, n, p), -math.Expm1(float64(n)*math.Log1p(-p)); math.Abs(got-want) > 1e-9*want {
				t.Errorf("P(X≥1) n=%d p=%v: %g, want 1-(1-p)^n = %g", n, p, got, want)
			}
		}
	}
	for _, c := range []struct {
		k, n int
		p    float64
		want float64
	}{{0, 5, 0.5, 1}, {-1, 5, 0.5, 1}, {6, 5, 0.5, 0}, {1, 5, 0, 0}, {5, 5, 1, 1}, {3, 0, 0.5, 0}} {
		if got := BinomialSF(c.k, c.n, c.p); got != c.want {
			t.Errorf("SF(%d; %d, %v) = %v, want %v", c.k, c.n, c.p, got, c.want)
		}
	}
	for _, bad := range []float64{-0.1, 1.1, math.NaN()} {
		if !math.IsNaN(BinomialSF(1, 2, bad)) {
			t.Errorf("p=%v: want NaN", bad)
		}
	}
}

// TestBinomialPublished reproduces the exact binomial test of R's
// documentation (binom.test, after Conover 1971, p. 97f.): 682 "giant" plants
// of 925 under H0 p = 3/4 give the two-sided p-value 0.3825, the sum of the
// probabilities of all outcomes no more likely than 682 (R's rule, with its
// relative tolerance 1 + 1e-7).
func TestBinomialPublished(t *testing.T) {
	const n, x, p = 925, 682, 0.75
	pmf := func(k int) float64 { return BinomialSF(k, n, p) - BinomialSF(k+1, n, p) }
	d := pmf(x)
	two := 0.0
	for k := 0; k <= n; k++ {
		if pk := pmf(k); pk <= d*(1+1e-7) {
			two += pk
		}
	}
	if math.Abs(two-0.3825) > 0.00005 {
		t.Errorf("two-sided p = %.6f, R gives 0.3825", two)
	}
}

func TestPoissonLLR(t *testing.T) {
	// O = 20, E = 5 of N = 100: 20 ln 4 + 80 ln(80/95).
	if got, want := PoissonLLR(20, 5, 100), 20*math.Log(4)+80*math.Log(80.0/95); math.Abs(got-want) > 1e-12 {
		t.Errorf("LLR = %v, want %v", got, want)
	}
	if got, want := PoissonLLR(20, 5, 100), 13.97787; math.Abs(got-want) > 1e-5 {
		t.Errorf("LLR = %.5f, want %.5f", got, want)
	}
	for _, c := range [][3]float64{{5, 5, 100}, {4, 5, 100}, {0, 0, 10}, {3, 0, 10}} {
		if got := PoissonLLR(c[0], c[1], c[2]); got != 0 {
			t.Errorf("LLR%v = %v, want 0 (no excess or no expectation)", c, got)
		}
	}
	// All cases in the zone: only the first term.
	if got, want := PoissonLLR(10, 2, 10), 10*math.Log(5); math.Abs(got-want) > 1e-12 {
		t.Errorf("LLR = %v, want %v", got, want)
	}
}
