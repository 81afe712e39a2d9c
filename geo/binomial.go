package geo

import "math"

// BinomialSF returns P(X ≥ k) for X ~ Binomial(n, p): the one-sided upper
// tail probability of k or more successes in n trials. It is exact at the
// edges (k ≤ 0 gives 1, k > n gives 0, p = 0 or 1) and otherwise computed as
// the regularised incomplete beta function I_p(k, n − k + 1) by its continued
// fraction, with a relative error below 1e-9 (1e-11 for n up to a few hundred: the
// log-gamma terms of its prefactor grow with n). NaN for p outside [0, 1] or
// n < 0.
func BinomialSF(k, n int, p float64) float64 {
	switch {
	case n < 0 || !(p >= 0 && p <= 1):
		return math.NaN()
	case k <= 0:
		return 1
	case k > n:
		return 0
	case p == 0:
		return 0
	case p == 1:
		return 1
	}
	return RegIncBeta(float64(k), float64(n-k+1), p)
}

// RegIncBeta returns the regularised incomplete beta function I_x(a, b) for
// a, b > 0 and 0 ≤ x ≤ 1 (NaN otherwise), by the continued fraction of
// Lentz's method, evaluated where it converges fast (x below the mean
// (a+1)/(a+b+2)) and mirrored by I_x(a, b) = 1 − I_{1−x}(b, a) elsewhere.
func RegIncBeta(a, b, x float64) float64 {
	switch {
	case !(a > 0 && b > 0) || !(x >= 0 && x <= 1):
		return math.NaN()
	case x == 0:
		return 0
	case x == 1:
		return 1
	}
	if x > (a+1)/(a+b+2) {
		return 1 - RegIncBeta(b, a, 1-x)
	}
	la, _ := math.Lgamma(a)
	lb, _ := math.Lgamma(b)
	lab, _ := math.Lgamma(a + b)
	front := math.Exp(lab - la - lb + a*math.Log(x) + b*math.Log1p(-x))
	return front * betaCF(a, b, x) / a
}

// betaCF evaluates the continued fraction of the incomplete beta function by
// the modified Lentz method.
func betaCF(a, b, x float64) float64 {
	const (
		eps  = 1e-15
		tiny = 1e-300
	)
	qab, qap, qam := a+b, a+1, a-1
	c, d := 1.0, 1-qab*x/qap
	if math.Abs(d) < tiny {
		d = tiny
	}
	d = 1 / d
	h := d
	for m := 1; m <= 100000; m++ {
		fm := float64(m)
		m2 := 2 * fm
		aa := fm * (b - fm) * x / ((qam + m2) * (a + m2))
		d = 1 + aa*d
		if math.Abs(d) < tiny {
			d = tiny
		}
		c = 1 + aa/c
		if math.Abs(c) < tiny {
			c = tiny
		}
		d = 1 / d
		h *= d * c
		aa = -(a + fm) * (qab + fm) * x / ((a + m2) * (qap + m2))
		d = 1 + aa*d
		if math.Abs(d) < tiny {
			d = tiny
		}
		c = 1 + aa/c
		if math.Abs(c) < tiny {
			c = tiny
		}
		d = 1 / d
		del := d * c
		h *= del
		if math.Abs(del-1) < eps {
			break
		}
	}
	return h
}

// PoissonLLR returns Kulldorff's log-likelihood ratio of a zone under the
// Poisson model of the spatial scan statistic (Kulldorff 1997), scanning for
// high rates: O·ln(O/E) + (N−O)·ln((N−O)/(N−E)) when O > E, else 0; O and E
// are the observed and expected cases in the zone and N the cases of the
// whole study region (so the expected cases of the region sum to N).
func PoissonLLR(o, e, n float64) float64 {
	if !(o > e) || !(e > 0) || !(n >= o) {
		return 0
	}
	l := o * math.Log(o/e)
	if n > o && n > e {
		l += (n - o) * math.Log((n-o)/(n-e))
	}
	return l
}
