package geo

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestMannKendallWorkedExample reproduces the worked example "A Mann-Kendall
// Example (By Hand)" of John Little, College of the Holy Cross
// (mathcs.holycross.edu/~little/Montserrat/MannKendallByHand.txt): 14 values
// with one tied pair give S = 54, V = 14·13·33/18 − 2·1·9/18,
// Z = (S − 1)/√V = 2.9058 "approximately" and a one-sided p of about .0018.
func TestMannKendallWorkedExample(t *testing.T) {
	x := []float64{12.9, 14.8, 13.2, 15.7, 13.8, 15.6, 12.9, 11.0, 17.3, 15.9, 19.0, 18.3, 20.1, 21.7}
	r, err := MannKendall(x)
	if err != nil {
		t.Fatal(err)
	}
	wantV := 14.0*13*33/18 - 2.0*1*9/18
	if r.N != 14 || r.S != 54 || math.Abs(r.VarS-wantV) > 1e-12 {
		t.Fatalf("n %d S %d Var(S) %v, want 14, 54, %v", r.N, r.S, r.VarS, wantV)
	}
	if math.Abs(*r.Z-2.9058) > 5e-5 || math.Abs(*r.P/2-0.0018) > 5e-5 {
		t.Errorf("Z %v, one-sided p %v; the example gives 2.9058 and .0018", *r.Z, *r.P/2)
	}
	// Kendall's tau-b: one tied pair among the 91.
	if want := 54 / math.Sqrt(91*90); math.Abs(*r.Tau-want) > 1e-12 {
		t.Errorf("tau %v, want %v", *r.Tau, want)
	}
}

// TestMannKendallClosedForm checks hand-made series against the formulas
// worked out by hand.
func TestMannKendallClosedForm(t *testing.T) {
	for _, c := range []struct {
		x          []float64
		s          int
		varS, z, p float64
		tau        float64
	}{
		// 1..5: every pair rises. Var = 5·4·15/18; z = 9/√Var.
		{[]float64{1, 2, 3, 4, 5}, 10, 50.0 / 3, 9 / math.Sqrt(50.0/3), math.Erfc(9 / math.Sqrt(50.0/3) / math.Sqrt2), 1},
		// Falling, with a tie group of 2: S = −5, Var = (4·3·13 − 2·1·9)/18.
		{[]float64{3, 2, 2, 1}, -5, 138.0 / 18, -4 / math.Sqrt(138.0/18), math.Erfc(4 / math.Sqrt(138.0/18) / math.Sqrt2), -5 / math.Sqrt(6*5)},
		// A tie group of 3 and one of 2: S = 4 + 3·? counted by hand:
		// pairs (0,0,0,1,1): 6 rises from the zeros, the rest ties: S = 6;
		// Var = (5·4·15 − 3·2·11 − 2·1·9)/18 = (300 − 66 − 18)/18 = 12;
		// z = 5/√12; tau = 6/√(10·(10 − 3 − 1)).
		{[]float64{0, 0, 0, 1, 1}, 6, 12, 5 / math.Sqrt(12), math.Erfc(5 / math.Sqrt(12) / math.Sqrt2), 6 / math.Sqrt(60)},
		// S = 1: the continuity correction gives z = 0 and p = 1.
		{[]float64{1, 3, 2}, 1, 3.0 * 2 * 11 / 18, 0, 1, 1.0 / 3},
	} {
		r, err := MannKendall(c.x)
		if err != nil {
			t.Fatal(err)
		}
		if r.S != c.s || math.Abs(r.VarS-c.varS) > 1e-12 || r.Z == nil {
			t.Fatalf("%v: S %d Var %v, want %d %v", c.x, r.S, r.VarS, c.s, c.varS)
		}
		if math.Abs(*r.Z-c.z) > 1e-12 || math.Abs(*r.P-c.p) > 1e-12 || math.Abs(*r.Tau-c.tau) > 1e-12 {
			t.Errorf("%v: z %v p %v tau %v, want %v %v %v", c.x, *r.Z, *r.P, *r.Tau, c.z, c.p, c.tau)
		}
	}
	// Undefined: one value, or all equal (Var(S) = 0).
	for _, x := range [][]float64{{4}, {2, 2, 2}, {}} {
		r, err := MannKendall(x)
		if err != nil || r.Z != nil || r.P != nil || r.Tau != nil || r.S != 0 {
			t.Errorf("%v: %+v %v, want undefined", x, r, err)
		}
	}
	if _, err := MannKendall([]float64{1, math.NaN()}); err == nil {
		t.Error("NaN accepted")
	}
}

// TestMannKendallVarianceByEnumeration checks Var(S), ties included,
// against the exact variance of S over every arrangement of the values:
// under no trend each ordering of the multiset is equally likely, and the
// formula is that distribution's variance.
func TestMannKendallVarianceByEnumeration(t *testing.T) {
	for _, x := range [][]float64{
		{1, 2, 3, 4, 5, 6},
		{1, 1, 2, 3, 4, 5},
		{1, 1, 2, 2, 2, 3, 4},
		{0, 0, 0, 0, 1, 1, 2},
		{5, 5, 5, 5, 5, 7},
	} {
		var sum, sum2, count float64
		permute(append([]float64(nil), x...), 0, func(p []float64) {
			s := 0.0
			for i := range p {
				for j := i + 1; j < len(p); j++ {
					s += sgn(p[j] - p[i])
				}
			}
			sum += s
			sum2 += s * s
			count++
		})
		exact := sum2/count - (sum/count)*(sum/count)
		r, err := MannKendall(x)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(sum/count) > 1e-9 || math.Abs(r.VarS-exact) > 1e-9 {
			t.Errorf("%v: Var(S) %v, enumeration gives mean %v variance %v", x, r.VarS, sum/count, exact)
		}
	}
}

// TestMannKendallRandomSeries compares the test with a direct computation
// (pair counts, tie groups by pairwise equality) on seeded random series
// with many ties.
func TestMannKendallRandomSeries(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for trial := 0; trial < 300; trial++ {
		n := 2 + rng.IntN(30)
		x := make([]float64, n)
		for i := range x {
			x[i] = float64(rng.IntN(6)) + float64(i)*rng.Float64()*0.2*float64(trial%2)
		}
		var s, conc, disc float64
		tiedPairs := 0.0
		for i := 0; i < n; i++ {
			for j := i + 1; j < n; j++ {
				s += sgn(x[j] - x[i])
				switch {
				case x[j] > x[i]:
					conc++
				case x[j] < x[i]:
					disc++
				default:
					tiedPairs++
				}
			}
		}
		// Σ t(t−1)(2t+5) over tie groups, each group counted at its first member.
		var tieTerm float64
		for i := 0; i < n; i++ {
			first, size := true, 0.0
			for j := 0; j < n; j++ {
				if x[j] == x[i] {
					size++
					if j < i {
						first = false
					}
				}
			}
			if first {
				tieTerm += size * (size - 1) * (2*size + 5)
			}
		}
		nf := float64(n)
		varS := (nf*(nf-1)*(2*nf+5) - tieTerm) / 18
		r, err := MannKendall(x)
		if err != nil {
			t.Fatal(err)
		}
		if float64(r.S) != s || math.Abs(r.VarS-varS) > 1e-9*varS {
			t.Fatalf("%v: S %d Var %v, want %v %v", x, r.S, r.VarS, s, varS)
		}
		if varS == 0 {
			if r.Z != nil {
				t.Fatalf("%v: z defined with zero variance", x)
			}
			continue
		}
		z := (s - sgn(s)) / math.Sqrt(varS)
		n0 := nf * (nf - 1) / 2
		tau := (conc - disc) / math.Sqrt(n0*(n0-tiedPairs))
		if math.Abs(*r.Z-z) > 1e-12 || math.Abs(*r.P-math.Erfc(math.Abs(z)/math.Sqrt2)) > 1e-12 || math.Abs(*r.Tau-tau) > 1e-12 {
			t.Fatalf("%v: z %v p %v tau %v, want %v, tau %v", x, *r.Z, *r.P, *r.Tau, z, tau)
		}
	}
}

func sgn(v float64) float64 {
	switch {
	case v > 0:
		return 1
	case v < 0:
		return -1
	}
	return 0
}

// permute calls fn with every ordering of x (x[:k] fixed), repeats and all.
func permute(x []float64, k int, fn func([]float64)) {
	if k == len(x) {
		fn(x)
		return
	}
	for i := k; i < len(x); i++ {
		x[k], x[i] = x[i], x[k]
		permute(x, k+1, fn)
		x[k], x[i] = x[i], x[k]
	}
}
